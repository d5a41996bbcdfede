-- A run numbers a million matched items from recon_items_id_seq inside one INSERT (sql-match.ts):
-- each nextval locked the sequence's page and every 32nd wrote WAL. A backend now takes 1,000
-- numbers at a time. Ids stay unique, increasing within a backend's block; a block left unused
-- (a backend that ends) leaves a gap, which no reader relies on.
ALTER SEQUENCE recon_items_id_seq CACHE 1000;
