//! Configuration problems: where (path, line, column), what, and how to fix it.
//!
//! May import: std only.

use std::fmt;

/// A 1-based line and column in the configuration text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Location {
    /// A location.
    pub fn new(line: usize, column: usize) -> Self {
        Self { line, column }
    }
}

/// One problem found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where, as a path (`gateway.apis[0].routes[2].routeKey`); empty for the whole file.
    pub path: String,
    /// Line and column, when known.
    pub location: Option<Location>,
    /// What is wrong.
    pub message: String,
    /// A one-line fix.
    pub hint: String,
}

impl Diagnostic {
    /// A diagnostic without a location yet.
    pub fn new(path: &str, message: String, hint: &str) -> Self {
        Self {
            path: path.to_owned(),
            location: None,
            message,
            hint: hint.to_owned(),
        }
    }

    /// The same diagnostic at `location`.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = self.location {
            write!(f, "{}:{}: ", loc.line, loc.column)?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}\n    hint: {}", self.message, self.hint)
    }
}

/// Every problem of one configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Records a problem.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Records a problem at `path`.
    pub fn error(&mut self, path: &str, message: impl Into<String>, hint: &str) {
        self.0.push(Diagnostic::new(path, message.into(), hint));
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}
