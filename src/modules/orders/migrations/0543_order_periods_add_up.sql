-- Partner reconciliation (issue 12) asks of every order whether its priced periods add up to its
-- energy, electricity and service totals (an order whose periods do not is an `anomaly`). Asked of
-- a month's orders at run time, that took 2.9-3.2 s per 500,000 orders with two periods each
-- (psql, bench/reconciliation data) - most of a run. The answer changes only when the order is
-- written, so the order keeps it: a stored generated column, computed once per write.
-- false unless the periods (if any) are numbers that add up to the totals; no periods: true.
CREATE FUNCTION order_periods_add_up(periods jsonb, wh bigint, elec bigint, serv bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(CASE WHEN jsonb_typeof(periods) = 'array' AND jsonb_array_length(periods) > 0 THEN (
    SELECT coalesce(bool_and(jsonb_typeof(e->'wh') = 'number' AND jsonb_typeof(e->'electricityFen') = 'number' AND jsonb_typeof(e->'serviceFen') = 'number'), false)
      AND sum(CASE WHEN jsonb_typeof(e->'wh') = 'number' THEN (e->>'wh')::numeric END) = wh
      AND sum(CASE WHEN jsonb_typeof(e->'electricityFen') = 'number' THEN (e->>'electricityFen')::numeric END) = elec
      AND sum(CASE WHEN jsonb_typeof(e->'serviceFen') = 'number' THEN (e->>'serviceFen')::numeric END) = serv
    FROM jsonb_array_elements(periods) e)
  ELSE true END, false)
$$;
ALTER TABLE orders ADD COLUMN periods_add_up boolean NOT NULL
  GENERATED ALWAYS AS (order_periods_add_up(periods, energy_wh, electricity_fen, service_fen)) STORED;
