-- Appointment Management: each practice's diary (schedules and their slots), the pattern its
-- rolling diary is generated from, and the appointments booked into it.

CREATE TABLE schedule (
  practice               text NOT NULL REFERENCES practice (ods_code),
  id                     text NOT NULL,
  identifier             text,
  practitioner_id        text,
  -- Spec: every schedule names the surgery where its appointments happen.
  location_id            text NOT NULL,
  -- Schedule.serviceCategory.text: the practice's name for the session type.
  service_category       text,
  -- GPConnect-PractitionerRole-1 code and display.
  practitioner_role      jsonb NOT NULL,
  planning_horizon_start timestamptz NOT NULL,
  planning_horizon_end   timestamptz,
  version                integer NOT NULL DEFAULT 1,
  PRIMARY KEY (practice, id)
);

CREATE SEQUENCE slot_id_seq;

CREATE TABLE slot (
  practice           text NOT NULL,
  id                 text NOT NULL DEFAULT nextval('slot_id_seq')::text,
  schedule_id        text NOT NULL,
  start_at           timestamptz NOT NULL,
  end_at             timestamptz NOT NULL,
  -- 'free' or 'busy'.
  status             text NOT NULL DEFAULT 'free',
  -- Slot.serviceType.text: the practice's name for the slot type.
  service_type       text NOT NULL,
  -- GPConnect-DeliveryChannel-1 code: In-person, Telephone or Video.
  delivery_channel   text NOT NULL,
  -- Spec (slot availability): offered to GP Connect consumers at all, and only to these
  -- organisations / organisation types when the lists are not empty.
  gpc_bookable       boolean NOT NULL DEFAULT true,
  bookable_ods_codes text[] NOT NULL DEFAULT '{}',
  bookable_org_types text[] NOT NULL DEFAULT '{}',
  version            integer NOT NULL DEFAULT 1,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, schedule_id) REFERENCES schedule (practice, id)
);
-- Free-slot search reads only free bookable slots of one practice in a time window.
CREATE INDEX slot_free_by_start ON slot (practice, start_at) WHERE status = 'free' AND gpc_bookable;

-- The repeating pattern the rolling diary is generated from: `day` 1..cycle days after the anchor.
CREATE TABLE slot_pattern (
  practice           text NOT NULL REFERENCES practice (ods_code),
  schedule_id        text NOT NULL,
  day                integer NOT NULL,
  start_time         time NOT NULL,
  slot_minutes       integer NOT NULL CHECK (slot_minutes > 0),
  slot_count         integer NOT NULL CHECK (slot_count > 0),
  gpc_bookable       boolean NOT NULL,
  service_type       text NOT NULL,
  delivery_channel   text NOT NULL,
  bookable_ods_codes text[] NOT NULL DEFAULT '{}',
  bookable_org_types text[] NOT NULL DEFAULT '{}',
  FOREIGN KEY (practice, schedule_id) REFERENCES schedule (practice, id)
);

-- How far each practice's diary has been generated.
CREATE TABLE diary_state (
  practice          text PRIMARY KEY REFERENCES practice (ods_code),
  anchor_date       date NOT NULL,
  cycle_days        integer NOT NULL CHECK (cycle_days > 0),
  generated_through date NOT NULL
);

CREATE SEQUENCE appointment_id_seq START 1000;

CREATE TABLE appointment (
  practice             text NOT NULL REFERENCES practice (ods_code),
  id                   text NOT NULL,
  -- 'booked' or 'cancelled'.
  status               text NOT NULL,
  patient_id           text NOT NULL,
  schedule_id          text NOT NULL,
  location_id          text NOT NULL,
  practitioner_id      text,
  start_at             timestamptz NOT NULL,
  end_at               timestamptz NOT NULL,
  created              timestamptz NOT NULL,
  description          text NOT NULL,
  comment              text,
  priority             integer,
  identifiers          jsonb NOT NULL DEFAULT '[]',
  -- The booking organisation exactly as the consumer sent it (Must-Support: stored and returned).
  booking_organization jsonb NOT NULL,
  -- The participants as booked: [{ "actor": "Patient/1", "status": "accepted", "type": [...] }].
  participants         jsonb NOT NULL,
  -- Taken from the schedule and slot at booking time.
  service_category     text,
  service_type         text NOT NULL,
  delivery_channel     text NOT NULL,
  practitioner_role    jsonb NOT NULL,
  cancellation_reason  text,
  -- Provenance (spec: API-originated changes identifiable, with the organisation and time).
  booked_by_ods        text,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  version              integer NOT NULL DEFAULT 1,
  PRIMARY KEY (practice, id)
);
CREATE INDEX appointment_by_patient ON appointment (practice, patient_id, start_at);

CREATE TABLE appointment_slot (
  practice       text NOT NULL,
  appointment_id text NOT NULL,
  slot_id        text NOT NULL,
  -- False once the appointment is cancelled and the slot given back.
  active         boolean NOT NULL DEFAULT true,
  PRIMARY KEY (practice, appointment_id, slot_id),
  FOREIGN KEY (practice, appointment_id) REFERENCES appointment (practice, id),
  FOREIGN KEY (practice, slot_id) REFERENCES slot (practice, id)
);
-- No double booking, whatever the code above it does: a slot holds at most one live appointment.
CREATE UNIQUE INDEX appointment_slot_one_live_booking ON appointment_slot (practice, slot_id) WHERE active;
