import { touchCharger } from '../../registry/index.ts';
import type { Handler } from './types.ts';

export const heartbeat: Handler<Record<string, never>> = async ({ ctx, conn }) => {
  await touchCharger(ctx.db, conn.chargerId);
  conn.lastTouch = ctx.clock.now();
  return { currentTime: ctx.clock.date().toISOString() };
};
