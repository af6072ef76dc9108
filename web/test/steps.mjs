// steps.mjs - the parties' steps in the pages, shared by the drivers (court-driver.mjs, walkthrough-driver.mjs and the others): each takes a signed-in page, does what a person would, and returns what the page said.

import fs from 'node:fs';
import path from 'node:path';
import { settled, text } from './browser.mjs';

export const unlabelled = (page) => page.evaluate(() => [...document.querySelectorAll('input, textarea, select')]
  .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id || e.name));
export const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const events = (page) => page.evaluate(() => [...document.querySelectorAll('#timeline [data-event]')].map((e) => e.dataset.event));

/* ---- the consumer ---- */

/* From the home's order `order`: the open-a-dispute form filled (a refund of `amount` yuan for quality, with `description`). */
export async function consumerFillsDispute(page, { order, amount = '12.34', description }) {
  await page.click(`[data-order="${order}"] a`);
  await settled(page, 'order');
  await page.waitForSelector('#open-form');
  await page.selectOption('#claim-type', 'refund');
  await page.fill('#claim-amount', amount);
  await page.selectOption('#reason', 'quality');
  await page.fill('#description', description);
}

/* A photo chosen in the form (uploaded as a blob as it is chosen): its blob id. */
export async function consumerAddsPhoto(page, photo) {
  const n = await page.locator('#photos li').count();
  await page.setInputFiles('#photo-input', photo);
  await page.waitForFunction((k) => document.querySelectorAll('#photos li').length > k, n);
  return page.getAttribute(`#photos li:nth-child(${n + 1})`, 'data-blob');
}

/* The form sent: on the new dispute's page, its id from the address. */
export async function consumerSubmitsDispute(page) {
  await page.click('#open-submit');
  await settled(page, 'dispute');
  await page.waitForSelector('#receipt');
  return page.url().split('/').pop();
}

/* All three: the dispute opened from `order` with the photo `photo`; what its page says. */
export async function consumerOpensDispute(page, { order, amount, description, photo }) {
  await consumerFillsDispute(page, { order, amount, description });
  const photoBlob = await consumerAddsPhoto(page, photo);
  const dispute = await consumerSubmitsDispute(page);
  return { photo_blob: photoBlob, dispute, state: await page.getAttribute('#receipt', 'data-state'),
    receipt: await text(page, '#receipt'), events: await events(page) };
}

/* On the dispute's page: ask the platform to step in, with `message`. */
export async function consumerEscalates(page, message) {
  await page.fill('#action-message', message);
  await page.click('#escalate');
  await page.waitForSelector('#notice[data-kind="done"]');
  return { done: await text(page, '#notice'), state: await page.getAttribute('#receipt', 'data-state'), events: await events(page) };
}

/* ---- the merchant ---- */

/*
 * From the home's dispute `dispute`: answer with `action` (counter: a
 * refund of `amount` yuan; accept; reject), a message and a photo,
 * submitted by the keyboard; `onForm` (if any) runs when the form shows.
 */
export async function merchantAnswers(page, { dispute, action = 'counter', amount = '8.88', message, photo = null, onForm = null }) {
  await page.click(`#open-disputes [data-dispute="${dispute}"] a`);
  await settled(page, 'dispute');
  await page.waitForSelector('#answer-form');
  if (onForm) await onForm(page);
  await page.check(`#action-${action}`);
  if (action === 'counter') {
    await page.selectOption('#offer-type', 'refund');
    await page.fill('#offer-amount', amount);
  }
  await page.fill('#answer-message', message);
  let photoBlob = null;
  if (photo) {
    await page.setInputFiles('#photo-input', photo);
    await page.waitForSelector('#photos li');
    photoBlob = await page.getAttribute('#photos li', 'data-blob');
  }
  await page.focus('#answer-submit');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#notice[data-kind="done"]');
  return {
    photo_blob: photoBlob,
    done: await text(page, '#notice'),
    state: await page.getAttribute('#receipt', 'data-state'),
    receipt: await text(page, '#receipt'),
    events: await events(page),
  };
}

/* ---- the agent ---- */

/* On the console's home: approve disclosure request `id` with `reason`; the page's words after. */
export async function agentApprovesDisclosure(page, { id, reason }) {
  await page.fill(`#why-${id}`, reason);
  await page.click(`[data-disclosure="${id}"] [data-answer="approve"]`);
  await page.waitForSelector('#notice[data-kind="done"]');
  return text(page, '#notice');
}

/*
 * From the queue's dispute `dispute`: decide a full refund for
 * quality_defect citing `cite`, after `badRef` (if any) was refused with a
 * 422; `onForm` (if any) runs when the decision form shows, `onRefused`
 * after the 422.
 */
export async function agentDecides(page, { dispute, cite = [], reason, badRef = null, onForm = null, onRefused = null }) {
  await page.click(`#queue-list [data-dispute="${dispute}"] a`);
  await settled(page, 'dispute');
  await page.waitForSelector('#decide-form');
  if (onForm) await onForm(page);
  const r = {};
  await page.selectOption('#outcome', 'full_refund');
  await page.selectOption('#reason-code', 'quality_defect');
  await page.fill('#reason-text', reason);
  for (const ref of cite) await page.check(`#cite input[data-ref="${ref}"]`);
  if (badRef) {
    await page.fill('#cite-more', badRef);
    await page.click('#decide-submit');
    await page.waitForSelector('#notice[data-kind="refused"]');
    // the field the 422 names: focused, marked invalid and described by the notice, until it is edited
    const mark = () => page.evaluate(() => ({ focused: document.activeElement?.id ?? null,
      invalid: document.getElementById('cite-more').getAttribute('aria-invalid'),
      describedby: document.getElementById('cite-more').getAttribute('aria-describedby') }));
    r.refused = { notice: await text(page, '#notice'), text: await page.inputValue('#reason-text'),
      state: await page.getAttribute('#receipt', 'data-state'), mark: await mark() };
    if (onRefused) await onRefused(page);
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    r.refused.edited = await mark();
    await page.fill('#cite-more', '');
  }
  await page.click('#decide-submit');
  await page.waitForSelector('#notice[data-kind="done"]');
  r.done = await text(page, '#notice');
  r.state = await page.getAttribute('#receipt', 'data-state');
  r.events = await events(page);
  return r;
}

/* ---- a court or a consumer association ---- */

/* Ask for `order`'s records under case number `reference` in the request form; the new request's id and the page's words. */
export async function courtRequests(page, { order, reference, purpose }) {
  await page.waitForSelector('#request-form');
  await page.fill('#req-order', order);
  await page.fill('#req-reference', reference);
  await page.fill('#req-purpose', purpose);
  const before = await page.evaluate(() => [...document.querySelectorAll('#request-list [data-disclosure]')].map((e) => e.dataset.disclosure));
  await page.click('#request-submit');
  await page.waitForSelector('#notice[data-kind="done"]');
  const after = await page.evaluate(() => [...document.querySelectorAll('#request-list [data-disclosure]')].map((e) => [e.dataset.disclosure, e.dataset.state]));
  const mine = after.find(([id]) => !before.includes(id));
  return { id: mine?.[0] ?? null, state: mine?.[1] ?? null, done: await text(page, '#notice'),
    form_cleared: (await page.inputValue('#req-reference')) === '' };
}

/* The home drawn again (a reload: the token stays in session storage) with request `id` answered; then download its bundle file and its PDF into `dir` (real downloads). */
export async function courtDownloads(page, { id, dir }) {
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('body[data-ready="true"]');
  await settled(page, 'home');
  await page.waitForSelector(`[data-disclosure="${id}"] [data-download="json"]`);
  const r = { state: await page.getAttribute(`[data-disclosure="${id}"]`, 'data-state'), item: await text(page, `[data-disclosure="${id}"]`) };
  fs.mkdirSync(dir, { recursive: true });
  for (const format of ['json', 'pdf']) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-disclosure="${id}"] [data-download="${format}"]`)]);
    const file = path.join(dir, dl.suggestedFilename());
    await dl.saveAs(file);
    r[format] = { file, name: dl.suggestedFilename(), failure: await dl.failure() };
    await page.waitForSelector('#notice[data-kind="done"]');
    r[`${format}_notice`] = await text(page, '#notice');
  }
  return r;
}

/* A copy of the bundle file with one byte changed: the first ASCII letter or digit of a disclosed value. */
export function tamperedCopy(file) {
  const bytes = fs.readFileSync(file);
  const mark = Buffer.from('"value": "');
  for (let at = bytes.indexOf(mark); at >= 0; at = bytes.indexOf(mark, at + 1)) {
    const i = at + mark.length;
    const c = bytes[i];
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
      const copy = Buffer.from(bytes);
      copy[i] = c === 0x31 ? 0x32 : (c >= 0x30 && c <= 0x39 ? 0x31 : (c === 0x61 ? 0x62 : 0x61));
      const out = file.replace(/\.json$/, '.one-byte-changed.json');
      fs.writeFileSync(out, copy);
      return { file: out, offset: i };
    }
  }
  throw new Error(`no disclosed value to change in ${file}`);
}

/*
 * The request's link to the verifier, followed in the same browser: the
 * page loaded, the network cut off (context offline, every request after
 * load noted), then each file fed; each verdict as the page says it.
 */
export async function verifyOffline(page, { id, files, out }) {
  const context = page.context();
  const [vp] = await Promise.all([context.waitForEvent('page'), page.click(`[data-disclosure="${id}"] a.verify-link`)]);
  vp.on('console', (m) => {
    if (m.type() === 'error') out.console_errors.push(m.text());
    if (/Content Security Policy/i.test(m.text())) out.csp.push(m.text());
  });
  vp.on('pageerror', (e) => out.page_errors.push(String(e)));
  await vp.waitForSelector('body[data-ready="true"]');
  const r = { url: vp.url(), token_stored: await vp.evaluate(() => sessionStorage.getItem('disputed.token')), requests: [], verdicts: [] };
  await context.setOffline(true);
  vp.on('request', (q) => r.requests.push(q.url()));
  for (const f of files) {
    const before = Number(await vp.evaluate(() => document.body.dataset.checks || '0'));
    await vp.setInputFiles('#file', f);
    await vp.waitForFunction((n) => Number(document.body.dataset.checks || '0') > n, before, { timeout: 30000 });
    r.verdicts.push(await vp.evaluate((file) => ({
      file,
      verdict: document.getElementById('verdict').dataset.verdict,
      kind: document.getElementById('verdict').dataset.kind || null,
      word: document.getElementById('verdict-word').textContent,
      reason: document.getElementById('verdict-reason').textContent,
      items: [...document.querySelectorAll('#items li')].map((li) => li.dataset.status),
    }), f));
  }
  r.lang = await vp.evaluate(() => document.documentElement.lang);
  await context.setOffline(false);
  await vp.close();
  return r;
}

/* An agent's approval over the API (what the console's Approve button does). */
export async function approveOverApi(base, key, id, reason) {
  const r = await fetch(`${base}/v1/disclosures/${id}/approve`, {
    method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ reasons: [reason] }),
  });
  return { status: r.status, body: await r.json() };
}
