// verify-page.js - the offline verifier page (/app/verify): a bundle file dropped or picked, checked here by verifier.js, its verdict and every check shown.

import * as i18n from './i18n.js';
import { verifyFile } from './verifier.js';
import { formatMoney, formatTime } from './format.js';

const $ = (id) => document.getElementById(id);
const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? '';

let last = null;      // {name, size, bytes, result, at} of the latest check
let checks = 0;       // how many checks have finished (tests wait on it)

function el(tag, attrs = {}, text = null) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}

function render() {
  if (!last) return;
  const { result } = last;
  const verdict = $('verdict');
  verdict.dataset.verdict = result.verdict;
  verdict.dataset.kind = result.failure ? result.failure.kind : '';
  $('verdict-word').textContent = i18n.t(`verify.result.${result.verdict}`);
  $('verdict-reason').textContent = result.failure
    ? i18n.t(result.failure.key, result.failure.params)
    : i18n.t('verify.result.valid_reason');

  const summary = $('summary');
  summary.replaceChildren();
  const row = (key, value) => summary.append(el('dt', {}, i18n.t(key)), el('dd', {}, value));
  row('verify.result.file', `${last.name} (${i18n.t('verify.result.bytes', { n: last.size })})`);
  if (result.summary?.order) row('verify.result.order', result.summary.order);
  if (result.summary?.total) row('verify.result.total', formatMoney(result.summary.total));
  if (result.summary?.records) row('verify.result.records', String(result.summary.records));
  if (result.summary) row('verify.result.size', String(result.summary.size));
  row('verify.result.checked_at', formatTime(last.at, i18n.current()));

  const items = $('items');
  items.replaceChildren();
  for (const it of result.items) {
    const li = el('li', { 'data-status': it.status });
    if (it.kind) li.dataset.kind = it.kind;
    li.append(el('span', { class: 'badge' }, i18n.t(`verify.items.${it.status}`)), el('span', {}, i18n.t(it.key, it.params)));
    items.append(li);
  }
}

async function check() {
  if (!last) return;
  $('progress').textContent = i18n.t('verify.file.reading', { name: last.name });
  const witnesses = $('witnesses').value.split('\n').map((s) => s.trim()).filter(Boolean);
  last.result = await verifyFile(last.bytes, { vkey: $('vkey').value, witnesses });
  last.at = Date.now();
  $('progress').textContent = '';
  $('result').hidden = false;
  $('again').hidden = false;
  render();
  checks++;
  document.body.dataset.checks = String(checks);
  $('verdict').focus();
}

async function take(file) {
  if (!file) return;
  const bytes = new Uint8Array(await file.arrayBuffer());
  last = { name: file.name, size: bytes.length, bytes, result: null, at: 0 };
  await check();
}

function bindDrop() {
  const drop = $('drop');
  const over = (on) => (e) => {
    e.preventDefault();
    drop.classList.toggle('over', on);
  };
  drop.addEventListener('dragenter', over(true));
  drop.addEventListener('dragover', over(true));
  drop.addEventListener('dragleave', over(false));
  drop.addEventListener('drop', (e) => {
    over(false)(e);
    take(e.dataTransfer?.files?.[0]);
  });
  // a file dropped anywhere else must not make the browser leave the page
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());
}

await i18n.init(meta('disputed-assets'));
i18n.bindSwitch();
i18n.onChange(render);
$('vkey').value = meta('disputed-log-vkey');
$('file').addEventListener('change', (e) => {
  take(e.target.files[0]);
  e.target.value = '';
});
$('again').addEventListener('click', check);
bindDrop();
document.body.dataset.ready = 'true';
