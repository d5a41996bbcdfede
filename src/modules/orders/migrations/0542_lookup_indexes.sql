-- Partner reconciliation (issue 12) reads one partner's orders whose charging ENDED in a month, in
-- keyset batches on (end_time, id): a range scan of that partner's month instead of a filter over
-- every order of the operator. Only partner orders carry partner_id, so the index is partial.
CREATE INDEX orders_partner_end ON orders (operator_id, partner_id, end_time, id) WHERE partner_id IS NOT NULL;

-- Support look-up by charger id (issue 14): newest 50 orders of a charger, whatever its gun, as a
-- bounded backward index scan (orders_charger_time has connector_id before start_time, so a busy
-- charger's whole history was read and sorted to find its newest orders).
CREATE INDEX orders_charger_recent ON orders (operator_id, charger_id, start_time);
