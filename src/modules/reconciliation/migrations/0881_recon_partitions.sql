-- Reconciliation at scale (issue 12): a run works in hash partitions with bounded memory and resumes
-- where it stopped after a crash.

-- The partner's side, kept with the run until it is done: parsed and stored in the request's
-- transaction (a bad statement stores nothing), read back one partition at a time. bucket =
-- abs(hashtext(StartChargeSeq) % 1024), or of the connector for a row without StartChargeSeq.
CREATE TABLE recon_statement_rows (
  run_id bigint NOT NULL REFERENCES recon_runs (id) ON DELETE CASCADE,
  bucket int NOT NULL,
  row_no int NOT NULL,
  seq text,
  connector text,
  start_ms bigint,
  end_ms bigint,
  wh bigint NOT NULL,
  elec_fen bigint,
  service_fen bigint,
  total_fen bigint NOT NULL,
  PRIMARY KEY (run_id, bucket, row_no)
);

-- Each part of a run commits with its marker: a run started again skips what is marked, and two
-- workers on one run never store a part twice (the second waits on the marker, then skips).
-- phase: 'stage' (the partner's side is stored), 'seq' (a partition matched by StartChargeSeq),
-- 'loose' (a partition of connectors matched by connector + time).
CREATE TABLE recon_run_parts (
  run_id bigint NOT NULL REFERENCES recon_runs (id) ON DELETE CASCADE,
  phase text NOT NULL CHECK (phase IN ('stage', 'seq', 'loose')),
  part int NOT NULL,
  items int NOT NULL DEFAULT 0,
  done_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, phase, part)
);

-- How many partitions the run uses (fixed once, so a resumed run cuts the same way).
ALTER TABLE recon_runs ADD COLUMN parts int CHECK (parts BETWEEN 1 AND 1024);
-- An order of ours the partner lacks by StartChargeSeq waits here for the connector + time pass
-- (bucket of its connector); NULL once it is final.
ALTER TABLE recon_items ADD COLUMN loose_bucket int;
CREATE INDEX recon_items_loose ON recon_items (run_id, loose_bucket) WHERE loose_bucket IS NOT NULL;
