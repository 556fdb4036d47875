-- Live-agent hand-off: who is talking to the customer (the bot, nobody yet, an agent), device
-- tokens for Join links, read positions, and the video link of online appointments.

-- FIFO order of "talk to a person" requests (timestamps can tie; a sequence cannot).
CREATE SEQUENCE handoff_tickets;

ALTER TABLE conversations
  -- bot: the bot answers; waiting: a live agent was asked for; attached: an agent is in the chat.
  ADD COLUMN handoff_state           text NOT NULL DEFAULT 'bot' CHECK (handoff_state IN ('bot', 'waiting', 'attached')),
  ADD COLUMN agent_staff_id          uuid REFERENCES staff ON DELETE SET NULL,
  -- The appointment being joined (kept after the hand-off ends: a left message goes to its store);
  -- NULL while waiting → a "talk to a person" request in the brand's queue.
  ADD COLUMN handoff_appointment_id  uuid REFERENCES appointments ON DELETE SET NULL,
  ADD COLUMN handoff_requested_at    timestamptz,
  -- Staff the request was shown to (the assigned advisor first, then others of the store).
  ADD COLUMN handoff_offered_to      uuid[] NOT NULL DEFAULT '{}',
  ADD COLUMN handoff_ticket          bigint,
  -- The customer chose "Leave a message": their next text becomes a console task.
  ADD COLUMN handoff_awaiting_message boolean NOT NULL DEFAULT false,
  -- Highest transcript seq each side has read.
  ADD COLUMN customer_read_seq       integer NOT NULL DEFAULT 0 CHECK (customer_read_seq >= 0),
  ADD COLUMN agent_read_seq          integer NOT NULL DEFAULT 0 CHECK (agent_read_seq >= 0),
  -- Only an attached conversation has an agent (one deleted meanwhile leaves it agentless, not stuck).
  ADD CONSTRAINT conversations_agent_when_attached CHECK (handoff_state = 'attached' OR agent_staff_id IS NULL);

CREATE INDEX conversations_handoff_waiting ON conversations (brand_id, handoff_ticket) WHERE handoff_state = 'waiting';
CREATE INDEX conversations_handoff_agent ON conversations (agent_staff_id) WHERE handoff_state = 'attached';

-- More keys to one web conversation: a Join link opens it on another device without revealing the
-- first device's token. SHA-256 (hex) of a 256-bit random token; the token is only on the device.
CREATE TABLE conversation_tokens (
  conversation_id  uuid NOT NULL REFERENCES conversations ON DELETE CASCADE,
  token_hash       text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  label            text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_tokens_by_conversation ON conversation_tokens (conversation_id);

-- The video link of an online appointment, made when it is first joined; both sides see it.
ALTER TABLE appointments ADD COLUMN meeting_url text;
