-- Issue 17: spending limits and provisioning keys.
-- A department named by a provisioning document keeps that document's id (external_id), so
-- provisioning the same document again updates it instead of adding another.
ALTER TABLE enterprise_departments ADD COLUMN external_id text;
CREATE UNIQUE INDEX enterprise_departments_external ON enterprise_departments (operator_id, enterprise_id, external_id) WHERE external_id IS NOT NULL;

-- Monthly caps (operator time zone) and an optional per-session cap; null = no cap. A department's
-- caps cover its whole subtree.
ALTER TABLE enterprise_departments ADD COLUMN monthly_amount_fen bigint CHECK (monthly_amount_fen >= 0);
ALTER TABLE enterprise_departments ADD COLUMN monthly_energy_wh bigint CHECK (monthly_energy_wh >= 0);
ALTER TABLE enterprise_departments ADD COLUMN per_session_amount_fen bigint CHECK (per_session_amount_fen >= 0);
ALTER TABLE enterprise_members ADD COLUMN monthly_amount_fen bigint CHECK (monthly_amount_fen >= 0);
ALTER TABLE enterprise_members ADD COLUMN monthly_energy_wh bigint CHECK (monthly_energy_wh >= 0);
ALTER TABLE enterprise_members ADD COLUMN per_session_amount_fen bigint CHECK (per_session_amount_fen >= 0);
