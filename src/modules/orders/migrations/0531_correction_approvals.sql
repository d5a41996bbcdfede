-- Issue 11, point 10: a staff member's corrections are limited per operator day (cumulative), and a
-- correction over the limit waits for an operator admin.
CREATE TABLE order_settings (
  operator_id text PRIMARY KEY,
  staff_daily_correction_limit_fen bigint NOT NULL DEFAULT 10000 CHECK (staff_daily_correction_limit_fen >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every correction by operator_staff that changed a bill (applied: counted against the day's limit),
-- and every one over the limit (pending_approval → approved | rejected by an operator admin).
CREATE TABLE order_correction_requests (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  order_no text NOT NULL REFERENCES orders (order_no),
  base_version int NOT NULL,                 -- the version the correction was made on
  requested_by text NOT NULL,
  op_day date NOT NULL,                      -- the operator's local day of the request
  counted_fen bigint NOT NULL CHECK (counted_fen >= 0), -- how much the bill changes
  request jsonb NOT NULL,                    -- the correction body (inputs, reason, notifyDriver)
  status text NOT NULL CHECK (status IN ('applied', 'pending_approval', 'approved', 'rejected')),
  result_version int,
  decided_by text,
  decided_at timestamptz,
  decision_reason text,
  created_at timestamptz NOT NULL
);
CREATE INDEX order_correction_requests_usage ON order_correction_requests (operator_id, requested_by, op_day) WHERE status = 'applied';
CREATE INDEX order_correction_requests_pending ON order_correction_requests (operator_id, created_at) WHERE status = 'pending_approval';
