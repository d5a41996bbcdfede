-- Partner reconciliation (issue 12): runs over [from, to), one item per StartChargeSeq or unpaired
-- row, every resolution kept with who, when and why.

-- Per partner: the statement column mapping and the tolerances (defaults: 0.01 kWh, 0.01 yuan).
CREATE TABLE recon_partner_settings (
  operator_id text NOT NULL,
  partner_id text NOT NULL,
  mapping jsonb,
  energy_tolerance_wh int NOT NULL DEFAULT 10 CHECK (energy_tolerance_wh >= 0),
  money_tolerance_fen int NOT NULL DEFAULT 1 CHECK (money_tolerance_fen >= 0),
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, partner_id)
);

CREATE TABLE recon_runs (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  partner_id text NOT NULL,
  period_from timestamptz NOT NULL,
  period_to timestamptz NOT NULL CHECK (period_to > period_from),
  source text NOT NULL CHECK (source IN ('check_charge_orders', 'statement')),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'open', 'closed', 'failed')),
  -- rows read / items stored so far, for the console's progress bar
  progress jsonb NOT NULL DEFAULT '{}'::jsonb,
  summary jsonb,
  error text,
  started_by text NOT NULL,
  -- the scheduled run of a month is made once per (operator, partner, month)
  schedule_key text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  closed_at timestamptz
);
CREATE INDEX recon_runs_partner ON recon_runs (operator_id, partner_id, period_from DESC);

-- Matched items keep only the figures (a month of a busy partner is a million rows); the others
-- keep both sides' records, the computed hints and the resolution.
CREATE TABLE recon_items (
  id bigserial PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES recon_runs (id) ON DELETE CASCADE,
  operator_id text NOT NULL,
  class text NOT NULL CHECK (class IN ('matched', 'missing_at_partner', 'missing_here', 'energy_mismatch', 'amount_mismatch', 'anomaly', 'duplicate')),
  order_no text,
  start_charge_seq text,
  ours_wh bigint,
  ours_fen bigint,
  theirs_wh bigint,
  theirs_fen bigint,
  stake_fen bigint NOT NULL DEFAULT 0,
  detail jsonb,
  hints jsonb,
  resolution jsonb,
  resolved_at timestamptz
);
CREATE INDEX recon_items_run ON recon_items (run_id, class, id);
CREATE INDEX recon_items_open ON recon_items (run_id) WHERE class <> 'matched' AND resolved_at IS NULL;
