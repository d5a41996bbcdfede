import type { Handler, HandlerInput } from './types.ts';

interface DataTransferReq {
  vendorId: string;
  messageId?: string;
  data?: string;
}
type Answer = { status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId'; data?: string };

/** Vendor extensions other modules may claim: vendorId → handler. */
export const dataTransferHandlers = new Map<string, (h: HandlerInput<DataTransferReq>) => Promise<Answer>>();

export const dataTransfer: Handler<DataTransferReq> = async (h) => {
  const { ctx, conn, params: p } = h;
  const own = dataTransferHandlers.get(p.vendorId);
  const answer: Answer = own ? await own(h) : { status: 'UnknownVendorId' };
  await ctx.db.query(`INSERT INTO ocpp_data_transfers (operator_id, charger_id, vendor_id, message_id, data, status) VALUES ($1, $2, $3, $4, $5, $6)`, [
    conn.operatorId,
    conn.chargerId,
    p.vendorId,
    p.messageId ?? null,
    p.data ?? null,
    answer.status,
  ]);
  return answer;
};
