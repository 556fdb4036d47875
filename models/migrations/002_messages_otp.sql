-- Messages and one-time codes: the outbox of everything the product sends, and email/SMS verification codes.

-- Every message the product sends, whatever carries it (the local outbox today; SendGrid, Twilio,
-- a pg-boss queue later). One row per message; providers update status, provider_id and error.
CREATE TABLE messages (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Insertion order: breaks ties between messages created in the same instant ("newest first").
  seq              bigserial NOT NULL UNIQUE,
  brand_id         text NOT NULL REFERENCES brands ON DELETE CASCADE,
  channel          text NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
  recipient        text NOT NULL,
  -- What the message is for: 'otp', 'confirmation', 'reminder', …
  kind             text NOT NULL,
  subject          text,
  body_text        text NOT NULL,
  body_html        text,
  -- [{ "filename": …, "contentType": …, "contentBase64": … }]
  attachments      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(attachments) = 'array'),
  status           text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'delivered', 'failed')),
  -- 'local' (the dev/default outbox), 'sendgrid', 'twilio', …
  provider         text NOT NULL,
  provider_id      text,
  error            text,
  -- The same key twice is the same message: a retried send returns the first row.
  idempotency_key  text UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  sent_at          timestamptz
);
CREATE INDEX messages_by_brand ON messages (brand_id, created_at DESC);
CREATE INDEX messages_by_recipient ON messages (recipient);

-- Out-of-band verification codes (NIST SP 800-63B §5.1.3). The code itself is never stored:
-- code_hash = HMAC-SHA256(server secret, "<id>:<code>") in hex.
CREATE TABLE otp_codes (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id         text NOT NULL REFERENCES brands ON DELETE CASCADE,
  conversation_id  text NOT NULL,
  channel          text NOT NULL CHECK (channel IN ('email', 'sms')),
  -- Normalised address: lower-cased email, or phone number without spaces and punctuation.
  recipient        text NOT NULL,
  code_hash        text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  expires_at       timestamptz NOT NULL,
  failed_attempts  integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  consumed_at      timestamptz,
  -- Set when a newer code was sent for the same conversation and contact (or its message failed).
  superseded_at    timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX otp_codes_by_recipient ON otp_codes (brand_id, recipient, created_at);
CREATE INDEX otp_codes_by_conversation ON otp_codes (brand_id, conversation_id, created_at);
