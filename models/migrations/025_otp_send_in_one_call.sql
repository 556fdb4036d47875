-- A one-time code's send in one round trip (notifications/otp.ts). Under the address's advisory
-- lock (the key the sends took before: brand, newline, recipient), the address's sends in the
-- window are counted; each statement of a PL/pgSQL function reads a fresh snapshot, so the count
-- sees every send committed before the lock was granted. When the limits allow it, the unused
-- codes of the same conversation and contact are superseded and the new code inserted. Called on
-- its own, the lock is held until the call has committed.
CREATE FUNCTION otp_send(
  p_lock_class integer, p_brand text, p_conversation text, p_channel text, p_recipient text,
  p_id uuid, p_hash text, p_expires timestamptz, p_at timestamptz,
  p_window_start timestamptz, p_max_sends integer, p_cooldown_seconds integer
) RETURNS TABLE (sent boolean, sends integer, oldest timestamptz, latest timestamptz)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(p_lock_class, hashtext(p_brand || E'\n' || p_recipient));
  SELECT count(*)::int, min(c.created_at), max(c.created_at) INTO sends, oldest, latest
    FROM otp_codes c WHERE c.brand_id = p_brand AND c.recipient = p_recipient AND c.created_at > p_window_start;
  sent := sends < p_max_sends AND (latest IS NULL OR latest + make_interval(secs => p_cooldown_seconds) <= p_at);
  IF sent THEN
    UPDATE otp_codes c SET superseded_at = p_at
     WHERE c.brand_id = p_brand AND c.conversation_id = p_conversation AND c.channel = p_channel AND c.recipient = p_recipient
       AND c.consumed_at IS NULL AND c.superseded_at IS NULL;
    INSERT INTO otp_codes (id, brand_id, conversation_id, channel, recipient, code_hash, expires_at, created_at)
    VALUES (p_id, p_brand, p_conversation, p_channel, p_recipient, p_hash, p_expires, p_at);
  END IF;
  RETURN NEXT;
END $$;
