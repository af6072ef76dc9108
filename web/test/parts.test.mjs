// parts.test.mjs - which control an API error's param names: a control's data-param holds the path or one the param lies inside.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paramIn } from '../assets/js/parts.js';

test('a param names the control whose field it is or lies inside', () => {
  assert.ok(paramIn('claim.amount', 'claim.amount'));
  assert.ok(paramIn('claim.amount', 'claim.amount.amount'));
  assert.ok(paramIn('reasons[0].evidence', 'reasons[0].evidence[2]'));
  assert.ok(paramIn('evidence attachments', 'attachments[0]'));
  assert.ok(paramIn('reasons', 'reasons[0]'));
});

test('a field that only starts with the same letters, or an outer one, is another', () => {
  assert.ok(!paramIn('claim.amount', 'claim.amounts'));
  assert.ok(!paramIn('claim.amount', 'claim'));
  assert.ok(!paramIn('claim.amount', 'claim.type'));
  assert.ok(!paramIn('reasons[0].evidence', 'reasons[1].evidence[0]'));
  assert.ok(!paramIn('', 'order'));
  assert.ok(!paramIn(undefined, 'order'));
});
