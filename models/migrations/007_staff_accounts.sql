-- The staff side: console accounts, their sessions, the stores they may see, and the console's task list.

-- One login per staff member. Emails are unique across brands: the login form names no brand.
CREATE TABLE staff_accounts (
  staff_id           uuid PRIMARY KEY REFERENCES staff ON DELETE CASCADE,
  email              text NOT NULL CHECK (email = lower(email) AND email LIKE '_%@_%'),
  -- 'scrypt$N$r$p$salt$hash' (server/console/passwords.ts); NULL until the invite is accepted.
  password_hash      text,
  role               text NOT NULL CHECK (role IN ('agent', 'store_manager', 'admin')),
  -- A disabled account cannot log in and its sessions are deleted when it is disabled.
  disabled_at        timestamptz,
  -- Consecutive failures; reset by a successful login and when a lock is set.
  failed_logins      integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  locked_until       timestamptz,
  -- SHA-256 (hex) of the invite token (256 random bits); the token itself is only in the invite link.
  invite_token_hash  text UNIQUE CHECK (invite_token_hash ~ '^[0-9a-f]{64}$'),
  invite_expires_at  timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((invite_token_hash IS NULL) = (invite_expires_at IS NULL))
);
CREATE UNIQUE INDEX staff_accounts_email ON staff_accounts (lower(email));

-- Stores an account may see besides those its staff member works at (staff_hours): set by an
-- admin when inviting someone who has no working hours yet (a manager, a phone agent).
CREATE TABLE staff_store_access (
  staff_id  uuid NOT NULL REFERENCES staff ON DELETE CASCADE,
  store_id  uuid NOT NULL REFERENCES stores ON DELETE CASCADE,
  PRIMARY KEY (staff_id, store_id)
);

-- Console sessions: the cookie holds a 256-bit random token, the table only its SHA-256 (hex).
CREATE TABLE staff_sessions (
  token_hash    text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  staff_id      uuid NOT NULL REFERENCES staff_accounts ON DELETE CASCADE,
  -- Sent back in X-CSRF-Token on every state-changing request (synchronizer token pattern).
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL,
  -- Idle timeout: a session unused for an hour is over.
  last_seen_at  timestamptz NOT NULL,
  -- Absolute timeout: eight hours after login whatever happens.
  expires_at    timestamptz NOT NULL CHECK (expires_at > created_at)
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions (staff_id);
CREATE INDEX staff_sessions_expiry ON staff_sessions (expires_at);

-- Work for the console: e.g. the live-agent hand-off adds a task when no agent can take a customer.
CREATE TABLE console_tasks (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id         text NOT NULL REFERENCES brands ON DELETE CASCADE,
  -- NULL → the whole brand's queue (visible to every console user of the brand).
  store_id         uuid REFERENCES stores ON DELETE SET NULL,
  conversation_id  uuid REFERENCES conversations ON DELETE SET NULL,
  customer_name    text,
  -- How to reach the customer back (email or phone, as given).
  contact          text,
  message          text NOT NULL,
  status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  done_by          uuid REFERENCES staff ON DELETE SET NULL,
  done_at          timestamptz,
  CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX console_tasks_by_brand ON console_tasks (brand_id, status, created_at);
