-- A run stores a million matched items and a few thousand differences. The b-tree over every item
-- (run, class, id) cost 1–1.5 s of a run's INSERT (bench/reconciliation); it now holds the
-- differences only, which the console lists, filters and resolves. The matched items of a run are
-- found through a BRIN index on run_id (a run's items are written together), which costs nearly
-- nothing to keep: listing or exporting them reads the run's block range.
DROP INDEX recon_items_run;
CREATE INDEX recon_items_run ON recon_items (run_id, class, id) WHERE class <> 'matched';
CREATE INDEX recon_items_run_brin ON recon_items USING brin (run_id);
