import { randomBytes } from 'node:crypto';
import type { RunningPlatform as Platform } from '../../platform/context.ts';
import { getOperator, listStations } from '../registry/index.ts';
import { FakePartner } from './fake-partner.ts';
import { getPartner, upsertPartner, type PartnerSecrets } from './partners.ts';

const DEMO_PARTNER = '101437000';
let running: FakePartner | null = null;

const secrets = (): PartnerSecrets => ({
  operatorSecret: randomBytes(12).toString('base64url'),
  dataSecret: randomBytes(8).toString('hex'),
  dataSecretIv: randomBytes(8).toString('hex'),
  sigSecret: randomBytes(12).toString('hex'),
});

/**
 * `npm start` with demo data: a fake Xiaoju-like partner in-process on a free port, registered as a
 * partner of the demo operator for all its stations, so the console shows status pushes, partner
 * tokens and the envelope log live. A partner 101437000 pointing anywhere but loopback is left alone.
 */
export async function startDemoRoaming(p: Platform, doc: unknown): Promise<FakePartner | null> {
  const operatorId = (doc as { operators?: { id?: string }[] })?.operators?.[0]?.id;
  if (!operatorId) return null;
  const op = await getOperator(p.ctx.db, operatorId);
  if (!op?.tcec_operator_id) return null;
  const cur = await getPartner(p.ctx.db, operatorId, DEMO_PARTNER);
  if (cur && !/^https?:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(cur.baseUrl)) return null;
  try {
    const outbound = secrets();
    running ??= await new FakePartner({
      operatorId: DEMO_PARTNER,
      cpoOperatorId: op.tcec_operator_id,
      operatorSecret: outbound.operatorSecret,
      keys: outbound,
      prefix: '',
      tokenPath: '/evcs/sdk/query_token',
    }).start();
    const stations = (await listStations(p.ctx.db, operatorId)).map((s) => s.id);
    await p.ctx.db.tx((q) =>
      upsertPartner(q, operatorId, {
        operatorId: DEMO_PARTNER,
        name: '小桔充电 (demo fake)',
        dialect: 'xiaoju',
        baseUrl: running!.url,
        stations,
        startConfirmTimeoutSeconds: 60,
        inbound: cur?.inbound ?? secrets(),
        outbound: { operatorSecret: running!.o.operatorSecret, ...running!.o.keys },
      }),
    );
  } catch (err) {
    p.ctx.log.error({ err }, 'demo: the fake roaming partner did not start');
    return null;
  }
  p.ctx.log.info({ operatorId, fake: running.url }, `demo: roaming partner ${DEMO_PARTNER} of ${operatorId} is a fake at ${running.url}`);
  return running;
}
