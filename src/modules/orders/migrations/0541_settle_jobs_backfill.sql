-- The order sweep is gone: the end of a session is a durable `session.settle` outbox job written
-- with the session change (docs/architecture.md, "The stop-to-settlement pipeline"). Sessions that
-- ended, idle orders that wait and sessions that run from before this release get their jobs here,
-- once, so nothing the sweep would have picked up is left behind by the upgrade.
INSERT INTO outbox (operator_id, topic, dedupe_key, payload, next_attempt_at, max_attempts)
SELECT s.operator_id, 'session.settle', 'session.settle:' || s.operator_id || ':' || s.id,
       jsonb_build_object('operatorId', s.operator_id, 'sessionId', s.id, 'cause', 'stop'), now(), 20
FROM sessions s
WHERE s.status = 'finished' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.session_id = s.id AND o.end_time IS NOT NULL)
ON CONFLICT (dedupe_key) DO NOTHING;

INSERT INTO outbox (operator_id, topic, dedupe_key, payload, next_attempt_at, max_attempts)
SELECT o.operator_id, 'session.settle', 'session.settle:' || o.operator_id || ':' || o.session_id || ':idle_limit',
       jsonb_build_object('operatorId', o.operator_id, 'sessionId', o.session_id, 'cause', 'idle_limit'),
       GREATEST(now(), COALESCE(s.stop_received_at, now()) + interval '24 hours'), 20
FROM orders o JOIN sessions s ON s.id = o.session_id
WHERE o.status = 'idle'
ON CONFLICT (dedupe_key) DO NOTHING;

INSERT INTO outbox (operator_id, topic, dedupe_key, payload, next_attempt_at, max_attempts)
SELECT s.operator_id, 'session.settle', 'session.settle:' || s.operator_id || ':' || s.id || ':stale',
       jsonb_build_object('operatorId', s.operator_id, 'sessionId', s.id, 'cause', 'stale'),
       COALESCE(s.start_received_at, s.started_at) + interval '24 hours', 20
FROM sessions s
WHERE s.status = 'active' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.session_id = s.id)
ON CONFLICT (dedupe_key) DO NOTHING;
