-- A turn that writes may store its customer message in its first write's own statement
-- (models/statement-gate.ts, issue 14 part 2): save_customer_turn() with p_finish false stores the
-- message as the start of a turn that stands (its number taken, not yet done; no replies, the state
-- unchanged) or, as before, alone when the turn may not stand. The turn's own save finishes it.
-- Also: the matching code's use as a function, so that it can be such a first write.

DROP FUNCTION save_customer_turn(uuid, uuid, text, text, text, jsonb, text, bigint, jsonb, jsonb, text[]);

CREATE FUNCTION save_customer_turn(
  p_conversation uuid, p_entry_id uuid, p_client_id text, p_text text, p_text_if_code_asked text, p_content jsonb,
  p_state_key text, p_etag bigint, p_data jsonb, p_replies jsonb, p_state_keys text[], p_finish boolean DEFAULT true)
RETURNS TABLE (
  outcome text, etag text, turn integer, done integer, with_bot boolean, states jsonb,
  seq integer, id uuid, sender text, "senderName" text, text text, content jsonb, "clientId" text, "createdAt" timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  conv conversations;
  current_etag bigint;
  new_etag bigint;
  stands boolean;
  replies integer := jsonb_array_length(p_replies);
  stored_text text := p_text;
BEGIN
  -- The state's row first, then the conversation's, in the order saveTurn's statement takes them (no deadlock
  -- with another instance's save). The conversation's row orders every append to it; a resend is recognised once it is held.
  SELECT d.etag INTO current_etag FROM dialog_state d WHERE d.key = p_state_key FOR UPDATE;
  SELECT * INTO conv FROM conversations c WHERE c.id = p_conversation FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF EXISTS (SELECT 1 FROM conversation_messages m WHERE m.conversation_id = p_conversation AND m.client_id = p_client_id) THEN
    RETURN QUERY SELECT 'duplicate', NULL::text, NULL::integer, NULL::integer, NULL::boolean, NULL::jsonb,
      m.seq, m.id, m.sender, m.sender_name, m.text, m.content, m.client_id, m.created_at
      FROM conversation_messages m WHERE m.conversation_id = p_conversation AND m.client_id = p_client_id;
    RETURN;
  END IF;
  IF p_text_if_code_asked IS NOT NULL AND coalesce((
       SELECT asks_for_code(m.content) FROM conversation_messages m
       WHERE m.conversation_id = p_conversation AND m.sender = 'bot' ORDER BY m.seq DESC LIMIT 1), false) THEN
    stored_text := p_text_if_code_asked;
  END IF;
  stands := conv.turns_done = conv.turns_asked AND conv.handoff_state = 'bot' AND NOT conv.handoff_awaiting_message
            AND current_etag IS NOT DISTINCT FROM p_etag;
  -- The message is stored either way; the replies and the state only with a turn that stands.
  INSERT INTO conversation_messages (conversation_id, seq, id, sender, text, content, client_id)
  VALUES (p_conversation, conv.last_seq + 1, p_entry_id, 'customer', stored_text, p_content, p_client_id);
  IF stands THEN
    IF p_data IS NULL THEN
      new_etag := current_etag;
    ELSE
      UPDATE dialog_state d SET data = p_data, etag = d.etag + 1, updated_at = now() WHERE d.key = p_state_key RETURNING d.etag INTO new_etag;
    END IF;
    INSERT INTO conversation_messages (conversation_id, seq, id, sender, sender_name, text, content)
    SELECT p_conversation, conv.last_seq + 1 + e.n, COALESCE((e.item->>'id')::uuid, gen_random_uuid()), e.item->>'sender',
      e.item->>'senderName', e.item->>'text', e.item->'content'
    FROM jsonb_array_elements(p_replies) WITH ORDINALITY AS e(item, n);
  END IF;
  UPDATE conversations c SET last_seq = c.last_seq + 1 + CASE WHEN stands THEN replies ELSE 0 END, turns_asked = c.turns_asked + 1,
    turns_done = CASE WHEN stands AND p_finish THEN c.turns_asked + 1 ELSE c.turns_done END, updated_at = now()
  WHERE c.id = p_conversation;
  -- A refused turn runs again on the states as they are now.
  RETURN QUERY
  SELECT CASE WHEN stands THEN 'stands' ELSE 'refused' END, new_etag::text, conv.turns_asked + 1,
    CASE WHEN stands AND p_finish THEN conv.turns_asked + 1 ELSE conv.turns_done END, conv.handoff_state = 'bot' AND NOT conv.handoff_awaiting_message,
    CASE WHEN NOT stands THEN (SELECT jsonb_object_agg(d.key, jsonb_build_object('etag', d.etag::text, 'data', d.data))
                               FROM dialog_state d WHERE d.key = ANY(p_state_keys)) END,
    m.seq, m.id, m.sender, m.sender_name, m.text, m.content, m.client_id, m.created_at
  FROM conversation_messages m WHERE m.conversation_id = p_conversation AND m.seq > conv.last_seq ORDER BY m.seq;
END $$;

-- The code `p_id` used, once, if `p_hash` is its hash and it is the binding's, unused, not superseded,
-- unexpired and under `p_max_failed` wrong tries (models/otp-codes.repository.ts).
CREATE FUNCTION otp_consume_matching(
  p_id uuid, p_brand text, p_conversation text, p_channel text, p_recipient text, p_hash text, p_at timestamptz, p_max_failed integer)
RETURNS SETOF uuid LANGUAGE sql AS $$
  UPDATE otp_codes SET consumed_at = p_at
  WHERE id = p_id AND brand_id = p_brand AND conversation_id = p_conversation AND channel = p_channel AND recipient = p_recipient
    AND code_hash = p_hash AND consumed_at IS NULL AND superseded_at IS NULL AND expires_at > p_at AND failed_attempts < p_max_failed
  RETURNING id
$$;
