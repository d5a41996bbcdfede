-- The database keeps the floor too (issue 11, point 6): no balance below its account's floor
-- (0 for wallets, -creditLimit for enterprise accounts; null = unbounded). The postings check it
-- first with a clear 409; this catches any path that would not. NOT VALID: a row written before this
-- migration is not re-checked at start (one under its floor would stop the platform from starting);
-- `chargeops verify-ledger` lists such rows, and any later change of the row is checked.
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_floor CHECK (floor_fen IS NULL OR balance_fen >= floor_fen) NOT VALID;
