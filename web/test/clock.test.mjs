// clock.test.mjs - the pages' idea of the server's time: the offset learned from replies' Date headers (api.js), narrowest round trip kept, a jumped browser clock followed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockSample, clockMerge, clockOffset } from '../assets/js/api.js';

const T = Date.parse('2026-12-07T04:00:00Z');
const date = (ms) => new Date(ms).toUTCString(); // as a server writes it: whole seconds

test('a reply bounds the offset by its round trip and the header\'s whole second', () => {
  // the browser 3 hours behind: it sent at T-3h, read 200 ms later; the server wrote T+0.4s as "T"
  const s = clockSample(date(T + 400), T - 3 * 3600e3, T - 3 * 3600e3 + 200);
  assert.deepEqual(s, { lo: 3 * 3600e3 - 200, hi: 3 * 3600e3 + 1000 });
  assert.ok(Math.abs(clockOffset(s) - 3 * 3600e3) <= 1000);
});

test('no usable Date is no sample, and the offset stays 0 before any', () => {
  assert.equal(clockSample(null, T, T + 10), null);
  assert.equal(clockSample('not a date', T, T + 10), null);
  assert.equal(clockSample(date(T), T + 10, T), null);
  assert.equal(clockMerge(null, null), null);
  assert.equal(clockOffset(null), 0);
});

test('the reply with the shortest round trip is kept, not the latest', () => {
  const fast = clockSample(date(T), T - 50, T + 50);
  const slow = clockSample(date(T + 5000), T, T + 6000); // an upload: 6 s in flight
  let kept = clockMerge(null, fast);
  kept = clockMerge(kept, slow);
  assert.equal(kept, fast);
  // and a slow one first is replaced by a faster one
  assert.equal(clockMerge(clockMerge(null, slow), fast), fast);
  assert.ok(Math.abs(clockOffset(kept)) <= 600);
});

test('a browser clock set while the page is open is followed', () => {
  const before = clockSample(date(T), T - 20, T + 20); // in step
  const after = clockSample(date(T + 60e3), T + 60e3 - 3600e3 - 300, T + 60e3 - 3600e3 + 300); // now an hour behind, a slower reply
  const kept = clockMerge(clockMerge(null, before), after);
  assert.equal(kept, after);
  assert.ok(Math.abs(clockOffset(kept) - 3600e3) <= 1000);
});
