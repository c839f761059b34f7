// The release build loads pages' code on demand (scripts/build-web.sh, src/on_demand.rs):
// what a first visit downloads, the background fetch of a publisher's next pages, and a page
// whose code cannot be fetched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedIn, collectErrors, BASE } from './helpers.mjs';

/** The file names of the wasm modules the page requested, in order. */
function wasmRequests(page) {
  const names = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) names.push(path.split('/').pop());
  });
  return names;
}

test('the catalogue downloads the entry and its own code, nothing of the publisher pages', async () => {
  const browser = await launch();
  try {
    const page = await (await browser.newContext()).newPage();
    const errors = collectErrors(page);
    const wasm = wasmRequests(page);
    await page.goto(`${BASE}/catalogue`);
    await page.waitForSelector('.catalogue-page h1');
    assert.equal(wasm[0], 'partner-portal_bg.wasm', 'the entry module first');
    assert.ok(wasm.includes('split_catalogue.wasm'), `the catalogue's code: ${wasm}`);
    for (const other of ['split_editor.wasm', 'split_status.wasm', 'split_reviewer.wasm']) {
      assert.ok(!wasm.includes(other), `${other} is not needed here: ${wasm}`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test("All Offers fetches the Editor's and the Status' code in the background", async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext();
    // Listening before sign-in: the fetch starts once All Offers shows.
    const fetched = (file) => context.waitForEvent('requestfinished', {
      predicate: (r) => r.url().endsWith(`/${file}`), timeout: 15_000,
    });
    const groups = Promise.all([fetched('split_editor.wasm'), fetched('split_status.wasm')]);
    const { page, errors } = await signedIn(context);
    await groups;
    // Opening an offer now needs no more code from the server.
    const wasm = wasmRequests(page);
    await page.click('.offers-table tbody tr a');
    await page.waitForSelector('#publish');
    assert.deepEqual(wasm, [], 'the Editor opened from what was fetched');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a page whose code cannot be fetched says so, and reloading brings it', async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext();
    // The Status' code is unreachable (the connection dropped, or a new release removed it).
    const blocked = (route) => route.abort('internetdisconnected');
    await context.route('**/split_status.wasm', blocked);
    const { page } = await signedIn(context);
    const errors = collectErrors(page);
    await page.locator('.offers-table tbody tr a.status-pill').first().click();
    const alert = page.locator('.load-failed[role=alert]');
    await alert.waitFor({ timeout: 15_000 });
    assert.match(await alert.innerText(), /could not be loaded/);
    assert.match(page.url(), /\/offers\/[a-z0-9-]+\/status$/, 'the address is the page asked for');
    assert.ok(await page.locator('.topbar').isVisible(), 'the rest of the app still works');
    assert.ok(errors.length > 0, 'the failed fetch is in the console for whoever debugs it');

    await context.unroute('**/split_status.wasm', blocked);
    await alert.locator('button').click();
    await page.waitForSelector('ol.steps, .steps', { timeout: 15_000 });
  } finally {
    await browser.close();
  }
});
