// staff-bad-driver.mjs - the bad paths on the merchant's pages and the agent console in Debian's Chromium for tests/e2e/test_web_staff_bad.py: a file that is not an image, a sign-in that expires while a form is filled in, and a 409 once a deadline has passed; each must be said on the page, with what was typed kept.
//
// Usage: node web/test/staff-bad-driver.mjs JOB.json > RESULT.json
//   JOB: {"base", "platform": the platform key (moves the test clock), "lang", "not_image": path, "fake_png": path,
//         "expire_seconds", "late_seconds",
//         "merchant": {"short": token, "token": token, "expire": dispute, "late": dispute},
//         "agent": {"short": token, "token": key, "expire": dispute, "late": dispute, "consumer": token of the late dispute's consumer}}
//   RESULT: {"merchant": {...}, "agent": {...}, "csp": [...], "console_errors": [...], "page_errors": [...], "screenshots": [paths]}
// Chromium comes from the system (CHROMIUM, default /usr/bin/chromium); nothing is downloaded.

import fs from 'node:fs';
import { launch, open as openPage, settled, text, shoot as shootPage } from './browser.mjs';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = { merchant: {}, agent: {}, csp: [], console_errors: [], page_errors: [], screenshots: [] };
const browser = await launch();
const lang = job.lang;

const shoot = (page, name) => shootPage(page, out, job, name);

/* POST to the API from here (the test clock, or another party's step). */
async function post(p, token, body) {
  const r = await fetch(`${job.base}${p}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body) });
  return r.status;
}

/* Signed in by link, on the dispute's page. */
async function disputePage(token, dispute, width) {
  const { context, page } = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(token)}`, { lang, width });
  await settled(page, 'home');
  await page.evaluate((id) => { location.hash = `#/dispute/${id}`; }, dispute);
  await settled(page, 'dispute');
  await page.waitForSelector('#receipt');
  return { context, page };
}

/* The merchant's counter-offer, filled in and not sent. */
async function fillAnswer(page) {
  await page.waitForSelector('#answer-form');
  await page.check('#action-counter');
  await page.fill('#offer-amount', '5.00');
  await page.fill('#answer-message', lang === 'zh' ? '可以退五元' : 'We can refund five yuan');
}

/* The agent's decision, filled in and not sent. */
async function fillDecision(page) {
  await page.waitForSelector('#decide-form');
  await page.selectOption('#outcome', 'partial_refund');
  await page.fill('#decide-amount', '6.00');
  await page.fill('#reason-text', lang === 'zh' ? '双方证据各有不足' : 'Neither side proved its case');
}

/* Submit and wait for the notice of `kind`: what it said and what the form still holds. */
async function submitFor(page, button, kind, kept) {
  await page.click(button);
  await page.waitForSelector(`#notice[data-kind="${kind}"]`);
  return { notice: await text(page, '#notice'), kept: await page.inputValue(kept), state: await page.getAttribute('#receipt', 'data-state') };
}

// ---- a file that is not an image, on the merchant's answer: by its type, and a .png that is not one ----
const mLate = await disputePage(job.merchant.token, job.merchant.late, 360);
await fillAnswer(mLate.page);
await mLate.page.setInputFiles('#photo-input', job.not_image);
await mLate.page.waitForSelector('#notice[data-kind="not_image"]');
out.merchant.not_image = { notice: await text(mLate.page, '#notice'), photos: await mLate.page.locator('#photos li').count() };
await mLate.page.evaluate(() => { document.getElementById('notice').hidden = true; delete document.getElementById('notice').dataset.kind; });
await mLate.page.setInputFiles('#photo-input', job.fake_png);
await mLate.page.waitForSelector('#notice[data-kind="not_image"]');
out.merchant.fake_png = { notice: await text(mLate.page, '#notice'), photos: await mLate.page.locator('#photos li').count(),
  kept: await mLate.page.inputValue('#answer-message') };
await shoot(mLate.page, `merchant-not-image-phone-${lang}`);

// ---- the sign-in expires while the merchant's answer and the agent's decision are filled in ----
const mExp = await disputePage(job.merchant.short, job.merchant.expire, 360);
await fillAnswer(mExp.page);
const aExp = await disputePage(job.agent.short, job.agent.expire, 1280);
await fillDecision(aExp.page);
out.clock_expire = await post('/v1/test/clock', job.platform, { advance_seconds: job.expire_seconds });
out.merchant.expired = await submitFor(mExp.page, '#answer-submit', 'unauthenticated', '#answer-message');
out.agent.expired = await submitFor(aExp.page, '#decide-submit', 'unauthenticated', '#reason-text');
await shoot(aExp.page, `agent-expired-desktop-${lang}`);
await mExp.context.close();
await aExp.context.close();

// ---- a 409 once the deadline passed: the merchant answers late; the agent decides what went to a court meanwhile ----
const aLate = await disputePage(job.agent.token, job.agent.late, 1280);
await fillDecision(aLate.page);
out.clock_late = await post('/v1/test/clock', job.platform, { advance_seconds: job.late_seconds });
out.external = await post(`/v1/disputes/${job.agent.late}/external`, job.agent.consumer, { body: 'court' });
out.merchant.late = await submitFor(mLate.page, '#answer-submit', 'conflict', '#answer-message');
await shoot(mLate.page, `merchant-late-phone-${lang}`);
out.agent.late = await submitFor(aLate.page, '#decide-submit', 'conflict', '#reason-text');
await mLate.context.close();
await aLate.context.close();

await browser.close();
process.stdout.write(JSON.stringify(out));
