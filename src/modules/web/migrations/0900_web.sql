-- One-time login codes for drivers on the H5 page (stored hashed; a code works once, for 5 minutes,
-- with at most 5 wrong tries). Rows double as the rate-limit record of codes sent per phone.
CREATE TABLE driver_login_codes (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  phone text NOT NULL,
  code_hash text NOT NULL,
  expires_at timestamptz NOT NULL,
  attempts int NOT NULL DEFAULT 0,
  used_at timestamptz,
  requested_ip text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX driver_login_codes_phone ON driver_login_codes (operator_id, phone, created_at);
