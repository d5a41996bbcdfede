-- The connector + time pass reads the partner's rows without StartChargeSeq (about 1 % of a
-- statement) one connector partition at a time; through the run's BRIN range each partition read
-- every staged row of the run (0.1–0.3 s at a million, bench/reconciliation). A partial index holds
-- only those rows, so it costs the COPY of the other 99 % nothing.
CREATE INDEX recon_statement_rows_loose ON recon_statement_rows (run_id, bucket) WHERE seq IS NULL;
