-- Support reads the envelopes of one session by time (and the retention purge deletes by time).
CREATE INDEX roaming_envelopes_at ON roaming_envelopes (operator_id, at);
