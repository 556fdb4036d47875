-- Booking core: brand, stores, services, staff, customers, holds, appointments, status workflows.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE brands (
  id              text PRIMARY KEY CHECK (id ~ '^[a-z0-9-]{2,40}$'),
  name            text NOT NULL,
  default_locale  text NOT NULL DEFAULT 'en' CHECK (default_locale IN ('en', 'fr')),
  time_zone       text NOT NULL,
  -- Sites allowed to embed the widget (checked against Origin on sockets and CORS).
  allowed_origins text[] NOT NULL DEFAULT '{}',
  settings        jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id    text NOT NULL REFERENCES brands ON DELETE CASCADE,
  label       text NOT NULL,
  -- SHA-256 of the key: the key itself is shown once and never stored.
  key_hash    text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE stores (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id             text NOT NULL REFERENCES brands ON DELETE CASCADE,
  slug                 text NOT NULL,
  name                 text NOT NULL,
  address_line         text NOT NULL,
  postcode             text NOT NULL,
  city                 text NOT NULL,
  country              text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  latitude             double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude            double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  time_zone            text NOT NULL,
  email                text,
  phone                text,
  notification_routing text NOT NULL DEFAULT 'store' CHECK (notification_routing IN ('headquarters', 'store', 'salesman')),
  active               boolean NOT NULL DEFAULT true,
  UNIQUE (brand_id, slug)
);

-- Regular opening hours, in the store's local time; several rows a day allow a lunch break.
CREATE TABLE store_hours (
  store_id  uuid NOT NULL REFERENCES stores ON DELETE CASCADE,
  weekday   smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  opens     time NOT NULL,
  closes    time NOT NULL CHECK (closes > opens),
  PRIMARY KEY (store_id, weekday, opens)
);

-- Holidays and special opening hours keyed by the store's local date; no hours → closed all day.
CREATE TABLE store_special_days (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  store_id    uuid NOT NULL REFERENCES stores ON DELETE CASCADE,
  local_date  date NOT NULL,
  opens       time,
  closes      time,
  label       text NOT NULL DEFAULT '',
  CHECK ((opens IS NULL AND closes IS NULL) OR (opens IS NOT NULL AND closes > opens))
);
CREATE INDEX store_special_days_by_date ON store_special_days (store_id, local_date);

CREATE TABLE services (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id               text NOT NULL REFERENCES brands ON DELETE CASCADE,
  slug                   text NOT NULL,
  names                  jsonb NOT NULL,
  descriptions           jsonb NOT NULL DEFAULT '{}',
  duration_minutes       integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 1440),
  buffer_before_minutes  integer NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 240),
  buffer_after_minutes   integer NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 240),
  modes                  text[] NOT NULL CHECK (modes <@ ARRAY['in_store', 'online', 'at_home'] AND cardinality(modes) > 0),
  booking_mode           text NOT NULL DEFAULT 'direct' CHECK (booking_mode IN ('direct', 'request')),
  status_workflow        boolean NOT NULL DEFAULT false,
  slot_step_minutes      integer CHECK (slot_step_minutes BETWEEN 5 AND 240),
  position               integer NOT NULL DEFAULT 0,
  active                 boolean NOT NULL DEFAULT true,
  UNIQUE (brand_id, slug)
);

CREATE TABLE staff (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id            text NOT NULL REFERENCES brands ON DELETE CASCADE,
  name                text NOT NULL,
  email               text,
  phone               text,
  -- At-home visits start from here; NULL radius → no home visits.
  home_store_id       uuid REFERENCES stores ON DELETE SET NULL,
  at_home_radius_km   double precision CHECK (at_home_radius_km > 0),
  active              boolean NOT NULL DEFAULT true
);

CREATE TABLE staff_services (
  staff_id    uuid NOT NULL REFERENCES staff ON DELETE CASCADE,
  service_id  uuid NOT NULL REFERENCES services ON DELETE CASCADE,
  PRIMARY KEY (staff_id, service_id)
);

-- Weekly working hours at a store, in that store's local time (this also says which stores they work in).
CREATE TABLE staff_hours (
  staff_id  uuid NOT NULL REFERENCES staff ON DELETE CASCADE,
  store_id  uuid NOT NULL REFERENCES stores ON DELETE CASCADE,
  weekday   smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  starts    time NOT NULL,
  ends      time NOT NULL CHECK (ends > starts),
  PRIMARY KEY (staff_id, weekday, starts)
);
CREATE INDEX staff_hours_by_store ON staff_hours (store_id);

CREATE TABLE staff_time_off (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  staff_id   uuid NOT NULL REFERENCES staff ON DELETE CASCADE,
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL CHECK (ends_at > starts_at),
  reason     text NOT NULL DEFAULT ''
);
CREATE INDEX staff_time_off_by_staff ON staff_time_off (staff_id, starts_at);

CREATE TABLE customers (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id           text NOT NULL REFERENCES brands ON DELETE CASCADE,
  name               text NOT NULL,
  email              text,
  phone              text,
  email_verified_at  timestamptz,
  phone_verified_at  timestamptz,
  locale             text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'fr')),
  time_zone          text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
CREATE UNIQUE INDEX customers_email ON customers (brand_id, lower(email)) WHERE email IS NOT NULL;
-- A customer is known by email, or by phone when they gave no email.
CREATE UNIQUE INDEX customers_phone ON customers (brand_id, phone) WHERE email IS NULL;

-- A service's custom status workflow (product document 001).
CREATE TABLE appointment_statuses (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  service_id   uuid NOT NULL REFERENCES services ON DELETE CASCADE,
  name         text NOT NULL,
  description  text NOT NULL DEFAULT '',
  position     integer NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('start', 'confirmation', 'cancellation')),
  color        text NOT NULL DEFAULT '#607d8b' CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
  UNIQUE (service_id, name)
);

CREATE TABLE appointments (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id             text NOT NULL REFERENCES brands ON DELETE CASCADE,
  service_id           uuid NOT NULL REFERENCES services,
  mode                 text NOT NULL CHECK (mode IN ('in_store', 'online', 'at_home')),
  store_id             uuid REFERENCES stores,
  home_address         text,
  home_latitude        double precision,
  home_longitude       double precision,
  staff_id             uuid NOT NULL REFERENCES staff,
  customer_id          uuid NOT NULL REFERENCES customers,
  start_at             timestamptz NOT NULL,
  end_at               timestamptz NOT NULL CHECK (end_at > start_at),
  customer_time_zone   text NOT NULL,
  -- pending: a request awaiting staff confirmation; it blocks its slot all the same.
  state                text NOT NULL CHECK (state IN ('pending', 'confirmed', 'cancelled')),
  status_id            uuid REFERENCES appointment_statuses,
  notes                text NOT NULL DEFAULT '',
  channel              text NOT NULL DEFAULT 'api',
  conversation_id      text,
  cancellation_reason  text,
  idempotency_key      text,
  version              integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (mode <> 'at_home' OR home_address IS NOT NULL),
  CHECK (mode <> 'in_store' OR store_id IS NOT NULL),
  UNIQUE (brand_id, idempotency_key)
);
CREATE INDEX appointments_by_staff ON appointments (staff_id, start_at);
CREATE INDEX appointments_by_customer ON appointments (customer_id, start_at);
CREATE INDEX appointments_by_brand ON appointments (brand_id, start_at);

CREATE TABLE holds (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id        text NOT NULL REFERENCES brands ON DELETE CASCADE,
  service_id      uuid NOT NULL REFERENCES services,
  mode            text NOT NULL CHECK (mode IN ('in_store', 'online', 'at_home')),
  store_id        uuid REFERENCES stores,
  home_address    text,
  home_latitude   double precision,
  home_longitude  double precision,
  staff_id        uuid NOT NULL REFERENCES staff,
  start_at        timestamptz NOT NULL,
  end_at          timestamptz NOT NULL CHECK (end_at > start_at),
  expires_at      timestamptz NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX holds_expiry ON holds (expires_at);

-- The single source of a staff member's busy time, buffers included: one row per live hold or
-- active appointment. The exclusion constraint is what makes double booking impossible.
CREATE TABLE slot_claims (
  id              bigserial PRIMARY KEY,
  staff_id        uuid NOT NULL REFERENCES staff,
  blocked_from    timestamptz NOT NULL,
  blocked_to      timestamptz NOT NULL CHECK (blocked_to > blocked_from),
  hold_id         uuid UNIQUE REFERENCES holds ON DELETE CASCADE,
  appointment_id  uuid UNIQUE REFERENCES appointments ON DELETE CASCADE,
  CHECK ((hold_id IS NULL) <> (appointment_id IS NULL)),
  EXCLUDE USING gist (staff_id WITH =, tstzrange(blocked_from, blocked_to) WITH &&)
);

CREATE TABLE appointment_status_history (
  id              bigserial PRIMARY KEY,
  appointment_id  uuid NOT NULL REFERENCES appointments ON DELETE CASCADE,
  from_state      text,
  to_state        text NOT NULL,
  from_status_id  uuid REFERENCES appointment_statuses ON DELETE SET NULL,
  to_status_id    uuid REFERENCES appointment_statuses ON DELETE SET NULL,
  -- e.g. 'customer', 'staff:<id>', 'api-key:<label>', 'system'
  actor           text NOT NULL,
  reason          text,
  at              timestamptz NOT NULL
);
CREATE INDEX appointment_status_history_by_appointment ON appointment_status_history (appointment_id, at);
