// format.test.mjs - money in exact fen and times in Beijing time, whatever the machine's zone.
import test from 'node:test';
import assert from 'node:assert/strict';
import { formatFen, formatMoney, formatTime } from '../assets/js/format.js';

test('fen become yuan exactly, with separators and a sign', () => {
  assert.equal(formatFen(1999), '¥19.99');
  assert.equal(formatFen(0), '¥0.00');
  assert.equal(formatFen(5), '¥0.05');
  assert.equal(formatFen(-5), '-¥0.05');
  assert.equal(formatFen(100000000), '¥1,000,000.00');
  assert.equal(formatFen('900719925474099301'), '¥9,007,199,254,740,993.01');
  assert.equal(formatFen(9007199254740993n), '¥90,071,992,547,409.93');
  assert.equal(formatFen('19.99'), '19.99');
  assert.equal(formatFen(1.5), '1.5');
});

test('money of another currency keeps its code', () => {
  assert.equal(formatMoney({ amount: 1999, currency: 'CNY' }), '¥19.99');
  assert.equal(formatMoney({ amount: 1999, currency: 'USD' }), '1999 USD');
});

test('times are Beijing time with the offset shown, in both languages', () => {
  process.env.TZ = 'America/New_York';
  assert.equal(formatTime('2025-11-01T16:00:02Z', 'zh'), '2025年11月02日 00:00:02（北京时间 UTC+08:00）');
  assert.equal(formatTime('2025-11-01T16:00:02.417Z', 'en'), '2025-11-02 00:00:02 Beijing time (UTC+08:00)');
  assert.equal(formatTime(0, 'en'), '1970-01-01 08:00:00 Beijing time (UTC+08:00)');
  assert.equal(formatTime('not a time', 'en'), 'not a time');
});
