/** The roaming test world: an operator with stations shared with two partners (one per dialect). */
import { sealRequest, openResponse, seqCounter, type Keys } from '../../src/modules/roaming/envelope.ts';
import { FakePartner } from './fake-partner.ts';

export const CPO = 'MA5DAR123';
export const XIAOJU = '101437000';
export const CEC = '313744932';

export const keys = (tag: string): Keys => ({ dataSecret: `data${tag}`.padEnd(16, 'x'), dataSecretIv: `iviv${tag}`.padEnd(16, 'y'), sigSecret: `sig${tag}`.padEnd(16, 'z') });
export const inboundSecret = (id: string) => `secret-in-${id}`;
export const outboundSecret = (id: string) => `secret-out-${id}`;

export async function startPartners() {
  const xiaoju = await new FakePartner({ operatorId: XIAOJU, cpoOperatorId: CPO, operatorSecret: outboundSecret(XIAOJU), keys: keys('xo'), prefix: '', tokenPath: '/evcs/sdk/query_token' }).start();
  const cec = await new FakePartner({ operatorId: CEC, cpoOperatorId: CPO, operatorSecret: outboundSecret(CEC), keys: keys('co'), prefix: '/evcs/v1', tokenPath: '/evcs/v1/query_token' }).start();
  return { xiaoju, cec };
}

export const CHARGER = '44030700030000200016';
export const AC_CHARGER = '44030700030000200017';

export function roamingDoc(urls: { xiaoju: string; cec: string }, opts: { startConfirmTimeoutSeconds?: number; extraStations?: number } = {}) {
  const extra = Array.from({ length: opts.extraStations ?? 0 }, (_, i) => ({ id: `x${String(i + 1).padStart(2, '0')}`, name: `站${i + 1}`, lat: 22.5, lng: 114.0, tariffId: 't1', chargers: [] }));
  const partner = (id: string, name: string, dialect: string, baseUrl: string, tag: string) => ({
    operatorId: id,
    name,
    dialect,
    baseUrl,
    stations: ['s1', ...extra.map((s) => s.id)],
    startConfirmTimeoutSeconds: opts.startConfirmTimeoutSeconds ?? 60,
    inbound: { operatorSecret: inboundSecret(id), dataSecret: keys(tag + 'i').dataSecret, dataSecretIv: keys(tag + 'i').dataSecretIv, sigSecret: keys(tag + 'i').sigSecret },
    outbound: { operatorSecret: outboundSecret(id), dataSecret: keys(tag + 'o').dataSecret, dataSecretIv: keys(tag + 'o').dataSecretIv, sigSecret: keys(tag + 'o').sigSecret },
  });
  return {
    admins: [{ username: 'root', password: 'root-password' }],
    operators: [
      {
        id: 'op1',
        name: 'Operator One',
        tcecOperatorId: CPO,
        users: [
          { username: 'op1-admin', password: 'op1-admin-pass', role: 'operator_admin' },
          { username: 'op1-staff', password: 'op1-staff-pass', role: 'operator_staff' },
        ],
        tariffs: [
          {
            id: 't1',
            name: 'Standard',
            versions: [
              {
                effectiveFrom: '2024-01-01T00:00:00+08:00',
                periods: [
                  { start: '00:00', type: 'valley', electricityPrice: '0.3000', servicePrice: '0.4000' },
                  { start: '08:00', type: 'flat', electricityPrice: '0.7000', servicePrice: '0.8000' },
                  { start: '10:00', type: 'peak', electricityPrice: '1.1853', servicePrice: '0.8000' },
                  { start: '23:00', type: 'valley', electricityPrice: '0.3000', servicePrice: '0.4000' },
                ],
              },
            ],
          },
        ],
        stations: [
          {
            id: 's1',
            name: '永湖站',
            city: '深圳',
            areaCode: '440307',
            address: '龙岗区永湖路',
            lat: 22.681234,
            lng: 114.231234,
            tariffId: 't1',
            chargers: [
              { id: CHARGER, authKey: 'key-0000000000000016', connectors: [{ id: 1, type: 'DC', maxPowerKw: 60 }, { id: 2, type: 'DC', maxPowerKw: 60 }] },
              { id: AC_CHARGER, authKey: 'key-0000000000000017', connectors: [{ id: 1, type: 'AC', maxPowerKw: 7 }] },
            ],
          },
          { id: 's9', name: '不共享', tariffId: 't1', chargers: [{ id: '44030700030000200099', authKey: 'key-0000000000000099', connectors: [{ id: 1, type: 'AC', maxPowerKw: 7 }] }] },
          ...extra,
        ],
        partners: [partner(XIAOJU, '小桔充电', 'xiaoju', urls.xiaoju, 'x'), partner(CEC, 'CEC Partner', 'cec-2016', urls.cec, 'c')],
      },
      { id: 'op2', name: 'Operator Two', users: [{ username: 'op2-admin', password: 'op2-admin-pass', role: 'operator_admin' }], stations: [] },
    ],
  };
}

const sharedSeq = new Map<string, ReturnType<typeof seqCounter>>();

/** The partner side of a call to our /evcs/v1/{interface}. */
export function partnerClient(baseUrl: string, partnerId: string, tag: string) {
  const k = keys(tag + 'i');
  // One Seq counter per partner for the whole process: a partner is one sender, and two clients of it
  // within one second must not reuse a TimeStamp+Seq (the platform refuses that as a replay).
  const next = sharedSeq.get(partnerId) ?? sharedSeq.set(partnerId, seqCounter()).get(partnerId)!;
  let token = '';
  const call = async (iface: string, data: unknown, o: { token?: string | null; tamper?: (e: any) => any; keys?: Keys; operatorId?: string } = {}) => {
    const now = new Date();
    let env: any = sealRequest(o.operatorId ?? partnerId, data, o.keys ?? k, now, next(now));
    if (o.tamper) env = o.tamper(env);
    const t = o.token === undefined ? token : o.token;
    const res = await fetch(`${baseUrl}/evcs/v1/${iface}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf-8', ...(t ? { authorization: `Bearer ${t}` } : {}) },
      body: JSON.stringify(env),
    });
    const body = await res.json();
    const opened = openResponse(body, k);
    return { http: res.status, body, ret: body.Ret as number, msg: body.Msg as string, data: opened.ok ? (opened.value.json as any) : null, sigOk: opened.ok };
  };
  return {
    call,
    async login() {
      const r = await call('query_token', { OperatorID: partnerId, OperatorSecret: inboundSecret(partnerId) }, { token: null });
      if (r.data?.SuccStat !== 0) throw new Error(`login failed ${JSON.stringify(r)}`);
      token = r.data.AccessToken;
      return token;
    },
    get token() {
      return token;
    },
  };
}
