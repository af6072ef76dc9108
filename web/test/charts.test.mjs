// charts.test.mjs - the chart module's pure parts: the axis steps and the CSV fields as RFC 4180 quotes them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceStep, csvField } from '../assets/js/charts.js';

test('axis steps are whole for counts and round for larger ones', () => {
  assert.equal(niceStep(0), 1);
  assert.equal(niceStep(3), 1);
  assert.equal(niceStep(5), 2);
  assert.equal(niceStep(30), 10);
  assert.equal(niceStep(45), 20);
  assert.equal(niceStep(400), 100);
  assert.equal(niceStep(401), 200);
  for (const max of [1, 7, 19, 99, 1234]) assert.ok(4 * niceStep(max) >= max);
});

test('csv fields are quoted only when they need it', () => {
  assert.equal(csvField('2026-11-30'), '2026-11-30');
  assert.equal(csvField('受理投诉'), '受理投诉');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
});
