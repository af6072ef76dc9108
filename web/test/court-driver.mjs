// court-driver.mjs - drives a court's or a consumer association's disclosure desk (/app/#token=…) in Debian's Chromium for tests/e2e/test_web_court.py: a request with a case number (after one for an unknown order), the agent's approval over the API, the package downloaded in the page, then checked offline in /app/verify with a copy one byte changed.
//
// Usage: node web/test/court-driver.mjs JOB.json > RESULT.json
//   JOB: {"base": "http://127.0.0.1:PORT", "agent": key, "dir": downloads dir, "screenshots": dir or null,
//         "runs": [{"lang", "role", "token", "order", "bad_order", "reference", "purpose"}]}
//   RESULT: {"runs": [{lang, url_after, heading, unlabelled, overflow, bad: {...}, request: {...}, approved,
//            download: {...}, tampered: {...}, verify: {...}}], "csp": [...], "console_errors": [...], "page_errors": [...]}
// Chromium comes from the system (CHROMIUM, default /usr/bin/chromium); nothing is downloaded.

import fs from 'node:fs';
import path from 'node:path';
import { launch, open as openPage, settled, text, shoot as shootPage } from './browser.mjs';
import { unlabelled, overflow, courtRequests, courtDownloads, tamperedCopy, verifyOffline, approveOverApi } from './steps.mjs';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = { runs: [], csp: [], console_errors: [], page_errors: [], screenshots: [] };
const browser = await launch();

const shoot = (page, name) => shootPage(page, out, job, name);

for (const run of job.runs) {
  const r = { lang: run.lang, role: run.role };
  const { context, page } = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(run.token)}`, { lang: run.lang, width: 360, height: 780 });
  await settled(page, 'home');
  r.url_after = page.url();
  r.heading = await text(page, '#view h1');
  r.who = await text(page, '#who-text');
  r.unlabelled = await unlabelled(page);

  // an order the platform does not know: the server's words, and nothing typed lost
  await page.fill('#req-order', run.bad_order);
  await page.fill('#req-reference', run.reference);
  await page.fill('#req-purpose', run.purpose);
  await page.click('#request-submit');
  await page.waitForSelector('#notice:not([hidden])');
  r.bad = { kind: await page.getAttribute('#notice', 'data-kind'), notice: await text(page, '#notice'),
    reference: await page.inputValue('#req-reference'), purpose: await page.inputValue('#req-purpose'),
    listed: await page.locator('#request-list [data-disclosure]').count() };

  r.request = await courtRequests(page, run);
  r.pending_item = await text(page, `[data-disclosure="${r.request.id}"]`);
  await shoot(page, `${run.role}-requested-phone-${run.lang}`);
  r.approved = await approveOverApi(job.base, job.agent, r.request.id, run.lang === 'zh' ? '法院依法调取' : 'A court order');

  r.download = await courtDownloads(page, { id: r.request.id, dir: path.join(job.dir, `${run.role}-${run.lang}`) });
  r.overflow = await overflow(page);
  await shoot(page, `${run.role}-package-phone-${run.lang}`);
  r.pdf_head = fs.readFileSync(r.download.pdf.file).subarray(0, 5).toString('latin1');
  r.tampered = tamperedCopy(r.download.json.file);
  r.verify = await verifyOffline(page, { id: r.request.id, files: [r.download.json.file, r.tampered.file], out });
  await context.close();
  out.runs.push(r);
}

await browser.close();
process.stdout.write(JSON.stringify(out));
