-- A customer message and the bot turn that answers it, stored in one round trip (issue 14 part 2).
-- A turn may run on the dialog state its instance last read or wrote before its message is stored
-- (bot/customer-inbox.ts); save_customer_turn() then stores the message, the bot's replies and the
-- new state together, if the turn stands: the message is no resend, no other turn of the
-- conversation is unfinished, the bot (no live agent) has it, and the state is still the one the
-- turn began on (its eTag). Otherwise it stores the message alone, as appendEntry does, and says
-- where it stands in the turn order, so the turn runs again the usual way; a resend stores nothing.

-- A bot message carrying the one-time code form: what the customer types next is a code (stored masked).
CREATE FUNCTION asks_for_code(p_content jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT p_content->'attachments' @> '[{"content": {"form": "code"}}]'
$$;

CREATE FUNCTION save_customer_turn(
  p_conversation uuid, p_entry_id uuid, p_client_id text, p_text text, p_text_if_code_asked text, p_content jsonb,
  p_state_key text, p_etag bigint, p_data jsonb, p_replies jsonb, p_state_keys text[])
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
    turns_done = CASE WHEN stands THEN c.turns_asked + 1 ELSE c.turns_done END, updated_at = now()
  WHERE c.id = p_conversation;
  -- A refused turn runs again on the states as they are now.
  RETURN QUERY
  SELECT CASE WHEN stands THEN 'stands' ELSE 'refused' END, new_etag::text, conv.turns_asked + 1,
    CASE WHEN stands THEN conv.turns_asked + 1 ELSE conv.turns_done END, conv.handoff_state = 'bot' AND NOT conv.handoff_awaiting_message,
    CASE WHEN NOT stands THEN (SELECT jsonb_object_agg(d.key, jsonb_build_object('etag', d.etag::text, 'data', d.data))
                               FROM dialog_state d WHERE d.key = ANY(p_state_keys)) END,
    m.seq, m.id, m.sender, m.sender_name, m.text, m.content, m.client_id, m.created_at
  FROM conversation_messages m WHERE m.conversation_id = p_conversation AND m.seq > conv.last_seq ORDER BY m.seq;
END $$;
