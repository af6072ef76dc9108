// consumer-court-driver.mjs - drives the consumer's pages past the first answer in Debian's Chromium for tests/e2e/test_web_consumer_court.py: a counter-offer to the merchant's offer, an appeal of a decision, the disclosure desk (a request, the merchant's identity, the package and its PDF downloaded), and going to a court.
//
// Usage: node web/test/consumer-court-driver.mjs JOB.json > RESULT.json
//   JOB: {"base": "http://127.0.0.1:PORT", "photo": path, "not_image": path, "dir": where downloads go, "screenshots": dir or null,
//         "runs": [{"lang", "counter": {token, dispute}, "appeal": {token, dispute}, "external": {token, dispute, reference}}]}
//   RESULT: {"runs": [{lang, counter: {...}, appeal: {...}, desk: {...}, external: {...}}], "csp": [...],
//            "console_errors": [...], "page_errors": [...], "screenshots": [paths]}
// Chromium comes from the system (CHROMIUM, default /usr/bin/chromium); nothing is downloaded.

import fs from 'node:fs';
import path from 'node:path';
import { launch, open as openPage, settled, text, shoot as shootPage } from './browser.mjs';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = { runs: [], csp: [], console_errors: [], page_errors: [], screenshots: [] };
const browser = await launch();

const unlabelled = (page) => page.evaluate(() => [...document.querySelectorAll('input, textarea, select')]
  .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id || e.name));
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const events = (page) => page.evaluate(() => [...document.querySelectorAll('#timeline [data-event]')].map((e) => e.dataset.event));

const shoot = (page, name) => shootPage(page, out, job, name);

/* Signed in by link as `who`, on the dispute's page. */
async function disputePage(lang, who) {
  const { context, page } = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(who.token)}`, { lang, height: 780 });
  await settled(page, 'home');
  await page.evaluate((id) => { location.hash = `#/dispute/${id}`; }, who.dispute);
  await settled(page, 'dispute');
  await page.waitForSelector('#receipt');
  return { context, page };
}

/* Click `sel`, which downloads a file: saved as `name` under job.dir. */
async function download(page, sel, name) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(sel)]);
  const file = path.join(job.dir, name);
  await dl.saveAs(file);
  await page.waitForSelector('#notice[data-kind="done"]');
  return { file, suggested: dl.suggestedFilename(), notice: await text(page, '#notice') };
}

/* The disclosure's page: its state, the identity shown, the package and the PDF downloaded. */
async function disclosurePage(page, tag) {
  await settled(page, 'disclosure');
  await page.waitForSelector('#disclosure');
  const r = {
    url: page.url(),
    state: await page.getAttribute('#disclosure', 'data-state'),
    summary: await text(page, '#disclosure'),
    identity: await text(page, '#identity'),
    verify_href: await page.getAttribute('#verify-link', 'href'),
    overflow: await overflow(page),
  };
  await shoot(page, `consumer-disclosure-${tag.replace(/-(zh|en)$/, '-phone-$1')}`);
  r.json = await download(page, '#download-json', `${tag}.package.json`);
  r.pdf = await download(page, '#download-pdf', `${tag}.package.pdf`);
  return r;
}

for (const run of job.runs) {
  const r = { lang: run.lang };

  // the merchant's offer answered with a counter-offer
  {
    const { context, page } = await disputePage(run.lang, run.counter);
    await page.waitForSelector('#counter-form');
    r.counter = { offer: await text(page, '#offer'), unlabelled: await unlabelled(page) };
    await page.selectOption('#counter-type', 'refund');
    await page.fill('#counter-amount', '15.50');
    await page.fill('#counter-text', run.lang === 'zh' ? '退一半不够，至少退15.5元' : 'Half is not enough; at least 15.50');
    await page.click('#counter');
    await page.waitForSelector('#notice[data-kind="done"]');
    r.counter.notice = await text(page, '#notice');
    r.counter.state = await page.getAttribute('#receipt', 'data-state');
    r.counter.events = await events(page);
    await context.close();
  }

  // an appeal: refused without new information, then made with a photo; then the desk from the same page
  {
    const { context, page } = await disputePage(run.lang, run.appeal);
    await page.waitForSelector('#appeal-form');
    r.appeal = { decided: await text(page, '#decided'), unlabelled: await unlabelled(page) };
    await page.click('#appeal-submit');
    await page.waitForSelector('#notice[data-kind="invalid"]');
    r.appeal.empty = await text(page, '#notice');
    await page.setInputFiles('#appeal-photo', job.not_image);
    await page.waitForSelector('#notice[data-kind="not_image"]');
    r.appeal.not_image = await text(page, '#notice');
    await page.setInputFiles('#appeal-photo', job.photo);
    await page.waitForSelector('#appeal-photos li');
    r.appeal.photo_blob = await page.getAttribute('#appeal-photos li', 'data-blob');
    await page.fill('#appeal-message', run.lang === 'zh' ? '补充：收到时外包装已破损，附照片' : 'New: the box was broken on arrival, photo attached');
    await shoot(page, `consumer-appeal-phone-${run.lang}`);
    await page.click('#appeal-submit');
    await page.waitForSelector('#notice[data-kind="done"]');
    r.appeal.notice = await text(page, '#notice');
    r.appeal.state = await page.getAttribute('#receipt', 'data-state');
    r.appeal.events = await events(page);
    r.appeal.form_after = await page.locator('#appeal-form').count();

    await page.waitForSelector('#desk-form');
    r.desk = { unlabelled: await unlabelled(page) };
    // nothing ticked: said, nothing asked
    for (const id of await page.evaluate(() => [...document.querySelectorAll('#desk-scope input:checked')].map((c) => c.id))) await page.uncheck(`#${id}`);
    await page.click('#desk-submit');
    await page.waitForSelector('#notice[data-kind="invalid"]');
    r.desk.none_ticked = await text(page, '#notice');
    await page.check('#scope-merchant_identity');
    await page.check('#scope-order');
    await page.fill('#desk-purpose', run.lang === 'zh' ? '准备起诉经营者' : 'To sue the merchant');
    await page.click('#desk-submit');
    Object.assign(r.desk, await disclosurePage(page, `desk-${run.lang}`));
    // back on the dispute, the request is listed
    await page.click('a[href^="#/dispute/"]');
    await settled(page, 'dispute');
    r.desk.listed = await page.evaluate(() => [...document.querySelectorAll('#desk-list [data-disclosure]')].map((e) => e.dataset.disclosure));
    await context.close();
  }

  // to a court, with its case number: the dispute closes and the package is ready to take along
  {
    const { context, page } = await disputePage(run.lang, run.external);
    await page.waitForSelector('#external-form');
    await page.check('#external-court');
    await page.fill('#external-reference', run.external.reference);
    await page.click('#external-submit');
    r.external = await disclosurePage(page, `external-${run.lang}`);
    await page.click('a[href^="#/dispute/"]');
    await settled(page, 'dispute');
    r.external.dispute_state = await page.getAttribute('#receipt', 'data-state');
    r.external.actions = await page.locator('#actions').count();
    await context.close();
  }
  out.runs.push(r);
}

await browser.close();
process.stdout.write(JSON.stringify(out));
