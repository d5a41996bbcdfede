-- Balance holds (issue 11, point 5): money set aside on a payer's account (a driver's wallet or an
-- enterprise account) for a session that is running or a refund that is under way. Not ledger
-- entries (nothing has moved yet): available = balance - floor - owed - SUM(held). A hold is
-- released exactly once (status 'held' -> 'released'), when its session settles or its refund ends.
CREATE TABLE wallet_holds (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  account_kind text NOT NULL CHECK (account_kind IN ('wallet', 'enterprise')),
  account_ref text NOT NULL,
  cause text NOT NULL CHECK (cause IN ('session', 'refund')),
  cause_ref text NOT NULL,           -- session id, refund id
  amount_fen bigint NOT NULL CHECK (amount_fen >= 0),
  status text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'released')),
  created_at timestamptz NOT NULL,
  released_at timestamptz,
  release_reason text,
  UNIQUE (operator_id, cause, cause_ref)
);
CREATE INDEX wallet_holds_account ON wallet_holds (operator_id, account_kind, account_ref) WHERE status = 'held';

-- What a start reserves (the hold is the lesser of this and what is available).
ALTER TABLE wallet_settings ADD COLUMN start_hold_fen bigint NOT NULL DEFAULT 3000 CHECK (start_hold_fen >= 0);

-- Why the watcher stopped a session, in words, next to the figures it used.
ALTER TABLE wallet_session_stops ADD COLUMN hold_fen bigint NOT NULL DEFAULT 0;
ALTER TABLE wallet_session_stops ADD COLUMN reason text;
