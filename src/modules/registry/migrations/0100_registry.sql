CREATE TABLE operators (
  id text PRIMARY KEY,
  name text NOT NULL,
  tcec_operator_id text,
  timezone text NOT NULL DEFAULT 'Asia/Shanghai',
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stations (
  operator_id text NOT NULL REFERENCES operators(id),
  id text NOT NULL,
  name text NOT NULL,
  city text,
  area_code text,
  address text,
  lat numeric(10, 6),
  lng numeric(10, 6),
  status text NOT NULL DEFAULT 'operational',
  tariff_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id)
);
CREATE INDEX stations_operator ON stations (operator_id);

-- id is the OCPP charge box id (20 digits in the field, e.g. 44030700030000200016): globally unique
-- because it is the WebSocket path.
CREATE TABLE chargers (
  id text PRIMARY KEY,
  operator_id text NOT NULL REFERENCES operators(id),
  station_id text REFERENCES stations(id),
  auth_key_hash text,
  commissioned boolean NOT NULL DEFAULT true,
  tariff_id text,
  vendor text,
  model text,
  serial_number text,
  firmware_version text,
  iccid text,
  imsi text,
  meter_type text,
  registration_status text,
  last_boot_at timestamptz,
  last_seen_at timestamptz,
  connected boolean NOT NULL DEFAULT false,
  connected_node text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX chargers_operator ON chargers (operator_id);
CREATE INDEX chargers_station ON chargers (station_id);

CREATE TABLE connectors (
  charger_id text NOT NULL REFERENCES chargers(id),
  connector_id int NOT NULL CHECK (connector_id >= 1),
  operator_id text NOT NULL REFERENCES operators(id),
  type text NOT NULL CHECK (type IN ('DC', 'AC')),
  max_power_w bigint NOT NULL,
  status text NOT NULL DEFAULT 'Unavailable',
  error_code text NOT NULL DEFAULT 'NoError',
  status_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (charger_id, connector_id)
);
CREATE INDEX connectors_operator ON connectors (operator_id);
