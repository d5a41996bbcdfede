-- Opening balances are ledger entries now (cause 'opening'), never a column.
ALTER TABLE drivers DROP COLUMN opening_balance_fen;
ALTER TABLE drivers ADD COLUMN nickname text;

-- One account per driver wallet, enterprise, payment provider (clearing), receivable and per
-- operator-wide counter-account (revenue, refunds, adjustments, opening). Signed amounts:
-- positive = credit. A wallet's balance is what the platform holds for the driver.
CREATE TABLE ledger_accounts (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('wallet', 'enterprise', 'clearing', 'revenue', 'refunds', 'adjustments', 'opening', 'receivable')),
  ref text NOT NULL DEFAULT '',        -- driver phone, enterprise id or provider; '' for operator-wide accounts
  balance_fen bigint NOT NULL DEFAULT 0, -- cache of SUM(ledger_entries.amount_fen), updated in the posting transaction
  floor_fen bigint,                    -- lowest balance a debit may reach: 0 for wallets, -creditLimit for enterprises, null = none
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (operator_id, kind, ref)
);

CREATE TABLE ledger_transactions (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  cause text NOT NULL CHECK (cause IN ('order', 'topup', 'refund', 'correction', 'manual', 'opening')),
  cause_ref text NOT NULL,             -- order number, outTradeNo, refund id, driver phone, ...
  idempotency_key text NOT NULL,
  remark text NOT NULL CHECK (remark <> ''),
  actor text,                          -- the staff user for manual postings; null for the platform
  meta jsonb NOT NULL DEFAULT '{}'::jsonb, -- {phone, enterpriseId, departmentId, shortfallFen, ...}
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (operator_id, idempotency_key)
);
CREATE INDEX ledger_transactions_cause ON ledger_transactions (operator_id, cause, cause_ref);

CREATE TABLE ledger_entries (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  transaction_id bigint NOT NULL REFERENCES ledger_transactions (id),
  account_id bigint NOT NULL REFERENCES ledger_accounts (id),
  amount_fen bigint NOT NULL CHECK (amount_fen <> 0),
  balance_after_fen bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, id);
CREATE INDEX ledger_entries_tx ON ledger_entries (transaction_id);

-- Append-only: a mistake is fixed by a new transaction, never by editing one.
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME;
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

-- Charging against a balance, per operator (defaults when no row).
CREATE TABLE wallet_settings (
  operator_id text PRIMARY KEY,
  min_start_balance_fen bigint NOT NULL DEFAULT 500,
  stop_margin_fen bigint NOT NULL DEFAULT 100,
  stop_horizon_seconds int NOT NULL DEFAULT 60,
  low_balance_fen bigint NOT NULL DEFAULT 1000,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Sessions the balance watcher has asked to stop (one remote stop per session).
CREATE TABLE wallet_session_stops (
  operator_id text NOT NULL,
  session_id bigint NOT NULL,
  payer_kind text NOT NULL,
  payer_ref text NOT NULL,
  cost_fen bigint NOT NULL,
  available_fen bigint NOT NULL,
  margin_fen bigint NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, session_id)
);
