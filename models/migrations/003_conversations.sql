-- Conversations on every channel, their transcript, and the bot's dialog state.
CREATE TABLE conversations (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id     text NOT NULL REFERENCES brands ON DELETE CASCADE,
  channel      text NOT NULL CHECK (channel IN ('web', 'sms', 'whatsapp')),
  -- SHA-256 of the conversation's secret token (web); the token itself is only with the customer.
  token_hash   text,
  -- The customer's address on SMS/WhatsApp (E.164).
  external_id  text,
  customer_id  uuid REFERENCES customers ON DELETE SET NULL,
  locale       text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'fr')),
  time_zone    text,
  last_seq     integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX conversations_external ON conversations (brand_id, channel, external_id) WHERE external_id IS NOT NULL;

-- The transcript: order and resync go by seq, never by timestamps.
CREATE TABLE conversation_messages (
  conversation_id  uuid NOT NULL REFERENCES conversations ON DELETE CASCADE,
  seq              integer NOT NULL,
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  sender           text NOT NULL CHECK (sender IN ('customer', 'bot', 'agent', 'system')),
  sender_name      text,
  text             text NOT NULL DEFAULT '',
  -- Suggested actions and attachments as the widget renders them.
  content          jsonb NOT NULL DEFAULT '{}',
  -- The client's own id for a customer message: a resend is recognised and not processed twice.
  client_id        text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (conversation_id, seq),
  UNIQUE (conversation_id, client_id)
);

-- botbuilder Storage with optimistic concurrency: writes name the etag they read.
CREATE TABLE dialog_state (
  key         text PRIMARY KEY,
  etag        bigint NOT NULL DEFAULT 1,
  data        jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
