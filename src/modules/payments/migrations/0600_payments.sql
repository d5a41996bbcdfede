-- Payment merchants per operator (secrets encrypted at rest, see docs/payments.md), top-ups,
-- what the provider told us about each (callbacks, queries), refunds and daily reconciliations.
CREATE TABLE payment_merchants (
  operator_id text NOT NULL,
  provider text NOT NULL DEFAULT 'wechatpay' CHECK (provider IN ('wechatpay', 'alipay')),
  mchid text NOT NULL,
  appid text NOT NULL,
  api_v3_key_enc text,
  merchant_serial text NOT NULL,
  merchant_private_key_enc text,
  platform_keys jsonb NOT NULL DEFAULT '[]',
  api_base_url text NOT NULL,
  timezone text NOT NULL DEFAULT 'Asia/Shanghai',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, provider)
);

CREATE TABLE topups (
  operator_id text NOT NULL,
  out_trade_no text NOT NULL,
  phone text NOT NULL,
  amount_fen bigint NOT NULL CHECK (amount_fen > 0),
  channel text NOT NULL,
  openid text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('creating', 'pending', 'credited', 'closed', 'failed')),
  mchid text NOT NULL,
  transaction_id text,
  pay_params jsonb,
  notify_url text NOT NULL,
  expires_at timestamptz NOT NULL,
  paid_at timestamptz,
  credited_at timestamptz,
  credited_via text CHECK (credited_via IN ('callback', 'query', 'reconciliation')),
  flag text,
  refunded_fen bigint NOT NULL DEFAULT 0,
  created_by text NOT NULL,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, out_trade_no),
  UNIQUE (out_trade_no),
  UNIQUE (mchid, transaction_id)
);
CREATE INDEX topups_status ON topups (operator_id, status, created_at);
CREATE INDEX topups_phone ON topups (operator_id, phone, created_at);
CREATE INDEX topups_paid ON topups (operator_id, paid_at);

-- Everything the provider told us about a top-up or refund: callbacks (with the inbox row), queries, closes, reconciliation.
CREATE TABLE payment_events (
  id bigserial PRIMARY KEY,
  operator_id text NOT NULL,
  out_trade_no text,
  out_refund_no text,
  kind text NOT NULL CHECK (kind IN ('callback', 'query', 'close', 'reconciliation', 'refund')),
  inbox_id bigint,
  outcome text NOT NULL,
  detail jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_events_trade ON payment_events (operator_id, out_trade_no, id);

CREATE TABLE refunds (
  operator_id text NOT NULL,
  out_refund_no text NOT NULL,
  out_trade_no text NOT NULL,
  phone text NOT NULL,
  amount_fen bigint NOT NULL CHECK (amount_fen > 0),
  reason text NOT NULL,
  status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'processing', 'success', 'closed', 'abnormal', 'failed')),
  refund_id text,
  debited boolean NOT NULL DEFAULT false,
  error text,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, out_refund_no),
  UNIQUE (out_refund_no),
  FOREIGN KEY (operator_id, out_trade_no) REFERENCES topups (operator_id, out_trade_no)
);

CREATE TABLE payment_reconciliations (
  operator_id text NOT NULL,
  bill_date date NOT NULL,
  status text NOT NULL CHECK (status IN ('done', 'failed')),
  totals jsonb NOT NULL DEFAULT '{}',
  items jsonb NOT NULL DEFAULT '[]',
  error text,
  ran_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (operator_id, bill_date)
);
