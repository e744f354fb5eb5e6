// openid-client 6.x (OpenID-certified relying party) against the Portcullis issuer, unchanged:
// discovery, the authorization code flow with PKCE + state + nonce + `iss`, ID-token signatures
// through JWKS, the reference story (carl silver / carl gold denied / jodie gold / the service),
// refresh, userinfo, introspection, revocation and RP-initiated logout. Spec §5.1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import {
  AUDIENCE,
  Browser,
  CARL,
  GOLD,
  ISSUER,
  JODIE,
  POLICY_FAILED,
  SERVICE,
  SILVER,
  WEB,
  claims,
} from './support.mjs';

/** Discovery for one of the tenant's clients, authenticating with client_secret_basic. */
async function configure(app) {
  const config = await client.discovery(
    new URL(ISSUER),
    app.id,
    undefined,
    client.ClientSecretBasic(app.secret),
    { execute: [client.allowInsecureRequests] },
  );
  // ID-token signatures are only checked through JWKS when asked for.
  client.enableNonRepudiationChecks(config);
  return config;
}

/** Starts the code flow the way an app would and lets `user` sign in; returns the pieces. */
async function authorize(config, user, scope, redirectUri = WEB.redirect) {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
  });
  const browser = new Browser();
  const callback = await browser.signIn(url, user);
  const checks = { pkceCodeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true };
  return { browser, callback, checks, nonce };
}

test('discovery: the issuer matches byte for byte and plain http needs the explicit switch', async () => {
  const config = await configure(WEB);
  const meta = config.serverMetadata();
  assert.equal(meta.issuer, ISSUER);
  assert.equal(meta.jwks_uri, `${ISSUER}/v1/keys`);
  assert.ok(meta.supportsPKCE(), 'S256 advertised');
  assert.equal(meta.authorization_response_iss_parameter_supported, true);
  await assert.rejects(
    client.discovery(new URL(ISSUER), WEB.id, undefined, client.ClientSecretBasic(WEB.secret)),
    /only requests to HTTPS are allowed/,
    'the client itself refuses http unless told otherwise',
  );
});

test('carl asking for silver: code + PKCE + state + nonce + iss, signed ID token, userinfo', async () => {
  const config = await configure(WEB);
  const fetched = [];
  config[client.customFetch] = (url, options) => {
    fetched.push(`${options.method} ${url}`);
    return fetch(url, options);
  };
  const { callback, checks, nonce } = await authorize(config, CARL, `openid profile email ${SILVER}`);
  assert.equal(callback.searchParams.get('iss'), ISSUER, 'RFC 9207 iss in the callback');
  const tokens = await client.authorizationCodeGrant(config, callback, checks);
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.equal(typeof tokens.expires_in, 'number');
  assert.equal(tokens.scope, `openid profile email ${SILVER}`);
  assert.equal(tokens.refresh_token, undefined, 'no offline_access asked');

  const id = tokens.claims();
  assert.equal(id.iss, ISSUER);
  assert.equal(id.aud, WEB.id);
  assert.equal(id.nonce, nonce);
  assert.match(id.sub, /^00u/, 'ID-token sub is the user id');
  assert.equal(typeof id.auth_time, 'number');
  assert.ok(fetched.includes(`GET ${ISSUER}/v1/keys`), `ID-token signature checked via JWKS: ${fetched}`);

  const at = claims(tokens.access_token);
  assert.equal(at.aud, AUDIENCE);
  assert.equal(at.cid, WEB.id);
  assert.equal(at.sub, CARL.username, 'access-token sub is the login');
  assert.equal(at.uid, id.sub);
  assert.deepEqual(at.scp, ['openid', 'profile', 'email', SILVER]);

  const info = await client.fetchUserInfo(config, tokens.access_token, id.sub);
  assert.equal(info.sub, id.sub);
  assert.equal(info.email, CARL.username);
  assert.equal(info.name, 'Carl Sagan');
});

test('a forged ID-token signature is caught through the JWKS', async () => {
  const config = await configure(WEB);
  config[client.customFetch] = async (url, options) => {
    const response = await fetch(url, options);
    if (String(url) !== `${ISSUER}/v1/token`) return response;
    const body = await response.json();
    const [head, payload] = body.id_token.split('.');
    body.id_token = `${head}.${payload}.${Buffer.alloc(256, 7).toString('base64url')}`;
    return new Response(JSON.stringify(body), { status: response.status, headers: response.headers });
  };
  const { callback, checks } = await authorize(config, CARL, 'openid');
  await assert.rejects(client.authorizationCodeGrant(config, callback, checks), (err) => {
    assert.equal(err.cause?.message, 'JWT signature verification failed', `${err}: ${err.cause}`);
    return true;
  });
});

test('carl asking for gold: signs in, then AuthorizationResponseError access_denied by policy', async () => {
  const config = await configure(WEB);
  const { callback, checks } = await authorize(config, CARL, `openid ${SILVER} ${GOLD}`);
  assert.equal(callback.searchParams.get('code'), null);
  await assert.rejects(client.authorizationCodeGrant(config, callback, checks), (err) => {
    assert.ok(err instanceof client.AuthorizationResponseError, `${err?.name}: ${err?.message}`);
    assert.equal(err.error, 'access_denied');
    assert.equal(err.error_description, POLICY_FAILED);
    return true;
  });
});

test('jodie asking for silver + gold gets both (redirect URI given as a bare origin)', async () => {
  const config = await configure(WEB);
  // openid-client derives the token request's redirect_uri from the callback URL, so the bare
  // origin registered by the demo comes back as "http://localhost:8080/".
  const { callback, checks } = await authorize(config, JODIE, `openid ${SILVER} ${GOLD}`, WEB.origin);
  const tokens = await client.authorizationCodeGrant(config, callback, checks);
  assert.equal(tokens.scope, `openid ${SILVER} ${GOLD}`);
  assert.deepEqual(claims(tokens.access_token).scp, ['openid', SILVER, GOLD]);
  assert.equal(claims(tokens.access_token).sub, JODIE.username);
  assert.equal(tokens.claims().aud, WEB.id);
});

test('the service: client credentials, no user and no ID token', async () => {
  const config = await configure(SERVICE);
  const tokens = await client.clientCredentialsGrant(config, { scope: `${SILVER} ${GOLD}` });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.equal(tokens.scope, `${SILVER} ${GOLD}`);
  assert.equal(tokens.id_token, undefined);
  assert.equal(tokens.refresh_token, undefined);
  const at = claims(tokens.access_token);
  assert.equal(at.sub, SERVICE.id);
  assert.equal(at.cid, SERVICE.id);
  assert.equal(at.uid, undefined);
  assert.deepEqual(at.scp, [SILVER, GOLD]);
});

test('refresh, introspection, revocation (static refresh token for the confidential client)', async () => {
  const config = await configure(WEB);
  const { callback, checks } = await authorize(config, CARL, `openid offline_access ${SILVER}`);
  const tokens = await client.authorizationCodeGrant(config, callback, checks);
  assert.ok(tokens.refresh_token, 'offline_access yields a refresh token');

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(refreshed.access_token, tokens.access_token);
  assert.equal(refreshed.refresh_token, tokens.refresh_token, 'STATIC: the same refresh token');
  assert.deepEqual(claims(refreshed.access_token).scp, ['openid', 'offline_access', SILVER]);
  assert.equal(refreshed.claims()?.sub, tokens.claims().sub);

  const atInfo = await client.tokenIntrospection(config, refreshed.access_token, {
    token_type_hint: 'access_token',
  });
  assert.equal(atInfo.active, true);
  assert.equal(atInfo.client_id, WEB.id);
  assert.equal(atInfo.username, CARL.username);
  assert.equal(atInfo.scope, `openid offline_access ${SILVER}`);

  const rtInfo = await client.tokenIntrospection(config, tokens.refresh_token, {
    token_type_hint: 'refresh_token',
  });
  assert.equal(rtInfo.active, true);

  await client.tokenRevocation(config, tokens.refresh_token, { token_type_hint: 'refresh_token' });
  const revoked = await client.tokenIntrospection(config, tokens.refresh_token, {
    token_type_hint: 'refresh_token',
  });
  assert.equal(revoked.active, false);
  await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (err) => {
    assert.ok(err instanceof client.ResponseBodyError, `${err?.name}: ${err?.message}`);
    assert.equal(err.error, 'invalid_grant');
    return true;
  });
});

test('logout: the end-session URL redirects once to the post-logout URI with state', async () => {
  const config = await configure(WEB);
  const { browser, callback, checks } = await authorize(config, CARL, 'openid');
  const tokens = await client.authorizationCodeGrant(config, callback, checks);
  const url = client.buildEndSessionUrl(config, {
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: WEB.postLogout,
    state: 'bye',
  });
  assert.equal(url.origin + url.pathname, `${ISSUER}/v1/logout`);
  const out = await browser.visit(url);
  assert.equal(out.status, 302);
  const back = new URL(out.location);
  assert.equal(back.origin, WEB.postLogout);
  assert.equal(back.searchParams.get('state'), 'bye');
});
