// Flows of a reviewer and of an anonymous visitor, against the real server and its demo data:
// the demo's live offer is in the catalogue and its offer awaiting sign-off is in preview for
// the demo's subscription, for which the owner invites a reviewer here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, collectErrors, waitInPage, signedIn, signIn, apiFromPage, acceptInvitation,
  BASE, PASSWORD, DEMO_SUBSCRIPTION,
} from './helpers.mjs';

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

test('an invited reviewer signs in with a password, sees the preview and runs a test deployment', async () => {
  const browser = await launch();
  try {
    // The owner invites a reviewer for the demo's preview subscription.
    const owner = await signedIn(await browser.newContext());
    const email = `reviewer-${Date.now()}@fabrikam.example`;
    const invited = await apiFromPage(owner.page, 'POST', '/publishers/contoso/invitations',
      { email, as: { kind: 'reviewer', subscriptionId: DEMO_SUBSCRIPTION } });
    assert.equal(invited.status, 201, JSON.stringify(invited.body));

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await acceptInvitation(page, invited.body.link, 'Rita Reviewer');
    await page.waitForURL(`${BASE}/reviewer`, { timeout: 10_000 });
    // Let the previews page finish its calls first: a call still in flight when the session
    // ends is rightly answered 401, which the browser would log.
    await reloadUntil(page, '.preview-item');
    await page.waitForLoadState('networkidle');
    // Signed out, the reviewer signs in like everyone else and lands on the previews.
    await page.click('#sign-out');
    await page.waitForURL(/\/signin/, { timeout: 10_000 });
    await signIn(page, email, PASSWORD);
    await page.waitForURL(`${BASE}/reviewer`, { timeout: 10_000 });
    assert.equal(await page.locator('.topnav a[href="/"]').count(), 0, 'no All Offers for a reviewer');
    // A reviewer has no All Offers: the root sends them back to the previews.
    await reloadUntil(page, '.preview-item');
    await page.locator('.preview-item h2 a').first().click();
    await page.waitForSelector('.product h1');
    await page.waitForSelector('.deploy-panel');
    // Preview images come as blobs fetched like every API call.
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
