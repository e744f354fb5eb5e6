//! The route table: finds the route for a request method and normalized path
//! with AWS API Gateway HTTP API precedence.
//!
//! Routes live in a segment trie. Each node has static children (a hash map),
//! at most one `{var}` child, at most one greedy `{name+}` method set, and a
//! method set for routes ending at the node. Matching rules, each tested in
//! `table/tests.rs`:
//!
//! 1. A full match (static and `{var}` segments only) beats a greedy match,
//!    which beats `$default`. `{var}` matches exactly one segment; `{name+}`
//!    matches one or more remaining segments, so `ANY /{proxy+}` does not
//!    match `/`.
//! 2. Among full matches, segments are compared from the left and static
//!    beats `{var}` at the first position where they differ.
//! 3. Among greedy matches, more segments before the greedy variable wins;
//!    at equal depth, static beats `{var}` as in rule 2.
//! 4. At one pattern, a route for the request's method beats `ANY`. A pattern
//!    with no route accepting the method does not match, and the search goes
//!    on to the next pattern in precedence order.
//! 5. `HEAD` uses the pattern's `HEAD` route, else its `GET` route, else
//!    `ANY` (decision D9). Methods outside the route-key vocabulary (for
//!    example `PROPFIND` or lower-case `get`) match only `ANY`.
//! 6. Matching is case-sensitive. `$default` matches when nothing else does.
//! 7. Parameter values are the canonical (still percent-encoded) segments;
//!    a greedy value is the remaining segments joined with `/`.
//!
//! Invariants: a trie node exists only on the path of an inserted route; a
//! failed insert changes nothing; the variable (and greedy variable) at a
//! node has one name. Lookup allocates only the returned parameters.
//!
//! Imports: `std`, `http`, `crate::model::route_key` and the sibling `path`
//! module.

use std::collections::HashMap;
use std::fmt;

use super::path::NormalizedPath;
use crate::model::route_key::{MethodSel, PathPattern, PatternSegment, RouteKey};

/// An immutable route table mapping route keys to payloads of type `T`.
#[derive(Debug)]
pub struct RouteTable<T> {
    root: Node,
    routes: Vec<(RouteKey, T)>,
    default: Option<usize>,
}

/// Collects routes, rejecting conflicts, then [builds](Self::build) a table.
#[derive(Debug)]
pub struct RouteTableBuilder<T> {
    table: RouteTable<T>,
}

/// The route chosen for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch<'a, T> {
    /// The matched route key (`RouteKey::Default` for `$default`).
    pub key: &'a RouteKey,
    /// The payload stored with the route.
    pub value: &'a T,
    /// Path variables as (name, canonical value), left to right.
    pub params: Vec<(String, String)>,
}

/// Why a route could not be added to a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteConflict {
    /// A route with the same key is already in the table.
    Duplicate {
        /// The repeated key.
        key: RouteKey,
    },
    /// The key names a variable differently from an existing route at the
    /// same position under the same prefix.
    ConflictingVariable {
        /// The key being inserted.
        key: RouteKey,
        /// The existing key that introduced the other variable name.
        existing: RouteKey,
    },
}

#[derive(Debug, Default)]
struct Node {
    /// Hashed with foldhash, not SipHash: the keys come from the configuration and lookups never
    /// insert, so a request's path cannot grow a bucket; the hash runs per segment per request.
    statics: HashMap<String, Node, foldhash::fast::RandomState>,
    var: Option<Box<VarChild>>,
    greedy: Option<GreedyRoutes>,
    methods: MethodSet,
}

#[derive(Debug)]
struct VarChild {
    name: String,
    introduced_by: usize,
    node: Node,
}

#[derive(Debug)]
struct GreedyRoutes {
    name: String,
    introduced_by: usize,
    methods: MethodSet,
}

/// Route indexes per method selector, indexed by `MethodSel as usize`.
#[derive(Debug, Default, Clone, Copy)]
struct MethodSet([Option<usize>; MethodSel::ALL.len()]);

impl<T> RouteTable<T> {
    /// Starts an empty table.
    pub fn builder() -> RouteTableBuilder<T> {
        RouteTableBuilder::default()
    }

    /// Finds the best route for a request (see the module docs for the rules).
    pub fn find(&self, method: &http::Method, path: &NormalizedPath) -> Option<RouteMatch<'_, T>> {
        // The search goes back and forth between depths, so it indexes the segments: on the
        // stack for paths of up to INLINE_SEGMENTS segments, which is nearly all of them.
        let mut inline = [""; INLINE_SEGMENTS];
        let mut count = 0;
        for segment in path.segments() {
            if let Some(slot) = inline.get_mut(count) {
                *slot = segment;
            }
            count += 1;
        }
        let spilled: Vec<&str>;
        let segments = match inline.get(..count) {
            Some(segments) => segments,
            None => {
                spilled = path.segments().collect();
                spilled.as_slice()
            }
        };
        let mut search = Search {
            segments,
            method: MethodSel::from_method(method),
            best_greedy: None,
        };
        let index = search
            .visit(&self.root, 0)
            .or(search.best_greedy.map(|(_, index)| index))
            .or(self.default)?;
        let (key, value) = self.routes.get(index)?;
        let params = key.path().map(|p| params(p, segments)).unwrap_or_default();
        Some(RouteMatch { key, value, params })
    }

    /// The number of routes, `$default` included.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether the table has no routes.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// The routes in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&RouteKey, &T)> {
        self.routes.iter().map(|(key, value)| (key, value))
    }
}

impl<T> Default for RouteTableBuilder<T> {
    fn default() -> Self {
        RouteTableBuilder {
            table: RouteTable {
                root: Node::default(),
                routes: Vec::new(),
                default: None,
            },
        }
    }
}

impl<T> RouteTableBuilder<T> {
    /// Adds a route; on error the builder is unchanged.
    pub fn insert(&mut self, key: RouteKey, value: T) -> Result<(), RouteConflict> {
        let index = self.table.routes.len();
        match &key {
            RouteKey::Default if self.table.default.is_some() => {
                return Err(RouteConflict::Duplicate { key });
            }
            RouteKey::Default => self.table.default = Some(index),
            RouteKey::Route { method, path } => {
                self.check(&key, *method, path)?;
                self.table.root.insert(*method, path, index);
            }
        }
        self.table.routes.push((key, value));
        Ok(())
    }

    /// Finishes the table.
    pub fn build(self) -> RouteTable<T> {
        self.table
    }

    /// Rejects `key` if it duplicates or renames a variable of an existing route.
    fn check(&self, key: &RouteKey, method: MethodSel, path: &PathPattern) -> Result<(), RouteConflict> {
        let mut node = &self.table.root;
        for segment in &path.segments {
            match segment {
                PatternSegment::Static(text) => match node.statics.get(text) {
                    Some(child) => node = child,
                    None => return Ok(()),
                },
                PatternSegment::Var(name) => match &node.var {
                    Some(var) => {
                        self.same_name(key, name, &var.name, var.introduced_by)?;
                        node = &var.node;
                    }
                    None => return Ok(()),
                },
                PatternSegment::Greedy(name) => {
                    let Some(greedy) = &node.greedy else {
                        return Ok(());
                    };
                    self.same_name(key, name, &greedy.name, greedy.introduced_by)?;
                    return greedy.methods.check_free(key, method);
                }
            }
        }
        node.methods.check_free(key, method)
    }

    /// Errors unless `name` equals the `existing` name introduced by route `by`.
    fn same_name(&self, key: &RouteKey, name: &str, existing: &str, by: usize) -> Result<(), RouteConflict> {
        if name == existing {
            return Ok(());
        }
        let existing = self.table.routes.get(by).map_or(RouteKey::Default, |(k, _)| k.clone());
        Err(RouteConflict::ConflictingVariable {
            key: key.clone(),
            existing,
        })
    }
}

impl Node {
    /// Adds route `index` for `method` at `path`; conflicts are checked already.
    fn insert(&mut self, method: MethodSel, path: &PathPattern, index: usize) {
        let mut node = self;
        for segment in &path.segments {
            node = match segment {
                PatternSegment::Static(text) => node.statics.entry(text.clone()).or_default(),
                PatternSegment::Var(name) => &mut node.var_child(name, index).node,
                PatternSegment::Greedy(name) => {
                    node.greedy_routes(name, index).methods.set(method, index);
                    return;
                }
            };
        }
        node.methods.set(method, index);
    }

    /// The `{var}` child, created with `name` if missing.
    fn var_child(&mut self, name: &str, index: usize) -> &mut VarChild {
        self.var.get_or_insert_with(|| {
            Box::new(VarChild {
                name: name.into(),
                introduced_by: index,
                node: Node::default(),
            })
        })
    }

    /// The greedy method set, created with `name` if missing.
    fn greedy_routes(&mut self, name: &str, index: usize) -> &mut GreedyRoutes {
        self.greedy.get_or_insert_with(|| GreedyRoutes {
            name: name.into(),
            introduced_by: index,
            methods: MethodSet::default(),
        })
    }
}

impl MethodSet {
    fn get(&self, method: MethodSel) -> Option<usize> {
        self.0.get(method as usize).copied().flatten()
    }

    fn set(&mut self, method: MethodSel, index: usize) {
        if let Some(slot) = self.0.get_mut(method as usize) {
            *slot = Some(index);
        }
    }

    /// Errors if a route for exactly `method` is already here.
    fn check_free(&self, key: &RouteKey, method: MethodSel) -> Result<(), RouteConflict> {
        match self.get(method) {
            Some(_) => Err(RouteConflict::Duplicate { key: key.clone() }),
            None => Ok(()),
        }
    }

    /// The route for a request method (`None`: not in the vocabulary), with
    /// method-specific before `HEAD`→`GET` before `ANY`.
    fn lookup(&self, method: Option<MethodSel>) -> Option<usize> {
        let exact = method.and_then(|m| self.get(m));
        let head_as_get = || {
            (method == Some(MethodSel::Head))
                .then(|| self.get(MethodSel::Get))
                .flatten()
        };
        exact.or_else(head_as_get).or_else(|| self.get(MethodSel::Any))
    }
}

/// Request paths of up to this many segments are matched without allocating.
const INLINE_SEGMENTS: usize = 16;

/// One lookup: a depth-first walk, static children before the `{var}` child.
struct Search<'p> {
    segments: &'p [&'p str],
    method: Option<MethodSel>,
    /// The best greedy candidate so far, as (depth, route index).
    best_greedy: Option<(usize, usize)>,
}

impl Search<'_> {
    /// Returns the first full match under `node` in precedence order, and
    /// records greedy candidates on the way.
    fn visit(&mut self, node: &Node, depth: usize) -> Option<usize> {
        let Some(segment) = self.segments.get(depth) else {
            return node.methods.lookup(self.method);
        };
        self.consider_greedy(node, depth);
        if let Some(child) = node.statics.get(*segment)
            && let Some(found) = self.visit(child, depth + 1)
        {
            return Some(found);
        }
        let var = node.var.as_ref()?;
        self.visit(&var.node, depth + 1)
    }

    /// Pre-order visits equal depths in precedence order, so only a strictly
    /// deeper greedy route replaces the current candidate.
    fn consider_greedy(&mut self, node: &Node, depth: usize) {
        let Some(greedy) = &node.greedy else { return };
        if self.best_greedy.is_some_and(|(best, _)| best >= depth) {
            return;
        }
        if let Some(index) = greedy.methods.lookup(self.method) {
            self.best_greedy = Some((depth, index));
        }
    }
}

/// The (name, value) pairs of `pattern`'s variables for matched `segments`.
fn params(pattern: &PathPattern, segments: &[&str]) -> Vec<(String, String)> {
    let count = pattern.variable_names().count();
    if count == 0 {
        return Vec::new();
    }
    let mut params = Vec::with_capacity(count);
    for (i, segment) in pattern.segments.iter().enumerate() {
        let value = match segment {
            PatternSegment::Static(_) => continue,
            PatternSegment::Var(_) => segments.get(i).map(|s| (*s).to_owned()),
            PatternSegment::Greedy(_) => segments.get(i..).map(|rest| rest.join("/")),
        };
        if let (Some(name), Some(value)) = (segment.variable_name(), value) {
            params.push((name.to_owned(), value));
        }
    }
    params
}

impl<T> RouteMatch<'_, T> {
    /// The value of the path variable `name`, if the route has one.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for RouteConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteConflict::Duplicate { key } => write!(f, "Route with key '{key}' already exists"),
            RouteConflict::ConflictingVariable { key, existing } => write!(
                f,
                "The provided route key \"{key}\" has a conflicting variable \
                 on the same hierarchical level as \"{existing}\""
            ),
        }
    }
}

impl std::error::Error for RouteConflict {}

#[cfg(test)]
mod tests;
