// consumer.test.mjs - the consumer's pages read amounts typed in yuan as exact integer fen.

import test from 'node:test';
import assert from 'node:assert/strict';
import { parseYuan } from '../assets/js/consumer.js';

test('yuan typed by a person become exact fen', () => {
  assert.equal(parseYuan('19.99'), 1999);
  assert.equal(parseYuan('0.1'), 10);
  assert.equal(parseYuan(' ¥1,000.05 '), 100005);
  assert.equal(parseYuan('￥12'), 1200);
  assert.equal(parseYuan('0.29'), 29); // not 28.999… as floating point would give
});

test('anything else is not an amount', () => {
  for (const s of ['', 'abc', '1.234', '-5', '1,00', '1e3', '12.']) assert.equal(parseYuan(s), null, s);
});
