-- Channel secrets (gateway tokens, webhook signing secrets, WeChat access tokens) leave the clear
-- config: sealed with SECRETS_KEY as one JSON object (docs/security.md). The notify module moves
-- any secret still in config here when it starts.
ALTER TABLE notify_channels ADD COLUMN secrets text;
