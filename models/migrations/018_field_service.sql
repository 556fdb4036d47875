-- Field-service booking (product document 002): customers' addresses and installed equipment,
-- maintenance contracts, technicians' skills and daily sectors, on-site visits booked as drafts
-- inside an arrival window, and passwordless customer sessions.

-- Per-brand rules of on-site booking (one row per brand that offers it).
CREATE TABLE field_service_settings (
  brand_id                   text PRIMARY KEY REFERENCES brands ON DELETE CASCADE,
  -- The customer is promised an arrival window of this length, not an exact time.
  arrival_window_minutes     integer NOT NULL DEFAULT 120 CHECK (arrival_window_minutes BETWEEN 15 AND 480),
  -- Travel estimate: straight-line km × circuity ÷ average speed, plus a buffer.
  circuity_factor            double precision NOT NULL DEFAULT 1.3 CHECK (circuity_factor BETWEEN 1 AND 3),
  average_speed_kmh          double precision NOT NULL DEFAULT 30 CHECK (average_speed_kmh BETWEEN 5 AND 130),
  travel_buffer_minutes      integer NOT NULL DEFAULT 10 CHECK (travel_buffer_minutes BETWEEN 0 AND 120),
  -- Customers may add an appliance to their installed base from the customer page or the chat.
  customers_register_equipment boolean NOT NULL DEFAULT false,
  -- A contract due within this many days gets its "book your service" message.
  contract_notice_days       integer NOT NULL DEFAULT 30 CHECK (contract_notice_days BETWEEN 1 AND 180)
);

CREATE TABLE customer_addresses (
  id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id            uuid NOT NULL REFERENCES customers ON DELETE CASCADE,
  label                  text NOT NULL DEFAULT '',
  address_line           text NOT NULL,
  postcode               text NOT NULL,
  city                   text NOT NULL,
  country                text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  latitude               double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude              double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  -- The customer moved the pin themselves: the geocoder's point was wrong.
  corrected_by_customer  boolean NOT NULL DEFAULT false,
  -- "Gate code 1234, 2nd floor": read by the technician.
  access_comment         text NOT NULL DEFAULT '' CHECK (length(access_comment) <= 500),
  created_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_addresses_by_customer ON customer_addresses (customer_id);

CREATE TABLE equipment_types (
  id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  brand_id  text NOT NULL REFERENCES brands ON DELETE CASCADE,
  slug      text NOT NULL CHECK (slug ~ '^[a-z0-9-]{2,60}$'),
  names     jsonb NOT NULL,
  active    boolean NOT NULL DEFAULT true,
  UNIQUE (brand_id, slug)
);

-- Services open to online booking for a kind of equipment.
CREATE TABLE equipment_type_services (
  equipment_type_id  uuid NOT NULL REFERENCES equipment_types ON DELETE CASCADE,
  service_id         uuid NOT NULL REFERENCES services ON DELETE CASCADE,
  PRIMARY KEY (equipment_type_id, service_id)
);
CREATE INDEX equipment_type_services_by_service ON equipment_type_services (service_id);

-- Skills a service needs; a technician serves it only with all of them.
CREATE TABLE service_skills (
  service_id  uuid NOT NULL REFERENCES services ON DELETE CASCADE,
  skill       text NOT NULL CHECK (skill ~ '^[a-z0-9-]{2,40}$'),
  PRIMARY KEY (service_id, skill)
);

-- A staff member who goes on site, and where their day starts.
CREATE TABLE technicians (
  staff_id         uuid PRIMARY KEY REFERENCES staff ON DELETE CASCADE,
  start_latitude   double precision NOT NULL CHECK (start_latitude BETWEEN -90 AND 90),
  start_longitude  double precision NOT NULL CHECK (start_longitude BETWEEN -180 AND 180),
  time_zone        text NOT NULL
);

-- Weekly working hours in the technician's own zone (technicians work from no store).
CREATE TABLE technician_hours (
  staff_id  uuid NOT NULL REFERENCES technicians ON DELETE CASCADE,
  weekday   smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  starts    time NOT NULL,
  ends      time NOT NULL CHECK (ends > starts),
  PRIMARY KEY (staff_id, weekday, starts)
);

CREATE TABLE technician_skills (
  staff_id  uuid NOT NULL REFERENCES technicians ON DELETE CASCADE,
  skill     text NOT NULL CHECK (skill ~ '^[a-z0-9-]{2,40}$'),
  PRIMARY KEY (staff_id, skill)
);

-- Where a technician works on a day: a set of postcodes or a radius around a point. A dated row
-- replaces the weekday's rows that date; a day with no sector offers no on-site visit.
CREATE TABLE technician_sectors (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  staff_id        uuid NOT NULL REFERENCES technicians ON DELETE CASCADE,
  weekday         smallint CHECK (weekday BETWEEN 1 AND 7),
  local_date      date,
  label           text NOT NULL DEFAULT '',
  postcodes       text[],
  center_latitude   double precision CHECK (center_latitude BETWEEN -90 AND 90),
  center_longitude  double precision CHECK (center_longitude BETWEEN -180 AND 180),
  radius_km       double precision CHECK (radius_km > 0),
  CHECK ((weekday IS NULL) <> (local_date IS NULL)),
  CHECK ((postcodes IS NOT NULL AND cardinality(postcodes) > 0 AND radius_km IS NULL)
      OR (postcodes IS NULL AND radius_km IS NOT NULL AND center_latitude IS NOT NULL AND center_longitude IS NOT NULL))
);
CREATE INDEX technician_sectors_by_staff ON technician_sectors (staff_id);

CREATE TABLE installed_equipment (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id        uuid NOT NULL REFERENCES customers ON DELETE CASCADE,
  equipment_type_id  uuid NOT NULL REFERENCES equipment_types,
  address_id         uuid NOT NULL REFERENCES customer_addresses,
  make               text NOT NULL DEFAULT '',
  model              text NOT NULL DEFAULT '',
  serial_number      text NOT NULL DEFAULT '',
  installed_on       date,
  -- 'customer' when registered by the customer themselves.
  registered_by      text NOT NULL DEFAULT 'staff' CHECK (registered_by IN ('staff', 'customer')),
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX installed_equipment_by_customer ON installed_equipment (customer_id);

-- A recurring maintenance request on one appliance (document 002: "demande d'intervention récurrente").
CREATE TABLE maintenance_contracts (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  equipment_id     uuid NOT NULL REFERENCES installed_equipment ON DELETE CASCADE,
  service_id       uuid NOT NULL REFERENCES services,
  task             text NOT NULL,
  period_months    integer NOT NULL CHECK (period_months BETWEEN 1 AND 120),
  next_due_on      date NOT NULL,
  active           boolean NOT NULL DEFAULT true,
  -- The due date the "book your service" message was last sent for (sent once per due date).
  reminded_for     date,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX maintenance_contracts_due ON maintenance_contracts (next_due_on) WHERE active;
CREATE INDEX maintenance_contracts_by_equipment ON maintenance_contracts (equipment_id);

-- What an on-site appointment is about and the arrival window the customer was promised. The
-- appointment's claim covers the whole window until staff validate an exact arrival time.
CREATE TABLE field_visits (
  appointment_id  uuid PRIMARY KEY REFERENCES appointments ON DELETE CASCADE,
  equipment_id    uuid NOT NULL REFERENCES installed_equipment,
  contract_id     uuid REFERENCES maintenance_contracts ON DELETE SET NULL,
  address_id      uuid NOT NULL REFERENCES customer_addresses,
  task            text NOT NULL DEFAULT '',
  window_start    timestamptz NOT NULL,
  window_end      timestamptz NOT NULL CHECK (window_end > window_start)
);
CREATE INDEX field_visits_by_equipment ON field_visits (equipment_id);

-- Holds of an arrival window carry the same facts until the booking turns them into a visit.
CREATE TABLE field_holds (
  hold_id       uuid PRIMARY KEY REFERENCES holds ON DELETE CASCADE,
  window_start  timestamptz NOT NULL,
  window_end    timestamptz NOT NULL CHECK (window_end > window_start)
);

-- Customer-page sessions after a code sent by email was typed back; the token is stored as SHA-256.
CREATE TABLE customer_sessions (
  token_hash   text PRIMARY KEY,
  customer_id  uuid NOT NULL REFERENCES customers ON DELETE CASCADE,
  expires_at   timestamptz NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_sessions_expiry ON customer_sessions (expires_at);
