/**
 * Contract of the notify module.
 * Owns: notify_channels, notify_settings, notifications_sent.
 * Offers: notifications to drivers and staff through the durable outbox (its topics), templates, settings.
 * Needs: platform only (modules above enqueue its topics).
 */
import type { Module } from '../../platform/context.ts';
import { notifyRoutes } from './routes.ts';
import { bindOutbox, NOTIFY_TOPICS } from './service.ts';
import { sealClearChannelSecrets } from './settings.ts';

export { notify, sendSms, listSent, sentForOrder, type NotifyInput } from './service.ts';
export { periodSummary, PERIOD_NAMES } from './templates.ts';
export { eventSetting, DEFAULTS as NOTIFY_DEFAULTS, type NotifyEvent, type Channel } from './settings.ts';

export const notifyModule: Module = {
  name: 'notify',
  sealedColumns: [{ table: 'notify_channels', key: ['operator_id', 'channel'], column: 'secrets' }],
  register(app, ctx) {
    bindOutbox(ctx.outbox);
    for (const [topic, fn] of NOTIFY_TOPICS) ctx.outbox.register(topic, fn, { backoff: [10, 30, 60, 300, 900], maxAttempts: 8 });
    notifyRoutes(app, ctx);
  },
  async start(ctx) {
    const moved = await ctx.db.tx((q) => sealClearChannelSecrets(q));
    if (moved) ctx.log.info({ channels: moved }, 'notification channel secrets sealed with SECRETS_KEY');
  },
  stop() {
    bindOutbox(null);
  },
};
