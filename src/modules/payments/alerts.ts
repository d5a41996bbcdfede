import type { Ctx } from '../../platform/context.ts';

/**
 * Tells the driver about a credit and staff about anything that needs a person. Until the notify
 * module offers a channel these are warnings in the log (and the flags on the top-up rows, which the
 * console lists); see docs/payments.md.
 */
export async function notifyCredited(ctx: Ctx, operatorId: string, phone: string, amountFen: number, outTradeNo: string): Promise<void> {
  ctx.log.info({ operatorId, phone, amountFen, outTradeNo }, 'top-up credited: driver notified');
}

export async function alertStaff(ctx: Ctx, operatorId: string, kind: string, message: string): Promise<void> {
  ctx.log.warn({ operatorId, alert: kind }, message);
}
