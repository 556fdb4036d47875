-- booking_candidates (migration 027) with a plan that does not depend on table statistics (issue
-- 14 part 3). Its plan is generic, so the planner guesses how many stores are asked for, and a small
-- table that was never analyzed (autovacuum analyzes only after 50 changed rows: a brand's stores
-- and staff may never get there) looks like two hundred rows. It then sorted every staff hours row
-- of every store for a merge join on each call: two fifths of a booking's time in PostgreSQL. Now each
-- store asked for looks up its own staff hours of that weekday through an index, and time off,
-- claims and the load are looked up per advisor (OFFSET 0 keeps each a lookup, not a join the
-- planner may turn into a scan of the whole table). Same rules, same answer, same order.
DROP INDEX staff_hours_by_store;
CREATE INDEX staff_hours_by_store_day ON staff_hours (store_id, weekday);

CREATE OR REPLACE FUNCTION booking_candidates(
  p_service uuid, p_mode text, p_store_ids uuid[], p_home_latitude float8, p_home_longitude float8,
  p_start timestamptz, p_duration_minutes int, p_buffer_before_minutes int, p_buffer_after_minutes int,
  p_step_minutes int, p_min_notice_minutes int, p_max_horizon_days int, p_now timestamptz)
RETURNS TABLE (staff_id uuid) LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
  v_ends timestamptz := p_start + make_interval(mins => p_duration_minutes);
  -- The time the appointment blocks, buffers included.
  v_from timestamptz := p_start - make_interval(mins => p_buffer_before_minutes);
  v_to timestamptz := v_ends + make_interval(mins => p_buffer_after_minutes);
BEGIN
  IF p_start < p_now + make_interval(mins => p_min_notice_minutes) OR p_start >= p_now + make_interval(hours => 24 * p_max_horizon_days) THEN
    RETURN;
  END IF;
  RETURN QUERY
  -- Working hours that day as instants, at the stores asked for (all when none is named).
  WITH hours AS MATERIALIZED (
    SELECT h.staff_id, d.id AS store_id, d.zone, d.day,
           local_instant(d.day, h.starts, d.zone) AS starts_at, local_instant(d.day, h.ends, d.zone) AS ends_at
    FROM (SELECT st.id, st.time_zone AS zone, (p_start AT TIME ZONE st.time_zone)::date AS day FROM stores st
          WHERE st.id = ANY(p_store_ids)
          UNION ALL
          SELECT st.id, st.time_zone, (p_start AT TIME ZONE st.time_zone)::date FROM stores st WHERE p_store_ids IS NULL) d
    CROSS JOIN LATERAL (SELECT h.staff_id, h.starts, h.ends FROM staff_hours h
                        WHERE h.store_id = d.id AND h.weekday = extract(isodow FROM d.day)::int OFFSET 0) h
    JOIN (SELECT s.id, s.home_store_id, s.at_home_radius_km FROM staff s JOIN staff_services ss ON ss.staff_id = s.id
          WHERE ss.service_id = p_service AND s.active) s ON s.id = h.staff_id
    -- At-home visits leave from the staff member's home store, within their radius of the home.
    WHERE p_mode <> 'at_home' OR (d.id = s.home_store_id AND s.at_home_radius_km IS NOT NULL
          AND (SELECT distance_km(base.latitude, base.longitude, p_home_latitude, p_home_longitude)
               FROM stores base WHERE base.id = s.home_store_id) <= s.at_home_radius_km)
  ),
  -- What each store allows that day (NULL: no restriction). A special day replaces the store's
  -- weekly hours: closed, or open only then. A store with no weekly hours at all restricts nothing.
  store_limits AS MATERIALIZED (
    SELECT p.store_id,
      CASE
        WHEN sd.store_id IS NOT NULL THEN
          CASE WHEN sd.opens_at < sd.closes_at THEN tstzmultirange(tstzrange(sd.opens_at, sd.closes_at)) ELSE '{}' END
        WHEN p_mode = 'in_store' AND EXISTS (SELECT 1 FROM store_hours o WHERE o.store_id = p.store_id) THEN
          coalesce((SELECT range_agg(CASE WHEN o.opens_at < o.closes_at THEN tstzrange(o.opens_at, o.closes_at) END)
                    FROM (SELECT local_instant(p.day, o.opens, p.zone) AS opens_at, local_instant(p.day, o.closes, p.zone) AS closes_at
                          FROM store_hours o WHERE o.store_id = p.store_id AND o.weekday = extract(isodow FROM p.day)) o), '{}')
      END AS allowed
    FROM (SELECT DISTINCT store_id, zone, day FROM hours) p
    LEFT JOIN LATERAL (SELECT d.store_id, local_instant(p.day, d.opens, p.zone) AS opens_at, local_instant(p.day, d.closes, p.zone) AS closes_at
                       FROM store_special_days d WHERE d.store_id = p.store_id AND d.local_date = p.day LIMIT 1) sd ON true
  ),
  -- Staff whose working time (per store, cut by the store's limits) holds the appointment on the
  -- step grid of its working interval, with no time off and no live claim on the blocked time.
  free AS MATERIALIZED (
    SELECT DISTINCT w.staff_id
    FROM (SELECT h.staff_id,
                 coalesce(range_agg(CASE WHEN h.starts_at < h.ends_at THEN tstzrange(h.starts_at, h.ends_at) END), '{}')
                   * coalesce(l.allowed, '{(,)}') AS work
          FROM hours h JOIN store_limits l ON l.store_id = h.store_id
          GROUP BY h.staff_id, h.store_id, l.allowed) w
    WHERE EXISTS (SELECT 1 FROM unnest(w.work) r
                  WHERE lower(r) <= p_start AND v_ends <= upper(r)
                    AND mod(extract(epoch FROM p_start - lower(r)), p_step_minutes * 60) = 0)
      AND NOT EXISTS (SELECT 1 FROM staff_time_off t
                      WHERE t.staff_id = w.staff_id AND t.starts_at < v_to AND t.ends_at > v_from OFFSET 0)
      -- A claim blocks unless it is an expired hold's.
      AND NOT EXISTS (SELECT 1 FROM slot_claims c
                      WHERE c.staff_id = w.staff_id AND tstzrange(c.blocked_from, c.blocked_to) && tstzrange(v_from, v_to)
                        AND (c.hold_id IS NULL OR NOT EXISTS (SELECT 1 FROM holds hd WHERE hd.id = c.hold_id AND hd.expires_at <= p_now)) OFFSET 0)
  )
  -- Balanced days make a balanced calendar: the load is the active appointments within a day either side.
  SELECT f.staff_id FROM free f
  CROSS JOIN LATERAL (SELECT count(*) AS n FROM appointments a
             WHERE a.staff_id = f.staff_id AND a.state <> 'cancelled'
               AND a.start_at >= p_start - interval '24 hours' AND a.start_at < p_start + interval '24 hours') l
  ORDER BY coalesce(l.n, 0), f.staff_id::text COLLATE "C";
END $$;
