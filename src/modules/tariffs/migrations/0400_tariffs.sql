CREATE TABLE tariffs (
  operator_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, id)
);

-- A version is immutable once a session has frozen it; edits add a version.
CREATE TABLE tariff_versions (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  tariff_id text NOT NULL,
  effective_from timestamptz NOT NULL,
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (operator_id, tariff_id, effective_from),
  FOREIGN KEY (operator_id, tariff_id) REFERENCES tariffs (operator_id, id)
);
