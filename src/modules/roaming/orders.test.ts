import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { orderInfo, type OrderView } from './orders.ts';
import type { RoamingSession } from './state.ts';
import { formatYuan } from '../../platform/money.ts';

const rs = { start_charge_seq: '101437000156821199611294231', connector_code: '4403070003000020001601', stop_requested_by: null } as unknown as RoamingSession;
const order = (periods: OrderView['periods']): OrderView => ({
  orderNo: '20190920144024840824',
  startTime: '2019-09-20T06:40:44.000Z',
  endTime: '2019-09-20T07:43:49.000Z',
  energyKwh: '25.37',
  electricityAmount: '0',
  serviceAmount: '0',
  idleFee: '0.00',
  totalAmount: '0',
  periods,
  abnormal: false,
  partnerOrderNo: rs.start_charge_seq,
  version: 1,
});

test('the case-6 order (25.37 kWh): details straight from the breakdown, totals are their sums, both spellings', () => {
  const o = order([
    { type: 'flat', start: '2019-09-20T06:40:44.000Z', end: '2019-09-20T07:00:00.000Z', energyKwh: '7.81', electricityPrice: '0.7000', servicePrice: '0.8000', electricityAmount: '5.47', serviceAmount: '6.25' },
    { type: 'peak', start: '2019-09-20T07:00:00.000Z', end: '2019-09-20T07:43:49.000Z', energyKwh: '17.56', electricityPrice: '1.1853', servicePrice: '0.8000', electricityAmount: '20.81', serviceAmount: '14.05' },
  ]);
  const cec = orderInfo(o, rs, { dialect: 'cec-2016' });
  assert.equal(cec.StartTime, '2019-09-20 14:40:44');
  assert.equal(cec.EndTime, '2019-09-20 15:43:49');
  assert.equal(cec.TotalPower, 25.37);
  assert.equal(cec.TotalElecMoney, 26.28);
  assert.equal(cec.TotalSeviceMoney, 20.3);
  assert.equal(cec.TotalMoney, 46.58);
  assert.equal(cec.SumPeriod, 2);
  assert.equal(cec.ChargeDetails[1].SevicePrice, 0.8);
  assert.equal(cec.ChargeDetails[1].ElecPrice, 1.1853);
  assert.equal(cec.ChargeDetails[1].DetailSeviceMoney, 14.05);
  assert.equal(cec.ChargeDetails[0].DetailStartTime, '2019-09-20 14:40:44');
  const xj = orderInfo(o, rs, { dialect: 'xiaoju' });
  assert.equal(xj.TotalServiceMoney, 20.3);
  assert.equal(xj.TotalSeviceMoney, undefined);
  assert.equal(xj.ChargeDetails[0].DetailServiceMoney, 6.25);
});

test('for any breakdown: TotalPower = Σ DetailPower, TotalElecMoney = Σ DetailElecMoney, TotalMoney = elec + service (property)', () => {
  const cents = (x: number) => Math.round(x * 100);
  fc.assert(
    fc.property(
      fc.array(fc.record({ wh: fc.integer({ min: 0, max: 200_000 }), e: fc.integer({ min: 0, max: 500_000 }), s: fc.integer({ min: 0, max: 500_000 }) }), { minLength: 1, maxLength: 32 }),
      (ps) => {
        const o = order(
          ps.map((p, i) => ({
            type: 'flat',
            start: new Date(Date.UTC(2026, 0, 1, i)).toISOString(),
            end: new Date(Date.UTC(2026, 0, 1, i + 1)).toISOString(),
            energyKwh: `${Math.floor(p.wh / 1000)}.${String(Math.round((p.wh % 1000) / 10) % 100).padStart(2, '0')}`,
            electricityPrice: '0.7000',
            servicePrice: '0.8000',
            electricityAmount: formatYuan(p.e),
            serviceAmount: formatYuan(p.s),
          })),
        );
        const x = orderInfo(o, rs, { dialect: 'cec-2016' });
        const d = x.ChargeDetails as any[];
        assert.equal(cents(x.TotalPower), d.reduce((a, r) => a + cents(r.DetailPower), 0));
        assert.equal(cents(x.TotalElecMoney), d.reduce((a, r) => a + cents(r.DetailElecMoney), 0));
        assert.equal(cents(x.TotalSeviceMoney as number), d.reduce((a, r) => a + cents(r.DetailSeviceMoney), 0));
        assert.equal(cents(x.TotalMoney), cents(x.TotalElecMoney) + cents(x.TotalSeviceMoney as number));
        assert.equal(x.SumPeriod, ps.length);
      },
    ),
    { numRuns: 200 },
  );
});
