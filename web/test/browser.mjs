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
