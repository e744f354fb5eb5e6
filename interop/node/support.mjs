// Shared fixtures for the Node interop suites: the solar-system tenant's names and secrets, and
// a minimal "browser" (a cookie jar plus global fetch with redirect: 'manual') that signs a user
// in on the issuer's form the way a person would. Nothing here knows how the clients under test
// work: they build the authorize URL and read the callback URL; this only plays the user.

import assert from 'node:assert/strict';

/** The issuer URL under test, e.g. http://127.0.0.1:8100/oauth2/default. */
export const ISSUER = (() => {
  const value = process.env.ISSUER;
  if (!value) {
    throw new Error(
      'set ISSUER to the issuer URL, e.g. ISSUER=http://localhost:8100/oauth2/default (see interop/README.md)',
    );
  }
  return value.replace(/\/+$/, '');
})();

export const SILVER = 'http://myapp.com/scp/silver';
export const GOLD = 'http://myapp.com/scp/gold';
export const AUDIENCE = 'api://default';
export const POLICY_FAILED =
  'Policy evaluation failed for this request, please check the policy configurations.';

/** The confidential web client (client_secret_basic, authorization_code + refresh_token). */
export const WEB = {
  id: 'solar-system-app',
  secret: 'solar-system-app-secret',
  redirect: 'http://localhost:8080/authorization-code/callback',
  origin: 'http://localhost:8080',
  postLogout: 'http://localhost:8080',
};

/** The service client (client_secret_basic, client_credentials). */
export const SERVICE = { id: 'solar-system-service', secret: 'solar-system-service-secret' };

export const CARL = { username: 'carl.sagan@mailinator.com', password: 'PaleBlueDot-1980' };
export const JODIE = { username: 'jodie.foster@mailinator.com', password: 'Contact-1997' };

/** The payload of a JWT, unverified (for asserting shapes after a client has verified it). */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

/** The protected header of a JWT. */
export function header(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));
}

/** A tiny cookie jar for one issuer: name → value, honouring deletion. */
export class CookieJar {
  #cookies = new Map();

  absorb(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (!value || expired) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  has(name) {
    return this.#cookies.has(name);
  }
}

function htmlDecode(s) {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function hidden(page, name) {
  const m = page.match(new RegExp(`name="${name}" value="([^"]*)"`));
  assert.ok(m, `the sign-in page has no hidden input ${name}:\n${page}`);
  return htmlDecode(m[1]);
}

/** A browser: cookies, never follows redirects by itself. */
export class Browser {
  jar = new CookieJar();

  async get(url) {
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: this.jar.header() },
    });
    this.jar.absorb(response);
    return response;
  }

  async postForm(url, fields) {
    const response = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: this.jar.header(),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(fields).toString(),
    });
    this.jar.absorb(response);
    return response;
  }

  /**
   * Follows redirects while they stay on the issuer; returns the first Location that leaves it
   * (the client's redirect URI with the authorization response) as a URL.
   */
  async #leave(response, from) {
    let current = response;
    let base = from;
    for (let hop = 0; hop < 5; hop++) {
      const body = await current.text();
      assert.ok(
        current.status >= 300 && current.status < 400,
        `expected a redirect from ${base}, got ${current.status}: ${body}`,
      );
      const location = current.headers.get('location');
      assert.ok(location, `redirect without Location from ${base}`);
      const next = new URL(location, base);
      if (!next.href.startsWith(`${ISSUER}/`)) return next;
      base = next.href;
      current = await this.get(next);
    }
    throw new Error('too many redirects inside the issuer');
  }

  /** Opens `authorizeUrl`, fills the sign-in form with `user`, returns the callback URL. */
  async signIn(authorizeUrl, user) {
    const page = await this.get(authorizeUrl);
    const html = await page.text();
    assert.equal(page.status, 200, `expected the sign-in page from ${authorizeUrl}: ${html}`);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const action = html.match(/<form[^>]*action="([^"]*)"/);
    const loginUrl = new URL(action ? htmlDecode(action[1]) : `${ISSUER}/v1/login`, authorizeUrl);
    const back = await this.postForm(loginUrl, {
      interaction: hidden(html, 'interaction'),
      csrf: hidden(html, 'csrf'),
      username: user.username,
      password: user.password,
    });
    return this.#leave(back, loginUrl.href);
  }

  /** Opens a URL (e.g. the end-session URL) and returns the first hop's status and Location. */
  async visit(url) {
    const response = await this.get(url);
    await response.text();
    return { status: response.status, location: response.headers.get('location') };
  }
}

/**
 * POST {issuer}/v1/token with client_secret_basic, as the demo's own server does (no client
 * library); returns the parsed JSON body after asserting 200.
 */
export async function tokenRequest(client, fields) {
  const basic = Buffer.from(`${client.id}:${client.secret}`).toString('base64');
  const response = await fetch(`${ISSUER}/v1/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `token endpoint: ${response.status} ${text}`);
  return JSON.parse(text);
}

/**
 * The web client's authorization code flow done by hand (PKCE S256, state, nonce,
 * response_mode=query): signs `user` in for `scope` and exchanges the code. Returns the token
 * response and the nonce that was sent.
 */
export async function codeFlowTokens(user, scope) {
  const { createHash, randomBytes } = await import('node:crypto');
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(12).toString('base64url');
  const nonce = randomBytes(12).toString('base64url');
  const url = new URL(`${ISSUER}/v1/authorize`);
  url.search = new URLSearchParams({
    client_id: WEB.id,
    response_type: 'code',
    scope,
    redirect_uri: WEB.redirect,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  const callback = await new Browser().signIn(url, user);
  assert.equal(callback.searchParams.get('state'), state);
  const code = callback.searchParams.get('code');
  assert.ok(code, `no code in ${callback}`);
  const tokens = await tokenRequest(WEB, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: WEB.redirect,
    code_verifier: verifier,
  });
  return { tokens, nonce };
}
