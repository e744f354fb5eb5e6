//! Tests of token claim sets: Okta access tokens, the RFC 9068 profile, ID tokens, userinfo and
//! custom claims (okta-issuer.md §2; security case A-21).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::{Value, json};

use super::super::fixtures::{GOLD, ISSUER, SILVER, carl, groups, scopes, server, service_client, web_client};
use super::*;
use crate::model::issuer::{ClaimDef, ClaimValue, GroupFilter};

const NOW: i64 = 1_700_000_000;

struct Ctx {
    server: AuthorizationServer,
    client: Client,
    user: Option<User>,
    groups: Vec<Group>,
    scopes: Vec<String>,
}

impl Ctx {
    fn carl(granted: &[&str]) -> Self {
        Self {
            server: server(),
            client: web_client(),
            user: Some(carl()),
            groups: groups(),
            scopes: scopes(granted),
        }
    }

    fn service(granted: &[&str]) -> Self {
        Self {
            user: None,
            client: service_client(),
            ..Self::carl(granted)
        }
    }

    fn issue(&self) -> Issue<'_> {
        Issue {
            issuer: ISSUER,
            server: &self.server,
            client: &self.client,
            user: self.user.as_ref(),
            groups: &self.groups,
            scopes: &self.scopes,
            now: NOW,
            auth_time: Some(NOW - 5),
            access_lifetime_secs: 3600,
            nonce: Some("n-0S6_WzA2Mj"),
            jti_random: "pKoL1abc",
        }
    }

    fn claim(&mut self, name: &str, token: ClaimToken, value: ClaimValue, scopes: Option<&[&str]>) {
        let def = ClaimDef {
            name: name.to_owned(),
            token,
            value,
            scopes: scopes.map(super::super::fixtures::scopes),
        };
        self.server.claims.push(def);
    }
}

fn names(v: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    names
}

#[test]
fn an_okta_access_token_for_carl_has_exactly_oktas_claims() {
    let ctx = Ctx::carl(&["openid", SILVER]);
    let (header, claims) = access_token(&ctx.issue());
    assert!(header.is_empty());
    let expected = json!({
        "ver": 1, "jti": "AT.pKoL1abc", "iss": ISSUER, "aud": "api://default", "iat": NOW, "exp": NOW + 3600,
        "cid": "0oaweb", "uid": "00ucarl0000000000000", "scp": ["openid", SILVER], "auth_time": NOW - 5,
        "sub": "carl.sagan@mailinator.com",
    });
    assert_eq!(claims, expected);
}

#[test]
fn a_client_credentials_access_token_has_the_client_as_subject_and_no_user_claims() {
    let ctx = Ctx::service(&[SILVER]);
    let (_, claims) = access_token(&ctx.issue());
    assert_eq!(claims["sub"], "0oaservice");
    assert_eq!(claims["scp"], json!([SILVER]));
    assert!(claims.get("uid").is_none());
    assert!(claims.get("auth_time").is_none());
    assert!(claims.get("nbf").is_none());
}

#[test]
fn an_rfc_9068_access_token_has_typ_at_jwt_and_the_rfc_claims() {
    let mut ctx = Ctx::carl(&["openid", SILVER, GOLD]);
    ctx.server.token_profile = TokenProfile::Rfc9068;
    let (header, claims) = access_token(&ctx.issue());
    assert_eq!(Value::Object(header), json!({"typ": "at+jwt"}));
    assert_eq!(
        names(&claims),
        [
            "aud",
            "auth_time",
            "client_id",
            "exp",
            "iat",
            "iss",
            "jti",
            "scope",
            "sub"
        ]
    );
    assert_eq!(claims["scope"], format!("openid {SILVER} {GOLD}"));
    assert_eq!(claims["client_id"], "0oaweb");
}

#[test]
fn an_id_token_has_the_user_id_as_subject_and_the_client_as_audience() {
    let ctx = Ctx::carl(&["openid", "profile", "email"]);
    let claims = id_token(&ctx.issue(), Some("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"));
    let expected = json!({
        "sub": "00ucarl0000000000000", "name": "Carl Sagan", "preferred_username": "carl.sagan@mailinator.com",
        "email": "carl.sagan@mailinator.com", "email_verified": true, "ver": 1, "iss": ISSUER, "aud": "0oaweb",
        "iat": NOW, "exp": NOW + 3600, "jti": "ID.pKoL1abc", "amr": ["pwd"], "idp": org_id(ISSUER),
        "auth_time": NOW - 5, "nonce": "n-0S6_WzA2Mj", "at_hash": "77QmUPtjPfzWtF2AnpK9RQ",
    });
    assert_eq!(claims, expected);
}

#[test]
fn an_id_token_without_profile_or_email_scopes_has_no_profile_claims() {
    let mut ctx = Ctx::carl(&["openid"]);
    let claims = id_token(&ctx.issue(), None);
    for absent in ["name", "preferred_username", "email", "email_verified", "at_hash"] {
        assert!(claims.get(absent).is_none(), "{absent}");
    }
    ctx.scopes = scopes(&["openid", "email"]);
    assert_eq!(id_token(&ctx.issue(), None)["email_verified"], true);
}

#[test]
fn the_at_hash_matches_the_openid_connect_core_example() {
    assert_eq!(
        at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
        "77QmUPtjPfzWtF2AnpK9RQ"
    );
}

#[test]
fn the_idp_is_a_stable_okta_org_id() {
    let id = org_id(ISSUER);
    assert_eq!(id.len(), 20);
    assert!(id.starts_with("00o"));
    assert_eq!(id, org_id(ISSUER));
}

#[test]
fn a_groups_claim_lists_the_users_group_names_passing_the_filter() {
    let mut ctx = Ctx::carl(&["openid"]);
    ctx.user.as_mut().unwrap().groups.push("gold subscribers".to_owned());
    ctx.claim(
        "groups",
        ClaimToken::Access,
        ClaimValue::Groups(GroupFilter::StartsWith(String::new())),
        None,
    );
    ctx.claim(
        "golden",
        ClaimToken::Access,
        ClaimValue::Groups(GroupFilter::Contains("gold".to_owned())),
        None,
    );
    ctx.claim(
        "none",
        ClaimToken::Access,
        ClaimValue::Groups(GroupFilter::Equals("bronze".to_owned())),
        None,
    );
    let (_, claims) = access_token(&ctx.issue());
    assert_eq!(claims["groups"], json!(["silver subscribers", "gold subscribers"]));
    assert_eq!(claims["golden"], json!(["gold subscribers"]));
    assert_eq!(claims["none"], json!([]));
}

#[test]
fn user_derived_claims_are_omitted_without_a_user_but_literals_are_kept() {
    let mut ctx = Ctx::service(&[SILVER]);
    ctx.claim(
        "groups",
        ClaimToken::Access,
        ClaimValue::Groups(GroupFilter::StartsWith(String::new())),
        None,
    );
    ctx.claim(
        "mail",
        ClaimToken::Access,
        ClaimValue::UserAttribute("email".to_owned()),
        None,
    );
    ctx.claim(
        "tier",
        ClaimToken::Access,
        ClaimValue::Literal("service".to_owned()),
        None,
    );
    let (_, claims) = access_token(&ctx.issue());
    assert!(claims.get("groups").is_none());
    assert!(claims.get("mail").is_none());
    assert_eq!(claims["tier"], "service");
}

#[test]
fn a_scoped_claim_is_included_only_when_one_of_its_scopes_was_granted() {
    let mut ctx = Ctx::carl(&["openid", SILVER]);
    ctx.claim(
        "gold_tier",
        ClaimToken::Access,
        ClaimValue::Literal("yes".to_owned()),
        Some(&[GOLD]),
    );
    ctx.claim(
        "silver_tier",
        ClaimToken::Access,
        ClaimValue::Literal("yes".to_owned()),
        Some(&[GOLD, SILVER]),
    );
    let (_, claims) = access_token(&ctx.issue());
    assert!(claims.get("gold_tier").is_none());
    assert_eq!(claims["silver_tier"], "yes");
}

#[test]
fn claims_go_only_into_the_token_they_target() {
    let mut ctx = Ctx::carl(&["openid"]);
    ctx.claim(
        "at_only",
        ClaimToken::Access,
        ClaimValue::UserAttribute("firstName".to_owned()),
        None,
    );
    ctx.claim(
        "id_only",
        ClaimToken::Id,
        ClaimValue::UserAttribute("displayName".to_owned()),
        None,
    );
    let (_, access) = access_token(&ctx.issue());
    let id = id_token(&ctx.issue(), None);
    assert_eq!(
        (access["at_only"].as_str(), access.get("id_only")),
        (Some("Carl"), None)
    );
    assert_eq!((id["id_only"].as_str(), id.get("at_only")), (Some("Carl Sagan"), None));
}

#[test]
fn a_custom_claim_cannot_replace_a_standard_claim() {
    let mut ctx = Ctx::carl(&["openid"]);
    ctx.claim("sub", ClaimToken::Access, ClaimValue::Literal("admin".to_owned()), None);
    ctx.claim(
        "iss",
        ClaimToken::Id,
        ClaimValue::Literal("https://evil".to_owned()),
        None,
    );
    let (_, access) = access_token(&ctx.issue());
    assert_eq!(access["sub"], "carl.sagan@mailinator.com");
    assert_eq!(id_token(&ctx.issue(), None)["iss"], ISSUER);
}

#[test]
fn userinfo_has_the_user_id_and_the_claims_of_the_granted_scopes() {
    let mut ctx = Ctx::carl(&["openid", "profile", "email"]);
    ctx.claim(
        "groups",
        ClaimToken::Id,
        ClaimValue::Groups(GroupFilter::StartsWith("silver".to_owned())),
        None,
    );
    let info = userinfo(ctx.user.as_ref().unwrap(), &ctx.scopes, &ctx.server, &ctx.groups);
    let expected = json!({
        "sub": "00ucarl0000000000000", "name": "Carl Sagan", "preferred_username": "carl.sagan@mailinator.com",
        "given_name": "Carl", "family_name": "Sagan", "locale": "en-US", "zoneinfo": "America/Los_Angeles",
        "updated_at": PROFILE_UPDATED_AT, "email": "carl.sagan@mailinator.com", "email_verified": true,
        "groups": ["silver subscribers"],
    });
    assert_eq!(info, expected);
}

#[test]
fn userinfo_with_only_openid_is_just_the_subject() {
    let ctx = Ctx::carl(&["openid"]);
    let info = userinfo(ctx.user.as_ref().unwrap(), &ctx.scopes, &ctx.server, &ctx.groups);
    assert_eq!(info, json!({"sub": "00ucarl0000000000000"}));
}
