// verify-driver.mjs - drives the offline verifier page (/app/verify) in Debian's Chromium for tests/e2e/test_web_verify.py: feeds it files, reads its verdicts, takes screenshots.
//
// Usage: node web/test/verify-driver.mjs JOB.json > RESULT.json
//   JOB: {"base": "http://127.0.0.1:PORT", "files": [paths], "langs": ["en", "zh"],
//         "drop": path (one file fed by drag and drop), "vkey": text or null (keep the page's),
//         "screenshots": {"dir": DIR, "file": path} or null}
//   RESULT: {"runs": {lang: [{file, verdict, kind, reason, items}]}, "dropped": {...},
//            "csp": [violations], "console_errors": [...], "requests_after_load": [...],
//            "checks": {...}, "screenshots": [paths]}
// Chromium comes from the system (CHROMIUM, default /usr/bin/chromium); nothing is downloaded.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { contrastFailures } from './browser.mjs';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const args = process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [];
const out = { runs: {}, dropped: null, csp: [], console_errors: [], page_errors: [], requests_after_load: [], checks: {}, screenshots: [], contrast: [] };

const browser = await chromium.launch({ executablePath, headless: true, args });

async function openPage(context, width, height) {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  page.on('console', (m) => {
    if (m.type() === 'error') out.console_errors.push(m.text());
    if (/Content Security Policy/i.test(m.text())) out.csp.push(m.text());
  });
  page.on('pageerror', (e) => out.page_errors.push(String(e)));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${job.base}/app/verify`, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

async function setLang(page, lang) {
  await page.click(`button[data-lang="${lang}"]`);
  await page.waitForFunction((l) => document.documentElement.lang.startsWith(l), lang);
}

/* Feed one file through the file input and wait for its verdict. */
async function feed(page, file) {
  const before = Number(await page.evaluate(() => document.body.dataset.checks || '0'));
  await page.setInputFiles('#file', file);
  await page.waitForFunction((n) => Number(document.body.dataset.checks || '0') > n, before, { timeout: 30000 });
  return readVerdict(page, file);
}

async function readVerdict(page, file) {
  return page.evaluate((f) => {
    const v = document.getElementById('verdict');
    return {
      file: f,
      verdict: v.dataset.verdict,
      kind: v.dataset.kind || null,
      word: document.getElementById('verdict-word').textContent,
      reason: document.getElementById('verdict-reason').textContent,
      items: [...document.querySelectorAll('#items li')].map((li) => li.dataset.status),
    };
  }, file);
}

async function collectCsp(page) {
  out.csp.push(...(await page.evaluate(() => window.__csp)));
}

const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'America/New_York' });
const page = await openPage(context, 1280, 900);
// the page is loaded: from here on it must use no network at all
page.on('request', (r) => out.requests_after_load.push(r.url()));
if (job.vkey !== null && job.vkey !== undefined) await page.fill('#vkey', job.vkey);

// what a first visit shows: Chinese, and the page's own key filled in
out.checks.default_lang = await page.evaluate(() => document.documentElement.lang);
out.checks.prefilled_vkey = await page.inputValue('#vkey');
out.checks.unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, textarea, select')]
  .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id));

for (const lang of job.langs) {
  await setLang(page, lang);
  out.runs[lang] = [];
  for (const f of job.files) out.runs[lang].push(await feed(page, f));
}

// the language is remembered: a new page in the same browser opens in the last one chosen
const again = await context.newPage();
await again.goto(`${job.base}/app/verify`, { waitUntil: 'load' });
await again.waitForSelector('body[data-ready="true"]');
out.checks.remembered_lang = await again.evaluate(() => document.documentElement.lang);
await again.close();

// a file dropped on the drop zone, with the keyboard-reachable controls checked on the way
if (job.drop) {
  const bytes = [...fs.readFileSync(job.drop)];
  const before = Number(await page.evaluate(() => document.body.dataset.checks || '0'));
  const dt = await page.evaluateHandle(({ b, name }) => {
    const d = new DataTransfer();
    d.items.add(new File([new Uint8Array(b)], name, { type: 'application/json' }));
    return d;
  }, { b: bytes, name: path.basename(job.drop) });
  await page.dispatchEvent('#drop', 'dragover', { dataTransfer: dt });
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: dt });
  await page.waitForFunction((n) => Number(document.body.dataset.checks || '0') > n, before);
  out.dropped = await readVerdict(page, job.drop);
}
const tabbed = [];
await page.evaluate(() => {
  document.activeElement.blur();
  window.scrollTo(0, 0);
});
for (let i = 0; i < 12; i++) {
  await page.keyboard.press('Tab');
  tabbed.push(await page.evaluate(() => document.activeElement.id || document.activeElement.dataset.lang || document.activeElement.tagName));
}
out.checks.tab_order = tabbed;
await collectCsp(page);
await page.close();

// screenshots, and the layout at a phone's width: nothing wider than the screen
if (job.screenshots) {
  fs.mkdirSync(job.screenshots.dir, { recursive: true });
  for (const [name, w, h] of [['phone', 360, 780], ['desktop', 1280, 1100]]) {
    for (const lang of ['zh', 'en']) {
      const p = await openPage(context, w, h);
      if (job.vkey !== null && job.vkey !== undefined) await p.fill('#vkey', job.vkey);
      await setLang(p, lang);
      await feed(p, job.screenshots.file);
      // a phone shows the verdict it scrolled to; a desktop the page from its top
      await p.evaluate((top) => {
        document.activeElement.blur();
        if (top) window.scrollTo(0, 0);
      }, name === 'desktop');
      out.checks[`overflow_${name}_${lang}`] = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      out.contrast.push(...(await contrastFailures(p)).map((f) => `verify-${name}-${lang}: ${f}`));
      const file = path.join(job.screenshots.dir, `verify-${name}-${lang}.png`);
      await p.screenshot({ path: file });
      out.screenshots.push(file);
      await collectCsp(p);
      await p.close();
    }
  }
}

await browser.close();
process.stdout.write(JSON.stringify(out));
