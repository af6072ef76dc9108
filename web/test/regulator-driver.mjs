// regulator-driver.mjs - drives the regulator's home (/app/#token=…) in Debian's Chromium for tests/e2e/test_web_regulator.py: reads each chart, its table and the CSV it downloads (a real download), at a phone's and a desktop's width, choosing a period on the desktop, in the language asked.
//
// Usage: node web/test/regulator-driver.mjs JOB.json > RESULT.json
//   JOB: {"base": "http://127.0.0.1:PORT", "screenshots": dir or null, "downloads": dir,
//         "runs": [{"lang", "token", "period": {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}}]}
//   RESULT: {"runs": [{"lang", "phone": VIEW, "desktop": VIEW, "bad_period": notice}], "csp", "console_errors", "page_errors", "screenshots"}
//   VIEW: {"from", "to" (the report's, from the page), "heading", "overflow", "unlabelled",
//          "blocks": {ID: {"title", "desc", "svg_title", "svg_desc", "bars": [values], "heads": [...], "rows": [[...]], "keys": [...], "csv": text, "csv_name",
//                          "legible": {"font_px", "min_height", "x_labels", "overlaps": [[a, b]], "outside": [...]}}}}
// Chromium comes from the system (CHROMIUM, default /usr/bin/chromium); nothing is downloaded.

import fs from 'node:fs';
import path from 'node:path';
import { launch, open as openPage, settled, text, shoot as shootPage } from './browser.mjs';
import { unlabelled, overflow } from './steps.mjs';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = { runs: [], csp: [], console_errors: [], page_errors: [], screenshots: [] };
const browser = await launch();
const BLOCKS = ['duties', 'breaches', 'tiers', 'foci', 'alerts'];


const shoot = (page, name) => shootPage(page, out, job, name, { one: true });

/* What the page shows: each block's chart, table and downloaded CSV. */
async function read(page, tag) {
  // the charts drawn to their boxes' width (charts.js fitted: again after a layout)
  await page.waitForFunction(() => [...document.querySelectorAll('.chart-box')]
    .every((b) => Number(b.querySelector('svg.chart')?.dataset.width) === Math.max(Math.round(b.getBoundingClientRect().width), 200)));
  const v = {
    from: await page.evaluate(() => document.body.dataset.reportFrom),
    to: await page.evaluate(() => document.body.dataset.reportTo),
    heading: await text(page, '#view h1'),
    overflow: await overflow(page),
    unlabelled: await unlabelled(page),
    blocks: {},
  };
  for (const id of BLOCKS) {
    const b = await page.evaluate((bid) => {
      const sec = document.getElementById(bid);
      const svg = sec.querySelector('svg.chart');
      const table = sec.querySelector('table');
      return {
        title: sec.querySelector('h2').textContent,
        svg_title: svg.querySelector(':scope > title')?.textContent ?? null,
        svg_desc: svg.querySelector(':scope > desc')?.textContent ?? null,
        labelledby: svg.getAttribute('aria-labelledby'),
        role: svg.getAttribute('role'),
        bars: [...svg.querySelectorAll('rect[data-value]')].map((r) => Number(r.dataset.value)),
        heads: [...table.querySelectorAll('thead th')].map((c) => c.textContent),
        rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent)),
        keys: [...table.querySelectorAll('tbody tr')].map((tr) => tr.dataset.key),
        csv_name: sec.querySelector('button.csv').dataset.filename,
        legible: (() => {
          // the labels as shown: their font in CSS px (the SVG's scale applied), their boxes, and x labels that meet
          const box = svg.getBoundingClientRect();
          const scale = box.width / svg.viewBox.baseVal.width;
          const ticks = [...svg.querySelectorAll('text.tick')];
          const xs = [...svg.querySelectorAll('text.tick.x')].map((t) => ({ text: t.textContent, r: t.getBoundingClientRect() }));
          const meet = (a, c) => a.left < c.right && c.left < a.right && a.top < c.bottom && c.top < a.bottom;
          return {
            font_px: Math.min(...ticks.map((t) => parseFloat(getComputedStyle(t).fontSize) * scale)),
            min_height: Math.min(...ticks.map((t) => t.getBoundingClientRect().height)),
            x_labels: xs.map((x) => x.text),
            overlaps: xs.flatMap((a, i) => xs.slice(i + 1).filter((c) => meet(a.r, c.r)).map((c) => [a.text, c.text])),
            outside: xs.filter((x) => x.r.left < box.left - 1 || x.r.right > box.right + 1).map((x) => x.text),
          };
        })(),
      };
    }, id);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#${id} button.csv`)]);
    const file = path.join(job.downloads, `${tag}-${download.suggestedFilename()}`);
    await download.saveAs(file);
    b.csv = fs.readFileSync(file, 'utf8');
    b.csv_saved_as = download.suggestedFilename();
    v.blocks[id] = b;
  }
  return v;
}

for (const run of job.runs) {
  const r = { lang: run.lang };
  // a phone: the default period (the last eight weeks)
  {
    const { context, page } = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(run.token)}`, { lang: run.lang, width: 360 });
    await settled(page, 'home');
    r.url_after = page.url();
    r.phone = await read(page, `phone-${run.lang}`);
    await shoot(page, `regulator-home-phone-${run.lang}`);
    // a period that ends before it starts is refused on the page, the report kept
    await page.fill('#period-from', run.period.to);
    await page.fill('#period-to', '2000-01-01');
    await page.click('#period-submit');
    await page.waitForSelector('#notice[data-kind="invalid"]');
    r.bad_period = { notice: await text(page, '#notice'), rows: await page.evaluate(() => document.querySelectorAll('#duties tbody tr').length) };
    await context.close();
  }
  // a desktop: the period chosen in the form, by the keyboard
  {
    const { context, page } = await openPage(browser, out, `${job.base}/app/#token=${encodeURIComponent(run.token)}`, { lang: run.lang, width: 1100 });
    await settled(page, 'home');
    await page.fill('#period-from', run.period.from);
    await page.fill('#period-to', run.period.to);
    await page.focus('#period-submit');
    await page.keyboard.press('Enter');
    await settled(page, 'period');
    r.hash = await page.evaluate(() => location.hash);
    r.desktop = await read(page, `desktop-${run.lang}`);
    await shoot(page, `regulator-home-desktop-${run.lang}`);
    await context.close();
  }
  out.runs.push(r);
}

await browser.close();
process.stdout.write(JSON.stringify(out));
