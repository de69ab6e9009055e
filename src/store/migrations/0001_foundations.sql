-- Foundations: the practices this deployment serves, their directory (organisations, locations,
-- practitioners), their patients, the PDS stub, and the audit trail.
-- Every practice-owned row is keyed by (practice, id): logical ids are scoped to one practice,
-- so no query can reach another practice's rows without naming it.

CREATE TABLE practice (
  ods_code             text PRIMARY KEY,
  name                 text NOT NULL,
  asid                 text NOT NULL,
  organization_id      text NOT NULL,
  -- GP Connect and each capability are switched on per practice (spec: deployed disabled).
  gpconnect_enabled    boolean NOT NULL DEFAULT false,
  appointments_enabled boolean NOT NULL DEFAULT false,
  structured_enabled   boolean NOT NULL DEFAULT false
);

CREATE TABLE organization (
  practice  text NOT NULL REFERENCES practice (ods_code),
  id        text NOT NULL,
  ods_code  text,
  name      text NOT NULL,
  telecom   jsonb NOT NULL DEFAULT '[]',
  address   jsonb,
  version   integer NOT NULL DEFAULT 1,
  PRIMARY KEY (practice, id)
);
CREATE INDEX organization_by_ods_code ON organization (practice, ods_code);

CREATE TABLE location (
  practice                 text NOT NULL REFERENCES practice (ods_code),
  id                       text NOT NULL,
  name                     text NOT NULL,
  site_ods_code            text,
  status                   text NOT NULL DEFAULT 'active',
  address                  jsonb,
  telecom                  jsonb NOT NULL DEFAULT '[]',
  managing_organization_id text,
  version                  integer NOT NULL DEFAULT 1,
  PRIMARY KEY (practice, id)
);

CREATE TABLE practitioner (
  practice             text NOT NULL REFERENCES practice (ods_code),
  id                   text NOT NULL,
  sds_user_id          text NOT NULL,
  sds_role_profile_ids text[] NOT NULL DEFAULT '{}',
  prefix               text[] NOT NULL DEFAULT '{}',
  given                text[] NOT NULL DEFAULT '{}',
  family               text NOT NULL,
  gender               text,
  languages            jsonb NOT NULL DEFAULT '[]',
  version              integer NOT NULL DEFAULT 1,
  PRIMARY KEY (practice, id)
);
CREATE INDEX practitioner_by_sds_user_id ON practitioner (practice, sds_user_id);

CREATE SEQUENCE patient_id_seq START 1000;

CREATE TABLE patient (
  practice                     text NOT NULL REFERENCES practice (ods_code),
  id                           text NOT NULL,
  nhs_number                   text NOT NULL,
  prefix                       text[] NOT NULL DEFAULT '{}',
  given                        text[] NOT NULL DEFAULT '{}',
  family                       text NOT NULL,
  other_names                  jsonb NOT NULL DEFAULT '[]',
  gender                       text,
  birth_date                   date NOT NULL,
  addresses                    jsonb NOT NULL DEFAULT '[]',
  telecom                      jsonb NOT NULL DEFAULT '[]',
  contacts                     jsonb NOT NULL DEFAULT '[]',
  nhs_communication            jsonb,
  registration_start           timestamptz NOT NULL,
  registration_end             timestamptz,
  -- CareConnect-RegistrationType-1 code: R regular (GMS), T temporary, ...
  registration_type            text NOT NULL DEFAULT 'R',
  -- 'active' or 'inactive' (left the practice)
  registration_status          text NOT NULL DEFAULT 'active',
  usual_gp_id                  text,
  preferred_branch_location_id text,
  sensitive                    boolean NOT NULL DEFAULT false,
  deceased                     date,
  dissent                      boolean NOT NULL DEFAULT false,
  nhs_number_verified          boolean NOT NULL DEFAULT true,
  version                      integer NOT NULL DEFAULT 1,
  PRIMARY KEY (practice, id),
  UNIQUE (practice, nhs_number)
);

-- The PDS stub behind the PDS interface: what a trace of an NHS number would return.
CREATE TABLE pds_record (
  nhs_number  text PRIMARY KEY,
  prefix      text[] NOT NULL DEFAULT '{}',
  given       text[] NOT NULL DEFAULT '{}',
  family      text NOT NULL,
  gender      text,
  birth_date  date NOT NULL,
  deceased    date,
  sensitive   boolean NOT NULL DEFAULT false,
  superseded  boolean NOT NULL DEFAULT false,
  address     jsonb
);

-- One row per request, accepted or refused (spec: audit all API access, with a sequence number).
CREATE TABLE audit_event (
  seq                     bigserial PRIMARY KEY,
  at                      timestamptz NOT NULL DEFAULT now(),
  practice                text,
  interaction_id          text,
  trace_id                text,
  from_asid               text,
  to_asid                 text,
  requesting_organization text,
  requesting_practitioner text,
  requesting_device       text,
  patient_id              text,
  http_status             integer NOT NULL,
  error_code              text
);
CREATE INDEX audit_event_by_practice ON audit_event (practice, seq);

-- Enablement switches are audited too (spec NFR: enable/disable SHALL be audited).
CREATE TABLE enablement_change (
  seq        bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  practice   text NOT NULL REFERENCES practice (ods_code),
  capability text NOT NULL,
  enabled    boolean NOT NULL,
  changed_by text NOT NULL
);
