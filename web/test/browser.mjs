// browser.mjs - what the page drivers share: Debian's Chromium (CHROMIUM, default /usr/bin/chromium; nothing is downloaded) and a fresh page that reports CSP violations and errors.

import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

/* Chromium, headless; without its sandbox when run as root. */
export function launch() {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  const args = process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [];
  return chromium.launch({ executablePath, headless: true, args });
}

/*
 * A new context (its own session storage) in Beijing-blind New York time at
 * `width`×`height`, the language `lang` chosen (none: the page's default),
 * the browser's clock `skewMs` off the real one (0: not touched),
 * the page at `url` once it says it is ready. CSP violations, console errors
 * (but an API's 4xx) and page errors go into out.csp, out.console_errors and
 * out.page_errors.
 */
export async function open(browser, out, url, { lang = null, width = 360, height = 800, skewMs = 0 } = {}) {
  const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'America/New_York', viewport: { width, height } });
  // a browser whose clock is off by skewMs (held there: Date stands still, timers run)
  if (skewMs) await context.clock.setFixedTime(Date.now() + skewMs);
  // (every new document, an about:blank one too: one without storage just goes on)
  if (lang) await context.addInitScript((l) => { try { localStorage.setItem('disputed.lang', l); } catch { /* no storage */ } }, lang);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) out.console_errors.push(m.text());
    if (/Content Security Policy/i.test(m.text())) out.csp.push(m.text());
  });
  page.on('pageerror', (e) => out.page_errors.push(String(e)));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]');
  return { context, page };
}

/* Wait until the pages have drawn `view` and are not busy. */
export const settled = (page, view) => page.waitForSelector(`body[data-view="${view}"][data-busy="false"]`);

export const text = (page, sel) => page.evaluate((s) => document.querySelector(s)?.textContent ?? null, sel);

/* The widths `make screenshots` takes every page at. */
export const WIDTHS = { phone: 360, desktop: 1100 };

/*
 * Full-length screenshots of the page as it is now at each of WIDTHS:
 * DIR/NAME-phone-LANG.png and DIR/NAME-desktop-LANG.png; the viewport is
 * put back after. The files are pushed onto out.screenshots.
 */
export async function shootWidths(page, out, dir, name, lang) {
  const was = page.viewportSize();
  fs.mkdirSync(dir, { recursive: true });
  for (const [w, px] of Object.entries(WIDTHS)) {
    await page.setViewportSize({ width: px, height: was.height });
    await page.evaluate(() => new Promise((r) => { requestAnimationFrame(() => requestAnimationFrame(r)); }));
    const file = path.join(dir, `${name}-${w}-${lang}.png`);
    await page.screenshot({ path: file, fullPage: true });
    out.screenshots.push(file);
  }
  await page.setViewportSize(was);
}

/* shootWidths for a name written NAME-(phone|desktop)-LANG, as the drivers name their shots; another name is one shot as it is. */
export async function shootNamed(page, out, dir, full) {
  const m = /^(.*)-(?:phone|desktop)-(zh|en)$/.exec(full);
  if (m) return shootWidths(page, out, dir, m[1], m[2]);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${full}.png`);
  await page.screenshot({ path: file, fullPage: true });
  out.screenshots.push(file);
}

/*
 * Every visible piece of text on the page whose contrast with what is
 * behind it is under WCAG 2's AA minimum (4.5:1; 3:1 for large text: 24 px,
 * or 18.66 px bold), as "TAG#ID.CLASS "TEXT…" RATIO < NEED". The colours are
 * the computed ones: the text's (an SVG text's fill), over the first opaque
 * background colour of it or its ancestors, semi-transparent layers
 * composited; disabled controls are exempt, as WCAG says.
 */
export const contrastFailures = (page) => page.evaluate(() => {
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (fg, bg) => [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3])).concat(1);
  const lum = (c) => {
    const f = (v) => { const s = v / 255; return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const behind = (e) => {
    const layers = [];
    for (let n = e; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] === 1) break; }
    }
    return layers.reverse().reduce((bg, l) => over(l, bg), [255, 255, 255, 1]);
  };
  const out = new Set();
  for (const e of document.body.querySelectorAll('*')) {
    const own = [...e.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
    if (!own || e.closest(':disabled') || e.closest('[hidden]')) continue;
    const st = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    if (st.visibility === 'hidden' || st.display === 'none' || !box.width || !box.height || Number(st.opacity) === 0) continue;
    const bg = behind(e instanceof SVGElement ? e.ownerSVGElement || e : e);
    let fg = parse(e instanceof SVGElement ? st.fill : st.color);
    if (!fg) continue;
    if (fg[3] < 1) fg = over(fg, bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(st.fontSize);
    const need = size >= 24 || (Number(st.fontWeight) >= 700 && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) {
      const name = `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${typeof e.className === 'string' && e.className ? `.${e.className.split(' ')[0]}` : ''}`;
      out.add(`${name} "${own.slice(0, 30)}" ${ratio.toFixed(2)} < ${need}`);
    }
  }
  return [...out].slice(0, 40);
});

/*
 * A page the test has reached, as a person sees it: its text's contrast
 * checked (failures onto out.contrast, each after `name`), and when the job
 * asks for screenshots (job.screenshots, a directory) shot as shootNamed
 * does, or as it is when `one`.
 */
export async function shoot(page, out, job, name, { one = false } = {}) {
  out.contrast ||= [];
  out.contrast.push(...(await contrastFailures(page)).map((f) => `${name}: ${f}`));
  out.contrast_checked = (out.contrast_checked || 0) + 1;
  if (!job.screenshots) return;
  if (one) {
    fs.mkdirSync(job.screenshots, { recursive: true });
    const file = path.join(job.screenshots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    out.screenshots.push(file);
    return;
  }
  await shootNamed(page, out, job.screenshots, name);
}
