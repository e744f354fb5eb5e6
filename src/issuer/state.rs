//! The running tenant: its configuration, the effective issuer URLs, each authorization
//! server's key ring, the store, throttles, and the sign-in interactions in progress.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::core::KeyRing;
use super::throttle::Throttle;
use crate::auth::KeySet;
use crate::model::issuer::{AuthorizationServer, Issuer};
use crate::store::Store;

/// One authorization server at run time.
pub struct ServerState {
    /// Its configuration.
    pub config: AuthorizationServer,
    /// Its issuer URL (`iss`), `{base}/oauth2/{id}`.
    pub issuer: String,
    /// Its keys; replaced whole on rotation.
    pub keys: RwLock<Arc<KeyRing>>,
    /// The published keys, parsed for verifying our own tokens; rebuilt with `keys`.
    pub verifier: RwLock<Option<Arc<KeySet>>>,
}

impl ServerState {
    /// The current key ring.
    pub fn keys(&self) -> Arc<KeyRing> {
        self.keys
            .read()
            .map(|k| k.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Installs a new key ring.
    pub fn set_keys(&self, ring: KeyRing) {
        let verifier = serde_json::to_vec(&ring.jwks())
            .ok()
            .and_then(|jwks| KeySet::from_jwks(&jwks).ok())
            .map(|(k, _)| Arc::new(k));
        *self.verifier.write().unwrap_or_else(std::sync::PoisonError::into_inner) = verifier;
        *self.keys.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(ring);
    }

    /// The published keys as a verifier (none before the first key exists).
    pub fn verifier(&self) -> Option<Arc<KeySet>> {
        self.verifier
            .read()
            .map(|v| v.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The longest lifetime of any token this server signs (for keeping retired keys).
    pub fn max_token_lifetime_secs(&self) -> i64 {
        let longest_rule = self
            .config
            .policies
            .iter()
            .flat_map(|p| &p.rules)
            .map(|r| r.access_token_lifetime.as_secs())
            .max()
            .unwrap_or(3600);
        i64::try_from(longest_rule.max(3600)).unwrap_or(86_400)
    }
}

/// A sign-in in progress: the authorization request waiting for the user.
#[derive(Debug, Clone)]
pub struct Interaction {
    /// Authorization server id.
    pub server: String,
    /// The validated authorization request.
    pub request: super::http::authorize::AuthRequest,
    /// Anti-CSRF token the sign-in form must return.
    pub csrf: String,
    /// When it started.
    pub created: Instant,
}

/// How long a sign-in form stays valid.
pub const INTERACTION_TTL: Duration = Duration::from_secs(600);

/// Everything the issuer's endpoints share.
pub struct IssuerState {
    /// The tenant configuration.
    pub tenant: Issuer,
    /// Public origin (`baseUrl`, or the bound listener's).
    pub base_url: String,
    /// Authorization servers by id.
    pub servers: HashMap<String, ServerState>,
    /// Persistent state.
    pub store: Store,
    /// Sign-in failures per user and IP.
    pub login_throttle: Throttle,
    /// Client-authentication failures per client and IP.
    pub client_throttle: Throttle,
    /// Sign-ins in progress, by interaction id.
    pub interactions: Mutex<HashMap<String, Interaction>>,
    /// Whether cookies get `Secure` (https base URL).
    pub secure_cookies: bool,
}

impl IssuerState {
    /// Builds the state; key rings start empty until `keys::load_all` runs.
    pub fn new(tenant: Issuer, base_url: String, store: Store) -> Self {
        let servers = tenant
            .authorization_servers
            .iter()
            .map(|s| {
                let state = ServerState {
                    config: s.clone(),
                    issuer: format!("{base_url}/oauth2/{}", s.id),
                    keys: RwLock::new(Arc::new(KeyRing::empty())),
                    verifier: RwLock::new(None),
                };
                (s.id.clone(), state)
            })
            .collect();
        Self {
            secure_cookies: base_url.starts_with("https://"),
            tenant,
            base_url,
            servers,
            store,
            login_throttle: Throttle::new(5, Duration::from_secs(900), Duration::from_secs(60)),
            client_throttle: Throttle::new(10, Duration::from_secs(300), Duration::from_secs(60)),
            interactions: Mutex::new(HashMap::new()),
        }
    }

    /// Starts a sign-in interaction and returns its id.
    pub fn begin_interaction(&self, interaction: Interaction, id: String) {
        let mut map = self
            .interactions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        map.retain(|_, i| now.saturating_duration_since(i.created) < INTERACTION_TTL);
        if map.len() < 100_000 {
            map.insert(id, interaction);
        }
    }

    /// A live interaction by id.
    pub fn interaction(&self, id: &str) -> Option<Interaction> {
        let map = self
            .interactions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(id).filter(|i| i.created.elapsed() < INTERACTION_TTL).cloned()
    }

    /// Ends an interaction (after success).
    pub fn end_interaction(&self, id: &str) {
        let mut map = self
            .interactions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.remove(id);
    }
}
