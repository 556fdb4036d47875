-- The transactional outbox of bookings (issue 14 part 3): the booking call itself records its
-- 'booked' event, so a booking stays one statement committed on its own, and the confirmation
-- messages, deliveries and reminders are rendered after commit from this row (notifications/
-- booking-outbox.ts): at once by the process that booked, or by any instance's sweep once the
-- event has waited too long (a crash between commit and rendering loses nothing).
CREATE TABLE booking_outbox (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  appointment_id uuid NOT NULL REFERENCES appointments ON DELETE CASCADE,
  kind           text NOT NULL CHECK (kind IN ('booked')),
  -- The appointment's version the event speaks of: rendered only while the appointment is still at it.
  version        integer NOT NULL,
  -- Who booked, as the history records it (scheduling/booking.ts actorLabel).
  actor          text NOT NULL,
  created_at     timestamptz NOT NULL,
  done_at        timestamptz,
  -- rendered: its messages and reminders are recorded; superseded: the appointment changed first,
  -- so the later change's own notification told the customer; failed: gave up after many attempts.
  outcome        text CHECK (outcome IN ('rendered', 'superseded', 'failed')),
  -- Renderings that threw; the sweep tries again once the last failure is as old as an overdue event.
  attempts       integer NOT NULL DEFAULT 0,
  failed_at      timestamptz,
  last_error     text
);
CREATE INDEX booking_outbox_appointment ON booking_outbox (appointment_id);
CREATE INDEX booking_outbox_undone ON booking_outbox (created_at) WHERE done_at IS NULL;

-- As in migration 019, plus the booked event: the appointment, its first history entry and its
-- event go in together. A refused candidate's appointment is deleted again, its event with it.
CREATE OR REPLACE FUNCTION insert_booked_appointment(
  p_brand text, p_service uuid, p_mode text, p_store uuid, p_home_address text, p_home_latitude float8, p_home_longitude float8,
  p_staff uuid, p_customer uuid, p_start timestamptz, p_end timestamptz, p_appointment_zone text, p_notes text, p_channel text,
  p_conversation text, p_idempotency_key text, p_actor text, p_now timestamptz)
RETURNS appointments LANGUAGE plpgsql AS $$
DECLARE
  initial record := initial_status(p_service);
  booked appointments;
BEGIN
  INSERT INTO appointments (brand_id, service_id, mode, store_id, home_address, home_latitude, home_longitude,
    staff_id, customer_id, start_at, end_at, customer_time_zone, state, status_id, notes, channel,
    conversation_id, idempotency_key, created_at, updated_at)
  VALUES (p_brand, p_service, p_mode, p_store, p_home_address, p_home_latitude, p_home_longitude, p_staff, p_customer,
    p_start, p_end, p_appointment_zone, initial.state, initial.status_id, p_notes, p_channel, p_conversation,
    p_idempotency_key, p_now, p_now)
  RETURNING * INTO booked;
  INSERT INTO appointment_status_history (appointment_id, from_state, to_state, from_status_id, to_status_id, actor, reason, at)
  VALUES (booked.id, NULL, booked.state, NULL, booked.status_id, p_actor, NULL, p_now);
  INSERT INTO booking_outbox (appointment_id, kind, version, actor, created_at)
  VALUES (booked.id, 'booked', booked.version, p_actor, p_now);
  RETURN booked;
END $$;
