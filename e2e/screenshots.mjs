// Screenshots of every page against a running server, at laptop and desktop sizes.
// PORTAL_URL=… PORTAL_TOKEN=… node screenshots.mjs OUT_DIR
import { mkdirSync } from 'node:fs';
import { launch, signedIn, BASE } from './tests/helpers.mjs';

const out = process.argv[2] || 'shots';
mkdirSync(out, { recursive: true });
const pages = [
  ['offers', '/', '.offers-table'],
  ['editor-settings', '/offers/contoso-draft/editor', '#section-panel'],
  ['editor-skus', '/offers/contoso-failed/editor', '#section-panel', '#tab-Skus'],
  ['editor-testdrive', '/offers/contoso-draft/editor', '#section-panel', '#tab-TestDrive'],
  ['editor-marketplace', '/offers/contoso-draft/editor', '#section-panel', '#tab-Marketplace'],
  ['editor-support', '/offers/contoso-draft/editor', '#section-panel', '#tab-Support'],
  ['editor-publish', '/offers/contoso-draft/editor', '#section-panel', '#publish'],
  ['status-running', '/offers/contoso-publishing/status', 'li.step'],
  ['status-failed', '/offers/contoso-failed/status', '#failure'],
  ['status-signoff', '/offers/contoso-signoff/status', '#go-live'],
  ['status-live', '/offers/contoso-live/status', 'li.step'],
];
const browser = await launch();
const errors = [];
for (const [w, h] of [[1280, 800], [1920, 1080]]) {
  const context = await browser.newContext({ viewport: { width: w, height: h } });
  const s = await signedIn(context);
  const page = s.page;
  {
    const anon = await (await browser.newContext({ viewport: { width: w, height: h } })).newPage();
    await anon.goto(`${BASE}/signin`);
    await anon.waitForSelector('#token');
    await anon.screenshot({ path: `${out}/signin-${w}.png` });
  }
  for (const [name, path, ready, click] of pages) {
    await page.goto(`${BASE}${path}`);
    await page.waitForSelector(ready, { timeout: 15000 });
    if (click) await page.click(click);
    await page.waitForTimeout(300); // let focus scrolling and images settle for the picture
    await page.screenshot({ path: `${out}/${name}-${w}.png` });
  }
  errors.push(...s.errors);
  await context.close();
}
await browser.close();
console.log(errors.length ? `console errors:\n${errors.join('\n')}` : 'no console errors');
