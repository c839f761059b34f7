// Flows a publisher clicks through, against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, signedIn, BASE } from './helpers.mjs';

test('All Offers lists the demo offers with their status', async () => {
  const browser = await launch();
  try {
    const { page, errors } = await signedIn(await browser.newContext());
    const rows = await page.locator('.offers-table tbody tr').count();
    assert.ok(rows > 0, 'demo offers listed');
    await page.fill('#offer-search', 'zzz-no-such-offer');
    await page.waitForSelector('.empty', { timeout: 5000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('a new offer opens in the editor and Publish guides to the first problem', async () => {
  const browser = await launch();
  try {
    const { page, errors } = await signedIn(await browser.newContext());
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
    // The SKUs section has the first problem: it opens and shows its badge.
    const selected = await page.getAttribute('[role=tab][aria-selected=true]', 'id');
    assert.equal(selected, 'tab-Skus');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('two tabs editing one offer: the second save gets the conflict and keeps its edits', async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext();
    const a = await signedIn(context);
    const id = `e2e-conflict-${Date.now()}`;
    await a.page.click('#new-offer');
    await a.page.fill('#new-offer-id', id);
    await a.page.fill('#new-offer-name', 'Conflict');
    await a.page.click('.modal button[type=submit]');
    await a.page.waitForURL(`${BASE}/offers/${id}/editor`);
    const b = await context.newPage();
    await b.goto(`${BASE}/offers/${id}/editor`);
    const name = '#definition\\.displayText';
    await a.page.waitForSelector(name);
    await b.waitForSelector(name);
    await a.page.fill(name, 'Name from A');
    await a.page.click('#save');
    await a.page.waitForFunction(() => document.querySelector('.save-state')?.textContent.includes('saved'));
    await b.fill(name, 'Name from B');
    await b.click('#save');
    await b.waitForSelector('#conflict', { timeout: 5000 });
    assert.equal(await b.inputValue(name), 'Name from B', 'edits kept');
    await b.click('#conflict-overwrite');
    await b.waitForFunction(() => document.querySelector('.save-state')?.textContent.includes('saved'));
    await a.page.reload();
    await a.page.waitForSelector(name);
    assert.equal(await a.page.inputValue(name), 'Name from B');
    assert.deepEqual(a.errors, []);
  } finally {
    await browser.close();
  }
});
