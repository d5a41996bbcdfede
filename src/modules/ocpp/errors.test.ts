import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode16 } from './errors.ts';

test('CALLERROR codes are spelled as OCPP-J 1.6 spells them', () => {
  assert.equal(errorCode16('OccurrenceConstraintViolation'), 'OccurenceConstraintViolation');
  assert.equal(errorCode16('OccurenceConstraintViolation'), 'OccurenceConstraintViolation');
  assert.equal(errorCode16('FormatViolation'), 'FormationViolation');
  assert.equal(errorCode16('RpcFrameworkError'), 'FormationViolation');
  assert.equal(errorCode16('MessageTypeNotSupported'), 'FormationViolation');
  assert.equal(errorCode16('NotImplemented'), 'NotImplemented');
  assert.equal(errorCode16('TypeConstraintViolation'), 'TypeConstraintViolation');
  assert.equal(errorCode16('SomethingElse'), 'GenericError');
});
