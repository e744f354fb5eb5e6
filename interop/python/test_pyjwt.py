"""PyJWT (pinned in interop/requirements.txt) as a minimal resource server against the
Portcullis issuer, unchanged: JWKS over plain HTTP through PyJWKClient, RS256 signatures,
exact iss, aud, exp/iat (PyJWT rejects iat in the future), and Okta's token shapes (scp is a
list). Tokens come from the token endpoint with urllib only; the user's sign-in drives the
issuer's form with urllib + http.cookiejar and no redirect following. Spec section 5.5.

Run: ISSUER=http://localhost:8100/oauth2/default python3 -m unittest interop/python/test_pyjwt.py
"""

import base64
import hashlib
import http.cookiejar
import html
import json
import os
import re
import secrets
import unittest
import urllib.error
import urllib.parse
import urllib.request

import jwt
from jwt import PyJWKClient

ISSUER = os.environ.get("ISSUER", "").rstrip("/")
SILVER = "http://myapp.com/scp/silver"
GOLD = "http://myapp.com/scp/gold"
AUDIENCE = "api://default"
WEB_ID, WEB_SECRET = "solar-system-app", "solar-system-app-secret"
REDIRECT = "http://localhost:8080/authorization-code/callback"
SERVICE_ID, SERVICE_SECRET = "solar-system-service", "solar-system-service-secret"
CARL = ("carl.sagan@mailinator.com", "PaleBlueDot-1980")
JODIE = ("jodie.foster@mailinator.com", "Contact-1997")
REQUIRE = {"require": ["exp", "iat", "iss", "aud", "sub"]}
TIMEOUT = 20


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hands 3xx answers back to the caller instead of following them."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _open(opener, request):
    """Status, headers and body of a request; 3xx/4xx answers are returned, not raised."""
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


def _basic(client_id, secret):
    pair = f"{urllib.parse.quote(client_id, safe='')}:{urllib.parse.quote(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def token_request(client_id, secret, fields):
    """POST {issuer}/v1/token with client_secret_basic; returns the JSON body after a 200."""
    request = urllib.request.Request(
        f"{ISSUER}/v1/token",
        data=urllib.parse.urlencode(fields).encode(),
        headers={
            "Authorization": _basic(client_id, secret),
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        method="POST",
    )
    status, _, body = _open(urllib.request.build_opener(), request)
    if status != 200:
        raise AssertionError(f"token endpoint answered {status}: {body}")
    return json.loads(body)


def _hidden(page, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', page)
    if not match:
        raise AssertionError(f"no hidden input {name} in the sign-in page:\n{page}")
    return html.unescape(match.group(1))


def sign_in(user, scope):
    """Opens the authorize URL (PKCE, state, nonce), signs `user` in on the form and returns the
    callback's query parameters plus the verifier and nonce that were sent."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    verifier = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state, nonce = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    query = urllib.parse.urlencode(
        {
            "client_id": WEB_ID,
            "response_type": "code",
            "scope": scope,
            "redirect_uri": REDIRECT,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    authorize = f"{ISSUER}/v1/authorize?{query}"
    status, headers, page = _open(opener, urllib.request.Request(authorize))
    if status != 200:
        raise AssertionError(f"expected the sign-in page, got {status}: {page}")
    action = re.search(r'<form[^>]*action="([^"]*)"', page)
    login = urllib.parse.urljoin(authorize, html.unescape(action.group(1)) if action else f"{ISSUER}/v1/login")
    form = {
        "interaction": _hidden(page, "interaction"),
        "csrf": _hidden(page, "csrf"),
        "username": user[0],
        "password": user[1],
    }
    request = urllib.request.Request(
        login,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    status, headers, body = _open(opener, request)
    location = headers.get("Location")
    if status not in (302, 303) or not location:
        raise AssertionError(f"expected a redirect to the client, got {status}: {body}")
    if not location.startswith(REDIRECT):
        raise AssertionError(f"redirected somewhere else: {location}")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    if params.get("state") != state:
        raise AssertionError(f"state not echoed: {location}")
    return params, verifier, nonce


def code_flow(user, scope):
    """The web client's code flow; returns (token response, nonce)."""
    params, verifier, nonce = sign_in(user, scope)
    if "code" not in params:
        raise AssertionError(f"no code: {params}")
    tokens = token_request(
        WEB_ID,
        WEB_SECRET,
        {
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    return tokens, nonce


class PyJwtAgainstPortcullis(unittest.TestCase):
    jwks: PyJWKClient

    @classmethod
    def setUpClass(cls):
        with urllib.request.urlopen(f"{ISSUER}/.well-known/openid-configuration", timeout=TIMEOUT) as r:
            cls.discovery = json.load(r)
        cls.jwks = PyJWKClient(cls.discovery["jwks_uri"])

    def decode_access_token(self, token, audience=AUDIENCE):
        key = self.jwks.get_signing_key_from_jwt(token)
        return jwt.decode(
            token, key.key, algorithms=["RS256"], audience=audience, issuer=ISSUER, options=REQUIRE
        )

    def test_discovery_names_the_issuer_and_keys(self):
        self.assertEqual(self.discovery["issuer"], ISSUER)
        self.assertEqual(self.discovery["jwks_uri"], f"{ISSUER}/v1/keys")
        keys = self.jwks.get_jwk_set().keys
        self.assertGreaterEqual(len(keys), 1)
        for key in keys:
            self.assertTrue(key.key_id, "PyJWT ignores keys without kid")
            self.assertEqual(key.key_type, "RSA")
            self.assertEqual(key.public_key_use, "sig")

    def test_service_client_credentials_token_verifies(self):
        tokens = token_request(
            SERVICE_ID, SERVICE_SECRET, {"grant_type": "client_credentials", "scope": f"{SILVER} {GOLD}"}
        )
        self.assertEqual(tokens["token_type"], "Bearer")
        self.assertIsInstance(tokens["scope"], str)
        header = jwt.get_unverified_header(tokens["access_token"])
        self.assertEqual(header["alg"], "RS256")
        self.assertNotIn("typ", header, "Okta access tokens carry no typ")
        claims = self.decode_access_token(tokens["access_token"])
        self.assertIsInstance(claims["scp"], list)
        self.assertEqual(claims["scp"], [SILVER, GOLD])
        self.assertEqual(claims["sub"], SERVICE_ID)
        self.assertEqual(claims["cid"], SERVICE_ID)
        self.assertNotIn("uid", claims)
        self.assertNotIn("nbf", claims)

    def test_carl_silver_access_and_id_tokens_verify(self):
        tokens, nonce = code_flow(CARL, f"openid profile {SILVER}")
        claims = self.decode_access_token(tokens["access_token"])
        self.assertIsInstance(claims["scp"], list)
        self.assertEqual(claims["scp"], ["openid", "profile", SILVER])
        self.assertEqual(claims["sub"], CARL[0])
        self.assertEqual(claims["cid"], WEB_ID)
        self.assertTrue(claims["jti"].startswith("AT."))
        id_key = self.jwks.get_signing_key_from_jwt(tokens["id_token"])
        id_claims = jwt.decode(
            tokens["id_token"],
            id_key.key,
            algorithms=["RS256"],
            audience=WEB_ID,
            issuer=ISSUER,
            options=REQUIRE,
        )
        self.assertEqual(id_claims["nonce"], nonce)
        self.assertEqual(id_claims["sub"], claims["uid"], "ID-token sub is the user id")
        with self.assertRaises(jwt.InvalidAudienceError):
            self.decode_access_token(tokens["access_token"], audience=WEB_ID)

    def test_carl_asking_for_gold_is_denied_after_signing_in(self):
        params, _, _ = sign_in(CARL, f"openid {SILVER} {GOLD}")
        self.assertNotIn("code", params)
        self.assertEqual(params["error"], "access_denied")
        self.assertEqual(
            params["error_description"],
            "Policy evaluation failed for this request, please check the policy configurations.",
        )

    def test_jodie_gold_access_token_verifies(self):
        tokens, _ = code_flow(JODIE, f"openid {SILVER} {GOLD}")
        claims = self.decode_access_token(tokens["access_token"])
        self.assertEqual(claims["scp"], ["openid", SILVER, GOLD])
        self.assertEqual(claims["sub"], JODIE[0])


def setUpModule():
    if not ISSUER:
        raise RuntimeError(
            "set ISSUER to the issuer URL, e.g. ISSUER=http://localhost:8100/oauth2/default (see interop/README.md)"
        )


if __name__ == "__main__":
    unittest.main()
