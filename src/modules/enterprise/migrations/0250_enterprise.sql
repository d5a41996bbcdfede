-- Enterprise accounts (in the wallet range: the enterprise module pays through the wallet's ledger).
CREATE TABLE enterprises (
  operator_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL,
  credit_limit_fen bigint NOT NULL DEFAULT 0 CHECK (credit_limit_fen >= 0),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  contact text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, id)
);

-- A department tree. Deleting is soft (deleted_at) and covers the whole subtree in one transaction,
-- so no live department ever hangs under a deleted one (case 8: abandoned departments broke pickers).
CREATE TABLE enterprise_departments (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  enterprise_id text NOT NULL,
  parent_id bigint REFERENCES enterprise_departments (id),
  name text NOT NULL,
  deleted_at timestamptz,
  deleted_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (operator_id, enterprise_id) REFERENCES enterprises (operator_id, id)
);
CREATE INDEX enterprise_departments_live ON enterprise_departments (operator_id, enterprise_id) WHERE deleted_at IS NULL;
-- Two live sibling departments never share a name (root siblings: parent_id null → 0).
CREATE UNIQUE INDEX enterprise_departments_name ON enterprise_departments (operator_id, enterprise_id, COALESCE(parent_id, 0), name) WHERE deleted_at IS NULL;

-- A driver belongs to at most one enterprise and sits in one of its live departments.
CREATE TABLE enterprise_members (
  operator_id text NOT NULL,
  driver_phone text NOT NULL,
  enterprise_id text NOT NULL,
  department_id bigint NOT NULL REFERENCES enterprise_departments (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, driver_phone),
  FOREIGN KEY (operator_id, driver_phone) REFERENCES drivers (operator_id, phone),
  FOREIGN KEY (operator_id, enterprise_id) REFERENCES enterprises (operator_id, id)
);
CREATE INDEX enterprise_members_dept ON enterprise_members (department_id);
