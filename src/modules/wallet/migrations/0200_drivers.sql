CREATE TABLE drivers (
  operator_id text NOT NULL,
  phone text NOT NULL,
  name text,
  plates text[] NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
  opening_balance_fen bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, phone)
);

-- RFID card numbers and app tags. Looked up by (operator, id) on every Authorize/StartTransaction.
CREATE TABLE id_tags (
  operator_id text NOT NULL,
  id text NOT NULL,
  driver_phone text,
  kind text NOT NULL DEFAULT 'card' CHECK (kind IN ('card', 'app', 'partner')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'expired')),
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, id),
  FOREIGN KEY (operator_id, driver_phone) REFERENCES drivers (operator_id, phone)
);
