// Shared setup: Debian's chromium through playwright-core, signed in as the demo publisher.
import { chromium } from 'playwright-core';

export const BASE = process.env.PORTAL_URL;
export const TOKEN = process.env.PORTAL_TOKEN;

export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A signed-in page; console errors are collected into `errors`. */
export async function signedIn(context) {
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${BASE}/signin`);
  await page.fill('#token', TOKEN);
  await page.fill('#publisher', 'contoso');
  await page.click('button[type=submit]');
  await page.waitForSelector('.offers-table', { timeout: 15000 });
  return { page, errors };
}
