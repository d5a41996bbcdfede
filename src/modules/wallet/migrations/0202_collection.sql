-- 'collection': what a driver owed (a shortfall) taken from a later top-up or by staff.
ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_cause_check;
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_cause_check
  CHECK (cause IN ('order', 'topup', 'refund', 'correction', 'manual', 'opening', 'collection'));
