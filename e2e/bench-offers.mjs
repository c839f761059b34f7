// All Offers with 10,000 offers in headless Chromium: time to first render and the cost of
// each keystroke in the search. Starts the real server on a fresh data dir, seeds the offers
// through the API (PUT, 8 at a time), then measures in the page with performance.now().
//
//   node e2e/bench-offers.mjs [PORTAL_SERVER_BIN] [DIST_DIR]
//   (defaults: $CARGO_TARGET_DIR or target-web, release/portal-server; dist)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { launch, collectErrors, waitInPage } from './tests/helpers.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target-web');
const SERVER = process.argv[2] || join(TARGET, 'release', 'portal-server');
const DIST = process.argv[3] || join(ROOT, 'dist');
const OFFERS = Number(process.env.BENCH_OFFERS || 10_000);
const QUERY = process.env.BENCH_QUERY || 'ubuntu sql data';
const RUNS = 5;

const WORDS = ['Contoso', 'Fabrikam', 'Northwind', 'Ubuntu', 'Debian', 'Windows', 'SQL', 'Server',
  'Data', 'Gateway', 'Firewall', 'Analytics', 'Edge', 'Cluster', 'Backup', 'Monitor', 'Web', 'Stack'];
const name = (i) => `${WORDS[i % 18]} ${WORDS[(i * 7 + 3) % 18]} ${WORDS[(i * 13 + 5) % 18]} ${20 + (i % 5)}.04 #${i}`;

const freePort = () => new Promise((ok) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const fmt = (x) => `${x.toFixed(1)} ms`;

async function waitFor(what, check, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const data = mkdtempSync(join(tmpdir(), 'bench-offers-'));
// The API is seeded with an owner's key; the page signs in as a person, as users do.
const token = execFileSync(SERVER, ['token', 'create', '--publisher', 'bench', '--data-dir', data]).toString().trim();
const BENCH_USER = { email: 'bench@bench.example', password: 'bench seeding ten thousand offers' };
execFileSync(SERVER, ['user', 'create', '--publisher', 'bench', '--email', BENCH_USER.email, '--role', 'owner',
  '--password-stdin', '--data-dir', data], { input: `${BENCH_USER.password}\n` });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(SERVER, ['serve', '--no-demo', '--listen', `127.0.0.1:${port}`, '--data-dir', data, '--web-dir', DIST],
  { stdio: 'ignore' });
let browser;
try {
  await waitFor('the server', async () => (await fetch(`${base}/api/health`)).ok);
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  let t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < OFFERS) {
      const i = next++;
      const id = `bench-${String(i).padStart(5, '0')}`;
      const body = { publisherId: 'bench', offerTypeId: 'microsoft-azure-virtualmachines', id,
        definition: { displayText: name(i), offer: {}, plans: [] } };
      const r = await fetch(`${base}/api/publishers/bench/offers/${id}?api-version=2017-10-31`,
        { method: 'PUT', headers: auth, body: JSON.stringify(body) });
      if (r.status !== 201) throw new Error(`PUT ${id}: ${r.status}`);
    }
  }));
  console.log(`seeded ${OFFERS} offers through PUT in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // The session cookie, for every page of the context.
  const signIn = await context.request.post(`${base}/api/session?api-version=2017-10-31`,
    { data: BENCH_USER, headers: { 'X-Requested-With': 'partner-portal' } });
  if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()} ${await signIn.text()}`);
  await context.addInitScript(() => {
    // The app asks GET /api/me only when it knows the browser signed in (src/session.rs).
    localStorage.setItem('pp.signed-in', '1');
    localStorage.setItem('pp.publisher', 'bench');
    localStorage.setItem('pp.lang', 'en');
    // Marks when the first offer row is in the DOM and when the frame showing it is painted.
    window.__bench = {};
    new MutationObserver((_, obs) => {
      if (document.querySelector('.offers-table tbody tr')) {
        obs.disconnect();
        window.__bench.rows = performance.now();
        requestAnimationFrame(() => setTimeout(() => { window.__bench.painted = performance.now(); }, 0));
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const page = await context.newPage();
  const errors = collectErrors(page);

  const loads = [];
  for (let run = 0; run < RUNS; run++) {
    await page.goto(`${base}/`);
    await waitInPage(page, () => window.__bench.painted, null, 60_000)
      .catch(async (e) => { throw new Error(`${e.message}\npage: ${await page.innerText('body')}\n${errors.join('\n')}`); });
    loads.push(await page.evaluate(() => {
      const list = performance.getEntriesByType('resource').find((e) => e.name.includes('/offers?'));
      const b = window.__bench;
      return { total: b.painted, request: list.responseEnd - list.requestStart,
        client: b.painted - list.responseEnd, bytes: list.encodedBodySize };
    }));
  }
  const count = await page.textContent('.toolbar-count');
  if (!count.startsWith(`${OFFERS} `)) throw new Error(`All Offers shows “${count}”`);

  // Keystrokes: the app reads the input's value on `input`, as when a user types.
  const strokes = [];
  for (let round = 0; round < 2; round++) {
    await page.fill('#offer-search', '');
    await waitInPage(page, (n) => document.querySelector('.toolbar-count').textContent.startsWith(`${n} `), OFFERS);
    for (let i = 1; i <= QUERY.length; i++) {
      strokes.push(await page.evaluate((text) => new Promise((done) => {
        const input = document.querySelector('#offer-search');
        const before = document.querySelector('.toolbar-count').textContent;
        const t = performance.now();
        input.value = text;
        input.dispatchEvent(new InputEvent('input', { bubbles: true, data: text.at(-1), inputType: 'insertText' }));
        // Work: everything the keystroke queued (the app's reactive updates run as microtasks).
        setTimeout(() => {
          const work = performance.now() - t;
          requestAnimationFrame(() => setTimeout(() => done({ work, frame: performance.now() - t,
            changed: document.querySelector('.toolbar-count').textContent !== before }), 0));
        }, 0);
      }), QUERY.slice(0, i)));
    }
  }
  const finalCount = await page.textContent('.toolbar-count');

  const pick = (k) => loads.map((l) => l[k]);
  console.log(`All Offers, ${OFFERS} offers, ${RUNS} loads (median; min–max):`);
  console.log(`  first render (navigation → rows painted): ${fmt(median(pick('total')))} (${fmt(Math.min(...pick('total')))}–${fmt(Math.max(...pick('total')))})`);
  console.log(`  list request (request → response end, ${(loads[0].bytes / 1e6).toFixed(1)} MB): ${fmt(median(pick('request')))}`);
  console.log(`  client (response end → rows painted): ${fmt(median(pick('client')))} (${fmt(Math.min(...pick('client')))}–${fmt(Math.max(...pick('client')))})`);
  const work = strokes.map((s) => s.work), frame = strokes.map((s) => s.frame);
  console.log(`search “${QUERY}” typed twice, ${strokes.length} keystrokes → “${finalCount}”:`);
  console.log(`  work (input → updates done): median ${fmt(median(work))}, worst ${fmt(Math.max(...work))}`);
  console.log(`  input → next frame painted: median ${fmt(median(frame))}, worst ${fmt(Math.max(...frame))}`);
  if (process.env.BENCH_VERBOSE) console.log(strokes.map((s, i) => `${QUERY.slice(0, (i % QUERY.length) + 1)}: ${s.work.toFixed(1)}/${s.frame.toFixed(1)}`).join('\n'));
  console.log(errors.length ? `console errors:\n${errors.join('\n')}` : 'no console errors');
  if (errors.length) process.exitCode = 1;
} finally {
  await browser?.close();
  server.kill();
  rmSync(data, { recursive: true, force: true });
}
