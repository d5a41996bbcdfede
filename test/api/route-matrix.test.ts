/**
 * The route × role × tenant matrix. Every route of the OpenAPI document (and every hidden route) has
 * a row in ALLOW below: who may call it, and a sample call against operator op1's data. Each route
 * is called as anonymous, an op1 driver (H5 token), op1 staff, op1 admin, op2 staff and the platform
 * admin (acting for op1). A caller the row does not allow must get 401/403/404; op2's staff asking
 * for an op1 resource must get 404; nobody gets a 500.
 *
 * Adding a route? Add its row here (the failure message prints the line to add).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { minimalDoc } from '../fixtures/minimal.ts';
import { registeredRoutes } from '../../src/platform/http/app.ts';
import { loadOrdersDemo } from '../../src/modules/orders/demo.ts';
import { peekDriverCode } from '../../src/modules/web/driver-auth.ts';
import { buildStatement } from '../../src/modules/enterprise/index.ts';

// ent: the enterprise admin of op1's enterprise acme; otherEnt: the admin of op1's other enterprise
// beta, who must reach nothing of acme (issue 17: an enterprise admin sees only its enterprise)
type Caller = 'anon' | 'driver' | 'staff' | 'admin' | 'otherStaff' | 'platform' | 'ent' | 'otherEnt';
type Role = 'anon' | 'driver' | 'staff' | 'admin' | 'platform' | 'ent';
const CALLERS: Caller[] = ['anon', 'driver', 'otherStaff', 'otherEnt', 'ent', 'staff', 'admin', 'platform']; // mutating callers last
const roleOf = (c: Caller): Role => (c === 'otherStaff' ? 'staff' : c === 'otherEnt' ? 'ent' : c);

const S: Role[] = ['staff', 'admin', 'platform'];
const A: Role[] = ['admin', 'platform'];
const SD: Role[] = [...S, 'driver'];
const D: Role[] = ['driver'];
const PA: Role[] = ['platform'];
const ANY: Role[] = ['anon', 'driver', 'staff', 'admin', 'platform', 'ent'];
/** staff and the enterprise's own admin (routes under /api/v1/enterprises/{id}) */
const SE: Role[] = [...S, 'ent'];
/** admins and the enterprise's own admin: who adds or removes members (issue 11, point 10) */
const AE: Role[] = [...A, 'ent'];

interface Ids {
  orderNo: string;
  heldOrderNo: string;
  sessionId: number;
  futureVersionId: number;
  deptId: number;
  spareDeptId: number;
  outboxId: number;
  outTradeNo: string;
  outRefundNo: string;
  walletSettings: Record<string, unknown>;
  caseId: number;
  attachmentId: number;
  reconRunId: number;
  reconItemId: number;
  incidentId: number;
  firmwareFileId: number;
  campaignId: number;
}
interface Call {
  params?: Record<string, string | number>;
  query?: string;
  body?: unknown;
}
interface Row {
  allow: Role[];
  /** the path names an op1 resource: op2's staff must get 404 */
  resource?: boolean;
  /** public by design (anyone may read it): no leak check */
  public?: boolean;
  call?: (x: Ids) => Call;
  /** what an allowed call may answer (default: 2xx for GET; any non-auth, non-5xx answer otherwise) */
  ok?: (status: number) => boolean;
}

const P1 = '18475511853';
const C1 = '44030700030000200016';
const XIAOJU = '101437000';
const future = (day: string) => ({ effectiveFrom: `${day}T00:00:00+08:00`, periods: [{ start: '00:00', type: 'flat', electricityPrice: '0.5000', servicePrice: '0.5000' }] });
const secrets = { operatorSecret: 'matrix-secret-1', dataSecret: '1234567890abcdef', dataSecretIv: '1234567890abcdef', sigSecret: '1234567890abcdef' };
const partnerBody = { name: 'Xiaoju', dialect: 'xiaoju', baseUrl: 'http://127.0.0.1:9/', stations: ['s1'] };

export const ALLOW: Record<string, Row> = {
  'POST /api/v1/auth/login': { allow: ANY, public: true, call: () => ({ body: { username: 'op2-staff', password: 'op2-staff-pass' } }) },
  'GET /api/v1/me': { allow: [...SD, 'ent'] },
  'PUT /api/v1/provisioning': { allow: PA, call: () => ({ body: { operators: [] } }) },
  'GET /api/v1/ops/readiness': { allow: PA },
  'GET /api/v1/operators': { allow: S },
  'GET /api/v1/stations': { allow: S },
  'GET /api/v1/chargers': { allow: S },
  'GET /api/v1/chargers/{id}': { allow: S, resource: true, call: () => ({ params: { id: C1 } }) },
  'GET /api/v1/chargers/{id}/qr-codes': { allow: S, resource: true, call: () => ({ params: { id: C1 } }) },
  'GET /api/v1/chargers/{id}/connectors/{connectorId}/qr.svg': { allow: S, resource: true, call: () => ({ params: { id: C1, connectorId: 1 } }) },
  'POST /api/v1/chargers/{id}/commands/{action}': { allow: S, resource: true, call: () => ({ params: { id: C1, action: 'GetConfiguration' }, body: {} }) },
  'GET /api/v1/chargers/{id}/messages': { allow: S, resource: true, call: () => ({ params: { id: C1 } }) },
  'GET /api/v1/chargers/{id}/status-history': { allow: S, resource: true, call: () => ({ params: { id: C1 } }) },
  'GET /api/v1/chargers/{id}/connections': { allow: S, resource: true, call: () => ({ params: { id: C1 } }) },
  'GET /api/v1/chargers/{id}/security-events': { allow: S, resource: true, call: () => ({ params: { id: C1 } }) },
  'GET /api/v1/chargers/{id}/maintenance-status': { allow: S, resource: true, call: () => ({ params: { id: C1 } }) },
  'GET /api/v1/security-events': { allow: S },
  'GET /api/v1/sessions': { allow: S },
  'GET /api/v1/sessions/{id}': { allow: S, resource: true, call: (x) => ({ params: { id: x.sessionId } }) },
  'GET /api/v1/session-anomalies': { allow: S },
  'GET /api/v1/drivers': { allow: S },
  'POST /api/v1/drivers': { allow: S, call: () => ({ body: { phone: '13900000777', name: 'Matrix' } }) },
  'GET /api/v1/drivers/{phone}': { allow: SD, resource: true, call: () => ({ params: { phone: P1 } }) },
  'PATCH /api/v1/drivers/{phone}': { allow: S, resource: true, call: () => ({ params: { phone: P1 }, body: { nickname: 'matrix' } }) },
  'POST /api/v1/drivers/{phone}/id-tags': { allow: S, resource: true, call: () => ({ params: { phone: P1 }, body: { id: 'MATRIX01' } }) },
  'PATCH /api/v1/drivers/{phone}/id-tags/{id}': { allow: S, resource: true, call: () => ({ params: { phone: P1, id: 'CARD0001' }, body: { action: 'unblock' } }) },
  'GET /api/v1/drivers/{phone}/ledger': { allow: SD, resource: true, call: () => ({ params: { phone: P1 } }) },
  'POST /api/v1/drivers/{phone}/wallet/adjustments': { allow: A, resource: true, call: () => ({ params: { phone: P1 }, body: { amount: '0.01', direction: 'credit', remark: 'matrix' } }) },
  'POST /api/v1/drivers/{phone}/wallet/collect-owed': { allow: A, resource: true, call: () => ({ params: { phone: P1 }, body: {} }) },
  'GET /api/v1/drivers/{phone}/can-start': { allow: SD, resource: true, call: () => ({ params: { phone: P1 } }) },
  'GET /api/v1/wallet/check': { allow: S },
  'GET /api/v1/wallet/settings': { allow: S },
  'PUT /api/v1/wallet/settings': { allow: A, call: (x) => ({ body: x.walletSettings }) },
  'GET /api/v1/enterprises': { allow: SE },
  'POST /api/v1/enterprises': { allow: A, call: () => ({ body: { id: 'matrix-co', name: 'Matrix Co' } }) },
  'GET /api/v1/enterprises/{id}': { allow: SE, resource: true, call: () => ({ params: { id: 'acme' } }) },
  'PATCH /api/v1/enterprises/{id}': { allow: A, resource: true, call: () => ({ params: { id: 'acme' }, body: { contact: 'matrix' } }) },
  'POST /api/v1/enterprises/{id}/account/adjustments': { allow: A, resource: true, call: () => ({ params: { id: 'acme' }, body: { amount: '0.01', direction: 'credit', remark: 'matrix' } }) },
  'GET /api/v1/enterprises/{id}/ledger': { allow: SE, resource: true, call: () => ({ params: { id: 'acme' } }) },
  'GET /api/v1/enterprises/{id}/departments': { allow: SE, resource: true, call: () => ({ params: { id: 'acme' } }) },
  'POST /api/v1/enterprises/{id}/departments': { allow: SE, resource: true, call: () => ({ params: { id: 'acme' }, body: { name: 'Matrix dept' } }) },
  'PATCH /api/v1/enterprises/{id}/departments/{deptId}': { allow: SE, resource: true, call: (x) => ({ params: { id: 'acme', deptId: x.deptId }, body: { name: 'Renamed' } }) },
  'DELETE /api/v1/enterprises/{id}/departments/{deptId}': { allow: SE, resource: true, call: (x) => ({ params: { id: 'acme', deptId: x.spareDeptId } }) },
  'GET /api/v1/enterprises/{id}/members': { allow: SE, resource: true, call: () => ({ params: { id: 'acme' } }) },
  // issue 11 point 10: only admins (operator, platform, the enterprise's own) add or remove members; staff may not
  'POST /api/v1/enterprises/{id}/members': { allow: AE, resource: true, call: (x) => ({ params: { id: 'acme' }, body: { phone: '13800000002', departmentId: x.deptId } }) },
  'PATCH /api/v1/enterprises/{id}/members/{phone}': { allow: SE, resource: true, call: (x) => ({ params: { id: 'acme', phone: P1 }, body: { departmentId: x.deptId } }) },
  'DELETE /api/v1/enterprises/{id}/members/{phone}': { allow: AE, resource: true, call: () => ({ params: { id: 'acme', phone: '13800000002' } }) },
  'POST /api/v1/enterprises/{id}/members/import': { allow: AE, resource: true, call: () => ({ params: { id: 'acme' }, body: { format: 'csv', content: 'phone,department\n', apply: false } }) },
  'GET /api/v1/enterprises/{id}/members/import-template': { allow: SE, resource: true, call: () => ({ params: { id: 'acme' }, query: 'format=xlsx' }) },
  'GET /api/v1/enterprises/{id}/statement/export': { allow: SE, resource: true, call: () => ({ params: { id: 'acme' }, query: 'month=2026-01&format=xlsx' }) },
  'PUT /api/v1/enterprises/{id}/members/{phone}/limits': { allow: SE, resource: true, call: () => ({ params: { id: 'acme', phone: P1 }, body: { monthlyAmount: '999.00' } }) },
  'PUT /api/v1/enterprises/{id}/departments/{deptId}/limits': { allow: SE, resource: true, call: (x) => ({ params: { id: 'acme', deptId: x.deptId }, body: { monthlyEnergyKwh: '500' } }) },
  'GET /api/v1/enterprises/{id}/admins': { allow: A, resource: true, call: () => ({ params: { id: 'acme' } }) },
  'POST /api/v1/enterprises/{id}/admins': { allow: A, resource: true, call: () => ({ params: { id: 'acme' }, body: { username: 'matrix-ent', password: 'matrix-ent-pass' } }) },
  'DELETE /api/v1/enterprises/{id}/admins/{username}': { allow: A, resource: true, call: () => ({ params: { id: 'acme', username: 'matrix-ent' } }) },
  'GET /api/v1/enterprises/{id}/statement': { allow: SE, resource: true, call: () => ({ params: { id: 'acme' }, query: 'month=2026-01' }) },
  'GET /api/v1/enterprises/{id}/statements': { allow: SE, resource: true, call: () => ({ params: { id: 'acme' } }) },
  'GET /api/v1/enterprises/{id}/statements/{month}': { allow: SE, resource: true, call: () => ({ params: { id: 'acme', month: '2026-01' }, query: 'format=csv' }) },
  'GET /api/v1/tariffs': { allow: S },
  'POST /api/v1/tariffs': { allow: A, call: () => ({ body: { id: 'matrix-t', name: 'Matrix', versions: [future('2024-01-01')] } }) },
  'GET /api/v1/tariffs/{id}': { allow: S, resource: true, call: () => ({ params: { id: 't1' } }) },
  'GET /api/v1/tariffs/{id}/periods': { allow: S, resource: true, call: () => ({ params: { id: 't1' }, query: 'date=2026-01-15' }) },
  'POST /api/v1/tariffs/{id}/versions': { allow: A, resource: true, call: () => ({ params: { id: 't1' }, body: future('2031-01-01') }) },
  'PUT /api/v1/tariffs/{id}/versions/{versionId}': { allow: A, resource: true, call: (x) => ({ params: { id: 't1', versionId: x.futureVersionId }, body: future('2030-06-01') }) },
  'PUT /api/v1/stations/{id}/tariff': { allow: A, resource: true, call: () => ({ params: { id: 's1' }, body: { tariffId: 't1' } }) },
  'PUT /api/v1/chargers/{id}/tariff': { allow: A, resource: true, call: () => ({ params: { id: C1 }, body: { tariffId: null } }) },
  'POST /api/v1/tariffs/preview': {
    allow: S,
    call: () => ({ body: { tariffId: 't1', startAt: '2026-01-15T10:00:00+08:00', endAt: '2026-01-15T11:00:00+08:00', meterStartWh: 0, meterStopWh: 20000 } }),
  },
  'GET /api/v1/settings/notifications': { allow: S },
  'PUT /api/v1/settings/notifications': { allow: A, call: () => ({ body: { events: { order_completed: { enabled: true, channels: ['sms'] } } } }) },
  'GET /api/v1/notifications/sent': { allow: S },
  'GET /api/v1/orders': { allow: S },
  'GET /api/v1/orders/export.csv': { allow: S },
  'GET /api/v1/orders/export.xlsx': { allow: S },
  'GET /api/v1/orders/{orderNo}': { allow: S, resource: true, call: (x) => ({ params: { orderNo: x.orderNo } }) },
  'POST /api/v1/orders/{orderNo}/corrections': { allow: S, resource: true, call: (x) => ({ params: { orderNo: x.orderNo }, body: { reason: 'matrix check' } }) },
  'POST /api/v1/orders/{orderNo}/corrections/preview': { allow: S, resource: true, call: (x) => ({ params: { orderNo: x.orderNo }, body: { reason: 'matrix check' } }) },
  'GET /api/v1/order-settings': { allow: S },
  'PUT /api/v1/order-settings': { allow: A, call: () => ({ body: { staffDailyCorrectionLimit: '100.00' } }) },
  'GET /api/v1/order-corrections': { allow: S },
  'POST /api/v1/order-corrections/{id}/approve': { allow: A, call: () => ({ params: { id: 999999 } }) },
  'POST /api/v1/order-corrections/{id}/reject': { allow: A, call: () => ({ params: { id: 999999 }, body: { reason: 'matrix' } }) },
  'POST /api/v1/orders/{orderNo}/approve': { allow: S, resource: true, call: (x) => ({ params: { orderNo: x.heldOrderNo }, body: { reason: 'matrix' } }) },
  'GET /api/v1/dashboard': { allow: S },
  'GET /api/v1/public/operators/{operatorId}/brand': { allow: ANY, public: true, call: () => ({ params: { operatorId: 'op1' } }) },
  'POST /api/v1/driver-auth/code': { allow: ANY, public: true, call: () => ({ body: { operatorId: 'op1', phone: '13900000888' } }) },
  'POST /api/v1/driver-auth/login': { allow: ANY, public: true, call: () => ({ body: { operatorId: 'op1', phone: '13900000888', code: '000000' } }), ok: (s) => s === 401 || s === 429 },
  // public prices; a staff or driver token scopes it to the token's operator (so op2's staff: 404)
  'GET /api/v1/h5/connectors/{chargerId}/{connectorId}': { allow: ANY, public: true, resource: true, call: () => ({ params: { chargerId: C1, connectorId: 1 }, query: 'operatorId=op1' }) },
  'POST /api/v1/h5/sessions': { allow: D, call: () => ({ body: { chargerId: C1, connectorId: 1 } }) },
  'GET /api/v1/h5/sessions/current': { allow: D },
  'POST /api/v1/h5/sessions/{id}/stop': { allow: D, call: (x) => ({ params: { id: x.sessionId } }) },
  'GET /api/v1/h5/orders': { allow: D },
  'GET /api/v1/h5/wallet': { allow: D },
  'GET /api/v1/partners': { allow: S },
  'POST /api/v1/partners': { allow: A, call: () => ({ body: { ...partnerBody, operatorId: '223456789', inbound: secrets, outbound: secrets } }) },
  'GET /api/v1/partners/{id}': { allow: S, resource: true, call: () => ({ params: { id: XIAOJU } }) },
  'PUT /api/v1/partners/{id}': { allow: A, resource: true, call: () => ({ params: { id: XIAOJU }, body: partnerBody }) },
  'GET /api/v1/partners/{id}/envelopes': { allow: S, resource: true, call: () => ({ params: { id: XIAOJU } }) },
  'GET /api/v1/partners/{id}/disputes': { allow: S, resource: true, call: () => ({ params: { id: XIAOJU } }) },
  'POST /api/v1/partners/check': { allow: A, call: () => ({ body: { day: '2026-01-01' } }) },
  'POST /api/v1/reconciliations': { allow: S, call: () => ({ body: { partnerId: XIAOJU, from: '2026-08-01T00:00:00+08:00', to: '2026-09-01T00:00:00+08:00' } }) },
  'POST /api/v1/reconciliations/upload': { allow: S, call: () => ({ body: {} }) },
  'GET /api/v1/reconciliations': { allow: S },
  'GET /api/v1/reconciliations/monthly': { allow: S },
  'GET /api/v1/reconciliations/{id}': { allow: S, resource: true, call: (x) => ({ params: { id: x.reconRunId } }) },
  'POST /api/v1/reconciliations/{id}/items/{itemId}/resolve': { allow: S, resource: true, call: (x) => ({ params: { id: x.reconRunId, itemId: x.reconItemId }, body: { action: 'write_off', note: 'matrix' } }) },
  'GET /api/v1/reconciliations/{id}/export': { allow: S, resource: true, call: (x) => ({ params: { id: x.reconRunId }, query: 'format=csv' }) },
  'GET /api/v1/reconciliations/settings/{partnerId}': { allow: S, resource: true, call: () => ({ params: { partnerId: XIAOJU } }) },
  'PUT /api/v1/reconciliations/settings/{partnerId}': { allow: A, resource: true, call: () => ({ params: { partnerId: XIAOJU }, body: { energyToleranceWh: 10 } }) },
  'GET /api/v1/outbox': { allow: S },
  'GET /api/v1/jobs': { allow: S, call: () => ({ query: 'state=dead' }) },
  'POST /api/v1/outbox/{id}/retry': { allow: A, resource: true, call: (x) => ({ params: { id: x.outboxId } }) },
  'GET /api/v1/settings/payments': { allow: A },
  'PUT /api/v1/settings/payments': { allow: A, call: () => ({ body: {} }) },
  'GET /api/v1/settings/public-url': { allow: S },
  'POST /api/v1/topups': { allow: SD, call: () => ({ body: { phone: P1, amount: '1.00', channel: 'wechatpay_h5' } }) },
  'GET /api/v1/topups': { allow: SD },
  'GET /api/v1/topups/{outTradeNo}': { allow: SD, resource: true, call: (x) => ({ params: { outTradeNo: x.outTradeNo } }) },
  'GET /api/v1/payments/callbacks': { allow: S },
  'POST /api/v1/refunds': { allow: A, call: (x) => ({ body: { outTradeNo: x.outTradeNo, amount: '0.01', reason: 'matrix' } }) },
  'GET /api/v1/refunds': { allow: S },
  'GET /api/v1/refunds/{outRefundNo}': { allow: S, resource: true, call: (x) => ({ params: { outRefundNo: x.outRefundNo } }) },
  'GET /api/v1/payments/reconciliation': { allow: S },
  'POST /api/v1/payments/reconciliation/run': { allow: S, call: () => ({ body: { date: '2026-01-01' } }) },
  'GET /api/v1/firmware/inventory': { allow: S },
  'GET /api/v1/firmware/advisories': { allow: S },
  'PUT /api/v1/firmware/advisories': { allow: A, call: () => ({ body: { items: [] } }) },
  'GET /api/v1/firmware/files': { allow: S },
  'POST /api/v1/firmware/files': { allow: A, call: () => ({ query: 'name=matrix.bin&version=9.9' }) },
  // chargers fetch the file with the campaign's token in the path; a wrong one is a 404 for everyone
  'GET /api/v1/firmware/download/{campaignId}/{token}/{name}': { allow: ANY, public: true, call: (x) => ({ params: { campaignId: x.campaignId, token: 'wrong', name: 'matrix.bin' } }), ok: (s) => s === 404 },
  'POST /api/v1/firmware/campaigns': { allow: A, call: (x) => ({ body: { fileId: x.firmwareFileId, target: { chargerIds: [C1] } } }) },
  'GET /api/v1/firmware/campaigns': { allow: S },
  // a real campaign of op1 over C1 (offline: its charger stays waiting; GetDiagnostics answers 409)
  'GET /api/v1/firmware/campaigns/{id}': { allow: S, resource: true, call: (x) => ({ params: { id: x.campaignId } }) },
  'POST /api/v1/firmware/campaigns/{id}/pause': { allow: A, resource: true, call: (x) => ({ params: { id: x.campaignId } }) },
  'POST /api/v1/firmware/campaigns/{id}/resume': { allow: A, resource: true, call: (x) => ({ params: { id: x.campaignId } }) },
  'POST /api/v1/firmware/campaigns/{id}/chargers/{chargerId}/retry': { allow: A, resource: true, call: (x) => ({ params: { id: x.campaignId, chargerId: C1 } }) },
  'POST /api/v1/firmware/campaigns/{id}/chargers/{chargerId}/diagnostics': { allow: A, resource: true, call: (x) => ({ params: { id: x.campaignId, chargerId: C1 }, body: { location: 'ftp://127.0.0.1/diag' } }) },
  'GET /api/v1/incidents/configuration-guard': { allow: S },
  'PUT /api/v1/incidents/configuration-guard': { allow: A, call: () => ({ body: { enabled: false } }) },
  'GET /api/v1/chargers/{id}/configuration-drift': { allow: S, resource: true, call: () => ({ params: { id: C1 } }) },
  'GET /api/v1/incidents': { allow: S },
  'GET /api/v1/incidents/summary': { allow: S },
  'GET /api/v1/incidents/{id}': { allow: S, resource: true, call: (x) => ({ params: { id: x.incidentId } }) },
  // confirm/dismiss are for staff; the charger actions check for an admin inside (403)
  'POST /api/v1/incidents/{id}/actions': { allow: S, resource: true, call: (x) => ({ params: { id: x.incidentId }, body: { action: 'confirm' } }) },
  'POST /api/v1/incidents/scan': { allow: A, call: () => ({ body: { from: '2026-01-01T00:00:00+08:00', to: '2026-01-02T00:00:00+08:00' } }) },
  'GET /api/v1/incidents/settings': { allow: S },
  'PUT /api/v1/incidents/settings': { allow: A, call: () => ({ body: { thresholdWh: 500 } }) },
  'GET /api/v1/support/lookup': { allow: S, call: () => ({ query: `q=${P1}` }) },
  'GET /api/v1/support/who-charged': { allow: S, resource: true, call: () => ({ query: `stationId=s1&from=${encodeURIComponent('2026-01-01T00:00:00+08:00')}&to=${encodeURIComponent('2026-01-02T00:00:00+08:00')}` }) },
  'GET /api/v1/support/story': { allow: S, resource: true, call: (x) => ({ query: `orderNo=${x.orderNo}` }) },
  // operator_staff may reveal only where the operator grants it (off here)
  'POST /api/v1/support/reveal': { allow: A, resource: true, call: (x) => ({ body: { orderNo: x.orderNo, reason: 'matrix check' } }) },
  'GET /api/v1/support/reveals': { allow: A },
  'GET /api/v1/support/settings': { allow: S },
  'PUT /api/v1/support/settings': { allow: A, call: () => ({ body: { staffMayReveal: false } }) },
  'POST /api/v1/support/cases': { allow: S, resource: true, call: (x) => ({ body: { orderNo: x.orderNo, description: 'matrix' } }) },
  'GET /api/v1/support/cases': { allow: S },
  'GET /api/v1/support/cases/export': { allow: S, call: () => ({ query: 'format=md' }) },
  'GET /api/v1/support/cases/{id}': { allow: S, resource: true, call: (x) => ({ params: { id: x.caseId } }) },
  'PATCH /api/v1/support/cases/{id}': { allow: S, resource: true, call: (x) => ({ params: { id: x.caseId }, body: { status: 'in_progress' } }) },
  'POST /api/v1/support/cases/{id}/analysis': { allow: S, resource: true, call: (x) => ({ params: { id: x.caseId }, body: { text: 'matrix' } }) },
  'GET /api/v1/support/cases/{id}/export': { allow: S, resource: true, call: (x) => ({ params: { id: x.caseId }, query: 'format=xlsx' }) },
  'POST /api/v1/support/cases/{id}/attachments': { allow: S, resource: true, call: (x) => ({ params: { id: x.caseId }, query: 'filename=matrix.json', body: { matrix: true } }) },
  'GET /api/v1/support/cases/{id}/attachments/{attachmentId}': { allow: S, resource: true, call: (x) => ({ params: { id: x.caseId, attachmentId: x.attachmentId } }) },
  'DELETE /api/v1/support/cases/{id}/attachments/{attachmentId}': { allow: S, resource: true, call: (x) => ({ params: { id: x.caseId, attachmentId: x.attachmentId } }) },
};

/**
 * Authenticated by their protocol, not by roles: whoever calls without the protocol's credentials
 * (with or without one of our bearer tokens) gets the protocol's refusal and nothing else.
 */
export const PROTOCOL: Record<string, (p: TestPlatform, token: string | undefined) => Promise<void>> = {
  'POST /api/v1/payments/wechatpay/notify/{operatorId}': async (p, token) => {
    for (const op of ['op1', 'op2', 'nope']) {
      const r = await raw(p, 'POST', `/api/v1/payments/wechatpay/notify/${op}`, token, { id: 'x', event_type: 'TRANSACTION.SUCCESS', resource: { ciphertext: 'x' } });
      assert.ok([401, 404].includes(r.status), `WeChat Pay notify for ${op}: ${r.status}`);
      assert.equal(r.body.code, 'FAIL');
    }
  },
  'POST /evcs/v1/{iface}': async (p, token) => {
    for (const iface of ['query_token', 'query_stations_info', 'query_station_status', 'query_start_charge', 'query_stop_charge', 'notification_whatever']) {
      for (const body of [{}, { OperatorID: XIAOJU, Data: 'x', TimeStamp: '20260101000000', Seq: '0001', Sig: 'A'.repeat(32) }, { OperatorID: '999999999', Data: '', TimeStamp: '20260101000000', Seq: '0001', Sig: 'x' }]) {
        const r = await raw(p, 'POST', `/evcs/v1/${iface}`, token, body);
        assert.equal(r.status, 200, `${iface}: T/CEC answers in its own terms`);
        assert.ok([4001, 4003, 4004].includes(r.body.Ret), `${iface} ${JSON.stringify(body).slice(0, 40)}: Ret ${r.body.Ret}`);
        assert.equal(r.body.Data, '', 'no data for an unauthenticated call');
      }
    }
  },
};

/** Hidden routes that need no role: operations endpoints, the web apps and the self-check. */
const PUBLIC_HIDDEN = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'GET /api/v1/openapi.json',
  'GET /api/v1/self-check/{token}',
  'GET /',
  'GET /console',
  'GET /console/*',
  'GET /h5/{operatorId}',
  'GET /h5/{operatorId}/*',
  'GET /web/*',
  'GET /favicon.ico',
]);

let p: TestPlatform;
const tokens: Partial<Record<Caller, string>> = {};
let ids: Ids;
let markers: string[];

const raw = (pl: TestPlatform, method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}) => pl.api(method, path, body, token, headers);

before(async () => {
  const doc: any = minimalDoc();
  doc.operators[1].users.push({ username: 'op2-staff', password: 'op2-staff-pass', role: 'operator_staff' });
  doc.operators[0].partners = [{ ...partnerBody, operatorId: XIAOJU, inbound: secrets, outbound: secrets }];
  p = await startTestPlatform({ provisioning: doc });
  await loadOrdersDemo(p, doc);
  tokens.staff = await p.login('op1-staff', 'op1-staff-pass');
  tokens.admin = await p.login('op1-admin', 'op1-admin-pass');
  tokens.otherStaff = await p.login('op2-staff', 'op2-staff-pass');
  tokens.platform = await p.login('root', 'root-password');
  assert.equal((await p.api('POST', '/api/v1/driver-auth/code', { operatorId: 'op1', phone: P1 })).status, 200);
  tokens.driver = (await p.api('POST', '/api/v1/driver-auth/login', { operatorId: 'op1', phone: P1, code: peekDriverCode('op1', P1) })).body.token;
  const q = async <T>(sql: string, params: unknown[] = []) => (await p.ctx.db.query<T>(sql, params)).rows[0];
  const admin = (method: string, path: string, body?: unknown) => p.api(method, path, body, tokens.admin);
  assert.equal((await admin('POST', '/api/v1/enterprises', { id: 'acme', name: 'Acme' })).status, 201);
  const dept = await admin('POST', '/api/v1/enterprises/acme/departments', { name: 'Ops' });
  const spare = await admin('POST', '/api/v1/enterprises/acme/departments', { name: 'Spare' });
  assert.equal((await admin('POST', '/api/v1/enterprises/acme/members', { phone: P1, departmentId: dept.body.id })).status, 201);
  assert.equal((await admin('POST', '/api/v1/enterprises', { id: 'beta', name: 'Beta' })).status, 201);
  assert.equal((await admin('POST', '/api/v1/enterprises/acme/admins', { username: 'acme-admin', password: 'acme-admin-pass' })).status, 201);
  assert.equal((await admin('POST', '/api/v1/enterprises/beta/admins', { username: 'beta-admin', password: 'beta-admin-pass' })).status, 201);
  tokens.ent = await p.login('acme-admin', 'acme-admin-pass');
  // acme's statement of 2026-01 as the job on the 1st keeps it
  const issued = await buildStatement(p.ctx.db, 'op1', 'acme', '2026-01');
  await p.ctx.db.query(`INSERT INTO enterprise_statements (operator_id, enterprise_id, month, issued_at, amount_fen, line_count, data) VALUES ('op1', 'acme', '2026-01', now(), 0, 0, $1)`, [JSON.stringify(issued)]);
  tokens.otherEnt = await p.login('beta-admin', 'beta-admin-pass');
  const version = await admin('POST', '/api/v1/tariffs/t1/versions', future('2030-01-01'));
  assert.equal(version.status, 201, JSON.stringify(version.body));
  const outbox = await q<{ id: number }>(`INSERT INTO outbox (operator_id, topic, payload, status, attempts, last_error) VALUES ('op1', 'matrix.none', '{}', 'dead', 3, 'x') RETURNING id`);
  await p.ctx.db.query(
    `INSERT INTO topups (operator_id, out_trade_no, phone, amount_fen, channel, status, mchid, notify_url, expires_at, created_by) VALUES ('op1', 'MATRIX000000000001', $1, 100, 'wechatpay_h5', 'credited', '1900000001', 'http://x', now(), 'matrix')`,
    [P1],
  );
  await p.ctx.db.query(`INSERT INTO refunds (operator_id, out_refund_no, out_trade_no, phone, amount_fen, reason, status, created_by) VALUES ('op1', 'RFMATRIX0000000001', 'MATRIX000000000001', $1, 1, 'x', 'failed', 'matrix')`, [P1]);
  const supportCase = await admin('POST', '/api/v1/support/cases', { description: 'matrix case' });
  assert.equal(supportCase.status, 201, JSON.stringify(supportCase.body));
  const attachment = await admin('POST', `/api/v1/support/cases/${supportCase.body.id}/attachments?filename=matrix.json`, { matrix: true });
  assert.equal(attachment.status, 201, JSON.stringify(attachment.body));
  const reconRun = await q<{ id: number }>(
    `INSERT INTO recon_runs (operator_id, partner_id, period_from, period_to, source, status, started_by, summary) VALUES ('op1', $1, '2026-08-01T00:00:00+08:00', '2026-09-01T00:00:00+08:00', 'statement', 'open', 'matrix', NULL) RETURNING id`,
    [XIAOJU],
  );
  const reconItem = await q<{ id: number }>(`INSERT INTO recon_items (run_id, operator_id, class, start_charge_seq, theirs_wh, theirs_fen, stake_fen) VALUES ($1, 'op1', 'missing_here', $2, 1000, 100, 100) RETURNING id`, [
    reconRun.id,
    `${XIAOJU}178500000000000001`,
  ]);
  const incident = await q<{ id: number }>(
    `INSERT INTO security_incidents (operator_id, kind, dedupe_key, charger_id, from_at, to_at, unbilled_wh, source, created_at, updated_at)
     VALUES ('op1', 'meter_gap', 'matrix', $1, now(), now(), 1000, 'scan', now(), now()) RETURNING id`,
    [C1],
  );
  const fw = await fetch(`${p.url}/api/v1/firmware/files?name=matrix.bin&version=9.9`, { method: 'POST', headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/octet-stream' }, body: 'version=9.9' });
  assert.equal(fw.status, 201);
  const firmwareFileId = (await fw.json()).id as number;
  const campaign = await admin('POST', '/api/v1/firmware/campaigns', { fileId: firmwareFileId, target: { chargerIds: [C1] } });
  assert.equal(campaign.status, 201, JSON.stringify(campaign.body));
  ids = {
    firmwareFileId,
    campaignId: campaign.body.id,
    reconRunId: Number(reconRun.id),
    reconItemId: Number(reconItem.id),
    incidentId: incident.id,
    caseId: supportCase.body.id,
    attachmentId: attachment.body.attachment.id,
    orderNo: (await q<{ order_no: string }>(`SELECT order_no FROM orders WHERE operator_id = 'op1' AND NOT abnormal ORDER BY id LIMIT 1`)).order_no,
    heldOrderNo: (await q<{ order_no: string }>(`SELECT order_no FROM orders WHERE operator_id = 'op1' AND abnormal ORDER BY id LIMIT 1`)).order_no,
    sessionId: (await q<{ id: number }>(`SELECT id FROM sessions WHERE operator_id = 'op1' ORDER BY id LIMIT 1`)).id,
    futureVersionId: (version.body.versions as { id: number; status: string }[]).find((v) => v.status === 'scheduled')!.id,
    deptId: dept.body.id,
    spareDeptId: spare.body.id,
    outboxId: outbox.id,
    outTradeNo: 'MATRIX000000000001',
    outRefundNo: 'RFMATRIX0000000001',
    walletSettings: (await admin('GET', '/api/v1/wallet/settings')).body,
  };
  markers = [C1, '44030700030000200017', P1, 'CARD0001', ids.orderNo, ids.heldOrderNo, 'acme', XIAOJU, ids.outTradeNo, ids.outRefundNo, 'MA5DAR123'];
});
after(async () => p?.close());

const key = (method: string, url: string) => `${method.toUpperCase()} ${url.replace(/:(\w+)/g, '{$1}')}`;

test('every route has a row in the allow table (and every row a route)', async () => {
  const doc = await p.api('GET', '/api/v1/openapi.json');
  const documented = Object.entries<Record<string, unknown>>(doc.body.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  // routes left out of the OpenAPI document (hidden, or added by a plugin) need a row too
  const hidden = [...new Set(registeredRoutes(p.app).map((r) => key(r.method, r.url)))].filter((k) => !documented.includes(k));
  assert.ok(hidden.includes('POST /evcs/v1/{iface}') && hidden.includes('GET /readyz'), hidden.join(', '));
  const missing = documented.filter((k) => !ALLOW[k] && !PROTOCOL[k]);
  const hiddenMissing = hidden.filter((k) => !PUBLIC_HIDDEN.has(k) && !PROTOCOL[k] && !ALLOW[k]);
  const stale = Object.keys(ALLOW).filter((k) => !documented.includes(k));
  assert.deepEqual(
    [...missing, ...hiddenMissing],
    [],
    `routes without a row in test/api/route-matrix.test.ts — add to ALLOW (or PROTOCOL / PUBLIC_HIDDEN for a route authenticated otherwise):\n${[...missing, ...hiddenMissing]
      .map((k) => `  '${k}': { allow: [/* who may call it: S, A, SD, D, PA or ANY */], resource: /* names an operator's resource? */ true, call: (x) => ({ params: {}, body: {} }) },`)
      .join('\n')}`,
  );
  assert.deepEqual(stale, [], `rows in ALLOW for routes that no longer exist: ${stale.join(', ')}`);
  assert.ok(documented.length >= 90, `the OpenAPI document lists ${documented.length} operations`);
});

test('route × role × tenant: refused callers get 401/403/404, another operator’s resources 404, nobody a 500', async () => {
  const problems: string[] = [];
  for (const [k, row] of Object.entries(ALLOW)) {
    const [method, template] = k.split(' ');
    const c = row.call?.(ids) ?? {};
    const path = template.replace(/\{(\w+)\}/g, (_, name) => {
      const v = c.params?.[name];
      if (v === undefined) throw new Error(`${k}: the row gives no value for {${name}}`);
      return encodeURIComponent(String(v));
    });
    for (const caller of CALLERS) {
      const allowed = row.allow.includes(roleOf(caller));
      const q = c.query ? `?${c.query}` : '';
      const r = await raw(p, method, path + q, tokens[caller], c.body, caller === 'platform' ? { 'x-operator-id': 'op1' } : {});
      const where = `${k} as ${caller}: ${r.status} ${typeof r.body === 'object' ? JSON.stringify(r.body).slice(0, 160) : ''}`;
      if (r.status >= 500) problems.push(`${where} (a 5xx)`);
      else if (caller === 'otherStaff' && allowed && row.resource) {
        if (r.status !== 404) problems.push(`${where} (another operator's resource must answer 404)`);
      } else if (caller === 'otherEnt' && allowed && row.resource && !row.public) {
        if (![403, 404].includes(r.status)) problems.push(`${where} (another enterprise's resource must answer 403/404)`);
      } else if (allowed) {
        const ok = row.ok ?? ((s: number) => (method === 'GET' ? s >= 200 && s < 300 : s !== 401 && s !== 403));
        if (!ok(r.status)) problems.push(`${where} (allowed, so it should work)`);
        if ((caller === 'otherStaff' || caller === 'otherEnt') && !row.public && r.status < 300) {
          const leak = markers.find((m) => r.text.includes(m));
          if (leak) problems.push(`${where} (shows op1's ${leak})`);
        }
      } else if (![401, 403, 404].includes(r.status)) problems.push(`${where} (not allowed: 401/403/404 expected)`);
      if (!allowed && r.status < 300) problems.push(`${where} (answered with data)`);
      if (caller === 'otherEnt' && allowed && row.resource && !row.public && r.status < 300) problems.push(`${where} (another enterprise's data)`);
    }
    // who may not call a route learns nothing about its body either: refused before validation
    if (method !== 'GET' && !row.allow.includes('anon')) {
      const junk = await raw(p, method, path, undefined, ['not', 'a', 'valid', 'body']);
      if (junk.status !== 401) problems.push(`${k} as anon with an invalid body: ${junk.status} ${JSON.stringify(junk.body).slice(0, 120)} (401 expected before any validation)`);
    }
  }
  assert.deepEqual(problems, [], problems.join('\n'));
});

test('routes authenticated by their protocol (T/CEC, WeChat Pay callbacks): no credentials → the protocol’s refusal, whoever calls', async () => {
  for (const [k, check] of Object.entries(PROTOCOL)) {
    for (const caller of CALLERS) {
      await check(p, tokens[caller]).catch((e: Error) => {
        throw new Error(`${k} as ${caller}: ${e.message}`);
      });
    }
  }
});

test('hidden public routes say nothing internal', async () => {
  assert.deepEqual((await raw(p, 'GET', '/healthz', undefined)).body, { ok: true });
  assert.deepEqual((await raw(p, 'GET', '/readyz', undefined)).body, { status: 'ready' });
  assert.equal((await raw(p, 'GET', '/api/v1/self-check/not-the-token', undefined)).status, 404);
});
