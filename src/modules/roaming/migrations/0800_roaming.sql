-- Roaming partners (T/CEC 102) per operator. id is the partner's 9-character T/CEC OperatorID.
-- Secrets are AES-256-GCM ciphertext (see secret-box.ts), never plain text.
CREATE TABLE roaming_partners (
  operator_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL,
  dialect text NOT NULL,
  base_url text NOT NULL,
  paths jsonb NOT NULL DEFAULT '{}'::jsonb,
  stations text[] NOT NULL DEFAULT '{}',
  start_confirm_timeout_s int NOT NULL DEFAULT 60,
  inbound_secrets text NOT NULL,
  outbound_secrets text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, id)
);
CREATE INDEX roaming_partners_id ON roaming_partners (id);

-- Every envelope in and out, raw and decrypted, for support. operator_id is null only for calls
-- from an OperatorID no operator knows.
CREATE TABLE roaming_envelopes (
  id bigserial PRIMARY KEY,
  operator_id text,
  partner_id text,
  direction text NOT NULL CHECK (direction IN ('in', 'out')),
  interface text NOT NULL,
  request_raw text,
  request_plain text,
  response_raw text,
  response_plain text,
  http_status int,
  ret int,
  error text,
  at timestamptz NOT NULL DEFAULT now(),
  done_at timestamptz
);
CREATE INDEX roaming_envelopes_partner ON roaming_envelopes (operator_id, partner_id, id);

-- Replay protection: an envelope (partner, TimeStamp, Seq) is accepted once.
CREATE TABLE roaming_seen_seqs (
  operator_id text NOT NULL,
  partner_id text NOT NULL,
  time_stamp text NOT NULL,
  seq text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, partner_id, time_stamp, seq)
);

-- Tokens we issued to partners (inbound) and the partner's token we use (outbound).
CREATE TABLE roaming_tokens (
  token text PRIMARY KEY,
  operator_id text NOT NULL,
  partner_id text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX roaming_tokens_partner ON roaming_tokens (operator_id, partner_id);
CREATE TABLE roaming_outbound_tokens (
  operator_id text NOT NULL,
  partner_id text NOT NULL,
  token text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (operator_id, partner_id)
);

-- One partner start (StartChargeSeq) and what became of it; the partner's order number beside ours.
CREATE TABLE roaming_sessions (
  operator_id text NOT NULL,
  partner_id text NOT NULL,
  start_charge_seq text NOT NULL,
  connector_code text NOT NULL,
  charger_id text NOT NULL,
  connector_id int NOT NULL,
  state text NOT NULL DEFAULT 'starting' CHECK (state IN ('starting', 'charging', 'stopping', 'ended', 'failed')),
  fail_reason int,
  session_id bigint,
  order_no text,
  started_at timestamptz,
  ended_at timestamptz,
  energy_wh bigint NOT NULL DEFAULT 0,
  status_pushes int NOT NULL DEFAULT 0,
  confirmed_at timestamptz,
  auto_stop_reason text,
  auto_stopped_at timestamptz,
  stop_requested_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, partner_id, start_charge_seq)
);
CREATE INDEX roaming_sessions_connector ON roaming_sessions (operator_id, charger_id, connector_id, state);
CREATE INDEX roaming_sessions_session ON roaming_sessions (operator_id, session_id);

-- What we pushed of each order version and what the partner answered.
CREATE TABLE roaming_order_pushes (
  operator_id text NOT NULL,
  partner_id text NOT NULL,
  order_no text NOT NULL,
  version int NOT NULL,
  start_charge_seq text NOT NULL,
  payload jsonb NOT NULL,
  total_fen bigint NOT NULL,
  total_wh bigint NOT NULL,
  end_time timestamptz NOT NULL,
  confirm_result int,
  confirmed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, order_no, version)
);
CREATE INDEX roaming_order_pushes_day ON roaming_order_pushes (operator_id, partner_id, end_time);

-- Daily reconciliation (check_charge_orders) and the partner's disputes.
CREATE TABLE roaming_checks (
  operator_id text NOT NULL,
  partner_id text NOT NULL,
  day date NOT NULL,
  check_order_seq text NOT NULL,
  sent jsonb NOT NULL,
  answer jsonb,
  answered_at timestamptz,
  PRIMARY KEY (operator_id, partner_id, day)
);
CREATE TABLE roaming_disputes (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  partner_id text NOT NULL,
  day date NOT NULL,
  start_charge_seq text NOT NULL,
  dispute_reason int NOT NULL,
  partner_total_power text,
  partner_total_money text,
  resolved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (operator_id, partner_id, day, start_charge_seq)
);
