-- Configuration guard (issue 13 point 2): keys the platform sets and reads back at every accepted
-- BootNotification, per operator (off until the operator turns it on), and what each charger did.
CREATE TABLE config_guard_settings (
  operator_id text PRIMARY KEY,
  enabled boolean NOT NULL DEFAULT false,
  keys jsonb NOT NULL,                -- [{key, value}]
  updated_by text,
  updated_at timestamptz
);

CREATE TABLE charger_config_drift (
  operator_id text NOT NULL,
  charger_id text NOT NULL,
  key text NOT NULL,
  expected text NOT NULL,
  actual text,                        -- as GetConfiguration read it back; null when unknown to the charger
  change_status text,                 -- the ChangeConfiguration answer (Accepted, RebootRequired, Rejected, NotSupported) or an error
  drift boolean NOT NULL,
  checked_at timestamptz NOT NULL,
  PRIMARY KEY (charger_id, key)
);
CREATE INDEX charger_config_drift_operator ON charger_config_drift (operator_id) WHERE drift;
