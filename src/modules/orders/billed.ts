/**
 * What an order has moved on its payer's accounts, and what a correction moves next (issue 11, point 1).
 * An order paid from a wallet or an enterprise account moved `charged` (taken from the balance) plus
 * `receivable` (booked as owed when the balance ran short): together they are the amount billed.
 * A correction moves exactly `new amount − billed`, so a correction that changes nothing moves
 * nothing, whatever part of the bill was a shortfall.
 */
export interface Billed {
  charged_fen: number;
  receivable_fen: number;
}

export const billedFen = (o: Billed): number => Number(o.charged_fen) + Number(o.receivable_fen);

/** The money a correction to `newTotalFen` moves on an order that has moved `billed` so far. */
export const correctionDeltaFen = (newTotalFen: number, billed: Billed): number => newTotalFen - billedFen(billed);
