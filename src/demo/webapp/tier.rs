//! The three subscription tiers of the reference scenario (shared/DESIGN.md, "The story it must
//! tell"): which scopes a tier's *authenticate* button asks for, and which solar-system route its
//! *show me …* button calls through the gateway.
//!
//! May import: std only.

/// The custom scope that unlocks `GET /planets`.
pub const SILVER_SCOPE: &str = "http://myapp.com/scp/silver";
/// The custom scope that unlocks `GET /moons`.
pub const GOLD_SCOPE: &str = "http://myapp.com/scp/gold";

/// A subscription tier: one panel of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Any valid access token: `GET /asteroids`.
    Bronze,
    /// Scope silver: `GET /planets`.
    Silver,
    /// Scope gold: `GET /moons`.
    Gold,
}

impl Tier {
    /// The tiers in page order.
    pub const ALL: [Tier; 3] = [Tier::Bronze, Tier::Silver, Tier::Gold];

    /// Parses the `tier` query parameter (`bronze`, `silver`, `gold`).
    pub fn parse(name: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.id() == name)
    }

    /// The lower-case name used in URLs and element ids.
    pub fn id(self) -> &'static str {
        match self {
            Tier::Bronze => "bronze",
            Tier::Silver => "silver",
            Tier::Gold => "gold",
        }
    }

    /// The name shown on the page.
    pub fn title(self) -> &'static str {
        match self {
            Tier::Bronze => "Bronze",
            Tier::Silver => "Silver",
            Tier::Gold => "Gold",
        }
    }

    /// The tier's scopes, as the original sample app asks for them.
    pub fn scopes(self) -> &'static [&'static str] {
        match self {
            Tier::Bronze => &["openid"],
            Tier::Silver => &["openid", SILVER_SCOPE],
            Tier::Gold => &["openid", SILVER_SCOPE, GOLD_SCOPE],
        }
    }

    /// The `scope` parameter sent to the issuer: `openid`, then `extra` (e.g. `profile email`,
    /// so the ID token names the user), then the tier's custom scopes.
    pub fn scope_param(self, extra: &[String]) -> String {
        let mut scopes: Vec<&str> = vec!["openid"];
        scopes.extend(extra.iter().map(String::as_str).filter(|s| *s != "openid"));
        scopes.extend(self.scopes().iter().copied().filter(|s| *s != "openid"));
        scopes.join(" ")
    }

    /// The solar-system resource this tier unlocks (`asteroids`, `planets`, `moons`).
    pub fn resource(self) -> &'static str {
        match self {
            Tier::Bronze => "asteroids",
            Tier::Silver => "planets",
            Tier::Gold => "moons",
        }
    }

    /// The label of the panel's *show me …* button.
    pub fn show_label(self) -> &'static str {
        match self {
            Tier::Bronze => "show me some asteroids",
            Tier::Silver => "show me the planets",
            Tier::Gold => "show me some moons",
        }
    }

    /// What the gateway requires on this tier's route.
    pub fn requirement(self) -> &'static str {
        match self {
            Tier::Bronze => "any valid access token",
            Tier::Silver => "scope http://myapp.com/scp/silver",
            Tier::Gold => "scope http://myapp.com/scp/gold",
        }
    }
}

/// Whether `name` is one of the solar-system resources the app may call.
pub fn is_resource(name: &str) -> bool {
    Tier::ALL.iter().any(|t| t.resource() == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_each_tier_for_the_scopes_of_the_original_demo() {
        assert_eq!(Tier::Bronze.scope_param(&[]), "openid");
        assert_eq!(Tier::Silver.scope_param(&[]), "openid http://myapp.com/scp/silver");
        assert_eq!(
            Tier::Gold.scope_param(&[]),
            "openid http://myapp.com/scp/silver http://myapp.com/scp/gold"
        );
    }

    #[test]
    fn puts_extra_scopes_after_openid_without_repeating_it() {
        let extra = vec!["openid".to_owned(), "profile".to_owned(), "email".to_owned()];
        assert_eq!(
            Tier::Silver.scope_param(&extra),
            "openid profile email http://myapp.com/scp/silver"
        );
    }

    #[test]
    fn parses_only_the_three_tier_names() {
        assert_eq!(Tier::parse("gold"), Some(Tier::Gold));
        assert_eq!(Tier::parse("Gold"), None);
        assert!(is_resource("moons") && !is_resource("whoami"));
    }
}
