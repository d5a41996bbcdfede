-- One order per finished session. The columns carry the LATEST version's figures (what every view,
-- export and push shows); order_versions keeps every version with its full inputs and priced result.
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  order_no text NOT NULL UNIQUE,                 -- yyyyMMddHHmmss + 6 digits
  session_id bigint NOT NULL UNIQUE,             -- creating an order from a session is idempotent
  station_id text,
  station_name text,
  charger_id text NOT NULL,
  connector_id int NOT NULL,
  origin text NOT NULL,                          -- charger | app | partner | staff
  auth_method text NOT NULL,                     -- card | app | partner | staff
  id_tag text,
  driver_phone text,
  driver_name text,
  plate text,
  partner_id text,
  partner_order_no text,                         -- the partner's StartChargeSeq
  payment_method text NOT NULL CHECK (payment_method IN ('wallet', 'enterprise', 'partner', 'card')),
  status text NOT NULL CHECK (status IN ('idle', 'held', 'settled')),  -- idle: car still plugged in, idle fee accruing; held: abnormal, awaiting review
  abnormal boolean NOT NULL DEFAULT false,
  abnormal_reasons jsonb NOT NULL DEFAULT '[]'::jsonb,
  version int NOT NULL DEFAULT 1,
  start_time timestamptz NOT NULL,
  end_time timestamptz,                          -- charging end; null while a placeholder's session runs
  idle_end_time timestamptz,                     -- unplugged: the connector is free again
  occupied_until timestamptz,                    -- idle end, else charging end: what "overlapping a window" means
  duration_seconds int,
  soc_start int,
  soc_end int,
  energy_wh bigint NOT NULL DEFAULT 0,
  electricity_fen bigint NOT NULL DEFAULT 0,
  service_fen bigint NOT NULL DEFAULT 0,
  idle_fee_fen bigint NOT NULL DEFAULT 0,
  total_fen bigint NOT NULL DEFAULT 0,
  periods jsonb NOT NULL DEFAULT '[]'::jsonb,    -- latest PricedPeriod[]
  charged_fen bigint NOT NULL DEFAULT 0,         -- what the driver's account was charged so far (all versions)
  tariff_version_id bigint,
  -- occupancy longer than 2 days (or still open): the time-window search reads these apart
  long_span boolean GENERATED ALWAYS AS (occupied_until IS NULL OR occupied_until - start_time > interval '48 hours') STORED,
  settled_at timestamptz,
  reviewed_by text,
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- "who charged at this station around this time": station (or charger) + start_time range, bounded below by 2 days
CREATE INDEX orders_station_time ON orders (operator_id, station_id, start_time);
CREATE INDEX orders_charger_time ON orders (operator_id, charger_id, connector_id, start_time);
CREATE INDEX orders_operator_time ON orders (operator_id, start_time);
CREATE INDEX orders_long_span ON orders (operator_id, start_time) WHERE long_span;
CREATE INDEX orders_phone ON orders (operator_id, driver_phone, start_time);
CREATE INDEX orders_id_tag ON orders (operator_id, id_tag, start_time);
CREATE INDEX orders_partner_no ON orders (operator_id, partner_order_no);
CREATE INDEX orders_open ON orders (operator_id, status) WHERE status <> 'settled';

CREATE TABLE order_versions (
  operator_id text NOT NULL,
  order_no text NOT NULL REFERENCES orders (order_no),
  version int NOT NULL,
  source text NOT NULL CHECK (source IN ('charger', 'correction')),
  inputs jsonb NOT NULL,                         -- PricingInput (tariff version included) + stop reason
  priced jsonb NOT NULL,                         -- Priced
  total_fen bigint NOT NULL,
  reason text,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_no, version)
);
