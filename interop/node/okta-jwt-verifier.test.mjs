// @okta/jwt-verifier 4.x — Okta's own resource-server verifier, exactly as the solar-system demo
// uses it (constructed from the issuer alone, so JWKS = {issuer}/v1/keys with no discovery;
// RS256 only, mandatory kid, zero clock leeway) — against the Portcullis issuer. Tokens come
// from the token endpoint the way the demo's server gets them (client_secret_basic, no client
// library). Spec §5.3.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import OktaJwtVerifier from '@okta/jwt-verifier';
import {
  AUDIENCE,
  CARL,
  GOLD,
  ISSUER,
  JODIE,
  SERVICE,
  SILVER,
  WEB,
  codeFlowTokens,
  tokenRequest,
} from './support.mjs';

/** A verifier asserting `scopes` are all in `scp` (the demo's pattern). */
function verifierFor(...scopes) {
  return new OktaJwtVerifier({
    issuer: ISSUER,
    testing: { disableHttpsCheck: true },
    assertClaims: { 'scp.includes': scopes },
  });
}

// (Each construction logs Okta's "HTTPS check is disabled" warning: expected on http.)
const silverVerifier = verifierFor(SILVER);
const goldVerifier = verifierFor(SILVER, GOLD);

// assertClaims apply to ID tokens too (which carry no scp), so ID tokens get a verifier without
// them, as an app that verifies both would construct.
const idVerifier = new OktaJwtVerifier({ issuer: ISSUER, testing: { disableHttpsCheck: true } });

test('carl silver: access token passes with scp.includes silver; ID token with client id + nonce', async () => {
  const { tokens, nonce } = await codeFlowTokens(CARL, `openid profile ${SILVER}`);
  const jwt = await silverVerifier.verifyAccessToken(tokens.access_token, AUDIENCE);
  assert.equal(jwt.header.alg, 'RS256');
  assert.ok(jwt.header.kid, 'kid present (the verifier requires one)');
  assert.equal(jwt.claims.iss, ISSUER);
  assert.equal(jwt.claims.cid, WEB.id);
  assert.equal(jwt.claims.sub, CARL.username);
  assert.match(jwt.claims.uid, /^00u/);
  assert.deepEqual(jwt.claims.scp, ['openid', 'profile', SILVER]);

  const id = await idVerifier.verifyIdToken(tokens.id_token, WEB.id, nonce);
  assert.equal(id.claims.aud, WEB.id);
  assert.equal(id.claims.sub, jwt.claims.uid);
  assert.equal(id.claims.nonce, nonce);

  await assert.rejects(idVerifier.verifyIdToken(tokens.id_token, WEB.id, 'another-nonce'), /nonce claim/);
  await assert.rejects(silverVerifier.verifyAccessToken(tokens.access_token, 'api://other'), /audience claim/);
});

test('carl without silver: the verifier rejects the token on the scp assertion', async () => {
  const { tokens } = await codeFlowTokens(CARL, 'openid profile email');
  await assert.rejects(
    silverVerifier.verifyAccessToken(tokens.access_token, AUDIENCE),
    /claim 'scp' value 'openid,profile,email' does not include expected value 'http:\/\/myapp\.com\/scp\/silver'/,
  );
  // The same token is otherwise valid: signature, issuer, audience.
  await idVerifier.verifyAccessToken(tokens.access_token, AUDIENCE);
});

test('carl\'s silver token fails an API that asserts gold', async () => {
  const { tokens } = await codeFlowTokens(CARL, `openid ${SILVER}`);
  await assert.rejects(goldVerifier.verifyAccessToken(tokens.access_token, AUDIENCE), /does not include/);
});

test('jodie silver + gold: both scp assertions pass', async () => {
  const { tokens, nonce } = await codeFlowTokens(JODIE, `openid ${SILVER} ${GOLD}`);
  const jwt = await goldVerifier.verifyAccessToken(tokens.access_token, AUDIENCE);
  assert.equal(jwt.claims.sub, JODIE.username);
  await idVerifier.verifyIdToken(tokens.id_token, WEB.id, nonce);
});

test('the service: client-credentials tokens verify, with no uid', async () => {
  const tokens = await tokenRequest(SERVICE, { grant_type: 'client_credentials', scope: `${SILVER} ${GOLD}` });
  const jwt = await silverVerifier.verifyAccessToken(tokens.access_token, AUDIENCE);
  assert.equal(jwt.claims.cid, SERVICE.id);
  assert.equal(jwt.claims.sub, SERVICE.id);
  assert.equal(jwt.claims.uid, undefined);
  assert.equal(jwt.claims.nbf, undefined, 'no nbf (njwt has no leeway)');

  const goldOnly = await tokenRequest(SERVICE, { grant_type: 'client_credentials', scope: GOLD });
  await assert.rejects(silverVerifier.verifyAccessToken(goldOnly.access_token, AUDIENCE), /does not include/);
});
