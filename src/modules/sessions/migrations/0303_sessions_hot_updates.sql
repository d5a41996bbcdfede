-- Every MeterValues frame moves its session's running readings forward (last_energy_wh, last_power_w,
-- last_sample_at: none indexed). With full pages each such UPDATE wrote a new tuple into all six of
-- the table's indexes and left a dead one behind (bench ocpp: 51,118 updates, 1,156 HOT). Room on the
-- page lets PostgreSQL update the row in place (heap-only tuple): no index writes. Applies to pages
-- written from now on; a VACUUM FULL would rewrite older ones.
ALTER TABLE sessions SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.05);
