-- Issue 17 point 4: the statement of each month, issued on the 1st (operator time zone) for the month
-- before and kept as it was issued (the lines and totals the files are rendered from), so the
-- document an enterprise downloads later is the one issued, whatever was renamed or moved since.
CREATE TABLE enterprise_statements (
  operator_id text NOT NULL,
  enterprise_id text NOT NULL,
  month text NOT NULL CHECK (month ~ '^\d{4}-(0[1-9]|1[0-2])$'),
  issued_at timestamptz NOT NULL,
  amount_fen bigint NOT NULL,
  line_count integer NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (operator_id, enterprise_id, month),
  FOREIGN KEY (operator_id, enterprise_id) REFERENCES enterprises (operator_id, id)
);
