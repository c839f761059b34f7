// Flows a publisher clicks through, against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, signedIn, createOffer, fillUntilPublishable, submitEmails, waitForStep, stepStates,
  goodImage, sas, collectErrors, byId, waitInPage, BASE, PIPELINE_MS,
} from './helpers.mjs';

/** Runs `body` with a fresh browser and a signed-in page; fails on console errors. */
async function withPage(body) {
  const browser = await launch();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const s = await signedIn(context);
    await body(s.page, context);
    assert.deepEqual(s.errors, [], 'no console errors');
  } finally {
    await browser.close();
  }
}

test('All Offers lists the demo offers with their status', () => withPage(async (page) => {
  const rows = await page.locator('.offers-table tbody tr').count();
  assert.ok(rows >= 5, 'demo offers listed');
  const live = page.locator('.offers-table tbody tr', { hasText: 'contoso-live' });
  assert.match(await live.locator('.status-pill').textContent(), /Live/);
  await page.fill('#offer-search', 'zzz-no-such-offer');
  await page.waitForSelector('.empty', { timeout: 5000 });
}));

test('a new offer opens in the editor and Publish guides to the first problem', () => withPage(async (page) => {
  const id = `e2e-${Date.now()}`;
  await page.click('#new-offer');
  await page.fill('#new-offer-id', 'Bad Id');
  await page.waitForSelector('.modal .field-error');
  await page.fill('#new-offer-id', id);
  await page.fill('#new-offer-name', 'E2E offer');
  await page.click('.modal button[type=submit]');
  await page.waitForURL(`${BASE}/offers/${id}/editor`, { timeout: 10000 });
  await page.click('#publish');
  await page.waitForSelector('#publish-problems', { timeout: 5000 });
  // The first problem's section opens and its field gets the focus, with its message.
  const focused = await waitInPage(page, () => {
    const el = document.activeElement;
    return el && el.id && el.id !== 'publish' ? el.id : null;
  });
  const message = await page.locator(`${byId(`${focused}-msg`)} .field-error`).first().textContent();
  assert.ok(message.length > 0, `a message next to ${focused}`);
  assert.ok(await page.locator('[role=tab][aria-selected=true] .badge').count() === 1, 'the section shows its problem count');
}));

test('publish a new offer: required fields, e-mails, the steps advance, preview, Go Live, Live in All Offers', () => withPage(async (page) => {
  const id = `e2e-live-${Date.now()}`;
  await createOffer(page, id, 'E2E Live Offer');
  await fillUntilPublishable(page, { id, osVhdUrl: goodImage() });
  await submitEmails(page, id);
  await waitForStep(page, 'displaydummycertify', 'complete');
  await waitForStep(page, 'displaycertify', 'complete');
  await waitForStep(page, 'displayprovision', 'complete');
  await waitForStep(page, 'displaypackage', 'complete');
  await waitForStep(page, 'publisher-signoff', 'waitingForPublisherReview');
  // At sign-off: the preview links are there and Go Live is offered.
  await page.waitForSelector('.links a', { timeout: 5000 });
  await page.click('#go-live');
  await page.click('.modal .btn-primary');
  await waitForStep(page, 'live', 'complete');
  await page.goto(`${BASE}/`);
  const row = page.locator('.offers-table tbody tr', { hasText: id });
  await row.waitFor({ timeout: 10000 });
  assert.match(await row.locator('.status-pill').textContent(), /Live/);
}));

test('Cancel publish at sign-off returns the offer to step 1', () => withPage(async (page) => {
  await page.goto(`${BASE}/offers/contoso-signoff/status`);
  await waitForStep(page, 'publisher-signoff', 'waitingForPublisherReview', 15000);
  await page.click('#cancel-publish');
  await page.click('.modal .btn-danger');
  await page.waitForSelector('#publish-again', { timeout: 15000 });
  const states = await stepStates(page);
  assert.ok(!states.some((s) => s.endsWith(':waitingForPublisherReview')), `no longer at sign-off: ${states}`);
  assert.equal(await page.locator('#go-live').count(), 0);
  // Publish starts over at step 1.
  await page.click('#publish-again');
  await page.fill('#notification-emails', 'e2e@contoso.com');
  await page.click('#publish-submit');
  await waitForStep(page, 'displaydummycertify', 'complete');
}));

test('two tabs editing one offer: the second save gets the conflict and keeps its edits', () => withPage(async (page, context) => {
  const id = `e2e-conflict-${Date.now()}`;
  await createOffer(page, id, 'Conflict');
  const b = await context.newPage();
  const bErrors = collectErrors(b);
  await b.goto(`${BASE}/offers/${id}/editor`);
  const name = '[id="definition.displayText"]';
  await page.waitForSelector(name);
  await b.waitForSelector(name);
  await page.fill(name, 'Name from A');
  await page.click('#save');
  await page.waitForSelector('.save-state[data-state=saved]');
  await b.fill(name, 'Name from B');
  await b.click('#save');
  await b.waitForSelector('#conflict', { timeout: 5000 });
  assert.equal(await b.inputValue(name), 'Name from B', 'edits kept');
  await b.click('#conflict-overwrite');
  await b.waitForSelector('.save-state[data-state=saved]');
  await page.reload();
  await page.waitForSelector(name);
  assert.equal(await page.inputValue(name), 'Name from B');
  // The browser logs the 412 answer itself; nothing else may go wrong.
  assert.deepEqual(bErrors.filter((e) => !e.includes('412 (Precondition Failed)')), []);
}));

test('an unreachable image fails at Certification; the link fixes the field and Publish again restarts at step 1', () => withPage(async (page) => {
  const id = `e2e-fail-${Date.now()}`;
  await createOffer(page, id, 'E2E Failing Offer');
  const unreachable = `https://unreachable.invalid/vhds/os.vhd?${sas()}`;
  await fillUntilPublishable(page, { id, osVhdUrl: unreachable });
  await submitEmails(page, id);
  await waitForStep(page, 'displaycertify', 'failed');
  await page.waitForSelector('#failure .fix-link', { timeout: 5000 });
  await page.click('#failure .fix-link');
  await page.waitForURL(/\/editor\?focus=/, { timeout: 10000 });
  const field = await waitInPage(page, () => {
    const el = document.activeElement;
    return el && /osVhdUrl$/.test(el.id) ? el.id : null;
  });
  await page.fill(byId(field), goodImage());
  await page.click('#save');
  await page.waitForSelector('.save-state[data-state=saved]');
  await page.goto(`${BASE}/offers/${id}/status`);
  await page.click('#publish-again');
  await page.fill('#notification-emails', 'e2e@contoso.com');
  await page.click('#publish-submit');
  // The new run starts at step 1 (the failure view goes away) and passes Certification.
  await page.waitForSelector('#failure', { state: 'detached', timeout: 15000 });
  await waitForStep(page, 'displaycertify', 'complete', PIPELINE_MS);
  await waitForStep(page, 'publisher-signoff', 'waitingForPublisherReview', PIPELINE_MS);
}));

test('Check image now certifies a disk from the editor: the failing image names its failed tests, the passing one passes', () => withPage(async (page) => {
  await page.goto(`${BASE}/offers/contoso-failed/editor`);
  await page.waitForSelector('#section-panel');
  await page.click('#tab-Skus');
  await page.locator('.image-check button').first().click();
  const failed = page.locator('.check-report.failed');
  await failed.waitFor({ timeout: 30000 });
  assert.equal(await failed.locator('[data-test="linux.agent"]').count(), 1, 'missing agent reported');
  assert.equal(await failed.locator('[data-test="linux.ssh_client_alive"]').count(), 1, 'ClientAliveInterval reported');

  await page.goto(`${BASE}/offers/contoso-live/editor`);
  await page.waitForSelector('#section-panel');
  await page.click('#tab-Skus');
  await page.locator('.image-check button').first().click();
  const ok = page.locator('.check-report.ok');
  await ok.waitFor({ timeout: 30000 });
  assert.match(await ok.locator('.check-summary').textContent(), /(\d+) \/ \1 /, 'every test passed');
}));

test('a logo of the wrong size is reported at its field and counted as a problem before publishing', () => withPage(async (page) => {
  await createOffer(page, 'e2e-logo-size', 'Logo size');
  await page.click('#tab-Marketplace');
  const id = 'definition.offer.microsoft-azure-marketplace.mediumLogo';
  const field = page.locator('.logo-field', { has: page.locator(byId(id)) });
  await page.fill(byId(id), `${BASE}/demo/assets/logo-40.png`);
  await page.locator(byId(id)).blur();
  // The browser measures the image: 40 × 40 where 90 × 90 is required.
  await field.locator('.logo-actual.wrong').waitFor({ timeout: 10_000 });
  assert.match(await field.locator('.logo-actual').innerText(), /40 × 40 px/);
  await waitInPage(page, (sel) => /90×90 pixels; this image is 40×40/.test(document.querySelector(sel)?.textContent ?? ''),
    byId(`${id}-msg`));
  // A problem like any other: counted in the section's badge, so Publish stops at it.
  const problems = async () => Number((await page.locator('#tab-Marketplace .badge').innerText()).trim());
  const withWrongLogo = await problems();

  await page.fill(byId(id), `${BASE}/demo/assets/logo-90.png`);
  await field.locator('.logo-actual:not(.wrong)').waitFor({ timeout: 10_000 });
  await waitInPage(page, (sel) => !/pixels/.test(document.querySelector(sel)?.textContent ?? ''),
    byId(`${id}-msg`));
  assert.equal(await problems(), withWrongLogo - 1);
}));

test('leaving the editor with unsaved changes asks first: staying keeps the edits, leaving goes', () => withPage(async (page) => {
  const id = `e2e-leave-${Date.now()}`;
  await createOffer(page, id, 'Leave test');
  const name = byId('definition.displayText');
  await page.fill(name, 'Edited, not saved');
  await page.waitForSelector('.save-state[data-state=unsaved]');
  // A tab link asks; the focused first button keeps editing.
  await page.click('.offer-tabs a:not([aria-current])');
  await page.waitForSelector('.modal[role=dialog]');
  assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Keep editing');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.modal[role=dialog]', { state: 'detached' });
  assert.equal(page.url(), `${BASE}/offers/${id}/editor`);
  assert.equal(await page.inputValue(name), 'Edited, not saved');
  // Sign out asks too; Escape stays.
  await page.click('.topbar button.btn-quiet');
  await page.waitForSelector('.modal[role=dialog]');
  await page.keyboard.press('Escape');
  await page.waitForSelector('.modal[role=dialog]', { state: 'detached' });
  assert.equal(await page.inputValue(name), 'Edited, not saved');
  // The breadcrumb's All Offers, confirmed, leaves.
  await page.click('.breadcrumb a');
  await page.click('.modal .btn-danger');
  await page.waitForSelector('.offers-table', { timeout: 10000 });
  assert.equal(page.url(), `${BASE}/`);
  // Saved edits leave without a question.
  await page.goto(`${BASE}/offers/${id}/editor`);
  await page.fill(name, 'Saved name');
  await page.click('#save');
  await page.waitForSelector('.save-state[data-state=saved]');
  await page.click('.offer-tabs a:not([aria-current])');
  await page.waitForURL(`${BASE}/offers/${id}/status`);
}));

test('Back and Forward with unsaved changes ask first: staying keeps the page and the edits, leaving goes', () => withPage(async (page) => {
  const id = `e2e-back-${Date.now()}`;
  // All Offers, then the editor: Back from it stays within the app.
  await createOffer(page, id, 'Back test');
  const editor = `${BASE}/offers/${id}/editor`;
  const name = byId('definition.displayText');
  const dialog = page.locator('.modal[role=dialog]');
  await page.fill(name, 'Edited, not saved');
  await page.waitForSelector('.save-state[data-state=unsaved]');

  // Back asks; All Offers is never shown while it does.
  await page.goBack();
  await dialog.waitFor({ timeout: 5000 });
  await page.waitForURL(editor, { timeout: 5000 });
  assert.match(await dialog.locator('h2').textContent(), /Leave without saving/);
  assert.equal(await page.locator('.offers-table').count(), 0, 'All Offers not rendered');
  // Keep editing: the same URL, the edit still there.
  await dialog.locator('button', { hasText: 'Keep editing' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(page.url(), editor);
  assert.equal(await page.inputValue(name), 'Edited, not saved');
  assert.equal(await page.locator('.save-state').getAttribute('data-state'), 'unsaved');

  // Back again, Leave: All Offers.
  await page.goBack();
  await dialog.waitFor({ timeout: 5000 });
  await dialog.locator('.btn-danger').click();
  await page.waitForSelector('.offers-table', { timeout: 10000 });
  assert.equal(page.url(), `${BASE}/`);
  assert.equal(await dialog.count(), 0);

  // Without edits, Forward and Back move at once.
  await page.goForward();
  await page.waitForURL(editor, { timeout: 5000 });
  await page.waitForSelector(name);
  assert.equal(await page.inputValue(name), 'Back test', 'the unsaved edit was dropped');
  await page.goBack();
  await page.waitForSelector('.offers-table', { timeout: 10000 });
  assert.equal(page.url(), `${BASE}/`);
  assert.equal(await dialog.count(), 0, 'no question without edits');

  // Forward asks too: editor → Status, Back to the editor, edit, Forward.
  await page.goForward();
  await page.waitForSelector(name);
  await page.click('.offer-tabs a:not([aria-current])');
  await page.waitForURL(`${BASE}/offers/${id}/status`);
  await page.goBack();
  await page.waitForURL(editor, { timeout: 5000 });
  await page.fill(name, 'Edited again');
  await page.waitForSelector('.save-state[data-state=unsaved]');
  await page.goForward();
  await dialog.waitFor({ timeout: 5000 });
  await page.waitForURL(editor, { timeout: 5000 });
  await dialog.locator('button', { hasText: 'Keep editing' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await page.inputValue(name), 'Edited again');
  await page.goForward();
  await dialog.waitFor({ timeout: 5000 });
  await dialog.locator('.btn-danger').click();
  await page.waitForURL(`${BASE}/offers/${id}/status`, { timeout: 10000 });
  await page.waitForSelector('section.history', { timeout: 10000 });
}));

test('open ports, screenshots and videos have inputs with their rules next to them', () => withPage(async (page) => {
  const id = `e2e-media-${Date.now()}`;
  await createOffer(page, id, 'Media test');
  await page.click('#tab-Skus');
  await page.click('#add-sku');
  const ports = 'definition.plans[0].microsoft-azure-virtualmachines.openPorts';
  await page.locator(`fieldset:has(> legend${byId(ports)}) > button.btn-small`).click();
  const port = byId(`${ports}[0].port`);
  await page.fill(port, '70000');
  await page.locator(port).blur();
  await page.waitForSelector(`${byId(`${ports}[0].port-msg`)} .field-error`);
  assert.equal(await page.inputValue(byId(`${ports}[0].protocol`)), 'TCP', 'a new port starts as TCP');
  await page.fill(port, '22');
  await page.waitForSelector(`${byId(`${ports}[0].port-msg`)} .field-error`, { state: 'detached' });

  await page.click('#tab-Marketplace');
  const shots = 'definition.offer.microsoft-azure-marketplace.screenshots';
  await page.locator(`fieldset:has(> legend${byId(shots)}) > button.btn-small`).click();
  const url = byId(`${shots}[0].url`);
  await page.fill(url, 'http://not-https.example/shot.png');
  await page.locator(url).blur();
  await page.waitForSelector(`${byId(`${shots}[0].url-msg`)} .field-error`);
  const videos = 'definition.offer.microsoft-azure-marketplace.videos';
  await page.locator(`fieldset:has(> legend${byId(videos)}) > button.btn-small`).click();
  for (const key of ['name', 'link', 'thumbnailUrl']) {
    await page.waitForSelector(byId(`${videos}[0].${key}`));
  }
  await page.click('#tab-TestDrive');
  await page.check(byId('definition.offer.microsoft-azure-marketplace-testdrive.enabled'));
  await page.waitForSelector(`fieldset:has(> legend${byId('definition.offer.microsoft-azure-marketplace-testdrive.videos')})`);
}));
