// Screenshots of every page against a running server, at laptop and desktop sizes.
// PORTAL_URL=… PORTAL_PASSWORD=… [PORTAL_OWNER_EMAIL=…] [PORTAL_REVIEWER_EMAIL=… PORTAL_REVIEWER_PASSWORD=…]
//   node screenshots.mjs OUT_DIR [LANG] [WIDTHS]
//   LANG: en (default) or ko; WIDTHS: e.g. 1024,1440 (default 1280,1920).
import { mkdirSync } from 'node:fs';
import { launch, signedIn, signIn, collectErrors, BASE } from './tests/helpers.mjs';

const out = process.argv[2] || 'shots';
const lang = process.argv[3] || 'en';
const widths = (process.argv[4] || '1280,1920').split(',').map(Number);
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
  ['team', '/team', '.members-table'],
  ['history', '/history', '.audit-table, #no-entries'],
  ['account', '/account', '.sessions-table'],
  ['catalogue', '/catalogue', '.catalogue-card'],
  ['product', '/catalogue/contoso/contoso-live', '.product h1'],
];
const reviewerPages = [
  ['reviewer', '/reviewer', '.preview-item'],
  ['preview', '/preview/contoso/contoso-signoff', '.deploy-panel', '#deploy', '#deploy-result > *'],
];
const heightOf = (w) => (w <= 1100 ? 768 : w <= 1500 ? 900 : 1080);
const browser = await launch();
const errors = [];
async function shoot(page, name, w, path, ready, click, after) {
  await page.goto(`${BASE}${path}`);
  await page.waitForSelector(ready, { timeout: 30000 });
  if (click) await page.click(click);
  if (after) await page.waitForSelector(after, { timeout: 30000 });
  await page.waitForTimeout(300); // let focus scrolling and images settle for the picture
  await page.screenshot({ path: `${out}/${name}-${lang}-${w}.png` });
}
for (const w of widths) {
  const viewport = { width: w, height: heightOf(w) };
  const context = await browser.newContext({ viewport });
  await context.addInitScript((l) => localStorage.setItem('pp.lang', l), lang);
  const s = await signedIn(context);
  {
    const anon = await (await browser.newContext({ viewport })).newPage();
    await anon.addInitScript((l) => localStorage.setItem('pp.lang', l), lang);
    await anon.goto(`${BASE}/signin`);
    await anon.waitForSelector('#signin-email');
    await anon.screenshot({ path: `${out}/signin-${lang}-${w}.png` });
  }
  for (const [name, path, ready, click, after] of pages) await shoot(s.page, name, w, path, ready, click, after);
  errors.push(...s.errors);
  await context.close();
  if (process.env.PORTAL_REVIEWER_EMAIL) {
    const rc = await browser.newContext({ viewport });
    await rc.addInitScript((l) => localStorage.setItem('pp.lang', l), lang);
    const page = await rc.newPage();
    const rErrors = collectErrors(page);
    await signIn(page, process.env.PORTAL_REVIEWER_EMAIL, process.env.PORTAL_REVIEWER_PASSWORD);
    for (const [name, path, ready, click, after] of reviewerPages) await shoot(page, name, w, path, ready, click, after);
    errors.push(...rErrors.filter((e) => !e.includes('409 (Conflict)')));
    await rc.close();
  }
}
await browser.close();
console.log(errors.length ? `console errors:\n${errors.join('\n')}` : 'no console errors');
