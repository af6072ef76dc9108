// walkthrough-driver.mjs - the newcomer's walk-through for tests/e2e/test_web_walkthrough.py, every step in Debian's Chromium with the steps the other drivers use (steps.mjs): the consumer's link opens a dispute from an order with a photo, the merchant's link answers, the consumer asks the platform to step in, the agent decides in the console, a court's link requests the package, the agent approves it in the console, and the court downloads it and verifies it offline in /app/verify.
//
// Usage: node web/test/walkthrough-driver.mjs JOB.json > RESULT.json
//   JOB: {"base": "http://127.0.0.1:PORT", "photo": path, "dir": downloads dir,
//         "runs": [{"lang", "order", "amount" (yuan claimed, "12.34"), "links": {"consumer", "merchant", "agent", "court"}, "reference"}]}
//   RESULT: {"runs": [{lang, consumer, merchant, escalated, agent, court: {...}}], "csp": [...], "console_errors": [...], "page_errors": [...]}
// Chromium comes from the system (CHROMIUM, default /usr/bin/chromium); nothing is downloaded.

import fs from 'node:fs';
import path from 'node:path';
import { launch, open as openPage, settled, text } from './browser.mjs';
import {
  consumerOpensDispute, consumerEscalates, merchantAnswers, agentDecides, agentApprovesDisclosure,
  courtRequests, courtDownloads, tamperedCopy, verifyOffline,
} from './steps.mjs';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = { runs: [], csp: [], console_errors: [], page_errors: [] };
const browser = await launch();
const zh = (lang, a, b) => (lang === 'zh' ? a : b);

/* A party's link opened in a browser of its own, at a phone's width (the agent's at a desktop's), on its home. */
async function signIn(link, lang, width = 360) {
  const s = await openPage(browser, out, link, { lang, width, height: 800 });
  await settled(s.page, 'home');
  return { ...s, heading: await text(s.page, '#view h1'), url: s.page.url() };
}

for (const run of job.runs) {
  const { lang, links } = run;
  const r = { lang };

  // 1. the consumer opens a dispute from the order, with a photo
  let s = await signIn(links.consumer, lang);
  r.consumer = { heading: s.heading, url: s.url,
    orders: await s.page.evaluate(() => [...document.querySelectorAll('#orders [data-order]')].map((e) => e.dataset.order)) };
  Object.assign(r.consumer, await consumerOpensDispute(s.page, { order: run.order, amount: run.amount, photo: job.photo,
    description: zh(lang, '屏幕有裂痕，开机后花屏', 'The screen is cracked and flickers') }));
  const dispute = r.consumer.dispute;
  const consumer = s;

  // 2. the merchant answers: it refuses, with its reason
  s = await signIn(links.merchant, lang);
  r.merchant = { heading: s.heading, url: s.url };
  Object.assign(r.merchant, await merchantAnswers(s.page, { dispute, action: 'reject', message: zh(lang, '商品出厂时完好', 'It left us in perfect order') }));
  await s.context.close();

  // the consumer, back on their dispute, asks the platform to step in
  await consumer.page.reload({ waitUntil: 'load' });
  await settled(consumer.page, 'dispute');
  r.escalated = await consumerEscalates(consumer.page, zh(lang, '请平台处理', 'Please step in'));
  await consumer.context.close();

  // 3. the agent decides in the console, citing the consumer's photo
  s = await signIn(links.agent, lang, 1100);
  r.agent = { heading: s.heading };
  Object.assign(r.agent, await agentDecides(s.page, { dispute, cite: [r.consumer.photo_blob],
    reason: zh(lang, '照片显示屏幕有裂痕', 'The photo shows the cracked screen') }));
  const agent = s;

  // 4. a court asks for the order's package; the agent approves it in the console
  s = await signIn(links.court, lang);
  r.court = { heading: s.heading };
  r.court.request = await courtRequests(s.page, { order: run.order, reference: run.reference,
    purpose: zh(lang, '审理网络购物合同纠纷', 'A sales contract dispute before the court') });
  await agent.page.evaluate(() => { location.hash = '#/'; });
  await settled(agent.page, 'home');
  await agent.page.waitForSelector(`[data-disclosure="${r.court.request.id}"]`);
  r.agent.disclosure_done = await agentApprovesDisclosure(agent.page, { id: r.court.request.id, reason: zh(lang, '法院依法调取', 'A court order') });
  await agent.context.close();

  // the court downloads the package and verifies it offline, and a copy with one byte changed
  r.court.download = await courtDownloads(s.page, { id: r.court.request.id, dir: path.join(job.dir, lang) });
  r.court.tampered = tamperedCopy(r.court.download.json.file);
  r.court.verify = await verifyOffline(s.page, { id: r.court.request.id, files: [r.court.download.json.file, r.court.tampered.file], out });
  await s.context.close();
  out.runs.push(r);
}

await browser.close();
process.stdout.write(JSON.stringify(out));
