// oauth4webapi 3.x (the strict low-level library under openid-client) against the Portcullis
// issuer, unchanged: both discovery algorithms (OIDC appended and RFC 8414 path-inserted),
// authorization responses with `iss`, the code grant with a required ID token and its JWKS
// signature, refresh, userinfo, client credentials, introspection and revocation. Spec §5.2.
//
// Documented negative: `validateJwtAccessToken` is an RFC 9068 resource-server check and MUST
// reject our Okta-shaped access tokens (no `typ: at+jwt`, `cid` instead of `client_id`), exactly
// as it rejects real Okta tokens. Spec §2.4.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
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
  header,
} from './support.mjs';

const issuerUrl = new URL(ISSUER);
const http = { [oauth.allowInsecureRequests]: true };
const web = { client: { client_id: WEB.id }, auth: oauth.ClientSecretBasic(WEB.secret) };
const service = { client: { client_id: SERVICE.id }, auth: oauth.ClientSecretBasic(SERVICE.secret) };

async function discover(algorithm) {
  const response = await oauth.discoveryRequest(issuerUrl, { algorithm, ...http });
  const url = response.url;
  return { as: await oauth.processDiscoveryResponse(issuerUrl, response), url };
}

/** Builds the authorize URL by hand (oauth4webapi has no builder), signs `user` in. */
async function authorize(as, user, scope) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: WEB.id,
    redirect_uri: WEB.redirect,
    response_type: 'code',
    scope,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  const callback = await new Browser().signIn(url, user);
  return { callback, codeVerifier, state, nonce };
}

/** The full code flow; returns the processed token response and the raw Response. */
async function codeGrant(as, user, scope) {
  const { callback, codeVerifier, state, nonce } = await authorize(as, user, scope);
  const params = oauth.validateAuthResponse(as, web.client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    web.client,
    web.auth,
    params,
    WEB.redirect,
    codeVerifier,
    http,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, web.client, response, {
    expectedNonce: nonce,
    requireIdToken: true,
  });
  return { tokens, response, nonce };
}

test('discovery, algorithm oidc: {issuer}/.well-known/openid-configuration', async () => {
  const { as, url } = await discover('oidc');
  assert.equal(url, `${ISSUER}/.well-known/openid-configuration`);
  assert.equal(as.issuer, ISSUER);
  assert.equal(as.userinfo_endpoint, `${ISSUER}/v1/userinfo`);
});

test('discovery, algorithm oauth2: the RFC 8414 path-inserted URL', async () => {
  const { as, url } = await discover('oauth2');
  assert.equal(url, `${issuerUrl.origin}/.well-known/oauth-authorization-server${issuerUrl.pathname}`);
  assert.equal(as.issuer, ISSUER);
  assert.equal(as.token_endpoint, `${ISSUER}/v1/token`);
  assert.equal(as.jwks_uri, `${ISSUER}/v1/keys`);
});

test('carl asking for silver: iss-checked response, required ID token signed via JWKS, userinfo, refresh', async () => {
  const { as } = await discover('oidc');
  const { tokens, response, nonce } = await codeGrant(as, CARL, `openid profile email offline_access ${SILVER}`);
  await oauth.validateApplicationLevelSignature(as, response, http);
  const id = oauth.getValidatedIdTokenClaims(tokens);
  assert.equal(id.iss, ISSUER);
  assert.equal(id.aud, WEB.id);
  assert.equal(id.nonce, nonce);
  assert.equal(tokens.token_type, 'bearer');
  assert.equal(tokens.scope, `openid profile email offline_access ${SILVER}`);
  assert.deepEqual(claims(tokens.access_token).scp, ['openid', 'profile', 'email', 'offline_access', SILVER]);

  const info = await oauth.processUserInfoResponse(
    as,
    web.client,
    id.sub,
    await oauth.userInfoRequest(as, web.client, tokens.access_token, http),
  );
  assert.equal(info.sub, id.sub);
  assert.equal(info.email, CARL.username);

  const refreshResponse = await oauth.refreshTokenGrantRequest(as, web.client, web.auth, tokens.refresh_token, http);
  const refreshed = await oauth.processRefreshTokenResponse(as, web.client, refreshResponse);
  assert.notEqual(refreshed.access_token, tokens.access_token);
  assert.equal(refreshed.refresh_token, tokens.refresh_token, 'STATIC rotation for this client');
  assert.equal(oauth.getValidatedIdTokenClaims(refreshed)?.sub, id.sub, 'openid: a new ID token');
  await oauth.validateApplicationLevelSignature(as, refreshResponse, http);
});

test('carl asking for gold: validateAuthResponse throws access_denied after sign-in', async () => {
  const { as } = await discover('oidc');
  const { callback, state } = await authorize(as, CARL, `openid ${SILVER} ${GOLD}`);
  assert.throws(
    () => oauth.validateAuthResponse(as, web.client, callback, state),
    (err) => {
      assert.ok(err instanceof oauth.AuthorizationResponseError, `${err?.name}: ${err?.message}`);
      assert.equal(err.error, 'access_denied');
      assert.equal(err.error_description, POLICY_FAILED);
      return true;
    },
  );
});

test('validateAuthResponse rejects a callback whose iss is not the issuer (mix-up defence works)', async () => {
  const { as } = await discover('oidc');
  const { callback, state } = await authorize(as, JODIE, 'openid');
  const forged = new URL(callback);
  forged.searchParams.set('iss', 'https://evil.example/oauth2/default');
  assert.throws(() => oauth.validateAuthResponse(as, web.client, forged, state), /"iss"/);
  const missing = new URL(callback);
  missing.searchParams.delete('iss');
  assert.throws(
    () => oauth.validateAuthResponse(as, web.client, missing, state),
    /"iss"/,
    'the metadata advertises iss, so it is mandatory',
  );
  assert.ok(oauth.validateAuthResponse(as, web.client, callback, state).get('code'));
});

test('the service: client credentials', async () => {
  const { as } = await discover('oauth2');
  const response = await oauth.clientCredentialsGrantRequest(
    as,
    service.client,
    service.auth,
    { scope: SILVER },
    http,
  );
  const tokens = await oauth.processClientCredentialsResponse(as, service.client, response);
  assert.equal(tokens.token_type, 'bearer');
  assert.equal(tokens.scope, SILVER);
  assert.equal(typeof tokens.expires_in, 'number');
  assert.deepEqual(claims(tokens.access_token).scp, [SILVER]);
  assert.equal(claims(tokens.access_token).uid, undefined);
});

test('introspection and revocation', async () => {
  const { as } = await discover('oidc');
  const { tokens } = await codeGrant(as, JODIE, `openid offline_access ${SILVER} ${GOLD}`);
  const introspect = async (token, hint) =>
    oauth.processIntrospectionResponse(
      as,
      web.client,
      await oauth.introspectionRequest(as, web.client, web.auth, token, {
        ...http,
        additionalParameters: { token_type_hint: hint },
      }),
    );
  const at = await introspect(tokens.access_token, 'access_token');
  assert.equal(at.active, true);
  assert.equal(at.client_id, WEB.id);
  assert.equal(at.aud, AUDIENCE);
  assert.equal(at.scope, `openid offline_access ${SILVER} ${GOLD}`);
  assert.equal((await introspect(tokens.refresh_token, 'refresh_token')).active, true);

  for (const [token, hint] of [
    [tokens.refresh_token, 'refresh_token'],
    [tokens.access_token, 'access_token'],
  ]) {
    const response = await oauth.revocationRequest(as, web.client, web.auth, token, {
      ...http,
      additionalParameters: { token_type_hint: hint },
    });
    assert.equal(await oauth.processRevocationResponse(response), undefined);
    assert.equal((await introspect(token, hint)).active, false, `${hint} inactive after revocation`);
  }
});

test('DOCUMENTED NEGATIVE: validateJwtAccessToken (RFC 9068) rejects the Okta-shaped access token', async () => {
  const { as } = await discover('oauth2');
  const { tokens } = await codeGrant(as, CARL, `openid ${SILVER}`);
  // The token is Okta-shaped on purpose (spec §2.1, §2.4): no typ header, `cid` not `client_id`,
  // `scp` array not a `scope` string. Real Okta tokens fail this validator the same way.
  assert.equal(header(tokens.access_token).typ, undefined);
  assert.equal(claims(tokens.access_token).cid, WEB.id);
  assert.equal(claims(tokens.access_token).client_id, undefined);
  const request = new Request('http://localhost:8080/api/planets', {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  await assert.rejects(oauth.validateJwtAccessToken(as, request, AUDIENCE, http), (err) => {
    assert.ok(err instanceof oauth.OperationProcessingError, `${err?.name}: ${err?.message}`);
    assert.equal(err.message, 'unexpected JWT "typ" header parameter value');
    return true;
  });
});
