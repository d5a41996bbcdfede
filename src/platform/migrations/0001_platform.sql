-- Cross-cutting tables: staff accounts, settings, the durable outbox, the inbox and the audit trail.
CREATE TABLE platform_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- operator_id is null only for platform admins.
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  operator_id text,
  username text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('platform_admin', 'operator_admin', 'operator_staff')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'platform_admin') = (operator_id IS NULL))
);

-- Durable outbound delivery and durable timers: a row is due at next_attempt_at; rows sharing an
-- ordering_key are delivered strictly in id order.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  operator_id text,
  topic text NOT NULL,
  ordering_key text,
  dedupe_key text UNIQUE,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead', 'cancelled')),
  attempts int NOT NULL DEFAULT 0,
  max_attempts int NOT NULL DEFAULT 10,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  last_error text,
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX outbox_ordering ON outbox (ordering_key, id) WHERE status = 'pending';
CREATE INDEX outbox_operator ON outbox (operator_id, status, id);

-- Every inbound message that is not an OCPP frame (partner calls, payment callbacks) is stored here first.
CREATE TABLE inbox (
  id bigserial PRIMARY KEY,
  operator_id text,
  source text NOT NULL,
  kind text NOT NULL,
  dedupe_key text,
  headers jsonb,
  body text NOT NULL,
  decoded jsonb,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  outcome text,
  error text
);
CREATE INDEX inbox_source ON inbox (operator_id, source, received_at);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  operator_id text,
  actor text NOT NULL,
  action text NOT NULL,
  entity text NOT NULL,
  entity_id text NOT NULL,
  reason text,
  before jsonb,
  after jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_entity ON audit_log (operator_id, entity, entity_id, at);
