// staff-driver.mjs - drives the merchant's pages and the agent console (/app/#token=…) in Debian's Chromium for tests/e2e/test_web_staff.py: the merchant answers a dispute with a counter-offer, the agent decides an escalated dispute citing its evidence, after a 422 shown on the page.
//
// Usage: node web/test/staff-driver.mjs JOB.json > RESULT.json
//   JOB: {"base": "http://127.0.0.1:PORT", "photo": path, "screenshots": dir or null,
//         "merchant": [{"lang", "token", "dispute"}], "agent": [{"lang", "token", "dispute", "bad_ref"}]}
//   RESULT: {"merchant": [{...}], "agent": [{...}], "csp": [...], "console_errors": [...], "page_errors": [...]}
// Chromium comes from the system (CHROMIUM, default /usr/bin/chromium); nothing is downloaded.

import fs from 'node:fs';
import { launch, open as openPage, settled, text, shoot as shootPage } from './browser.mjs';
import { unlabelled, overflow, merchantAnswers, agentApprovesDisclosure, agentDecides } from './steps.mjs';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = { merchant: [], agent: [], csp: [], console_errors: [], page_errors: [], screenshots: [] };
const browser = await launch();



const shoot = (page, name) => shootPage(page, out, job, name);

/* The merchant, at a phone's width: home (disputes by deadline, money, risk), then a counter-offer with a photo. */
for (const run of job.merchant) {
  const r = { lang: run.lang };
  const { context, page } = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(run.token)}`, { lang: run.lang, width: 360 });
  await settled(page, 'home');
  r.url_after = page.url();
  r.heading = await text(page, '#view h1');
  r.disputes = await page.evaluate(() => [...document.querySelectorAll('#open-disputes [data-dispute]')].map((e) => e.dataset.dispute));
  r.accounts = await page.evaluate(() => [...document.querySelectorAll('#accounts [data-account]')].map((e) => e.dataset.account));
  r.funds = await text(page, '#funds');
  r.risk = await text(page, '#risk');
  r.home_text = await text(page, '#view');
  r.home_overflow = await overflow(page);
  await shoot(page, `merchant-home-phone-${run.lang}`);
  // a counter-offer with a photo, the keyboard submitting the form
  Object.assign(r, await merchantAnswers(page, { dispute: run.dispute, action: 'counter', amount: '8.88',
    message: run.lang === 'zh' ? '可以退部分货款' : 'We can refund part of it', photo: job.photo,
    onForm: async () => { r.unlabelled = await unlabelled(page); } }));
  r.timeline = await text(page, '#timeline');
  r.message_form = await page.locator('#message-form').count();
  r.dispute_overflow = await overflow(page);
  await shoot(page, `merchant-dispute-phone-${run.lang}`);
  await context.close();
  out.merchant.push(r);
}

/* The agent, at a desktop's width: the queue, a dispute's evidence and suggestion, a 422 for a reference not the dispute's, then the decision. */
for (const run of job.agent) {
  const r = { lang: run.lang };
  const { context, page } = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(run.token)}`, { lang: run.lang, width: 1100 });
  await settled(page, 'home');
  r.heading = await text(page, '#view h1');
  r.queue = await page.evaluate(() => [...document.querySelectorAll('#queue-list [data-dispute]')].map((e) => [e.dataset.dispute, e.dataset.tier]));
  r.disclosures = await page.evaluate(() => [...document.querySelectorAll('#disclosures [data-disclosure]')].map((e) => e.dataset.disclosure));
  r.alerts = await text(page, '#alerts');
  await shoot(page, `agent-queue-desktop-${run.lang}`);
  if (run.disclosure) {
    r.disclosure_done = await agentApprovesDisclosure(page, { id: run.disclosure, reason: run.lang === 'zh' ? '法院依法调取' : 'A court order' });
  }
  const seen = async () => {
    r.unlabelled = await unlabelled(page);
    r.records = await page.evaluate(() => [...document.querySelectorAll('#evidence-records [data-ref]')].map((e) => e.dataset.ref));
    r.photos = await page.evaluate(() => [...document.querySelectorAll('#evidence-photos [data-ref]')].map((e) => e.dataset.ref));
    await page.waitForFunction(() => [...document.querySelectorAll('#evidence-photos img')].every((i) => i.complete && i.naturalWidth > 0));
    r.suggested = await page.getAttribute('#assessment', 'data-suggested');
    r.assessment = await text(page, '#assessment');
    r.verdicts = await page.evaluate(() => [...document.querySelectorAll('#image-verdicts [data-verdict]')].map((e) => e.dataset.verdict));
    r.focus_object = r.assessment.includes('[object');
    r.codes = await page.evaluate(() => [...document.querySelectorAll('#reason-code option')].map((o) => o.value));
  };
  Object.assign(r, await agentDecides(page, { dispute: run.dispute, cite: run.cite, badRef: run.bad_ref,
    reason: run.lang === 'zh' ? '照片显示商品有缺陷' : 'The photos show the defect',
    onForm: seen, onRefused: () => shoot(page, `agent-refused-desktop-${run.lang}`) }));
  await context.close();
  out.agent.push(r);
}

await browser.close();
process.stdout.write(JSON.stringify(out));
