//! The verified-token cache: a token is verified once per authorizer, then answered from a
//! hash lookup until it expires or the issuer's keys change.
//!
//! Keying: an entry is found by a cheap probe (part of the authorizer's [`RulesId`], the
//! token's length and its last 32 bytes, which in a JWS are signature bytes) and answers only
//! if its whole [`RulesId`] (a SHA-256 of issuer, audiences, algorithms, leeway and required
//! `typ`, computed once per configuration) and its whole token equal the lookup's. So a token
//! verified for one authorizer never passes another authorizer's rules, and a hit costs one
//! pass over the token's bytes, without an early exit (a SHA-256 of the token, the earlier
//! confirmation, cost ~1 µs of the ~30 µs of a proxied request on SHA-NI hardware). The entry
//! keeps the token (counted in its cost), as the claims decoded from it are kept: a cache of
//! bearer tokens holds credentials either way, and Envoy's `jwt_authn` cache is keyed by the
//! token itself. Tokens sharing a probe share one slot (the later replaces the earlier); a
//! lookup that finds another token's slot is a miss, so crafted collisions cost their sender a
//! comparison and nothing else.
//!
//! Invariants:
//! - an entry answers only while `now < exp + leeway`, exactly the pipeline's own expiry test
//!   (`nbf` and `iat` need no bound: a token that passed them keeps passing them as time goes on);
//! - an entry answers only for the very key set it was verified with (an `Arc` identity held
//!   through a `Weak`, so an address is never reused while an entry names it): when the JWKS is
//!   refetched, every entry is verified again on its next use, so a removed key stops accepting
//!   its tokens as soon as the new key set is in place;
//! - route scopes are not part of an entry: the caller checks them on every request;
//! - the only refusal remembered is a rejected signature (see [`TokenCache::insert_refusal`]):
//!   under one key set, one token and one set of rules the pipeline's verdict cannot change
//!   before `exp + leeway`, so the answer stays exactly the full pipeline's. No refusal that
//!   could become a success is kept (a new key set re-opens every question);
//! - refusals live in their own, smaller table ([`REFUSALS_PER_ENTRY`]), so a flood of distinct
//!   forged tokens churns only among itself and never evicts a valid token;
//! - bounded: at most `max_entries` entries and `max_bytes` of estimated memory; when full, the
//!   CLOCK policy (second chance, an approximation of LRU whose hits take only a read lock)
//!   evicts expired or stale entries first, then entries not used since the hand last passed.
//!
//! Pure like the rest of `auth`: the time is an argument, nothing is global.
//!
//! Allowed imports: std, aws-lc-rs (`digest`, for [`RulesId`]), and the auth module.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};

use aws_lc_rs::digest;

use super::claims::Claims;
use super::error::AuthError;
use super::keys::KeySet;
use super::pipeline::Refusal;
use super::rules::Rules;

/// Estimated bytes held by an entry besides its token-dependent part.
pub const ENTRY_OVERHEAD_BYTES: usize = 256;
/// Estimated bytes per byte of token: the token itself, its decoded payload (¾ byte per byte,
/// kept when the claims are parsed on first read), and the claims once parsed (base64 and JSON
/// expand once decoded into a map of strings and values, about 3 bytes per byte).
pub const BYTES_PER_TOKEN_BYTE: usize = 5;

/// The refusal table holds one entry per this many entries of the acceptance table (at least
/// [`MIN_REFUSALS`]).
pub const REFUSALS_PER_ENTRY: usize = 4;
/// The smallest refusal table.
pub const MIN_REFUSALS: usize = 16;
/// Estimated bytes of a remembered refusal besides its token.
pub const REFUSAL_COST_BYTES: usize = 384;

/// How big the cache may grow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheLimits {
    /// Most entries kept.
    pub max_entries: usize,
    /// Most estimated bytes kept (see [`entry_cost`]).
    pub max_bytes: usize,
}

/// The identity of an authorizer's rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RulesId([u8; 32]);

impl RulesId {
    /// SHA-256 over an unambiguous encoding of every rule that decides acceptance.
    pub fn of(rules: &Rules) -> Self {
        let mut ctx = digest::Context::new(&digest::SHA256);
        let mut field = |bytes: &[u8]| {
            ctx.update(&(bytes.len() as u64).to_le_bytes());
            ctx.update(bytes);
        };
        field(rules.issuer.as_bytes());
        field(&(rules.audiences.len() as u64).to_le_bytes());
        rules.audiences.iter().for_each(|a| field(a.as_bytes()));
        field(&(rules.algorithms.len() as u64).to_le_bytes());
        rules.algorithms.iter().for_each(|a| field(a.name().as_bytes()));
        field(&rules.leeway().to_le_bytes());
        match &rules.required_typ {
            Some(typ) => {
                field(b"typ");
                field(typ.as_bytes());
            }
            None => field(b""),
        }
        Self(digest_bytes(ctx.finish()))
    }
}

/// Where a token's verdict is looked for: the probe that finds its slot, and the rules and
/// token a slot must hold to answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheKey<'t> {
    rules: RulesId,
    token: &'t [u8],
    probe: Probe,
}

/// The slot finder: a prefix of the rules' identity (8 bytes), the token's length (8, little
/// endian) and its last [`PROBE_TAIL`] bytes, side by side.
///
/// One array, hashed by one `write` of its bytes: as three fields with a derived `Hash`, the
/// SipHash of a probe took five writes (each array's length, then its bytes), ~200 instructions
/// a lookup more (bench/callgrind `cached`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Probe([u8; PROBE_LEN]);

/// Bytes of the token's end in a probe.
const PROBE_TAIL: usize = 32;
/// Bytes of a probe.
const PROBE_LEN: usize = 16 + PROBE_TAIL;

impl std::hash::Hash for Probe {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Every probe has the same length, so the bytes alone are prefix-free.
        state.write(&self.0);
    }
}

impl<'t> CacheKey<'t> {
    /// The key of `token` (its bytes, or text) under the rules `rules`.
    pub fn new<T: AsRef<[u8]> + ?Sized>(rules: &RulesId, token: &'t T) -> Self {
        let token = token.as_ref();
        let mut probe = [0u8; PROBE_LEN];
        let (prefix, rest) = probe.split_at_mut(8);
        let (len, tail) = rest.split_at_mut(8);
        prefix.iter_mut().zip(&rules.0).for_each(|(r, b)| *r = *b);
        len.copy_from_slice(&(token.len() as u64).to_le_bytes());
        let from = token.len().saturating_sub(PROBE_TAIL);
        tail.iter_mut().zip(&token[from..]).for_each(|(t, b)| *t = *b);
        let probe = Probe(probe);
        Self {
            rules: *rules,
            token,
            probe,
        }
    }

    /// Whether a slot keeping `rules` and `token` is this key's. Every byte is compared, with
    /// no early exit, so the time of a miss does not tell how much of a kept token matched.
    fn is(&self, rules: &RulesId, token: &[u8]) -> bool {
        token.len() == self.token.len() && (differences(&rules.0, &self.rules.0) | differences(token, self.token)) == 0
    }
}

/// The OR of the XORs of two slices' bytes (zero when the common length is equal): a fold over
/// a zip of slices, which the compiler vectorizes (a chained iterator it would not). Never
/// inlined, so that whether it is vectorized does not depend on its caller's code (see
/// `auth::extract::classes`, where an unrelated change once undid it).
#[inline(never)]
fn differences(a: &[u8], b: &[u8]) -> u8 {
    a.iter().zip(b).fold(0, |diff, (x, y)| diff | (x ^ y))
}

fn digest_bytes(d: digest::Digest) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.iter_mut().zip(d.as_ref()).for_each(|(o, b)| *o = *b);
    out
}

/// The estimated memory of an entry for a token of `token_len` bytes.
pub fn entry_cost(token_len: usize) -> usize {
    ENTRY_OVERHEAD_BYTES.saturating_add(token_len.saturating_mul(BYTES_PER_TOKEN_BYTE))
}

/// The first instant (Unix seconds, fractional) at which the pipeline calls a token with this
/// `exp` expired: `exp + leeway`, so an entry, an acceptance ([`Claims::exp`]) or a refused
/// signature ([`super::pipeline::Refusal::exp`]), is never answered past it. `None` without a
/// finite `exp` (never for claims the pipeline accepted).
pub fn valid_until(exp: Option<f64>, rules: &Rules) -> Option<f64> {
    Some(exp? + rules.leeway())
}

/// What the cache answers for a token.
#[derive(Clone, Debug)]
pub enum Remembered {
    /// The pipeline accepted it, with these claims (route scopes still to check).
    Valid(Arc<Claims>),
    /// The pipeline refused its signature, with this error.
    Refused(AuthError),
}

struct Entry<V> {
    value: V,
    keys: Weak<KeySet>,
    valid_until: f64,
    cost: usize,
    referenced: AtomicBool,
}

impl<V> Entry<V> {
    fn answers(&self, keys: &Arc<KeySet>, now: i64) -> bool {
        std::ptr::eq(self.keys.as_ptr(), Arc::as_ptr(keys)) && (now as f64) < self.valid_until
    }

    fn is_dead(&self, now: i64) -> bool {
        self.keys.strong_count() == 0 || (now as f64) >= self.valid_until
    }
}

struct Slot<V> {
    probe: Probe,
    rules: RulesId,
    token: Box<[u8]>,
    entry: Entry<V>,
}

struct Table<V> {
    index: HashMap<Probe, usize>,
    slots: Vec<Slot<V>>,
    hand: usize,
    bytes: usize,
    limits: CacheLimits,
}

impl<V: Clone> Table<V> {
    fn new(limits: CacheLimits) -> Self {
        Self {
            index: HashMap::new(),
            slots: Vec::new(),
            hand: 0,
            bytes: 0,
            limits,
        }
    }

    /// The value kept for `key`.
    fn get(&self, key: &CacheKey<'_>, keys: &Arc<KeySet>, now: i64) -> Option<V> {
        let slot = self.slots.get(*self.index.get(&key.probe)?)?;
        let entry = &slot.entry;
        if !entry.answers(keys, now) || !key.is(&slot.rules, &slot.token) {
            return None;
        }
        entry.referenced.store(true, Ordering::Relaxed);
        Some(entry.value.clone())
    }

    fn insert(&mut self, key: &CacheKey<'_>, entry: Entry<V>, now: i64) {
        let cost = entry.cost;
        if cost > self.limits.max_bytes || self.limits.max_entries == 0 || (now as f64) >= entry.valid_until {
            return;
        }
        let probe = key.probe;
        if let Some(at) = self.index.get(&probe).copied() {
            self.remove(at);
        }
        while !self.slots.is_empty()
            && (self.slots.len() >= self.limits.max_entries || self.bytes + cost > self.limits.max_bytes)
        {
            self.evict_one(now);
        }
        let at = self.slots.len();
        self.slots.push(Slot {
            probe,
            rules: key.rules,
            token: key.token.into(),
            entry,
        });
        self.index.insert(probe, at);
        self.bytes += cost;
    }

    fn remove(&mut self, at: usize) {
        if at >= self.slots.len() {
            return;
        }
        let removed = self.slots.swap_remove(at);
        self.bytes = self.bytes.saturating_sub(removed.entry.cost);
        self.index.remove(&removed.probe);
        if let Some(moved) = self.slots.get(at) {
            self.index.insert(moved.probe, at);
        }
    }

    /// One CLOCK step sequence: evicts the first dead or unreferenced entry from the hand on.
    fn evict_one(&mut self, now: i64) {
        let len = self.slots.len();
        for _ in 0..=2 * len {
            if self.hand >= self.slots.len() {
                self.hand = 0;
            }
            let Some(Slot { entry, .. }) = self.slots.get(self.hand) else {
                return;
            };
            if entry.is_dead(now) || !entry.referenced.swap(false, Ordering::Relaxed) {
                self.remove(self.hand);
                return;
            }
            self.hand += 1;
        }
        self.remove(self.hand);
    }
}

/// The verified-token cache of a gateway (shared by every authorizer; see the module docs).
pub struct TokenCache {
    limits: CacheLimits,
    valid: RwLock<Table<Arc<Claims>>>,
    refused: RwLock<Table<AuthError>>,
}

fn read<V>(table: &RwLock<Table<V>>) -> RwLockReadGuard<'_, Table<V>> {
    table.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<V>(table: &RwLock<Table<V>>) -> RwLockWriteGuard<'_, Table<V>> {
    table.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl TokenCache {
    /// An empty cache with these bounds (the refusal table gets a quarter of them).
    pub fn new(limits: CacheLimits) -> Self {
        let refusals = CacheLimits {
            max_entries: (limits.max_entries / REFUSALS_PER_ENTRY).max(MIN_REFUSALS),
            max_bytes: (limits.max_bytes / REFUSALS_PER_ENTRY).max(MIN_REFUSALS * REFUSAL_COST_BYTES),
        };
        Self {
            limits,
            valid: RwLock::new(Table::new(limits)),
            refused: RwLock::new(Table::new(refusals)),
        }
    }

    /// The bounds.
    pub fn limits(&self) -> CacheLimits {
        self.limits
    }

    /// The claims verified for `key` with exactly `keys`, if still valid at `now`.
    pub fn get(&self, key: &CacheKey<'_>, keys: &Arc<KeySet>, now: i64) -> Option<Arc<Claims>> {
        read(&self.valid).get(key, keys, now)
    }

    /// What the pipeline decided for `key` with exactly `keys`, if it still holds at `now`.
    pub fn recall(&self, key: &CacheKey<'_>, keys: &Arc<KeySet>, now: i64) -> Option<Remembered> {
        if let Some(claims) = read(&self.valid).get(key, keys, now) {
            return Some(Remembered::Valid(claims));
        }
        read(&self.refused).get(key, keys, now).map(Remembered::Refused)
    }

    /// Remembers `refusal` of the token behind `key` by the full pipeline with `keys` and
    /// `rules` if it is a rejected signature (reason `Signature`, reached only once every claim
    /// passed), until its `exp + leeway` ([`valid_until`], after which the pipeline would say
    /// "expired"). Other refusals are not kept: they cost no crypto.
    pub fn insert_refusal(&self, key: &CacheKey<'_>, keys: &Arc<KeySet>, refusal: &Refusal, rules: &Rules, now: i64) {
        if refusal.error.reason != super::error::Reason::Signature {
            return;
        }
        let Some(valid_until) = valid_until(refusal.exp, rules) else {
            return;
        };
        let entry = Entry {
            value: refusal.error.clone(),
            keys: Arc::downgrade(keys),
            valid_until,
            cost: REFUSAL_COST_BYTES.saturating_add(key.token.len()),
            referenced: AtomicBool::new(false),
        };
        write(&self.refused).insert(key, entry, now);
    }

    /// Remembered refusals.
    pub fn refusals(&self) -> usize {
        read(&self.refused).slots.len()
    }

    /// Remembers that the full pipeline accepted the token behind `key` with `keys` and `rules`,
    /// until its `exp + leeway` ([`valid_until`]), the first instant the pipeline would call it
    /// expired. Claims without a finite `exp` (never accepted by the pipeline) are not kept, nor
    /// a token whose entry alone would exceed the memory bound.
    pub fn insert(&self, key: &CacheKey<'_>, keys: &Arc<KeySet>, claims: Arc<Claims>, rules: &Rules, now: i64) {
        let Some(valid_until) = valid_until(claims.exp(), rules) else {
            return;
        };
        let entry = Entry {
            value: claims,
            keys: Arc::downgrade(keys),
            valid_until,
            cost: entry_cost(key.token.len()),
            referenced: AtomicBool::new(false),
        };
        write(&self.valid).insert(key, entry, now);
    }

    /// Number of accepted tokens kept.
    pub fn len(&self) -> usize {
        read(&self.valid).slots.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Estimated bytes held by accepted tokens.
    pub fn bytes(&self) -> usize {
        read(&self.valid).bytes
    }
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
