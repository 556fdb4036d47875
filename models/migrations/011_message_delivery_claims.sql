-- Delivery claims (issue 9, defect 5). A message is marked 'sending' and committed before its provider
-- is called, so the provider call holds no lock and a process that dies mid-send leaves a visible
-- claim: the recovery sweep finds claims older than the send timeout and sends them again, with the
-- same idempotency key, within a minute (instead of a pg-boss job expiring minutes later).

ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
  CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed'));

-- Provider attempts started for this message (an interrupted or failed attempt counts).
ALTER TABLE messages ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0);
-- When the current attempt claimed the message; set while 'sending'.
ALTER TABLE messages ADD COLUMN claimed_at timestamptz;
ALTER TABLE messages ADD CONSTRAINT messages_sending_is_claimed CHECK (status <> 'sending' OR claimed_at IS NOT NULL);

-- The recovery sweep reads the oldest claims.
CREATE INDEX messages_sending_since ON messages (claimed_at) WHERE status = 'sending';
