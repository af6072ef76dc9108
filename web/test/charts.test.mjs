// charts.test.mjs - the chart module's pure parts: the axis steps and the CSV fields as RFC 4180 quotes them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceStep, csvField, textWidth, wrap, xLabels, FONT } from '../assets/js/charts.js';

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

test('labels are measured wide enough: a CJK character an em, others 0.62 em', () => {
  assert.equal(textWidth('受理投诉'), 4 * FONT);
  assert.ok(Math.abs(textWidth('10-19') - 5 * 0.62 * FONT) < 1e-9);
  assert.deepEqual(wrap('Answer an appeal', 70), ['Answer an', 'appeal']);
  assert.deepEqual(wrap('答复调取申请', 10), ['答复调取申请']); // one word, never broken
});

test('x labels: all kept and wrapped or staggered when they must be, else every k-th', () => {
  const kinds = ['Acknowledge', 'Decide', 'Answer an appeal', 'Execute', 'Answer a disclosure'];
  // a desktop: one row, the long ones on two lines
  assert.deepEqual(xLabels(kinds, 100, true), { every: 1, rows: 1, lines: [['Acknowledge'], ['Decide'], ['Answer an', 'appeal'], ['Execute'], ['Answer a', 'disclosure']] });
  // a phone: staggered, each with twice the room
  assert.equal(xLabels(kinds, 50, true).rows, 2);
  // eight weeks on a phone: every other one
  const weeks = ['10-19', '10-26', '11-02', '11-09', '11-16', '11-23', '11-30', '12-07'];
  assert.deepEqual(xLabels(weeks, 31), { every: 2, rows: 1, lines: weeks.map((w) => [w]) });
  assert.equal(xLabels(weeks, 60).every, 1);
  // whatever the room, a label's lines fit the bands it has: `every` of them, twice that when staggered
  for (const band of [10, 25, 40, 80]) {
    const { every, rows, lines } = xLabels(kinds, band, true);
    for (const l of lines.flat()) assert.ok(textWidth(l) < band * every * rows, `${band} ${l}`);
  }
});
