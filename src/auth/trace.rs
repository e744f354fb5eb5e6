//! Observation of the authorizer pipeline, step by step, for the `explain`
//! command; the hot path uses [`NoTrace`], which compiles to nothing.
//!
//! Invariants: tracing never changes a decision; [`Recorder`] stores values
//! escaped and bounded (they may come from a hostile token).
//!
//! Allowed imports: std only.

use std::fmt::Display;

use super::error::log_value;

/// Receives one call per pipeline check, in order.
pub trait Trace {
    /// A check named `name` compared `actual` with `expected`; `ok` is its
    /// outcome. The `Display` values are only formatted if the
    /// implementation wants them.
    fn check(&mut self, name: &'static str, actual: &dyn Display, expected: &dyn Display, ok: bool);

    /// Whether steps are kept: when not, a step whose outcome is already known need not be
    /// run again just to be observed.
    fn records(&self) -> bool {
        true
    }
}

/// The zero-cost tracer of the hot path.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl Trace for NoTrace {
    #[inline(always)]
    fn check(&mut self, _: &'static str, _: &dyn Display, _: &dyn Display, _: bool) {}

    fn records(&self) -> bool {
        false
    }
}

/// One recorded check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The check's name, e.g. `alg`.
    pub name: &'static str,
    /// What the token had (escaped, at most 256 bytes).
    pub actual: String,
    /// What the rules wanted (escaped, at most 256 bytes).
    pub expected: String,
    /// Whether the check passed.
    pub ok: bool,
}

/// A tracer that keeps every step, for `explain`.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    /// The steps in pipeline order.
    pub steps: Vec<Step>,
}

impl Trace for Recorder {
    fn check(&mut self, name: &'static str, actual: &dyn Display, expected: &dyn Display, ok: bool) {
        let actual = log_value(&actual.to_string());
        let expected = log_value(&expected.to_string());
        self.steps.push(Step {
            name,
            actual,
            expected,
            ok,
        });
    }
}
