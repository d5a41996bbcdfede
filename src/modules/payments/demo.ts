import type { RunningPlatform as Platform } from '../../platform/context.ts';
import { getOperator } from '../registry/index.ts';
import { startFakeWechatpay, type FakeWechatpay } from './fake/server.ts';
import { saveWechatpaySettings } from './settings.ts';

let running: FakeWechatpay | null = null;

/**
 * `npm start` with demo data: a fake WeChat Pay in-process on a free port, and the demo operator's
 * merchant settings pointed at it (fresh keys every start). An operator whose settings point
 * somewhere other than a loopback address (a real merchant) is left alone.
 */
export async function startDemoPayments(p: Platform, doc: unknown): Promise<FakeWechatpay | null> {
  const operatorId = (doc as { operators?: { id?: string }[] })?.operators?.[0]?.id;
  if (!operatorId) return null;
  const op = await getOperator(p.ctx.db, operatorId);
  if (!op) return null;
  const cur = await p.ctx.db.query<{ api_base_url: string }>(`SELECT api_base_url FROM payment_merchants WHERE operator_id = $1 AND provider = 'wechatpay'`, [operatorId]);
  if (cur.rows[0] && !/^https?:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(cur.rows[0].api_base_url)) return null;
  try {
    running ??= await startFakeWechatpay({ port: 0 });
    await p.ctx.db.tx((q) => saveWechatpaySettings(q, operatorId, running!.operatorSettings() as never, op.timezone));
  } catch (err) {
    p.ctx.log.error({ err }, 'demo: the fake WeChat Pay did not start; top-ups are unavailable');
    return null;
  }
  p.ctx.log.info({ operatorId, fake: running.url }, `demo: top-ups of ${operatorId} go to the fake WeChat Pay at ${running.url} (pay an order: POST ${running.url}/fake/pay/{outTradeNo})`);
  return running;
}
