-- Per operator and event: enabled or not, and on which channels. Missing rows mean the defaults
-- (docs/orders.md); "bill adjusted" is off by default (case 9).
CREATE TABLE notify_settings (
  operator_id text NOT NULL,
  event text NOT NULL,
  enabled boolean NOT NULL,
  channels text[] NOT NULL,
  updated_by text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, event)
);

-- Per operator and channel: which adapter delivers (fake | http) and its configuration.
CREATE TABLE notify_channels (
  operator_id text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('sms', 'wechat', 'webhook')),
  adapter text NOT NULL DEFAULT 'fake' CHECK (adapter IN ('fake', 'http')),
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, channel)
);

-- What was actually sent (every adapter records here once delivery succeeded); the fake adapter's
-- record is what tests read.
CREATE TABLE notifications_sent (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  event text NOT NULL,
  channel text NOT NULL,
  adapter text NOT NULL,
  recipient text NOT NULL,
  dedupe_key text NOT NULL UNIQUE,
  text text NOT NULL,
  data jsonb NOT NULL,
  outbox_id bigint,
  sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_sent_operator ON notifications_sent (operator_id, sent_at);
