// Flows of a reviewer and of an anonymous visitor, against the real server and its demo data:
// the demo's live offer is in the catalogue and its offer awaiting sign-off is in preview for
// the demo reviewer (whose token run.sh passes as PORTAL_REVIEWER_TOKEN).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, collectErrors, waitInPage, BASE } from './helpers.mjs';

const REVIEWER = process.env.PORTAL_REVIEWER_TOKEN;

/** Reloads until `selector` shows: the demo packages its versions just after the server starts. */
async function reloadUntil(page, selector, timeout = 60_000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await page.locator(selector).first().isVisible().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`no ${selector} after ${timeout} ms`);
    await page.waitForTimeout(500);
    await page.reload();
    await page.waitForSelector('main .toolbar, main .preview-list, main .empty, main [role=alert]', { timeout: 10_000 }).catch(() => {});
  }
}

test('an anonymous visitor opens the catalogue from the sign-in page and reads a product page', async () => {
  const browser = await launch();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const errors = collectErrors(page);
    await page.goto(`${BASE}/signin`);
    await page.click('.topnav a[href="/catalogue"]');
    await page.waitForURL(`${BASE}/catalogue`);
    await reloadUntil(page, '.catalogue-card');
    await page.fill('#catalogue-search', 'zzz-nothing');
    await page.waitForSelector('.empty');
    await page.fill('#catalogue-search', '');
    await page.locator('.catalogue-card h2 a').first().click();
    await page.waitForSelector('.product h1');
    assert.match(page.url(), /\/catalogue\/contoso\/[a-z0-9-]+$/);
    assert.ok((await page.locator('.product-description').innerText()).length > 0, 'a description');
    assert.ok(await page.locator('.sku-card').count() >= 1, 'the plans');
    // Public images load with a plain URL.
    await waitInPage(page, () => {
      const img = document.querySelector('.product-logo');
      return img && img.complete && img.naturalWidth > 0;
    }, null, 10_000);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a reviewer signs in with the token alone, sees the preview and runs a test deployment', { skip: !REVIEWER && 'no reviewer token' }, async () => {
  const browser = await launch();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const errors = collectErrors(page);
    await page.goto(`${BASE}/signin`);
    await page.fill('#token', REVIEWER);
    await page.fill('#publisher', '');
    await page.click('button[type=submit]');
    await page.waitForURL(`${BASE}/reviewer`, { timeout: 10_000 });
    // A reviewer has no All Offers: the root sends them back to the previews.
    await reloadUntil(page, '.preview-item');
    await page.locator('.preview-item h2 a').first().click();
    await page.waitForSelector('.product h1');
    await page.waitForSelector('.deploy-panel');
    // Preview images come as blobs fetched with the token, never with the token in a URL.
    await waitInPage(page, () => {
      const img = document.querySelector('.product-logo');
      return img && img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0;
    }, null, 10_000);
    // The disks may still be replicating just after start: the answer says so in words (409)
    // until they are there.
    const end = Date.now() + 120_000;
    for (;;) {
      await page.click('#deploy');
      await page.waitForSelector('#deploy-result .deploy-result, #deploy-result [role=alert]', { timeout: 30_000 });
      if (await page.locator('#deploy-result .deploy-result').count()) break;
      const why = await page.locator('#deploy-result').innerText();
      assert.ok(why.length > 0, 'an error in words');
      if (Date.now() > end) throw new Error(`test deployment still refused: ${why}`);
      await page.waitForTimeout(2000);
    }
    const disks = await page.locator('.deploy-disks tbody tr').count();
    assert.ok(disks >= 1, 'the deployed disks');
    assert.match(await page.locator('.deploy-disks tbody tr').first().innerText(), /GiB|MiB/);
    await page.goto(`${BASE}/`);
    await page.waitForURL(`${BASE}/reviewer`);
    // The browser logs refused deployments (409) itself; nothing else may go wrong.
    assert.deepEqual(errors.filter((e) => !e.includes('409 (Conflict)')), []);
  } finally {
    await browser.close();
  }
});
