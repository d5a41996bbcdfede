-- meter_samples becomes a table partitioned by month of received_at (issue 15): retention drops
-- whole months (DROP TABLE of a partition: no DELETE, no bloat, no vacuum), and each month's
-- indexes stay small. received_at (the server's time) is the key, not the charger's `at`: a charger
-- may report any year, the server's clock only moves forward. Rows outside every monthly partition
-- (a server down for months) land in meter_samples_default; the maintenance (partitions.ts) moves
-- them into their month when it creates it.
ALTER TABLE meter_samples RENAME TO meter_samples_unpartitioned;
ALTER INDEX meter_samples_session RENAME TO meter_samples_unpartitioned_session;
ALTER INDEX meter_samples_charger RENAME TO meter_samples_unpartitioned_charger;
ALTER SEQUENCE meter_samples_id_seq OWNED BY NONE;

CREATE TABLE meter_samples (
  id bigint NOT NULL DEFAULT nextval('meter_samples_id_seq'),
  operator_id text NOT NULL,
  session_id bigint,
  charger_id text NOT NULL,
  connector_id int NOT NULL,
  at timestamptz NOT NULL,
  measurand text NOT NULL,
  phase text,
  location text,
  context text,
  unit text NOT NULL,
  value numeric NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, received_at)
) PARTITION BY RANGE (received_at);
ALTER SEQUENCE meter_samples_id_seq OWNED BY meter_samples.id;
CREATE INDEX meter_samples_session ON meter_samples (session_id, at);
CREATE INDEX meter_samples_charger ON meter_samples (charger_id, at);
CREATE TABLE meter_samples_default PARTITION OF meter_samples DEFAULT;

-- One partition per month from the oldest sample kept to three months ahead.
DO $$
DECLARE
  -- UTC months (the maintenance uses the same bounds whatever the session's TimeZone)
  m timestamp := date_trunc('month', LEAST(now(), COALESCE((SELECT min(received_at) FROM meter_samples_unpartitioned), now())) AT TIME ZONE 'UTC');
BEGIN
  WHILE m < date_trunc('month', now() AT TIME ZONE 'UTC') + interval '4 months' LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF meter_samples FOR VALUES FROM (%L) TO (%L)',
      'meter_samples_' || to_char(m, 'YYYYMM'), m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');
    m := m + interval '1 month';
  END LOOP;
END $$;

INSERT INTO meter_samples SELECT id, operator_id, session_id, charger_id, connector_id, at, measurand, phase, location, context, unit, value, received_at FROM meter_samples_unpartitioned;
DROP TABLE meter_samples_unpartitioned;
