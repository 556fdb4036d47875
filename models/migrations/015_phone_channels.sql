-- SMS and WhatsApp as chat channels: the brands' Twilio numbers, a durable inbound queue, each
-- customer phone's opt-out and WhatsApp window, and what outbound phone messages need.

-- Which brand a Twilio number belongs to: inbound messages find their brand by the number written to.
-- `address` as Twilio writes it: "+E164" for SMS, "whatsapp:+E164" for WhatsApp.
CREATE TABLE phone_numbers (
  address     text PRIMARY KEY CHECK (address ~ '^(whatsapp:)?\+[1-9][0-9]{6,14}$'),
  brand_id    text NOT NULL REFERENCES brands ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX phone_numbers_by_brand ON phone_numbers (brand_id);

-- Every inbound SMS/WhatsApp message, stored before Twilio is answered: a retried or duplicated
-- delivery finds its MessageSid and is processed once; a crash before the turn loses nothing.
-- Processed in seq order per (brand number, customer number).
CREATE TABLE inbound_messages (
  seq              bigserial PRIMARY KEY,
  message_sid      text NOT NULL UNIQUE,
  brand_id         text NOT NULL REFERENCES brands ON DELETE CASCADE,
  channel          text NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
  to_address       text NOT NULL,
  from_address     text NOT NULL,
  -- Every parameter Twilio posted (Body, ButtonPayload, Latitude, OptOutType, …).
  params           jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processed', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  error            text,
  conversation_id  uuid REFERENCES conversations ON DELETE SET NULL,
  received_at      timestamptz NOT NULL DEFAULT now(),
  processed_at     timestamptz
);
CREATE INDEX inbound_messages_pending ON inbound_messages (to_address, from_address, seq) WHERE status = 'received';

-- One customer phone on one channel of one brand: opted out (STOP…) or not, and when they last
-- wrote (WhatsApp lets a business send free-form messages for 24 hours after that).
CREATE TABLE phone_contacts (
  brand_id         text NOT NULL REFERENCES brands ON DELETE CASCADE,
  channel          text NOT NULL CHECK (channel IN ('sms', 'whatsapp')),
  phone            text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  last_inbound_at  timestamptz,
  opted_out_at     timestamptz,
  -- The keyword or Twilio OptOutType that changed it last (STOP, ARRET, START, …).
  opt_out_keyword  text,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand_id, channel, phone)
);

ALTER TABLE messages
  -- The brand number a reply goes out from (the one the customer wrote to); null: the configured sender.
  ADD COLUMN sender   text,
  -- WhatsApp interactive content (quick replies, list picker) or an approved template with its variables.
  ADD COLUMN rich     jsonb,
  -- What the channel rules did: not sent (opted out), WhatsApp window closed → template or SMS instead.
  ADD COLUMN note     text,
  ADD COLUMN conversation_id uuid REFERENCES conversations ON DELETE SET NULL;
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at) WHERE conversation_id IS NOT NULL;
