-- One row per live gateway node: renewed periodically; a node whose lease expired is dead, and any
-- other node closes its open ocpp_connections rows (end time = the lease expiry) and releases its chargers.
CREATE TABLE ocpp_node_leases (
  node_id text PRIMARY KEY,
  started_at timestamptz NOT NULL,
  renewed_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX ocpp_node_leases_expiry ON ocpp_node_leases (expires_at);
