-- Remote starts the platform asked a charger for (app, partner, staff): the next StartTransaction on
-- that connector with that idTag claims it and inherits its origin, partner and driver.
CREATE TABLE pending_remote_starts (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  charger_id text NOT NULL,
  connector_id int,                   -- null: any connector of the charger
  id_tag text NOT NULL,
  origin text NOT NULL CHECK (origin IN ('app', 'partner', 'staff')),
  driver_phone text,
  partner_id text,
  start_charge_seq text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  claimed_session_id bigint,
  claimed_at timestamptz
);
CREATE INDEX pending_remote_starts_open ON pending_remote_starts (charger_id, id_tag) WHERE claimed_session_id IS NULL;

-- What the charger reported that fits no session: StopTransaction for an unknown transactionId,
-- a second stop with a different meterStop, ... Kept for the anomaly rules and for support.
CREATE TABLE session_anomalies (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  charger_id text NOT NULL,
  connector_id int,
  session_id bigint,
  kind text NOT NULL,                 -- unknown_transaction, stop_mismatch, ...
  transaction_id bigint,
  details jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_anomalies_operator ON session_anomalies (operator_id, at);
CREATE INDEX session_anomalies_session ON session_anomalies (session_id);

-- The answer given to the first StopTransaction, returned unchanged to every duplicate.
ALTER TABLE sessions ADD COLUMN stop_answer jsonb;
