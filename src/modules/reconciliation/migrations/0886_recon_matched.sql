-- The items a run matches inside the database (sql-match.ts: a million a month for a busy partner)
-- go to a table of their own, as lean as a row can be: no primary key b-tree, no run check per
-- statement, no partial index to test, the stake computed when read (it is |ours - theirs|). Storing
-- them in recon_items cost 1.1-1.6 s per half million; here 0.4-0.7 s (bench/reconciliation).
--
-- An item's id comes from the one numbering of recon_items (recon_items_id_seq), so ids stay unique
-- across both tables and the API's item ids do not change. The run exists: these rows are written
-- only by a run's part, in the transaction that claimed the part in recon_run_parts (a foreign key
-- to recon_runs). A run's rows are written together, so a BRIN index over (run_id, id) finds a run's
-- rows and a window of their ids (the export's pages) for almost nothing.
CREATE TABLE recon_matched (
  run_id bigint NOT NULL,
  operator_id text NOT NULL,
  id bigint NOT NULL DEFAULT nextval('recon_items_id_seq'),
  order_no text NOT NULL,
  start_charge_seq text NOT NULL,
  ours_wh bigint NOT NULL,
  ours_fen bigint NOT NULL,
  theirs_wh bigint NOT NULL,
  theirs_fen bigint NOT NULL
);
CREATE INDEX recon_matched_run ON recon_matched USING brin (run_id, id);

-- Every item of a run, wherever it is stored: what the API lists and exports.
CREATE VIEW recon_items_all AS
  SELECT id, run_id, operator_id, class, order_no, start_charge_seq, ours_wh, ours_fen, theirs_wh, theirs_fen, stake_fen, detail, hints, resolution, resolved_at
  FROM recon_items
  UNION ALL
  SELECT id, run_id, operator_id, 'matched', order_no, start_charge_seq, ours_wh, ours_fen, theirs_wh, theirs_fen, abs(ours_fen - theirs_fen), NULL::jsonb, NULL::jsonb, NULL::jsonb, NULL::timestamptz
  FROM recon_matched;

CREATE OR REPLACE FUNCTION recon_runs_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM recon_items i USING old_rows o WHERE i.run_id = o.id;
  DELETE FROM recon_matched m USING old_rows o WHERE m.run_id = o.id;
  DELETE FROM recon_statement_rows s USING old_rows o WHERE s.run_id = o.id;
  RETURN NULL;
END $$;
