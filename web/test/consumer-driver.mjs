// consumer-driver.mjs - drives the consumer's pages (/app/#token=…) in Debian's Chromium for tests/e2e/test_web_consumer.py: signs in by link, opens a dispute with a photo, reads the receipt, deadlines and timeline, and the bad paths.
//
// Usage: node web/test/consumer-driver.mjs JOB.json > RESULT.json
//   JOB: {"base": "http://127.0.0.1:PORT", "photo": path, "not_image": path,
//         "runs": [{"lang": "zh"|"en", "token": text, "order": id, "skew_ms": n (optional)}], "expired": token,
//         "screenshots": dir or null}
//   RESULT: {"runs": [{lang, url_after, stored, who, orders, not_image: {...}, dispute: {...}, conflict: {...},
//                      skewed: {browser_now, due, countdown, read_at} when skew_ms}],
//            "expired": {url_after, stored, notice_kind, notice}, "csp": [...], "console_errors": [...],
//            "page_errors": [...], "screenshots": [paths]}
// Chromium comes from the system (CHROMIUM, default /usr/bin/chromium); nothing is downloaded.

import fs from 'node:fs';
import { launch, open as openPage, settled, text, shoot as shootPage } from './browser.mjs';
import { consumerFillsDispute, consumerAddsPhoto, consumerSubmitsDispute } from './steps.mjs';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = { runs: [], expired: null, csp: [], console_errors: [], page_errors: [], screenshots: [] };
const browser = await launch();



const shoot = (page, name) => shootPage(page, out, job, name);

for (const run of job.runs) {
  const r = { lang: run.lang };
  const { context, page } = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(run.token)}`, { lang: run.lang, height: 780 });
  await settled(page, 'home');
  r.url_after = page.url();
  r.stored = await page.evaluate(() => sessionStorage.getItem('disputed.token'));
  r.html_lang = await page.evaluate(() => document.documentElement.lang);
  r.who = await text(page, '#who-text');
  r.orders = await page.evaluate(() => [...document.querySelectorAll('#orders [data-order]')].map((e) => e.dataset.order));
  r.orders_heading = await text(page, 'h1');
  r.home_text = await text(page, '#orders');
  await shoot(page, `consumer-home-phone-${run.lang}`);

  await consumerFillsDispute(page, { order: run.order, amount: '12.34', description: run.lang === 'zh' ? '耳机左边没有声音' : 'The left earphone is silent' });
  r.order_page = await page.evaluate(() => ({ summary: document.querySelector('#order dl').textContent,
    items: [...document.querySelectorAll('#order-items li')].map((e) => e.textContent),
    parcel: [...document.querySelectorAll('#parcel [data-status]')].map((e) => e.dataset.status) }));
  r.unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, textarea, select')]
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id));

  // a file that is not an image: refused with a message, and nothing typed is lost
  await page.setInputFiles('#photo-input', job.not_image);
  await page.waitForSelector('#notice[data-kind="not_image"]');
  r.not_image = {
    notice: await text(page, '#notice'),
    description: await page.inputValue('#description'),
    amount: await page.inputValue('#claim-amount'),
    photos: await page.locator('#photos li').count(),
  };
  await shoot(page, `consumer-not-image-phone-${run.lang}`);

  r.photo_blob = await consumerAddsPhoto(page, job.photo);
  await consumerSubmitsDispute(page);
  r.dispute = await page.evaluate(() => ({
    url: location.href,
    state: document.getElementById('receipt').dataset.state,
    receipt: document.getElementById('receipt').textContent,
    next: document.getElementById('next')?.textContent ?? null,
    next_due: document.getElementById('next')?.dataset.dueAt ?? null,
    countdowns: [...document.querySelectorAll('[data-due]')].map((e) => e.textContent),
    steps: [...document.querySelectorAll('#deadlines [data-step]')].map((e) => e.dataset.step),
    events: [...document.querySelectorAll('#timeline [data-event]')].map((e) => e.dataset.event),
    timeline: document.getElementById('timeline').textContent,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  }));
  await shoot(page, `consumer-dispute-phone-${run.lang}`);

  // the same receipt on a phone whose clock is 3 hours slow: it counts down from the server's time, not its own
  if (run.skew_ms) {
    const skewed = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(run.token)}`, { lang: run.lang, skewMs: run.skew_ms });
    await settled(skewed.page, 'home');
    await skewed.page.evaluate((h) => { location.hash = h; }, new URL(r.dispute.url).hash);
    await settled(skewed.page, 'dispute');
    await skewed.page.waitForFunction(() => document.querySelector('#next [data-due]')?.textContent);
    r.skewed = await skewed.page.evaluate(() => ({
      browser_now: Date.now(),
      due: document.querySelector('#next [data-due]').dataset.due,
      countdown: document.querySelector('#next [data-due]').textContent,
    }));
    r.skewed.read_at = Date.now(); // the driver's clock, the server's machine's
    await skewed.context.close();
  }

  // a 409: the dispute is withdrawn elsewhere (another tab), then this page asks the platform to step in
  await page.fill('#action-message', run.lang === 'zh' ? '请平台处理' : 'Please step in');
  r.withdrawn_elsewhere = await page.evaluate(async () => {
    const id = location.hash.split('/')[2];
    const res = await fetch(`/v1/disputes/${id}/withdraw`, { method: 'POST', headers: { Authorization: `Bearer ${sessionStorage.getItem('disputed.token')}`, 'Content-Type': 'application/json' }, body: '{}' });
    return res.status;
  });
  await page.click('#escalate');
  await page.waitForSelector('#notice[data-kind="conflict"]');
  r.conflict = { notice: await text(page, '#notice'), message: await page.inputValue('#action-message') };
  await context.close();
  out.runs.push(r);
}

// an offer the merchant made: the consumer sees it and accepts it
if (job.offer) {
  const { context, page } = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(job.offer.token)}`, { lang: 'zh', height: 780 });
  await settled(page, 'home');
  await page.evaluate((id) => { location.hash = `#/dispute/${id}`; }, job.offer.dispute);
  await settled(page, 'dispute');
  await page.waitForSelector('#accept');
  const shown = await text(page, '#offer');
  await page.click('#accept');
  await page.waitForSelector('#notice[data-kind="done"]');
  out.offer = { shown, notice: await text(page, '#notice'), state: await page.getAttribute('#receipt', 'data-state'),
    events: await page.evaluate(() => [...document.querySelectorAll('#timeline [data-event]')].map((e) => e.dataset.event)) };
  await context.close();
}

if (job.expired) {
  const { context, page } = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(job.expired)}`, { lang: 'en', height: 780 });
  await page.waitForSelector('#notice:not([hidden])');
  out.expired = {
    url_after: page.url(),
    stored: await page.evaluate(() => sessionStorage.getItem('disputed.token')),
    notice_kind: await page.getAttribute('#notice', 'data-kind'),
    notice: await text(page, '#notice'),
  };
  await page.click('button[data-lang="zh"]');
  out.expired.notice_zh = await text(page, '#notice');
  await context.close();
}

await browser.close();
process.stdout.write(JSON.stringify(out));
