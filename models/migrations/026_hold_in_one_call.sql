-- A hold in one call (issue 14: the slot turn's round trips): the advisors free at the start by the
-- rules of booking_candidates (migration 019), least booked first, and the hold with its claim. As
-- book_slot does, a refused candidate's expired holds are swept and the claim tried once more; no
-- candidate left raises 23P01, as a refused claim would. The claim goes in first so that a refused one
-- leaves nothing behind; its hold follows in the same statement (the key is checked at its end).
CREATE FUNCTION hold_slot(
  p_brand text, p_hold uuid, p_service uuid, p_mode text, p_store uuid, p_home_address text, p_home_latitude float8,
  p_home_longitude float8, p_candidate_stores uuid[], p_start timestamptz, p_duration_minutes int,
  p_buffer_before_minutes int, p_buffer_after_minutes int, p_step_minutes int, p_min_notice_minutes int,
  p_max_horizon_days int, p_expires timestamptz, p_now timestamptz)
RETURNS holds LANGUAGE plpgsql AS $$
DECLARE
  candidate uuid;
  attempt int;
  held holds;
BEGIN
  FOR candidate IN
    SELECT c.staff_id FROM booking_candidates(p_service, p_mode, p_candidate_stores, p_home_latitude, p_home_longitude,
      p_start, p_duration_minutes, p_buffer_before_minutes, p_buffer_after_minutes, p_step_minutes, p_min_notice_minutes,
      p_max_horizon_days, p_now) c
  LOOP
    FOR attempt IN 1..2 LOOP
      WITH claim AS (
        INSERT INTO slot_claims (staff_id, blocked_from, blocked_to, hold_id)
        VALUES (candidate, p_start - make_interval(mins => p_buffer_before_minutes),
                p_start + make_interval(mins => p_duration_minutes + p_buffer_after_minutes), p_hold)
        ON CONFLICT DO NOTHING RETURNING hold_id
      )
      INSERT INTO holds (id, brand_id, service_id, mode, store_id, home_address, home_latitude, home_longitude,
        staff_id, start_at, end_at, expires_at, created_at)
      SELECT hold_id, p_brand, p_service, p_mode, p_store, p_home_address, p_home_latitude, p_home_longitude,
        candidate, p_start, p_start + make_interval(mins => p_duration_minutes), p_expires, p_now
      FROM claim
      RETURNING * INTO held;
      IF FOUND THEN
        RETURN held;
      END IF;
      EXIT WHEN attempt = 2;
      DELETE FROM holds WHERE expires_at <= p_now AND staff_id = candidate;
    END LOOP;
  END LOOP;
  RAISE EXCEPTION 'no advisor is free at %', p_start USING ERRCODE = 'exclusion_violation';
END $$;
