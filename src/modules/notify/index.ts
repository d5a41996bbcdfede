import type { Module } from '../../platform/context.ts';
import { notifyRoutes } from './routes.ts';
import { bindOutbox, NOTIFY_TOPICS, notify } from './service.ts';
import { setWalletNotifier } from '../wallet/index.ts';
import { formatYuan } from '../../platform/money.ts';

export { notify, sendSms, listSent, type NotifyInput } from './service.ts';
export { periodSummary, PERIOD_NAMES } from './templates.ts';
export { eventSetting, DEFAULTS as NOTIFY_DEFAULTS, type NotifyEvent, type Channel } from './settings.ts';

export const notifyModule: Module = {
  name: 'notify',
  register(app, ctx) {
    bindOutbox(ctx.outbox);
    for (const [topic, fn] of NOTIFY_TOPICS) ctx.outbox.register(topic, fn, { backoff: [10, 30, 60, 300, 900], maxAttempts: 8 });
    notifyRoutes(app, ctx);
    // the wallet tells us about low balances and credited top-ups through its hook
    setWalletNotifier((q, n) => {
      const event = n.kind === 'wallet.low_balance' ? 'low_balance' : n.kind === 'wallet.topup_credited' ? 'topup_credited' : null;
      if (!event) return Promise.resolve([]);
      const d = n.data as Record<string, number | string | undefined>;
      const yuan = (v: unknown) => (typeof v === 'number' ? formatYuan(v) : undefined);
      const data = { ...d, balance: yuan(d.balanceFen), threshold: yuan(d.thresholdFen), amount: yuan(d.amountFen) };
      return notify(q, { operatorId: n.operatorId, event, to: { phone: n.phone }, data, dedupeKey: n.dedupeKey });
    });
  },
  stop() {
    bindOutbox(null);
    setWalletNotifier(null);
  },
};
