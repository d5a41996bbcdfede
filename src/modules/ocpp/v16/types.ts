import type { Ctx } from '../../../platform/context.ts';
import type { Connection } from '../connection.ts';
import type { SampledValueIn } from '../../sessions/index.ts';

/** What every 1.6 handler gets: the validated params of one CALL from one connected charger. */
export interface HandlerInput<P = any> {
  ctx: Ctx;
  conn: Connection;
  params: P;
  messageId: string;
  receivedAt: Date;
}
export type Handler<P = any, R = object> = (h: HandlerInput<P>) => Promise<R>;

export interface MeterValue {
  timestamp: string;
  sampledValue: SampledValueIn[];
}
