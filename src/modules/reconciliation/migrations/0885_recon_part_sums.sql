-- Each part of a run keeps its counts and sums per class (a connector + time part: what it changed),
-- so a run's summary adds up a few parts instead of reading a million items again (0.3 s at a
-- million, bench/reconciliation). A part stored before this column has none: the summary then reads
-- the items as before.
ALTER TABLE recon_run_parts ADD COLUMN sums jsonb;
