//! The app's only static assets, served by the app itself (no CDN): `/app.css` and `/app.js`.
//! The script calls `/api/{name}` with fetch and renders the answer using DOM methods only
//! (never `innerHTML`), so gateway data cannot inject markup.
//!
//! May import: nothing.

/// `/app.css`.
pub const CSS: &str = include_str!("assets/app.css");
/// `/app.js`.
pub const JS: &str = include_str!("assets/app.js");
