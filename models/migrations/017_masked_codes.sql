-- One-time codes are masked in transcripts from now on (bot/code-masking.ts); mask those stored before:
-- code forms submitted, and digits typed while the bot's last message asked for a code.
UPDATE conversation_messages
   SET text = '••••••', content = jsonb_set(content, '{value,values,code}', '"••••••"')
 WHERE sender = 'customer' AND content->'value'->>'form' = 'code';

UPDATE conversation_messages m
   SET text = '••••••'
 WHERE m.sender = 'customer'
   AND m.text ~ '^[0-9 -]*[0-9][0-9 -]*$'
   AND (SELECT b.content->'attachments' @> '[{"content": {"form": "code"}}]'
          FROM conversation_messages b
         WHERE b.conversation_id = m.conversation_id AND b.sender = 'bot' AND b.seq < m.seq
         ORDER BY b.seq DESC LIMIT 1);
