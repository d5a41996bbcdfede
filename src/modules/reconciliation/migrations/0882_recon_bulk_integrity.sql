-- A run stores a million items and a million staged partner rows (bench/reconciliation). A foreign
-- key checks its parent once per row (a key-share lookup of recon_runs each time): about half of
-- the time of the INSERT of a run's matched items. The same rule is kept per statement instead:
-- one check over all the rows a statement inserted, and the cascade on delete as before.
ALTER TABLE recon_items DROP CONSTRAINT recon_items_run_id_fkey;
ALTER TABLE recon_statement_rows DROP CONSTRAINT recon_statement_rows_run_id_fkey;

CREATE FUNCTION recon_rows_need_run() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT run_id FROM new_rows) n WHERE NOT EXISTS (SELECT 1 FROM recon_runs r WHERE r.id = n.run_id)) THEN
    RAISE EXCEPTION 'insert on table "%" violates the rule that its run exists in "recon_runs"', TG_TABLE_NAME USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER recon_items_need_run AFTER INSERT ON recon_items REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION recon_rows_need_run();
CREATE TRIGGER recon_statement_rows_need_run AFTER INSERT ON recon_statement_rows REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION recon_rows_need_run();

CREATE FUNCTION recon_runs_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM recon_items i USING old_rows o WHERE i.run_id = o.id;
  DELETE FROM recon_statement_rows s USING old_rows o WHERE s.run_id = o.id;
  RETURN NULL;
END $$;
CREATE TRIGGER recon_runs_cascade AFTER DELETE ON recon_runs REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION recon_runs_cascade();

-- The partner's rows are stored with COPY (stage.ts): the bucket is computed by the database as
-- the rows arrive (the same expression as orders.seqBucketSql over 1024 buckets), and the rows of a
-- run are found through a BRIN index on run_id (a run's rows are stored together, in one
-- transaction) instead of a b-tree over (run_id, bucket, row_no): the b-tree's random inserts were
-- half of the cost of storing a million-row statement. row_no stays unique within a run by
-- construction: a run's rows are stored once, by the transaction that marks its 'stage' part.
ALTER TABLE recon_statement_rows DROP CONSTRAINT recon_statement_rows_pkey;
ALTER TABLE recon_statement_rows DROP COLUMN bucket;
ALTER TABLE recon_statement_rows ADD COLUMN bucket int GENERATED ALWAYS AS (abs(hashtext(coalesce(seq, connector, '')) % 1024)) STORED;
CREATE INDEX recon_statement_rows_run ON recon_statement_rows USING brin (run_id);
