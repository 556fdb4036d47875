-- What the providers tell us about the messages we sent (SendGrid Event Webhook, Twilio status
-- callbacks). One row per provider event: a replayed webhook finds its row and changes nothing.

CREATE TABLE delivery_events (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- 'sendgrid', 'twilio', …
  provider           text NOT NULL,
  -- The provider's id for the event: SendGrid's sg_event_id, Twilio's "<MessageSid>:<MessageStatus>".
  provider_event_id  text NOT NULL,
  -- The message the event is about; null when it matched none of ours (recorded all the same).
  message_id         uuid REFERENCES messages ON DELETE CASCADE,
  -- The provider's event name: delivered, bounce, undelivered, read, …
  event              text NOT NULL,
  -- The event as received (it holds addresses: it goes with its message).
  payload            jsonb NOT NULL,
  received_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider, provider_event_id)
);
CREATE INDEX delivery_events_by_message ON delivery_events (message_id, received_at) WHERE message_id IS NOT NULL;

-- Webhooks find their message by the provider's id for it.
CREATE INDEX messages_by_provider_id ON messages (provider, provider_id) WHERE provider_id IS NOT NULL;
