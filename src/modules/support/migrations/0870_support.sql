-- The support desk: cases in the operator's case-log format, their analysis entries and
-- attachments, the phone-reveal audit and the operator's support settings. Other modules' data is
-- read through their functions; nothing here references their tables.

-- Per operator: may operator_staff reveal phone numbers (admins always may).
CREATE TABLE support_settings (
  operator_id text PRIMARY KEY,
  staff_may_reveal boolean NOT NULL DEFAULT false,
  updated_by text,
  updated_at timestamptz NOT NULL
);

-- The case number's n, per operator ({operator}_case#{n}_{yyyyMMdd}).
CREATE TABLE support_case_counters (
  operator_id text PRIMARY KEY,
  last_n int NOT NULL
);

CREATE TABLE support_cases (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  n int NOT NULL,
  case_no text NOT NULL,
  case_date text NOT NULL,                -- yyyyMMdd in the operator's time zone (日期)
  status text NOT NULL DEFAULT 'in_progress' CHECK (status IN ('resolved', 'in_progress', 'on_hold')),
  order_no text,                          -- the order the case was made from, if any
  station_id text,
  charger_id text,
  phone text,                             -- full number; shown masked, revealed only through the audited reveal
  fields jsonb NOT NULL DEFAULT '{}'::jsonb,  -- the template's field values as text (日期 … 近期故障状态, phone apart)
  description text NOT NULL DEFAULT '',   -- 问题描述
  operator_findings text NOT NULL DEFAULT '', -- 运营商初步排查结果
  resolution text NOT NULL DEFAULT '',    -- 解决
  assignees text[] NOT NULL DEFAULT '{}', -- 跟进
  search_text text NOT NULL DEFAULT '',   -- everything searchable, lower-cased (exact check after the index)
  search tsvector NOT NULL DEFAULT ''::tsvector, -- unigrams and bigrams of Han text, words of the rest (search.ts)
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (operator_id, n),
  UNIQUE (operator_id, case_no)
);
CREATE INDEX support_cases_operator ON support_cases (operator_id, created_at);
CREATE INDEX support_cases_status ON support_cases (operator_id, status, created_at);
CREATE INDEX support_cases_order ON support_cases (operator_id, order_no);
CREATE INDEX support_cases_search ON support_cases USING gin (search);

CREATE TABLE support_case_analysis (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  case_id bigint NOT NULL REFERENCES support_cases (id) ON DELETE CASCADE,
  author text NOT NULL,                   -- 【author】 as the log writes it
  text text NOT NULL,
  created_by text NOT NULL,               -- the user who wrote it down
  created_at timestamptz NOT NULL
);
CREATE INDEX support_case_analysis_case ON support_case_analysis (case_id, id);

-- Attachments are kept in the database (bytea): every node and every backup has them, PGlite too.
CREATE TABLE support_case_attachments (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  case_id bigint NOT NULL REFERENCES support_cases (id) ON DELETE CASCADE,
  filename text NOT NULL,
  content_type text NOT NULL,
  size int NOT NULL,
  sha256 text NOT NULL,
  content bytea NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX support_case_attachments_case ON support_case_attachments (case_id, id);

-- Every phone number shown in full: who, when, which number, why, and how (reveal or case export).
CREATE TABLE support_reveals (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  actor text NOT NULL,
  actor_role text NOT NULL,
  phone text NOT NULL,
  order_no text,
  case_id bigint,
  via text NOT NULL CHECK (via IN ('reveal', 'case_export')),
  reason text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX support_reveals_operator ON support_reveals (operator_id, at);
