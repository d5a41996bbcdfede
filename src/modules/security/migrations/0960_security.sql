-- Billing-evasion incidents (issue 13). One row per occurrence: dedupe_key is the rule's key for it
-- (live and history evaluation give the same key), so re-evaluation grows the row, never duplicates it.
CREATE TABLE security_incidents (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('meter_gap', 'energy_without_transaction', 'invalid_tag_energy', 'stop_meter_mismatch', 'main_meter_excess', 'tag_multi_connector', 'duplicate_connection', 'security_event')),
  dedupe_key text NOT NULL,
  charger_id text NOT NULL,
  station_id text,
  connector_id int,
  session_id bigint,
  from_at timestamptz NOT NULL,       -- the charger's own timestamps
  to_at timestamptz NOT NULL,
  unbilled_wh bigint NOT NULL DEFAULT 0,
  estimated_amount_fen bigint,        -- unbilled energy at the station's tariff (electricity + service) at from_at; null without a tariff
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed')),
  note text,
  decided_by text,
  decided_at timestamptz,
  evidence jsonb NOT NULL DEFAULT '[]',
  details jsonb NOT NULL DEFAULT '{}',
  source text NOT NULL CHECK (source IN ('live', 'scan')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (operator_id, dedupe_key)
);
CREATE INDEX security_incidents_operator ON security_incidents (operator_id, from_at DESC);
CREATE INDEX security_incidents_charger ON security_incidents (charger_id, from_at DESC);

-- What staff did from an incident (remote stop, connector Inoperative, quarantine, release), with the outcome.
CREATE TABLE security_incident_actions (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  incident_id bigint NOT NULL REFERENCES security_incidents(id),
  action text NOT NULL,
  actor text NOT NULL,
  outcome jsonb NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX security_incident_actions_incident ON security_incident_actions (incident_id, at);

-- A quarantined charger starts no new session (Authorize/StartTransaction answered Blocked, remote
-- starts refused with the reason) until released. One open quarantine per charger.
CREATE TABLE charger_quarantines (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  charger_id text NOT NULL,
  incident_id bigint REFERENCES security_incidents(id),
  reason text NOT NULL,
  since timestamptz NOT NULL,
  by text NOT NULL,
  released_at timestamptz,
  released_by text
);
CREATE UNIQUE INDEX charger_quarantines_open ON charger_quarantines (charger_id) WHERE released_at IS NULL;

-- Per-operator thresholds of the rules (rules.ts Thresholds; missing keys take the defaults).
CREATE TABLE security_settings (
  operator_id text PRIMARY KEY,
  thresholds jsonb NOT NULL DEFAULT '{}',
  updated_by text,
  updated_at timestamptz
);
