-- The one normalised charging session, whatever started it (charger, app/H5, partner, staff).
-- id is the OCPP transactionId handed to the charger.
CREATE TABLE sessions (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  station_id text,
  charger_id text NOT NULL,
  connector_id int NOT NULL,
  origin text NOT NULL DEFAULT 'charger' CHECK (origin IN ('charger', 'app', 'partner', 'staff')),
  id_tag text,
  id_tag_status text,                 -- Accepted | Invalid | Blocked | Expired | ConcurrentTx, as answered at start
  driver_phone text,
  partner_id text,                    -- roaming partner operator id, for partner sessions
  start_charge_seq text,              -- the partner's StartChargeSeq
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'finished')),
  meter_start_wh bigint NOT NULL,
  meter_stop_wh bigint,
  started_at timestamptz NOT NULL,    -- the charger's own timestamps
  stopped_at timestamptz,
  charging_ended_at timestamptz,      -- energy stopped flowing (StopTransaction, or Finishing/SuspendedEV with no power)
  unplugged_at timestamptz,           -- connector Available again after the session: idle time ends
  stop_reason text,                   -- OCPP reason (Local, Remote, EVDisconnected, ...) or PlatformStop
  stop_id_tag text,
  soc_start int,
  soc_end int,
  last_energy_wh bigint,              -- latest energy register reading
  last_power_w bigint,
  last_sample_at timestamptz,
  tariff_version_id bigint,           -- frozen when the session starts
  live_cost jsonb,                    -- running price while active (pricing engine output)
  flags text[] NOT NULL DEFAULT '{}', -- unknown_id_tag, invalid_id_tag, meter_rollback, stop_mismatch, offline_late, no_stop (charger offline), ...
  transaction_data jsonb,
  start_dedupe_key text UNIQUE,       -- charger|connector|idTag|timestamp|meterStart: a retried StartTransaction gets the same id
  start_received_at timestamptz NOT NULL DEFAULT now(),
  stop_received_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_operator_started ON sessions (operator_id, started_at);
CREATE INDEX sessions_charger ON sessions (charger_id, connector_id, started_at);
CREATE INDEX sessions_active ON sessions (charger_id, connector_id) WHERE status = 'active';
CREATE INDEX sessions_seq ON sessions (partner_id, start_charge_seq);

-- Every sampled value, normalised: energy registers in Wh whatever the unit, power in W,
-- current in A, voltage in V, SoC in percent. Per-phase values keep their phase and are
-- never summed into the total.
CREATE TABLE meter_samples (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  session_id bigint,
  charger_id text NOT NULL,
  connector_id int NOT NULL,
  at timestamptz NOT NULL,
  measurand text NOT NULL,            -- Energy.Active.Import.Register, Power.Active.Import, Current.Import, Voltage, SoC, ...
  phase text,
  location text,
  context text,                       -- Sample.Periodic, Transaction.Begin, Transaction.End, Sample.Clock, ...
  unit text NOT NULL,                 -- unit after normalisation (Wh, W, A, V, Percent, ...)
  value numeric NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meter_samples_session ON meter_samples (session_id, at);
CREATE INDEX meter_samples_charger ON meter_samples (charger_id, at);
