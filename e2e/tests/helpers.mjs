// Shared setup: Debian's chromium through playwright-core, signed in with a password as the
// demo publisher's owner, and the moves that several flows share.
import { chromium } from 'playwright-core';

export const BASE = process.env.PORTAL_URL;
/** The demo owner of `contoso`, whose password run.sh sets (`user create --password-stdin`). */
export const OWNER = process.env.PORTAL_OWNER_EMAIL ?? 'owner@contoso.example';
export const PASSWORD = process.env.PORTAL_PASSWORD;
/** The subscription every demo offer allow-lists for its preview (domain::samples). */
export const DEMO_SUBSCRIPTION = '0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9';

/** How long a pipeline step may take in the tests (the server runs without minimum step times). */
export const PIPELINE_MS = 60_000;

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Waits until `fn(arg)`, run in the page, returns something truthy, and returns it; fails
 * after `timeout` ms. Polled from here rather than with page.waitForFunction, which compiles
 * its predicate from a string inside the page: the portal's Content-Security-Policy refuses
 * that, as it would refuse any injected script.
 */
export async function waitInPage(page, fn, arg = null, timeout = 5000) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${fn}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Console errors and uncaught exceptions of a page, collected into an array. */
export function collectErrors(page) {
  const errors = [];
  page.on('console', (m) => {
    // Other hosts (useful links …) cannot be resolved on the test machine.
    if (m.type() === 'error' && !m.text().includes('net::ERR_NAME_NOT_RESOLVED')) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/**
 * Signs in on /signin with an e-mail address and password; the server's cookie then signs in
 * every page of the context. Waits until the app has left the sign-in page.
 */
export async function signIn(page, email = OWNER, password = PASSWORD) {
  await page.goto(`${BASE}/signin`);
  await page.fill('#signin-email', email);
  await page.fill('#signin-password', password);
  await page.click('form button[type=submit]');
  await page.waitForURL((url) => url.pathname !== '/signin', { timeout: 15000 });
}

/** A signed-in page of the owner (or of `email`), on All Offers. */
export async function signedIn(context, email = OWNER, password = PASSWORD) {
  const page = await context.newPage();
  const errors = collectErrors(page);
  await signIn(page, email, password);
  await page.waitForSelector('.offers-table', { timeout: 15000 });
  return { page, errors };
}

/**
 * Calls the API from a page as the app does: the session cookie goes along, with the header
 * the server asks of cookie-authenticated writes. Returns `{ status, body }`.
 */
export async function apiFromPage(page, method, path, body) {
  return page.evaluate(async ([method, path, body]) => {
    const sep = path.includes('?') ? '&' : '?';
    const res = await fetch(`/api${path}${sep}api-version=2017-10-31`, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'partner-portal' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }, [method, path, body]);
}

/**
 * Accepts an invitation link in a page of a new context: creates the account with a display
 * name and a password, and waits until the app has signed the recipient in.
 */
export async function acceptInvitation(page, link, name, password = PASSWORD) {
  // The link is the portal's own (`{origin}/invitation#token=…`); open it on this server.
  const url = new URL(link);
  await page.goto(`${BASE}${url.pathname}${url.hash}`);
  await page.waitForSelector('#invitation-offer', { timeout: 15000 });
  if (await page.locator('#inv-name').count()) {
    await page.fill('#inv-name', name);
    await page.fill('#inv-password', password);
    await page.fill('#inv-confirm', password);
  } else {
    await page.fill('#inv-password', password);
  }
  await page.click('#accept-invitation');
  await page.waitForURL((u) => u.pathname !== '/invitation', { timeout: 15000 });
  // The token left the address bar once used.
  if (page.url().includes('token=')) throw new Error(`the token is still in the address: ${page.url()}`);
}

/** Creates an offer from All Offers and waits for its editor. */
export async function createOffer(page, id, name) {
  await page.goto(`${BASE}/`);
  await page.click('#new-offer');
  await page.fill('#new-offer-id', id);
  await page.fill('#new-offer-name', name);
  await page.click('.modal button[type=submit]');
  await page.waitForURL(`${BASE}/offers/${id}/editor`, { timeout: 10000 });
  await page.waitForSelector('#publish');
}

/** A SAS-style query the certification accepts: read+list, started two days ago, 60 days left. */
export function sas() {
  const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const day = 24 * 3600 * 1000;
  return `sp=rl&st=${iso(new Date(Date.now() - 2 * day))}&se=${iso(new Date(Date.now() + 60 * day))}`;
}

/**
 * An image that passes certification, served by the portal itself: the demo's Linux image
 * (`server/src/demo/vhd.rs`, PASSING_OS; built with mkfs.ext4, which setup installs).
 */
export function goodImage() {
  return `${BASE}/demo/vhds/linux-pass.vhd?${sas()}`;
}

/** The demo's data disk. */
export function dataImage() {
  return `${BASE}/demo/vhds/data-disk.vhd?${sas()}`;
}

/** A CSS selector for an element id (ids are field paths, which may contain quotes). */
export function byId(id) {
  return `[id="${id.replace(/["\\]/g, '\\$&')}"]`;
}

/** What a publisher types into a field, chosen from the field's path (the input's id). */
function valueFor(id, type, opts) {
  const rules = [
    [/osVhdUrl$/, () => opts.osVhdUrl],
    [/lunVhdUrl$/, () => dataImage()],
    [/allowedSubscriptions\[\d+\]$/, () => opts.subscription ?? DEMO_SUBSCRIPTION],
    [/categories\[\d+\]$/, () => 'analytics'],
    [/regions\[\d+\]$/, () => 'US'],
    [/recommendedVMSizes\[\d+\]$/, () => 'd2s-v3'],
    [/planId$/, () => 'standard'],
    [/smallLogo$/, () => `${BASE}/demo/assets/logo-40.png`],
    [/mediumLogo$/, () => `${BASE}/demo/assets/logo-90.png`],
    [/largeLogo$/, () => `${BASE}/demo/assets/logo-115.png`],
    [/wideLogo$/, () => `${BASE}/demo/assets/logo-255x115.png`],
    [/heroLogo$/, () => `${BASE}/demo/assets/logo-815x290.png`],
    [/MarketingUrlIdentifier$/i, () => opts.id],
    [/description$/i, () => '<p>Made by the end-to-end test.</p>'],
    [/[Ee]mail$/, () => 'jane@contoso.com'],
    [/[Pp]hone$/, () => '+1 425 555 0100'],
    [/[Uu]rl$|URL$|[Ll]ink$/, () => 'https://contoso.com/docs'],
    [/operationSystem$/, () => 'Ubuntu 22.04 LTS'],
  ];
  for (const [re, v] of rules) if (re.test(id)) return v();
  if (type === 'url') return 'https://contoso.com/page';
  if (type === 'email') return 'jane@contoso.com';
  if (type === 'tel') return '+1 425 555 0100';
  if (type === 'number') return '0';
  return 'E2E text';
}

/**
 * Presses Publish and fixes whatever field the editor focuses, guided only by what the page
 * shows, until the notification e-mail dialog opens. Returns the ids of the fields it filled.
 */
export async function fillUntilPublishable(page, opts, maxSteps = 80) {
  const visited = [];
  for (let step = 0; step < maxSteps; step++) {
    await page.click('#publish');
    // Either the e-mail dialog opens, or the editor moves focus to the first problem (after
    // two animation frames).
    const focused = await waitInPage(page, () => {
      if (document.getElementById('notification-emails')) return { emails: true };
      const el = document.activeElement;
      if (!el || el === document.body || el.id === 'publish') return null;
      return { id: el.id, tag: el.tagName, type: el.getAttribute('type') || '' };
    });
    if (focused.emails) return visited;
    const key = `${focused.id}|${focused.tag}`;
    const again = visited.filter((v) => v === key).length;
    if (again >= 2) throw new Error(`the editor keeps sending me to ${key}`);
    visited.push(key);
    const msg = await page.locator(byId(`${focused.id}-msg`)).textContent().catch(() => '');
    if (process.env.E2E_VERBOSE) console.log(`fix ${key}: ${msg}`);
    const el = page.locator(byId(focused.id));
    if (focused.tag === 'INPUT' && focused.type === 'checkbox') {
      await el.check();
    } else if (focused.tag === 'INPUT' || focused.tag === 'TEXTAREA') {
      await el.fill(valueFor(focused.id, focused.type, opts));
      await el.blur();
    } else if (focused.tag === 'SELECT') {
      const values = await el.locator('option').evaluateAll((os) => os.map((o) => o.value).filter((v) => v));
      // The demo images are Linux disks: declare Linux, or certification rightly refuses them.
      const wanted = /operatingSystemFamily$/.test(focused.id) ? 'Linux' : values[0];
      await el.selectOption(wanted);
    } else if (focused.id === 'definition.plans') {
      await page.click('#add-sku');
    } else if (/vmImages$/.test(focused.id)) {
      await page.fill(byId(`${focused.id}-new`), '1.0.0');
      await page.press(byId(`${focused.id}-new`), 'Enter');
    } else if (/cloudAvailability$/.test(focused.id)) {
      await page.check(byId(`${focused.id}-PublicAzure`));
    } else if (focused.tag === 'LEGEND') {
      // A list: add an item; the next Publish focuses the new, empty input.
      await page.locator(`fieldset:has(> legend${byId(focused.id)}) > button.btn-small`).click();
    } else {
      throw new Error(`don't know how to fix ${key} (${msg})`);
    }
  }
  throw new Error(`still not publishable after ${maxSteps} fixes: ${visited.join(', ')}`);
}

/** Enters the notification address and starts publishing; waits for the Status page. */
export async function submitEmails(page, offerId) {
  await page.fill('#notification-emails', 'e2e@contoso.com');
  await page.click('#publish-submit');
  await page.waitForURL(`${BASE}/offers/${offerId}/status`, { timeout: 10000 });
}

/** Waits until the step shows `state` (a `step-<state>` class), with a deadline. */
export async function waitForStep(page, step, state, timeout = PIPELINE_MS) {
  const wanted = `li.step-${state}[data-step="${step}"]`;
  // Stop at once, with the page's own explanation, if the publish fails unexpectedly.
  const selector = state === 'failed' ? wanted : `${wanted}, #failure`;
  await page.waitForSelector(selector, { timeout });
  if (state !== 'failed' && await page.locator(wanted).count() === 0) {
    const why = await page.locator('#failure').innerText();
    throw new Error(`publishing failed while waiting for ${step} to be ${state}:\n${why}`);
  }
}

/** The state class of every step, in order. */
export async function stepStates(page) {
  return page.locator('li.step').evaluateAll((lis) => lis.map((li) => {
    const cls = [...li.classList].find((c) => c.startsWith('step-'));
    return `${li.dataset.step}:${cls ? cls.slice(5) : '?'}`;
  }));
}
