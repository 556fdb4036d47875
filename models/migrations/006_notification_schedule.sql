-- Reminders and follow-ups planned for an appointment (product document 003). The plan lives here,
-- not in the job queue: a dispatcher turns due rows into pg-boss jobs, so the schedule survives
-- restarts, follows reschedules and is read against the application's clock. pg-boss keeps its own
-- tables in its own schema (notifications/delivery-queue.ts).

-- A service's own notification settings, replacing the brand's (settings.notifications) key by key.
ALTER TABLE services ADD COLUMN notification_settings jsonb CHECK (jsonb_typeof(notification_settings) = 'object');

CREATE TABLE scheduled_notifications (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  appointment_id  uuid NOT NULL REFERENCES appointments ON DELETE CASCADE,
  kind            text NOT NULL CHECK (kind IN ('reminder', 'follow_up')),
  channel         text NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp')),
  -- Which of the brand's reminders (1..3) or follow-ups (1..6) this is.
  position        smallint NOT NULL CHECK (position >= 1 AND position <= CASE kind WHEN 'reminder' THEN 3 ELSE 6 END),
  send_at         timestamptz NOT NULL,
  -- The appointment start it was planned for: a row planned for another start is never sent.
  for_start_at    timestamptz NOT NULL,
  -- The pg-boss job that runs it, once due.
  job_id          text,
  -- failed: the job gave up after its retries (note says why).
  status          text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'sent', 'skipped', 'cancelled', 'failed')),
  -- Why it was skipped or failed.
  note            text,
  message_id      uuid REFERENCES messages ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  processed_at    timestamptz,
  UNIQUE (appointment_id, kind, channel, position, for_start_at)
);
-- What the dispatcher looks for.
CREATE INDEX scheduled_notifications_due ON scheduled_notifications (send_at) WHERE status = 'scheduled' AND job_id IS NULL;
