-- A run's differences are stored with COPY (execute.ts storeItems): a third of the time of an INSERT
-- from a JSON document, which parsed every item's detail twice (bench/reconciliation). COPY cannot
-- compute a value, so a waiting item keeps its connector and the database derives the bucket of the
-- connector + time pass from it (the expression stage.ts's rows use, migration 0882).
ALTER TABLE recon_items ADD COLUMN loose_conn text;
-- an item waiting when this runs keeps its place: its connector is the one of its only record
UPDATE recon_items SET loose_conn = coalesce(detail->'ours'->0->>'connector', '') WHERE loose_bucket IS NOT NULL;
DROP INDEX recon_items_loose;
ALTER TABLE recon_items DROP COLUMN loose_bucket;
ALTER TABLE recon_items ADD COLUMN loose_bucket int GENERATED ALWAYS AS (abs(hashtext(loose_conn) % 1024)) STORED;
CREATE INDEX recon_items_loose ON recon_items (run_id, loose_bucket) WHERE loose_bucket IS NOT NULL;
