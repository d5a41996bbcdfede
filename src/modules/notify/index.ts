import type { Module } from '../../platform/context.ts';
import { notifyRoutes } from './routes.ts';
import { bindOutbox, NOTIFY_TOPICS } from './service.ts';

export { notify, sendSms, listSent, type NotifyInput } from './service.ts';
export { periodSummary, PERIOD_NAMES } from './templates.ts';
export { eventSetting, DEFAULTS as NOTIFY_DEFAULTS, type NotifyEvent, type Channel } from './settings.ts';

export const notifyModule: Module = {
  name: 'notify',
  register(app, ctx) {
    bindOutbox(ctx.outbox);
    for (const [topic, fn] of NOTIFY_TOPICS) ctx.outbox.register(topic, fn, { backoff: [10, 30, 60, 300, 900], maxAttempts: 8 });
    notifyRoutes(app, ctx);
  },
  stop() {
    bindOutbox(null);
  },
};
