-- Firmware advisories, files and campaigns (issue 13).
CREATE TABLE firmware_advisories (
  operator_id text NOT NULL,
  id text NOT NULL,
  vendor text NOT NULL,
  model_pattern text NOT NULL,        -- regular expressions (JavaScript syntax), matched against the BootNotification fields
  version_pattern text NOT NULL,
  text text NOT NULL,
  severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  updated_by text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (operator_id, id)
);

CREATE TABLE firmware_files (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  name text NOT NULL,
  version text NOT NULL,              -- the version the file installs: success is confirmed by this in the next BootNotification
  sha256 text NOT NULL,
  size_bytes int NOT NULL,
  content bytea NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX firmware_files_operator ON firmware_files (operator_id, created_at DESC);

CREATE TABLE firmware_campaigns (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  file_id bigint NOT NULL REFERENCES firmware_files(id),
  target jsonb NOT NULL,              -- what was asked: {advisoryId} | {model} | {version} | {chargerIds}
  waves int[] NOT NULL,               -- cumulative percentages, e.g. {5,25,100}
  failure_threshold_pct int NOT NULL,
  token_sealed text NOT NULL,         -- the download token (sealed with SECRETS_KEY); the URL carries it
  token_sha256 text NOT NULL,
  current_wave int NOT NULL DEFAULT 1,
  status text NOT NULL CHECK (status IN ('running', 'halted', 'completed')),
  halted_reason text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- One row per charger of a campaign. state: waiting (its wave has not started, or it was offline),
-- sent (UpdateFirmware accepted), the charger's FirmwareStatusNotification statuses, then
-- succeeded (the next BootNotification names the new version) or failed.
CREATE TABLE firmware_campaign_targets (
  campaign_id bigint NOT NULL REFERENCES firmware_campaigns(id),
  operator_id text NOT NULL,
  charger_id text NOT NULL,
  wave int NOT NULL,
  state text NOT NULL,
  from_version text,
  attempts int NOT NULL DEFAULT 0,
  last_error text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (campaign_id, charger_id)
);
CREATE INDEX firmware_campaign_targets_charger ON firmware_campaign_targets (charger_id) WHERE state NOT IN ('succeeded', 'failed');
