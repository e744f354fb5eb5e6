//! The signing-key lifecycle of an authorization server, as Okta runs it: the ACTIVE key signs,
//! the NEXT key is published ahead of use, EXPIRED keys stay published until every token they
//! signed has expired. `maintain` is the planner the runtime calls periodically; `rotate_now`
//! mirrors Okta's manual `keyRotate`.
//!
//! Invariants: at most one ACTIVE and one NEXT key; kids are unique; `records` and `keys` are
//! parallel (same index, same kid); a failed `maintain`/`rotate_now` leaves the ring unchanged;
//! a NEXT key is promoted by `maintain` only after it has been published for
//! `min(rotation period, MAX_CACHE_SECS)`, so every JWKS cache honouring our max-age already
//! holds it when it starts signing.
//!
//! May import: std, serde, serde_json, base64 (through `super::secrets`).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::signer::SigningKey;

/// Largest `max-age` of `/v1/keys`.
pub const MAX_CACHE_SECS: i64 = 86_400;
/// Smallest `max-age` of `/v1/keys`.
pub const MIN_CACHE_SECS: i64 = 60;

/// Where a key is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KeyState {
    /// Published, not yet signing.
    Next,
    /// Signing.
    Active,
    /// Retired, published until its tokens have expired.
    Expired,
}

/// A key as the store persists it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// RFC 7638 thumbprint.
    pub kid: String,
    /// PKCS#8 DER of the private key (base64url in serialized form).
    #[serde(with = "b64_bytes")]
    pub pkcs8: Vec<u8>,
    /// Lifecycle state.
    pub state: KeyState,
    /// When it was generated (unix seconds).
    pub created_at: i64,
    /// When it became ACTIVE.
    pub activated_at: Option<i64>,
    /// When it became EXPIRED.
    pub retired_at: Option<i64>,
}

impl std::fmt::Debug for KeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRecord")
            .field("kid", &self.kid)
            .field("pkcs8", &"<redacted>")
            .field("state", &self.state)
            .field("created_at", &self.created_at)
            .field("activated_at", &self.activated_at)
            .field("retired_at", &self.retired_at)
            .finish()
    }
}

/// Generates a key and its PKCS#8 DER (normally `SigningKey::generate`).
pub type KeyGenerator<'a> = dyn FnMut() -> Result<(SigningKey, Vec<u8>), String> + 'a;

/// The keys of one authorization server.
#[derive(Debug, Default)]
pub struct KeyRing {
    records: Vec<KeyRecord>,
    keys: Vec<SigningKey>,
}

impl KeyRing {
    /// A ring with no key; the first `maintain` creates ACTIVE and NEXT keys.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Loads persisted records, checking each key parses and matches its kid.
    pub fn from_records(records: Vec<KeyRecord>) -> Result<Self, String> {
        let mut ring = Self::empty();
        for record in records {
            let key = SigningKey::from_pkcs8(&record.pkcs8)?;
            if key.kid() != record.kid {
                return Err(format!(
                    "key {} does not match its thumbprint {}",
                    record.kid,
                    key.kid()
                ));
            }
            ring.push(record, key)?;
        }
        if ring.count(KeyState::Active) > 1 || ring.count(KeyState::Next) > 1 {
            return Err("more than one ACTIVE or NEXT key".to_owned());
        }
        Ok(ring)
    }

    /// The records, for the store.
    pub fn records(&self) -> &[KeyRecord] {
        &self.records
    }

    /// The signing key (`None` only before the first `maintain`).
    pub fn active(&self) -> Option<&SigningKey> {
        self.index_of(KeyState::Active).and_then(|i| self.keys.get(i))
    }

    /// A published key by kid (to verify our own tokens).
    pub fn key(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.kid() == kid)
    }

    /// `{"keys":[…]}`: ACTIVE, then NEXT, then EXPIRED keys, public members only.
    pub fn jwks(&self) -> Value {
        let order = [KeyState::Active, KeyState::Next, KeyState::Expired];
        let keys: Vec<Value> = order
            .iter()
            .flat_map(|state| self.indices(*state))
            .filter_map(|i| self.keys.get(i))
            .map(SigningKey::public_jwk)
            .collect();
        json!({ "keys": keys })
    }

    /// Brings the ring up to date at `now`: an ACTIVE key exists, a NEXT key is published,
    /// the ACTIVE key rotates once it is `rotation_period_secs` old (NEXT → ACTIVE, ACTIVE →
    /// EXPIRED, new NEXT), EXPIRED keys are dropped once `now > retired_at +
    /// max_token_lifetime_secs` (pass the longest lifetime of any token: access or ID).
    /// Returns whether anything changed (then persist `records()`).
    pub fn maintain(
        &mut self,
        now: i64,
        rotation_period_secs: i64,
        max_token_lifetime_secs: i64,
        generate: &mut KeyGenerator<'_>,
    ) -> Result<bool, String> {
        self.transaction(|ring| {
            let mut changed = false;
            if ring.index_of(KeyState::Active).is_none() {
                ring.activate_next_or_new(now, generate)?;
                changed = true;
            } else if ring.rotation_due(now, rotation_period_secs) {
                ring.rotate(now, generate)?;
                changed = true;
            }
            if ring.index_of(KeyState::Next).is_none() {
                ring.add_next(now, generate)?;
                changed = true;
            }
            Ok(ring.drop_expired(now, max_token_lifetime_secs) || changed)
        })
    }

    /// Okta's manual `keyRotate`: NEXT (or a fresh key) becomes ACTIVE and signs at once, the
    /// ACTIVE key becomes EXPIRED, a new NEXT key is created.
    pub fn rotate_now(&mut self, now: i64, generate: &mut KeyGenerator<'_>) -> Result<(), String> {
        self.transaction(|ring| ring.rotate(now, generate))
    }

    /// `max-age` for `/v1/keys`: seconds until the next planned change (rotation), clamped to
    /// 60‥86400.
    pub fn cache_max_age(&self, now: i64, rotation_period_secs: i64) -> u64 {
        let until = match self.next_rotation(rotation_period_secs) {
            Some(at) => at.saturating_sub(now),
            None => MIN_CACHE_SECS,
        };
        u64::try_from(until.clamp(MIN_CACHE_SECS, MAX_CACHE_SECS)).unwrap_or(60)
    }

    /// When `maintain` will next rotate: the ACTIVE key's age reaches the period and the NEXT
    /// key has been published long enough.
    pub fn next_rotation(&self, rotation_period_secs: i64) -> Option<i64> {
        let active = self.record(KeyState::Active)?;
        let due = active
            .activated_at
            .unwrap_or(active.created_at)
            .saturating_add(rotation_period_secs);
        let published = match self.record(KeyState::Next) {
            Some(next) => next.created_at.saturating_add(rotation_period_secs.min(MAX_CACHE_SECS)),
            None => due,
        };
        Some(due.max(published))
    }

    fn rotation_due(&self, now: i64, rotation_period_secs: i64) -> bool {
        self.record(KeyState::Next).is_some() && self.next_rotation(rotation_period_secs).is_some_and(|at| now >= at)
    }

    /// Runs `change`; on error restores the ring as it was.
    fn transaction<T>(&mut self, change: impl FnOnce(&mut Self) -> Result<T, String>) -> Result<T, String> {
        let saved = self.records.clone();
        let key_count = self.keys.len();
        let result = change(self);
        if result.is_err() {
            self.records = saved;
            self.keys.truncate(key_count);
        }
        result
    }

    fn rotate(&mut self, now: i64, generate: &mut KeyGenerator<'_>) -> Result<(), String> {
        if let Some(i) = self.index_of(KeyState::Active) {
            self.set_state(i, KeyState::Expired, now);
        }
        self.activate_next_or_new(now, generate)?;
        self.add_next(now, generate)
    }

    fn activate_next_or_new(&mut self, now: i64, generate: &mut KeyGenerator<'_>) -> Result<(), String> {
        if self.index_of(KeyState::Next).is_none() {
            self.add_next(now, generate)?;
        }
        if let Some(i) = self.index_of(KeyState::Next) {
            self.set_state(i, KeyState::Active, now);
        }
        Ok(())
    }

    fn add_next(&mut self, now: i64, generate: &mut KeyGenerator<'_>) -> Result<(), String> {
        let (key, pkcs8) = generate()?;
        let record = KeyRecord {
            kid: key.kid().to_owned(),
            pkcs8,
            state: KeyState::Next,
            created_at: now,
            activated_at: None,
            retired_at: None,
        };
        self.push(record, key)
    }

    fn push(&mut self, record: KeyRecord, key: SigningKey) -> Result<(), String> {
        if self.key(&record.kid).is_some() {
            return Err(format!("duplicate kid {}", record.kid));
        }
        self.records.push(record);
        self.keys.push(key);
        Ok(())
    }

    fn set_state(&mut self, i: usize, state: KeyState, now: i64) {
        if let Some(record) = self.records.get_mut(i) {
            record.state = state;
            match state {
                KeyState::Active => record.activated_at = Some(now),
                KeyState::Expired => record.retired_at = Some(now),
                KeyState::Next => {}
            }
        }
    }

    /// Drops EXPIRED keys whose tokens have all expired. An EXPIRED record without `retired_at`
    /// (inconsistent store) is stamped retired now, so it is kept for a full token lifetime.
    fn drop_expired(&mut self, now: i64, max_token_lifetime_secs: i64) -> bool {
        let mut changed = false;
        for r in self
            .records
            .iter_mut()
            .filter(|r| r.state == KeyState::Expired && r.retired_at.is_none())
        {
            r.retired_at = Some(now);
            changed = true;
        }
        let stale = |r: &KeyRecord| {
            r.state == KeyState::Expired
                && r.retired_at
                    .is_some_and(|at| now > at.saturating_add(max_token_lifetime_secs))
        };
        for i in (0..self.records.len()).rev() {
            if self.records.get(i).is_some_and(stale) && i < self.keys.len() {
                self.records.remove(i);
                self.keys.remove(i);
                changed = true;
            }
        }
        changed
    }

    fn count(&self, state: KeyState) -> usize {
        self.indices(state).count()
    }

    fn indices(&self, state: KeyState) -> impl Iterator<Item = usize> + '_ {
        self.records
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.state == state)
            .map(|(i, _)| i)
    }

    fn index_of(&self, state: KeyState) -> Option<usize> {
        self.indices(state).next()
    }

    fn record(&self, state: KeyState) -> Option<&KeyRecord> {
        self.index_of(state).and_then(|i| self.records.get(i))
    }
}

/// Serde helper: bytes as unpadded base64url text.
mod b64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&URL_SAFE_NO_PAD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        URL_SAFE_NO_PAD.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[path = "keyring_tests.rs"]
mod tests;
