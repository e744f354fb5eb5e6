//! Request routing: path normalization and the route table.
//!
//! A request path is first canonicalized by [`normalize`] (security decision
//! D8: one canonical form that is both routed on and forwarded), then looked
//! up in a [`RouteTable`] with AWS API Gateway HTTP API precedence (see the
//! [`table`] module docs for the numbered rules, including decision D9 for
//! `HEAD`).
//!
//! Invariants: routing never sees a raw request path, only a
//! [`NormalizedPath`]; nothing here performs I/O or panics.
//!
//! Imports: `std`, the `http` crate and `crate::model::route_key` only.

pub mod path;
pub mod table;

pub use path::{NormalizedPath, PathError, Segments, normalize};
pub use table::{RouteConflict, RouteMatch, RouteTable, RouteTableBuilder};
