-- Failed staff logins per (username, client address) for throttling: 10 within 15 minutes and that
-- pair gets 429 until the window passes (docs/security.md). In the database so every node counts
-- the same; rows older than the window are pruned as new ones arrive.
CREATE TABLE login_failures (
  id bigserial PRIMARY KEY,
  username text NOT NULL,
  client_ip text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (username, client_ip, at);
CREATE INDEX login_failures_at ON login_failures (at);
