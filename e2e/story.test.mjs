// The reference story in a real browser (DESIGN.md "The story it must tell"): Playwright drives
// Debian's Chromium through the test web app of `portcullis demo`, which signs in at the
// embedded issuer and calls the gateway. A screenshot of every step goes to SCREENSHOT_DIR.
//
// Environment: APP_URL (the web app), SCREENSHOT_DIR (where the PNGs go), CHROMIUM (optional
// executable path, default /usr/bin/chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const APP = process.env.APP_URL ?? 'http://localhost:8080';
const SHOTS = process.env.SCREENSHOT_DIR ?? 'target/e2e-screenshots';
const CARL = ['carl.sagan@mailinator.com', 'PaleBlueDot-1980'];
const JODIE = ['jodie.foster@mailinator.com', 'Contact-1997'];
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'];

mkdirSync(SHOTS, { recursive: true });
let step = 0;

async function shot(page, name) {
  step += 1;
  await page.screenshot({ path: join(SHOTS, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** Clicks a "show me" button and returns the outcome the page settles on. */
async function show(page, resource) {
  await page.click(`#show-${resource}`);
  const settled = `#result-${resource}:not([data-outcome="none"]):not([data-outcome="loading"])`;
  await page.waitForSelector(settled, { timeout: 15000 });
  return page.getAttribute(`#result-${resource}`, 'data-outcome');
}

/** Runs "authenticate" on a panel and signs in on the issuer's page. */
async function authenticate(page, tier, [user, password]) {
  await page.click(`#auth-${tier}`);
  await page.waitForSelector('#username', { timeout: 15000 });
  await page.fill('#username', user);
  await page.fill('#password', password);
  await Promise.all([page.waitForURL((url) => url.href.startsWith(APP), { timeout: 15000 }), page.click('#sign-in')]);
  await page.waitForSelector('#panel-gold', { timeout: 15000 });
}

test('the solar-system story, step by step', { timeout: 180000 }, async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: FLAGS });
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(APP);
    assert.equal(await show(page, 'asteroids'), 'unauthorized', 'not signed in: 401');
    await shot(page, 'signed-out-401');

    await authenticate(page, 'bronze', CARL);
    assert.equal(await show(page, 'asteroids'), 'ok', 'carl bronze: asteroids');
    await shot(page, 'carl-bronze-asteroids');

    await authenticate(page, 'silver', CARL);
    assert.equal(await show(page, 'planets'), 'ok', 'carl silver: planets');
    assert.equal(await show(page, 'moons'), 'forbidden', 'carl silver: moons are forbidden');
    assert.match(await page.textContent('#result-moons'), /insufficient_scope/);
    await shot(page, 'carl-silver-planets-moons-forbidden');

    await authenticate(page, 'gold', CARL);
    assert.equal(await page.getAttribute('#auth-error', 'data-error'), 'access_denied', 'carl gold: access_denied');
    assert.match(await page.textContent('#auth-error'), /Policy evaluation failed for this request/);
    await shot(page, 'carl-gold-access-denied');

    await authenticate(page, 'gold', JODIE);
    assert.equal(await show(page, 'moons'), 'ok', 'jodie gold: moons');
    assert.equal(await show(page, 'planets'), 'ok', 'jodie gold: planets');
    assert.match(await page.textContent('#user'), /Jodie Foster/);
    await shot(page, 'jodie-gold-moons-planets');

    await Promise.all([page.waitForURL((url) => url.href.startsWith(APP), { timeout: 15000 }), page.click('#logout')]);
    await page.waitForSelector('#panel-gold');
    assert.equal(await show(page, 'moons'), 'unauthorized', 'logged out: unauthorized again');
    await shot(page, 'logged-out-401');
  } finally {
    await browser.close();
  }
});
