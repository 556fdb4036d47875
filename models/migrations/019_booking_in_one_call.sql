-- A booking in one round trip (issue 14 part 3). book_slot() upserts the customer, stamps a proven
-- contact, checks the start against the advisors' hours, store hours, closures, time off and live
-- claims, takes the least booked advisor that day, claims the time through slot_claims' exclusion
-- constraint and inserts the appointment with its first history entry; book_hold() does the same
-- from a hold. The customer statements live here only (models/customers.repository.ts calls
-- mark_contact_verified too), so there is one copy of each.

-- The customer with this email (else this phone) in the brand, created or refreshed, race-free.
-- A changed phone loses its verification stamp.
CREATE FUNCTION upsert_customer(p_brand text, p_name text, p_email text, p_phone text, p_locale text, p_time_zone text)
RETURNS customers LANGUAGE plpgsql AS $$
DECLARE
  result customers;
BEGIN
  -- The same statement twice: ON CONFLICT names its unique index statically.
  IF p_email IS NOT NULL THEN
    INSERT INTO customers AS c (brand_id, name, email, phone, locale, time_zone)
    VALUES (p_brand, p_name, p_email, p_phone, p_locale, p_time_zone)
    ON CONFLICT (brand_id, lower(email)) WHERE email IS NOT NULL DO UPDATE SET
      name = EXCLUDED.name, locale = EXCLUDED.locale,
      phone = COALESCE(EXCLUDED.phone, c.phone),
      time_zone = COALESCE(EXCLUDED.time_zone, c.time_zone),
      phone_verified_at = CASE WHEN EXCLUDED.phone IS NULL OR EXCLUDED.phone = c.phone THEN c.phone_verified_at END
    RETURNING * INTO result;
  ELSE
    INSERT INTO customers AS c (brand_id, name, email, phone, locale, time_zone)
    VALUES (p_brand, p_name, p_email, p_phone, p_locale, p_time_zone)
    ON CONFLICT (brand_id, phone) WHERE email IS NULL DO UPDATE SET
      name = EXCLUDED.name, locale = EXCLUDED.locale,
      phone = COALESCE(EXCLUDED.phone, c.phone),
      time_zone = COALESCE(EXCLUDED.time_zone, c.time_zone),
      phone_verified_at = CASE WHEN EXCLUDED.phone IS NULL OR EXCLUDED.phone = c.phone THEN c.phone_verified_at END
    RETURNING * INTO result;
  END IF;
  RETURN result;
END $$;

-- Stamps an address as proven on the brand's customers using it: an email case-insensitively, a phone in E.164.
CREATE FUNCTION mark_contact_verified(p_brand text, p_channel text, p_to text, p_at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_channel = 'email' THEN
    UPDATE customers SET email_verified_at = p_at WHERE brand_id = p_brand AND lower(email) = lower(p_to);
  ELSE
    UPDATE customers SET phone_verified_at = p_at WHERE brand_id = p_brand AND phone = p_to;
  END IF;
END $$;

-- A wall time on a local date as an instant, disambiguated as scheduling/slot-finder.ts's localMs does:
-- a time in the spring-forward gap moves forward by the gap (PostgreSQL does so), an ambiguous
-- fall-back time takes its earlier occurrence (PostgreSQL takes the later): the same wall time a day
-- before, 24 hours on, when that still reads as this wall time. One expression, so it is inlined.
CREATE FUNCTION local_instant(p_date date, p_time time, p_zone text)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN (((p_date + p_time - interval '1 day') AT TIME ZONE p_zone) + interval '24 hours') AT TIME ZONE p_zone = p_date + p_time
              THEN ((p_date + p_time - interval '1 day') AT TIME ZONE p_zone) + interval '24 hours'
              ELSE (p_date + p_time) AT TIME ZONE p_zone END
$$;

-- Great-circle distance in km, as scheduling/geo-distance.ts's distanceKm.
CREATE FUNCTION distance_km(lat1 float8, lng1 float8, lat2 float8, lng2 float8)
RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT 2 * 6371.0088 * asin(least(1, sqrt(
    sin(radians(lat2 - lat1) / 2) ^ 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(radians(lng2 - lng1) / 2) ^ 2)))
$$;

-- A range, or NULL where the bounds are inverted (a DST gap can make them so): such spans are dropped, as in findSlots.
CREATE FUNCTION span_or_null(p_from timestamptz, p_to timestamptz)
RETURNS tstzrange LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN p_from < p_to THEN tstzrange(p_from, p_to) END
$$;

-- The staff who can take the appointment at exactly this start, least booked that day first: the
-- rules of scheduling/slot-finder.ts for one start (working hours at the stores asked for, cut by
-- the store's closures and, in store, its opening hours; on the step grid of the working interval;
-- notice and horizon; no time off or live claim on the blocked time). Races are settled by the claim.
-- PL/pgSQL so that its plan is kept for the session.
CREATE FUNCTION booking_candidates(
  p_service uuid, p_mode text, p_store_ids uuid[], p_home_latitude float8, p_home_longitude float8,
  p_start timestamptz, p_duration_minutes int, p_buffer_before_minutes int, p_buffer_after_minutes int,
  p_step_minutes int, p_min_notice_minutes int, p_max_horizon_days int, p_now timestamptz)
RETURNS TABLE (staff_id uuid) LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
  IF p_start < p_now + make_interval(mins => p_min_notice_minutes) OR p_start >= p_now + make_interval(hours => 24 * p_max_horizon_days) THEN
    RETURN;
  END IF;
  RETURN QUERY
  WITH bounds AS (
    SELECT p_start + make_interval(mins => p_duration_minutes) AS ends,
           tstzrange(p_start - make_interval(mins => p_buffer_before_minutes),
                     p_start + make_interval(mins => p_duration_minutes + p_buffer_after_minutes)) AS blocked
  ),
  -- Working hours that day as instants (columns, so that span_or_null is inlined on them).
  hours AS MATERIALIZED (
    SELECT h.staff_id, h.store_id, st.time_zone AS zone, d.day,
           local_instant(d.day, h.starts, st.time_zone) AS starts_at, local_instant(d.day, h.ends, st.time_zone) AS ends_at
    FROM staff_services ss JOIN staff s ON s.id = ss.staff_id JOIN staff_hours h ON h.staff_id = s.id
    JOIN stores st ON st.id = h.store_id
    CROSS JOIN LATERAL (SELECT (p_start AT TIME ZONE st.time_zone)::date AS day) d
    LEFT JOIN stores base ON base.id = s.home_store_id
    WHERE ss.service_id = p_service AND s.active
      AND (p_store_ids IS NULL OR h.store_id = ANY(p_store_ids))
      AND h.weekday = extract(isodow FROM d.day)
      -- At-home visits leave from the staff member's home store, within their radius of the home.
      AND (p_mode <> 'at_home' OR (h.store_id = s.home_store_id AND s.at_home_radius_km IS NOT NULL
           AND distance_km(base.latitude, base.longitude, p_home_latitude, p_home_longitude) <= s.at_home_radius_km))
  ),
  -- What each store allows that day (NULL: no restriction). A special day replaces the store's
  -- weekly hours: closed, or open only then. A store with no weekly hours at all restricts nothing.
  store_limits AS MATERIALIZED (
    SELECT p.store_id,
      CASE
        WHEN sd.store_id IS NOT NULL THEN
          CASE WHEN sd.opens_at < sd.closes_at THEN tstzmultirange(tstzrange(sd.opens_at, sd.closes_at)) ELSE '{}' END
        WHEN p_mode = 'in_store' AND EXISTS (SELECT 1 FROM store_hours o WHERE o.store_id = p.store_id) THEN
          coalesce((SELECT range_agg(span_or_null(o.opens_at, o.closes_at))
                    FROM (SELECT local_instant(p.day, o.opens, p.zone) AS opens_at, local_instant(p.day, o.closes, p.zone) AS closes_at
                          FROM store_hours o WHERE o.store_id = p.store_id AND o.weekday = extract(isodow FROM p.day)) o), '{}')
      END AS allowed
    FROM (SELECT DISTINCT store_id, zone, day FROM hours) p
    LEFT JOIN LATERAL (SELECT d.store_id, local_instant(p.day, d.opens, p.zone) AS opens_at, local_instant(p.day, d.closes, p.zone) AS closes_at
                       FROM store_special_days d WHERE d.store_id = p.store_id AND d.local_date = p.day LIMIT 1) sd ON true
  ),
  working AS (
    SELECT h.staff_id, coalesce(range_agg(span_or_null(h.starts_at, h.ends_at)), '{}') * coalesce(l.allowed, '{(,)}') AS work
    FROM hours h JOIN store_limits l ON l.store_id = h.store_id
    GROUP BY h.staff_id, h.store_id, l.allowed
  ),
  free AS (
    SELECT DISTINCT w.staff_id
    FROM working w CROSS JOIN bounds b
    WHERE EXISTS (SELECT 1 FROM unnest(w.work) r
                  WHERE lower(r) <= p_start AND b.ends <= upper(r)
                    AND mod(extract(epoch FROM p_start - lower(r)), p_step_minutes * 60) = 0)
      AND NOT EXISTS (SELECT 1 FROM staff_time_off t
                      WHERE t.staff_id = w.staff_id AND t.starts_at < upper(b.blocked) AND t.ends_at > lower(b.blocked))
      AND NOT EXISTS (SELECT 1 FROM slot_claims c LEFT JOIN holds hd ON hd.id = c.hold_id
                      WHERE c.staff_id = w.staff_id AND tstzrange(c.blocked_from, c.blocked_to) && b.blocked
                        AND (hd.id IS NULL OR hd.expires_at > p_now))
  )
  -- Balanced days make a balanced calendar: the load is the active appointments within a day either side.
  SELECT f.staff_id FROM free f
  ORDER BY (SELECT count(*) FROM appointments a
            WHERE a.staff_id = f.staff_id AND a.state <> 'cancelled'
              AND a.start_at >= p_start - interval '24 hours' AND a.start_at < p_start + interval '24 hours'),
           f.staff_id::text COLLATE "C";
END $$;

-- The state and workflow status a new appointment of this service starts in. PL/pgSQL, as the
-- other functions a booking calls, so that plans are kept for the session.
CREATE FUNCTION initial_status(p_service uuid, OUT state text, OUT status_id uuid) LANGUAGE plpgsql STABLE AS $$
BEGIN
  SELECT CASE WHEN s.booking_mode = 'direct' THEN 'confirmed' ELSE 'pending' END,
         CASE WHEN s.booking_mode <> 'direct' AND s.status_workflow THEN
           (SELECT st.id FROM appointment_statuses st WHERE st.service_id = s.id AND st.kind = 'start' ORDER BY st.position, st.name LIMIT 1)
         END
  INTO state, status_id
  FROM services s WHERE s.id = p_service;
END $$;

-- A new appointment with its first history entry.
CREATE FUNCTION insert_booked_appointment(
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
  RETURN booked;
END $$;

-- A whole booking by slot; 23P01 when no candidate's time could be claimed. The appointment goes
-- in first (the claim refers to it), then its claim: ON CONFLICT DO NOTHING honours the exclusion
-- constraint without aborting, and a refused candidate's appointment is deleted again. A refused
-- candidate's expired holds (availability ignores them, their claims still block) are swept and the
-- claim tried once more. A reused idempotency key raises 23505 and rolls everything back.
CREATE FUNCTION book_slot(
  p_brand text, p_customer_name text, p_customer_email text, p_customer_phone text, p_customer_locale text,
  p_customer_zone text, p_proven_channel text, p_proven_to text, p_appointment_zone text, p_notes text, p_channel text,
  p_conversation text, p_idempotency_key text, p_actor text, p_now timestamptz,
  p_service uuid, p_mode text, p_store uuid, p_home_address text, p_home_latitude float8, p_home_longitude float8,
  p_candidate_stores uuid[], p_start timestamptz, p_duration_minutes int, p_buffer_before_minutes int,
  p_buffer_after_minutes int, p_step_minutes int, p_min_notice_minutes int, p_max_horizon_days int)
RETURNS appointments LANGUAGE plpgsql AS $$
DECLARE
  v_customer uuid := (upsert_customer(p_brand, p_customer_name, p_customer_email, p_customer_phone, p_customer_locale, p_customer_zone)).id;
  candidate uuid;
  attempt int;
  booked appointments;
BEGIN
  IF p_proven_channel IS NOT NULL THEN
    PERFORM mark_contact_verified(p_brand, p_proven_channel, p_proven_to, p_now);
  END IF;
  FOR candidate IN
    SELECT c.staff_id FROM booking_candidates(p_service, p_mode, p_candidate_stores, p_home_latitude, p_home_longitude,
      p_start, p_duration_minutes, p_buffer_before_minutes, p_buffer_after_minutes, p_step_minutes, p_min_notice_minutes,
      p_max_horizon_days, p_now) c
  LOOP
    booked := insert_booked_appointment(p_brand, p_service, p_mode, p_store, p_home_address, p_home_latitude, p_home_longitude,
      candidate, v_customer, p_start, p_start + make_interval(mins => p_duration_minutes), p_appointment_zone, p_notes, p_channel,
      p_conversation, p_idempotency_key, p_actor, p_now);
    FOR attempt IN 1..2 LOOP
      INSERT INTO slot_claims (staff_id, blocked_from, blocked_to, appointment_id)
      VALUES (candidate, p_start - make_interval(mins => p_buffer_before_minutes),
              p_start + make_interval(mins => p_duration_minutes + p_buffer_after_minutes), booked.id)
      ON CONFLICT DO NOTHING;
      IF FOUND THEN
        RETURN booked;
      END IF;
      EXIT WHEN attempt = 2;
      DELETE FROM holds WHERE expires_at <= p_now AND staff_id = candidate;
    END LOOP;
    DELETE FROM appointments WHERE id = booked.id;
  END LOOP;
  -- As a refused claim would: the time is taken, and nothing of this booking (customer, proven contact) stays.
  RAISE EXCEPTION 'no advisor is free at %', p_start USING ERRCODE = 'exclusion_violation';
END $$;

-- A whole booking from a hold: the appointment takes over the hold's claim, so the time is never
-- free in between. A missing or expired hold raises RV404 or RV410 (models/errors.ts translates them).
CREATE FUNCTION book_hold(
  p_brand text, p_customer_name text, p_customer_email text, p_customer_phone text, p_customer_locale text,
  p_customer_zone text, p_proven_channel text, p_proven_to text, p_appointment_zone text, p_notes text, p_channel text,
  p_conversation text, p_idempotency_key text, p_actor text, p_now timestamptz,
  p_hold uuid)
RETURNS appointments LANGUAGE plpgsql AS $$
DECLARE
  v_customer uuid := (upsert_customer(p_brand, p_customer_name, p_customer_email, p_customer_phone, p_customer_locale, p_customer_zone)).id;
  held holds;
  booked appointments;
BEGIN
  IF p_proven_channel IS NOT NULL THEN
    PERFORM mark_contact_verified(p_brand, p_proven_channel, p_proven_to, p_now);
  END IF;
  SELECT * INTO held FROM holds WHERE brand_id = p_brand AND id = p_hold FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'hold % not found', p_hold USING ERRCODE = 'RV404';
  END IF;
  IF held.expires_at <= p_now THEN
    RAISE EXCEPTION 'hold % expired', p_hold USING ERRCODE = 'RV410';
  END IF;
  booked := insert_booked_appointment(p_brand, held.service_id, held.mode, held.store_id, held.home_address, held.home_latitude,
    held.home_longitude, held.staff_id, v_customer, held.start_at, held.end_at, p_appointment_zone, p_notes, p_channel,
    p_conversation, p_idempotency_key, p_actor, p_now);
  UPDATE slot_claims SET hold_id = NULL, appointment_id = booked.id WHERE hold_id = held.id;
  DELETE FROM holds WHERE id = held.id;
  RETURN booked;
END $$;
