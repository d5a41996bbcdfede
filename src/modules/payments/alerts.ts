import type { Ctx } from '../../platform/context.ts';

/**
 * The driver's "top-up credited" message is sent by the wallet (creditTopUp → notify module,
 * event topup_credited) inside the crediting transaction, so it goes out once whoever credited.
 * Staff alerts (reconciliation findings, flagged callbacks, refunds needing a person) are warnings in
 * the log plus the flag on the top-up, which the console lists (GET /api/v1/topups?flagged=true).
 */
export async function notifyCredited(ctx: Ctx, operatorId: string, phone: string, amountFen: number, outTradeNo: string): Promise<void> {
  ctx.log.debug({ operatorId, phone, amountFen, outTradeNo }, 'top-up credited');
}

export async function alertStaff(ctx: Ctx, operatorId: string, kind: string, message: string): Promise<void> {
  ctx.log.warn({ operatorId, alert: kind }, message);
}
