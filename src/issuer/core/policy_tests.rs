//! Tests of access-policy evaluation on the solar-system tenant (okta-issuer.md §0, §1.8, §3).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use super::super::fixtures::{GOLD, SILVER, carl, jodie, scopes, server, service_client, web_client};
use super::*;
use crate::model::issuer::{Assignment, AuthorizationServer, Client, GrantType, People, ScopeCondition, User};

fn eval<'a>(
    server: &'a AuthorizationServer,
    client: &Client,
    user: Option<&User>,
    grant: GrantType,
    requested: &[&str],
) -> Result<Grant<'a>, PolicyError> {
    let requested = scopes(requested);
    evaluate(
        server,
        &PolicyRequest {
            client,
            user,
            grant,
            scopes: &requested,
        },
    )
}

fn code_flow<'a>(server: &'a AuthorizationServer, user: &User, requested: &[&str]) -> Result<Grant<'a>, PolicyError> {
    eval(
        server,
        &web_client(),
        Some(user),
        GrantType::AuthorizationCode,
        requested,
    )
}

#[test]
fn carl_asking_for_openid_and_silver_is_granted_by_the_silver_rule_with_exactly_those_scopes() {
    let server = server();
    let grant = code_flow(&server, &carl(), &["openid", SILVER]).unwrap();
    assert_eq!(grant.policy.name, "Solar system API access");
    assert_eq!(grant.rule.name, "silver access");
    assert_eq!(grant.scopes, scopes(&["openid", SILVER]));
}

#[test]
fn carl_asking_for_gold_too_is_denied_with_oktas_policy_failure() {
    let server = server();
    let err = code_flow(&server, &carl(), &["openid", SILVER, GOLD]).unwrap_err();
    assert_eq!(err, PolicyError::NoMatch);
    assert_eq!(err.error_code(), "access_denied");
    assert_eq!(
        err.description(),
        "Policy evaluation failed for this request, please check the policy configurations."
    );
}

#[test]
fn jodie_asking_for_silver_only_matches_the_gold_rule_and_gets_only_silver() {
    let server = server();
    let grant = code_flow(&server, &jodie(), &[SILVER]).unwrap();
    assert_eq!(grant.rule.name, "gold access");
    assert_eq!(grant.scopes, scopes(&[SILVER]));
}

#[test]
fn jodie_asking_for_everything_the_gold_rule_lists_gets_all_of_it() {
    let server = server();
    let grant = code_flow(&server, &jodie(), &["openid", SILVER, GOLD]).unwrap();
    assert_eq!(grant.rule.name, "gold access");
    assert_eq!(grant.scopes, scopes(&["openid", SILVER, GOLD]));
}

#[test]
fn the_service_client_with_client_credentials_is_granted_by_the_service_rule() {
    let server = server();
    let grant = eval(
        &server,
        &service_client(),
        None,
        GrantType::ClientCredentials,
        &[SILVER],
    )
    .unwrap();
    assert_eq!(grant.rule.name, "service access");
    assert_eq!(grant.scopes, scopes(&[SILVER]));
}

#[test]
fn an_active_default_policy_lets_carl_fall_through_and_get_gold() {
    let mut server = server();
    server.policies[1].active = true;
    let grant = code_flow(&server, &carl(), &["openid", SILVER, GOLD]).unwrap();
    assert_eq!(grant.policy.name, "Default Policy");
    assert_eq!(grant.rule.name, "Default Policy Rule");
    assert_eq!(grant.scopes, scopes(&["openid", SILVER, GOLD]));
}

#[test]
fn policies_and_rules_are_evaluated_by_priority_whatever_their_order_in_the_list() {
    let mut server = server();
    server.policies[1].active = true;
    server.policies.reverse();
    server.policies[1].rules.reverse();
    let grant = code_flow(&server, &carl(), &["openid", SILVER]).unwrap();
    assert_eq!(grant.policy.name, "Solar system API access");
    assert_eq!(grant.rule.name, "silver access");
    let mut both = jodie();
    both.groups.push("silver subscribers".to_owned());
    assert_eq!(code_flow(&server, &both, &[SILVER]).unwrap().rule.name, "gold access");
}

#[test]
fn an_inactive_rule_is_skipped() {
    let mut server = server();
    server.policies[0].rules[0].active = false;
    assert_eq!(
        code_flow(&server, &jodie(), &[SILVER]).unwrap_err(),
        PolicyError::NoMatch
    );
    let mut both = jodie();
    both.groups.push("silver subscribers".to_owned());
    assert_eq!(code_flow(&server, &both, &[SILVER]).unwrap().rule.name, "silver access");
}

#[test]
fn a_policy_assigned_to_other_clients_is_skipped() {
    let mut server = server();
    server.policies[0].clients = crate::model::issuer::ClientCondition::Only(vec!["0oaother".to_owned()]);
    assert_eq!(
        code_flow(&server, &carl(), &[SILVER]).unwrap_err(),
        PolicyError::NoMatch
    );
    server.policies[0].clients = crate::model::issuer::ClientCondition::Only(vec!["0oaweb".to_owned()]);
    assert_eq!(
        code_flow(&server, &carl(), &[SILVER]).unwrap().rule.name,
        "silver access"
    );
}

#[test]
fn a_grant_type_the_rule_does_not_list_does_not_match() {
    let server = server();
    let err = eval(
        &server,
        &web_client(),
        Some(&carl()),
        GrantType::RefreshToken,
        &[SILVER],
    )
    .unwrap_err();
    assert_eq!(err, PolicyError::NoMatch);
}

#[test]
fn oidc_scopes_must_be_listed_by_the_rule_like_any_other() {
    let server = server();
    let err = eval(
        &server,
        &service_client(),
        None,
        GrantType::ClientCredentials,
        &["openid", SILVER],
    )
    .unwrap_err();
    assert_eq!(err, PolicyError::NoMatch);
}

#[test]
fn a_group_rule_never_matches_a_request_without_a_user() {
    let mut server = server();
    server.policies[0].rules[0]
        .grant_types
        .push(GrantType::ClientCredentials);
    server.policies[0].rules[2].active = false;
    let err = eval(
        &server,
        &service_client(),
        None,
        GrantType::ClientCredentials,
        &[SILVER],
    )
    .unwrap_err();
    assert_eq!(err, PolicyError::NoMatch);
}

#[test]
fn a_user_listed_by_login_matches_regardless_of_case() {
    let mut server = server();
    server.policies[0].rules[0].people = People::Only {
        groups: vec![],
        users: vec!["CARL.SAGAN@mailinator.com".to_owned()],
    };
    assert_eq!(code_flow(&server, &carl(), &[GOLD]).unwrap().rule.name, "gold access");
}

#[test]
fn repeated_scopes_are_granted_once_in_order_of_first_appearance() {
    let server = server();
    let grant = code_flow(&server, &carl(), &[SILVER, "openid", SILVER, "", "openid"]).unwrap();
    assert_eq!(grant.scopes, scopes(&[SILVER, "openid"]));
}

#[test]
fn an_unknown_scope_is_invalid_scope_before_any_policy_is_looked_at() {
    let mut server = server();
    for policy in &mut server.policies {
        policy.active = false;
    }
    let err = code_flow(&server, &carl(), &["openid", "groups"]).unwrap_err();
    assert_eq!(err, PolicyError::UnknownScope);
    assert_eq!(err.error_code(), "invalid_scope");
    assert_eq!(
        err.description(),
        "One or more scopes are not configured for the authorization server resource."
    );
}

#[test]
fn no_scope_and_no_default_scopes_is_invalid_scope_with_oktas_text() {
    let server = server();
    let err = eval(&server, &service_client(), None, GrantType::ClientCredentials, &[]).unwrap_err();
    assert_eq!(err, PolicyError::NoDefaultScopes);
    assert_eq!(err.error_code(), "invalid_scope");
    assert_eq!(
        err.description(),
        "The authorization server resource does not have any configured default scopes, 'scope' must be provided."
    );
}

#[test]
fn no_scope_requested_grants_the_default_scopes_when_a_rule_allows_them() {
    let mut server = server();
    server.scopes[0].default = true;
    let grant = eval(&server, &service_client(), None, GrantType::ClientCredentials, &[]).unwrap();
    assert_eq!(grant.rule.name, "service access");
    assert_eq!(grant.scopes, scopes(&[SILVER]));
}

#[test]
fn a_user_not_assigned_the_app_is_denied_before_rules_are_looked_at() {
    let mut server = server();
    server.policies[1].active = true;
    let mut client = web_client();
    client.assignment = Assignment::Only {
        groups: vec!["gold subscribers".to_owned()],
        users: vec![],
    };
    let err = eval(&server, &client, Some(&carl()), GrantType::AuthorizationCode, &[SILVER]).unwrap_err();
    assert_eq!(err, PolicyError::NotAssigned);
    assert_eq!(err.error_code(), "access_denied");
    assert_eq!(err.description(), "User is not assigned to the client application.");
}

#[test]
fn a_rule_allowing_any_scope_matches_every_known_scope() {
    let mut server = server();
    server.policies[0].rules[1].scopes = ScopeCondition::Any;
    let grant = code_flow(&server, &carl(), &["openid", "phone", GOLD]).unwrap();
    assert_eq!(grant.rule.name, "silver access");
}

#[test]
fn the_error_displays_code_and_description() {
    assert_eq!(
        PolicyError::NotAssigned.to_string(),
        "access_denied: User is not assigned to the client application."
    );
}
