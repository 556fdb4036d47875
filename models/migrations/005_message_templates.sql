-- A brand's own wording for a message: per event, locale and channel. No row → the shipped default.
-- body is a Mustache template: the HTML body for email (the text part is derived from it), the
-- text itself for SMS and WhatsApp. An empty body switches the message off.
CREATE TABLE message_templates (
  brand_id    text NOT NULL REFERENCES brands ON DELETE CASCADE,
  -- 'request_received', 'confirmed', 'reminder', 'staff_request', …
  event       text NOT NULL CHECK (event ~ '^[a-z][a-z0-9_]{1,39}$'),
  locale      text NOT NULL CHECK (locale IN ('en', 'fr')),
  channel     text NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
  -- Email only; NULL → the default subject of the event.
  subject     text CHECK (subject IS NULL OR channel = 'email'),
  body        text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (brand_id, event, locale, channel)
);
