import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderView, type OrderRow } from './view.ts';

const at = new Date('2026-12-04T09:00:00Z');
const row = (o: Partial<OrderRow>): OrderRow =>
  ({
    order_no: 'N1', operator_id: 'op1', session_id: 1, station_id: null, station_name: null, charger_id: 'C', connector_id: 1, origin: 'charger',
    auth_method: 'card', id_tag: null, driver_phone: null, driver_name: null, plate: null, partner_id: null, partner_order_no: null,
    payment_method: 'card', status: 'settled', abnormal: false, abnormal_reasons: [], version: 1, start_time: at, end_time: at, idle_end_time: null,
    occupied_until: null, duration_seconds: 0, soc_start: null, soc_end: null, energy_wh: 0, electricity_fen: 0, service_fen: 0, idle_fee_fen: 0,
    total_fen: 0, periods: [], charged_fen: 0, receivable_fen: 0, tariff_version_id: null, settled_at: at, reviewed_by: null, reviewed_at: null,
    created_at: at, updated_at: at, ...o,
  }) as OrderRow;

test('review: an abnormal order is pending while held and resolved once a correction or approval settled it; the reasons stay', () => {
  const reasons = [{ code: 'id_tag_rejected' as const, kind: 'session' as const, message: 'the id tag was Invalid at start' }];
  assert.equal(orderView(row({})).review, 'none');
  assert.equal(orderView(row({ status: 'held', abnormal: true, abnormal_reasons: reasons })).review, 'pending');
  const resolved = orderView(row({ status: 'settled', abnormal: true, abnormal_reasons: reasons, version: 2, reviewed_by: 'op1-admin', reviewed_at: at }));
  assert.equal(resolved.review, 'resolved');
  assert.equal(resolved.abnormalReasons.length, 1, 'what was found is kept as history');
});
