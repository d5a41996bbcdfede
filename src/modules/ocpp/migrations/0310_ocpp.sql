-- Every OCPP frame in and out, stored before it is acted on. message_type: 2 CALL, 3 CALLRESULT,
-- 4 CALLERROR, null when the frame could not be parsed (raw keeps its text then).
CREATE TABLE ocpp_messages (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  charger_id text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  message_type int,
  message_id text,
  action text,
  payload jsonb,
  raw text,
  error_code text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ocpp_messages_charger_at ON ocpp_messages (charger_id, at);
CREATE INDEX ocpp_messages_at ON ocpp_messages (at);

-- Every StatusNotification: the charger's "recent faults". connector_id 0 = the whole charger.
CREATE TABLE ocpp_status_history (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  charger_id text NOT NULL,
  connector_id int NOT NULL,
  status text NOT NULL,
  error_code text NOT NULL,
  info text,
  vendor_id text,
  vendor_error_code text,
  at timestamptz NOT NULL,            -- the charger's timestamp (receive time when it sent none)
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ocpp_status_history_charger ON ocpp_status_history (charger_id, at);

-- Network history: one row per WebSocket connection.
CREATE TABLE ocpp_connections (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  charger_id text NOT NULL,
  node_id text NOT NULL,
  remote_address text,
  protocol text,
  connected_at timestamptz NOT NULL DEFAULT now(),
  disconnected_at timestamptz,
  close_code int,
  reason text
);
CREATE INDEX ocpp_connections_charger ON ocpp_connections (charger_id, connected_at);
CREATE INDEX ocpp_connections_open ON ocpp_connections (node_id) WHERE disconnected_at IS NULL;

CREATE TABLE ocpp_security_events (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  charger_id text NOT NULL,
  kind text NOT NULL,                 -- duplicate_connection, unknown_charger_admitted, SecurityEventNotification types, ...
  remote_address text,
  details jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ocpp_security_events_charger ON ocpp_security_events (charger_id, at);
CREATE INDEX ocpp_security_events_operator ON ocpp_security_events (operator_id, at);

CREATE TABLE ocpp_data_transfers (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  charger_id text NOT NULL,
  vendor_id text NOT NULL,
  message_id text,
  data text,
  status text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ocpp_data_transfers_charger ON ocpp_data_transfers (charger_id, at);

-- Firmware and diagnostics progress as last reported by the charger.
CREATE TABLE ocpp_charger_state (
  charger_id text PRIMARY KEY,
  operator_id text NOT NULL,
  firmware_status text,
  firmware_status_at timestamptz,
  diagnostics_status text,
  diagnostics_status_at timestamptz
);
