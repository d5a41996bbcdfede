import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireTime, parseWireTime, yuan, price4, kwh2, kwh1, kw1, tcecStatus } from './wire.ts';
import { connectorCode, parseConnectorCode } from './connector-id.ts';
import { DIALECTS, partnerUrl } from './dialects.ts';

test('wire times are Beijing time without zone and parse back', () => {
  assert.equal(wireTime(new Date('2019-09-11T14:26:36Z')), '2019-09-11 22:26:36');
  assert.equal(parseWireTime('2019-09-11 22:26:36'), Date.parse('2019-09-11T14:26:36Z'));
  assert.equal(parseWireTime('2019-02-30 00:00:00'), null);
  assert.equal(parseWireTime(7), null);
});

test('numbers are exact decimals', () => {
  assert.equal(yuan(3957), 39.57);
  assert.equal(yuan(-5), -0.05);
  assert.equal(price4(6853), 0.6853);
  assert.equal(kwh2(25374), 25.37);
  assert.equal(kwh2(25375), 25.38);
  assert.equal(kwh1(25349), 25.3);
  assert.equal(kwh1(25350), 25.4);
  assert.equal(kw1(60000), 60);
  assert.equal(kw1(7040), 7);
});

test('connector ids are charger id + 2-digit gun, and parse back', () => {
  assert.equal(connectorCode('44030700030000200016', 1), '4403070003000020001601');
  assert.deepEqual(parseConnectorCode('4403070003000020001612'), { chargerId: '44030700030000200016', connectorId: 12 });
  assert.equal(parseConnectorCode('4403070003000020001600'), null);
  assert.equal(parseConnectorCode('1'), null);
  assert.equal(parseConnectorCode(12), null);
  assert.throws(() => connectorCode('x', 100));
});

test('OCPP status maps onto the T/CEC code table', () => {
  assert.equal(tcecStatus('Available', true), 1);
  assert.equal(tcecStatus('Available', false), 0);
  assert.equal(tcecStatus('Preparing', true), 2);
  assert.equal(tcecStatus('Charging', true), 3);
  assert.equal(tcecStatus('Faulted', true), 255);
});

test('dialects spell fields differently and have default paths; paths override per interface', () => {
  assert.equal(DIALECTS['cec-2016'].servicePrice, 'SevicePrice');
  assert.equal(DIALECTS.xiaoju.servicePrice, 'ServicePrice');
  assert.equal(DIALECTS.xiaoju.elecMoneyQuery, 'ElectMoney');
  assert.equal(partnerUrl({ baseUrl: 'http://p/', dialect: 'cec-2016' }, 'query_token'), 'http://p/evcs/v1/query_token');
  assert.equal(partnerUrl({ baseUrl: 'http://p', dialect: 'xiaoju' }, 'query_token'), 'http://p/evcs/sdk/query_token');
  assert.equal(partnerUrl({ baseUrl: 'http://p', dialect: 'xiaoju' }, 'notification_stationStatus'), 'http://p/notification_stationStatus');
  assert.equal(partnerUrl({ baseUrl: 'http://p', dialect: 'xiaoju', paths: { check_charge_orders: '/x/check' } }, 'check_charge_orders'), 'http://p/x/check');
});
