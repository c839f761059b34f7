// A team at work (issue #14), against the real server: the owner signs in with a password and
// invites a developer from the Team page; the developer accepts, edits and publishes, and finds
// Go Live disabled with the reason; a reviewer invited for the new offer's subscription sees
// that preview only; the owner goes live, and History and Status name both people.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, signedIn, signIn, acceptInvitation, createOffer, fillUntilPublishable, submitEmails,
  waitForStep, collectErrors, goodImage, BASE, PASSWORD,
} from './helpers.mjs';

/** A subscription no demo offer allow-lists: only the offer made here is in preview for it. */
const TEAM_SUBSCRIPTION = '7a3c9e21-5b4d-4f6a-8c2e-1d0b9a8f7e65';

/** Invites `email` from the Team page's form and returns the link it shows once. */
async function inviteFromTeamPage(page, email, how) {
  await page.goto(`${BASE}/team`);
  await page.waitForSelector('#invite-form');
  await page.fill('#invite-email', email);
  if (how.role) {
    await page.check('#invite-kind-member');
    await page.selectOption('#invite-role', how.role);
  } else {
    await page.check('#invite-kind-reviewer');
    await page.fill('#invite-subscription', how.subscription);
  }
  await page.click('#invite-submit');
  const created = page.locator('#invitation-created');
  await created.waitFor({ timeout: 10_000 });
  assert.match(await created.innerText(), /e-mailed/, 'the page says the link was e-mailed too');
  const link = await page.inputValue('#invitation-link');
  assert.match(link, /\/invitation#token=/);
  // The pending invitation is listed, and revocable.
  await page.locator(`tr[data-invitation="${email}"] .revoke-invitation`).waitFor({ timeout: 10_000 });
  return link;
}

test('owner invites a developer who publishes; Go Live is the owner\'s; a reviewer sees only their preview; History names both', async () => {
  const browser = await launch();
  try {
    const stamp = Date.now();
    const ownerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const owner = await signedIn(ownerContext);
    const ownerName = (await owner.page.locator('.user-link').innerText()).trim();
    assert.ok(ownerName.length > 0, 'the shell shows the owner\'s name');

    // The owner invites a developer.
    const devEmail = `dev-${stamp}@contoso.example`;
    const devName = `Devon Developer ${stamp}`;
    const devLink = await inviteFromTeamPage(owner.page, devEmail, { role: 'developer' });

    // The developer accepts in a browser of their own and lands on All Offers, signed in.
    const devContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const dev = await devContext.newPage();
    const devErrors = collectErrors(dev);
    await acceptInvitation(dev, devLink, devName);
    await dev.waitForSelector('.offers-table', { timeout: 15_000 });
    assert.equal((await dev.locator('.user-link').innerText()).trim(), devName);
    // A developer reads the team but manages nothing.
    await dev.goto(`${BASE}/team`);
    await dev.waitForSelector('.members-table');
    assert.match(await dev.locator('#team-refusal').innerText(), /Developer/);
    assert.equal(await dev.locator('#invite-form, #key-form, .role-select').count(), 0, 'no team controls');

    // The developer edits and publishes a new offer, previewed for the team's subscription.
    const id = `e2e-team-${stamp}`;
    await createOffer(dev, id, 'Team offer');
    await fillUntilPublishable(dev, { id, osVhdUrl: goodImage(), subscription: TEAM_SUBSCRIPTION });
    await submitEmails(dev, id);
    await waitForStep(dev, 'publisher-signoff', 'waitingForPublisherReview');
    // Go Live is there, disabled, with the reason in words; Cancel publish is the developer's.
    const goLive = dev.locator('#go-live');
    await goLive.waitFor();
    assert.equal(await goLive.isDisabled(), true, 'Go Live disabled for a developer');
    const reason = await dev.locator('#go-live-refusal').innerText();
    assert.match(reason, /Developer/);
    assert.match(reason, /Manager/);
    assert.equal(await goLive.getAttribute('aria-describedby'), 'go-live-refusal');
    assert.equal(await dev.locator('#cancel-publish').isDisabled(), false);

    // A reviewer invited for the team's subscription sees that preview and nothing else.
    const reviewerEmail = `reviewer-${stamp}@fabrikam.example`;
    const reviewerLink = await inviteFromTeamPage(owner.page, reviewerEmail, { subscription: TEAM_SUBSCRIPTION });
    const reviewerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const reviewer = await reviewerContext.newPage();
    const reviewerErrors = collectErrors(reviewer);
    await acceptInvitation(reviewer, reviewerLink, 'Rae Team Reviewer');
    // Let the previews page finish its calls first: a call still in flight when the session
    // ends is rightly answered 401, which the browser would log.
    await reviewer.waitForURL(`${BASE}/reviewer`);
    await reviewer.waitForSelector('.preview-item, main .empty', { timeout: 15_000 });
    await reviewer.waitForLoadState('networkidle');
    await reviewer.click('#sign-out');
    await reviewer.waitForURL(/\/signin/);
    await signIn(reviewer, reviewerEmail, PASSWORD);
    await reviewer.waitForURL(`${BASE}/reviewer`);
    // Packaging has run, so the preview is listed; the demo's previews (another subscription) are not.
    await reviewer.waitForSelector('.preview-item', { timeout: 15_000 });
    const previews = await reviewer.locator('.preview-item .mono').allInnerTexts();
    assert.equal(previews.length, 1, `only their own preview: ${previews}`);
    assert.match(previews[0], new RegExp(`contoso/${id}`));

    // The owner goes live.
    await owner.page.goto(`${BASE}/offers/${id}/status`);
    await waitForStep(owner.page, 'publisher-signoff', 'waitingForPublisherReview', 15_000);
    assert.equal(await owner.page.locator('#go-live').isDisabled(), false);
    assert.equal(await owner.page.locator('#go-live-refusal').count(), 0);
    await owner.page.click('#go-live');
    await owner.page.click('.modal .btn-primary');
    await waitForStep(owner.page, 'live', 'complete');

    // The Status' history says who started the publish and who pressed Go Live.
    const op = owner.page.locator('.history-table tbody tr').first();
    const deadline = Date.now() + 15_000;
    while (!(await op.locator('.signed-off-by').innerText()).includes(ownerName)) {
      if (Date.now() > deadline) throw new Error(`signed off by: ${await op.innerText()}`);
      await owner.page.waitForTimeout(250);
    }
    assert.match(await op.locator('.started-by').innerText(), new RegExp(devName));

    // History, filtered to the offer from the Status page's link, names both people.
    await owner.page.click('#offer-audit-link');
    await owner.page.waitForURL(`${BASE}/history?offer=${id}`);
    await owner.page.waitForSelector('.audit-table tbody tr', { timeout: 10_000 });
    const actions = await owner.page.locator('.audit-table > tbody > tr').evaluateAll((rows) =>
      rows.map((r) => ({ action: r.dataset.action, actor: r.querySelector('.audit-actor').textContent })));
    const publish = actions.find((a) => /publish/i.test(a.action) && !/goLive/i.test(a.action));
    const live = actions.find((a) => /goLive/i.test(a.action));
    assert.ok(publish && publish.actor.includes(devName), `the publish is the developer's: ${JSON.stringify(actions)}`);
    assert.ok(live && live.actor.includes(ownerName), `Go Live is the owner's: ${JSON.stringify(actions)}`);
    // An owner exports what they see.
    const csv = owner.page.locator('#audit-csv');
    assert.match(await csv.getAttribute('href'), new RegExp(`/api/publishers/contoso/audit\\.csv\\?offer=${id}`));

    assert.deepEqual(owner.errors, [], 'no console errors (owner)');
    assert.deepEqual(devErrors, [], 'no console errors (developer)');
    assert.deepEqual(reviewerErrors, [], 'no console errors (reviewer)');
  } finally {
    await browser.close();
  }
});

test('a wrong password is refused next to the form, and the fields say what is missing', async () => {
  const browser = await launch();
  try {
    const page = await (await browser.newContext()).newPage();
    const errors = collectErrors(page);
    await page.goto(`${BASE}/signin`);
    await page.click('form button[type=submit]');
    // Both fields are named, and the focus is on the first.
    await page.waitForSelector('#signin-email-error .field-error');
    await page.waitForSelector('#signin-password-error .field-error');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'signin-email');
    assert.equal(await page.getAttribute('#signin-email', 'aria-invalid'), 'true');
    await page.fill('#signin-email', 'owner@contoso.example');
    await page.fill('#signin-password', 'not the password at all');
    await page.click('form button[type=submit]');
    const alert = page.locator('#signin-error .banner');
    await alert.waitFor({ timeout: 10_000 });
    assert.match(await alert.innerText(), /e-mail address or the password is wrong/);
    assert.equal(page.url(), `${BASE}/signin`);
    // Nothing of a credential is kept by the page.
    const stored = await page.evaluate(() => Object.keys(localStorage));
    assert.ok(stored.every((k) => !/token/i.test(k)), `localStorage: ${stored}`);
    // The forgotten-password flow answers the same for any address.
    await page.click('#forgot-password');
    await page.fill('#reset-email', 'nobody@contoso.example');
    await page.click('form button[type=submit]');
    await page.waitForSelector('#reset-sent');
    // The browser logs the refused sign-in (401) itself; nothing else may go wrong.
    assert.deepEqual(errors.filter((e) => !e.includes('401 (Unauthorized)')), []);
  } finally {
    await browser.close();
  }
});
