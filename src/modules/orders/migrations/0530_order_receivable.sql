-- What an order booked as owed (a receivable) when the payer's balance ran short. charged_fen +
-- receivable_fen is what the order has moved on its payer's accounts; a correction moves the new
-- amount less that sum (issue 11, point 1: a correction never charges a shortfall twice).
ALTER TABLE orders ADD COLUMN receivable_fen bigint NOT NULL DEFAULT 0;

-- Existing orders: from the ledger (the receivable entries of the order's own transactions).
UPDATE orders o SET receivable_fen = t.fen
FROM (
  SELECT lt.operator_id, lt.cause_ref AS order_no, -SUM(e.amount_fen)::bigint AS fen
  FROM ledger_transactions lt
  JOIN ledger_entries e ON e.transaction_id = lt.id
  JOIN ledger_accounts a ON a.id = e.account_id
  WHERE lt.cause IN ('order', 'correction') AND a.kind = 'receivable'
  GROUP BY lt.operator_id, lt.cause_ref
) t
WHERE o.operator_id = t.operator_id AND o.order_no = t.order_no;
