-- Access Record Structured: each practice's clinical record, as data. FHIR resources are built from
-- these rows at request time; no FHIR response is stored.
--
-- Conventions (all clinical tables):
-- * Rows are keyed by (practice, id) and belong to one patient of that practice.
-- * `id` is the FHIR logical id of the resource the row becomes, so it is unique per practice and
--   resource type; tables that share a resource type (observation kinds, procedure_request kinds)
--   are one table for that reason.
-- * `identifiers` holds the item's persistent [{system, value}] identifiers (spec: globally unique,
--   provider-namespaced, stored with the data).
-- * Coded values are jsonb CodeableConcept-like {coding: [{system, code, display, ...}], text};
--   notes are jsonb [{text, time?, authorId?}]. Anything filtered, ordered or joined on is a column.
-- * `confidential`: the item is withheld from $gpc.getstructuredrecord (and from migrate without
--   sensitive data) and a confidential-items warning goes on the lists it would have been in.
-- * Practitioner, organisation and location ids point into the practice's directory (0001).

-- The medication dictionary (dm+d products) that statements and requests point at.
CREATE TABLE medication (
  practice     text NOT NULL REFERENCES practice (ods_code),
  id           text NOT NULL,
  code         jsonb NOT NULL,
  batch_number text,
  expiry_date  date,
  PRIMARY KEY (practice, id)
);

-- Consultations (FHIR Encounter).
CREATE TABLE encounter (
  practice            text NOT NULL,
  id                  text NOT NULL,
  patient_id          text NOT NULL,
  identifiers         jsonb NOT NULL DEFAULT '[]',
  -- 'finished', or 'unknown' for a draft consultation (spec: drafts are returned).
  status              text NOT NULL DEFAULT 'finished' CHECK (status IN ('finished', 'unknown')),
  -- The consultation type as shown in the source; also the Consultation list's title.
  type                jsonb NOT NULL,
  start_at            timestamptz NOT NULL,
  end_at              timestamptz,
  recorder_id         text NOT NULL,
  performer_id        text,
  location_id         text,
  service_provider_id text,
  -- Last-modified time of the consultation: the date of its structure lists.
  recorded_at         timestamptz NOT NULL,
  confidential        boolean NOT NULL DEFAULT false,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  FOREIGN KEY (practice, recorder_id) REFERENCES practitioner (practice, id),
  FOREIGN KEY (practice, performer_id) REFERENCES practitioner (practice, id),
  FOREIGN KEY (practice, location_id) REFERENCES location (practice, id),
  FOREIGN KEY (practice, service_provider_id) REFERENCES organization (practice, id),
  CHECK (end_at IS NULL OR end_at >= start_at)
);
-- Consultation search: period filters and "N most recent" by start.
CREATE INDEX encounter_by_patient ON encounter (practice, patient_id, start_at);

-- The consultation's structure: one 'consultation' section per encounter, its topics, and the
-- topics' headings. Each section becomes a List whose id is the section id.
CREATE TABLE consultation_section (
  practice           text NOT NULL,
  id                 text NOT NULL,
  encounter_id       text NOT NULL,
  kind               text NOT NULL CHECK (kind IN ('consultation', 'topic', 'heading')),
  -- Topic → its consultation section; heading → its topic; NULL for the consultation section.
  parent_id          text,
  -- Display order among its siblings (spec: entries in source display order).
  position           integer NOT NULL,
  title              text,
  -- The problem a topic (or heading) is about (relatedProblemHeader on the topic List).
  related_problem_id text,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, encounter_id) REFERENCES encounter (practice, id),
  FOREIGN KEY (practice, parent_id) REFERENCES consultation_section (practice, id),
  CHECK ((kind = 'consultation') = (parent_id IS NULL))
);
CREATE INDEX consultation_section_by_encounter ON consultation_section (practice, encounter_id, position);

-- The clinical items a topic (flat topic) or heading holds, in display order. item_type is the
-- FHIR resource type the item is referenced as (medication plans and issues: MedicationRequest).
CREATE TABLE consultation_item (
  practice   text NOT NULL,
  section_id text NOT NULL,
  position   integer NOT NULL,
  item_type  text NOT NULL CHECK (item_type IN ('AllergyIntolerance', 'MedicationRequest', 'Immunization', 'Observation',
               'DiagnosticReport', 'ReferralRequest', 'ProcedureRequest', 'DocumentReference')),
  item_id    text NOT NULL,
  PRIMARY KEY (practice, section_id, position),
  FOREIGN KEY (practice, section_id) REFERENCES consultation_section (practice, id)
);

CREATE TABLE allergy (
  practice               text NOT NULL,
  id                     text NOT NULL,
  patient_id             text NOT NULL,
  identifiers            jsonb NOT NULL DEFAULT '[]',
  -- 'active' or 'resolved' (ended). An explicit "no known allergies" assertion is an active row
  -- coded 716186003.
  clinical_status        text NOT NULL CHECK (clinical_status IN ('active', 'resolved')),
  -- 'medication' (drives prescribing decision support) or 'environment' (everything else).
  category               text NOT NULL CHECK (category IN ('medication', 'environment')),
  code                   jsonb NOT NULL,
  onset_at               timestamptz,
  asserted_at            timestamptz NOT NULL,
  end_at                 timestamptz,
  -- NULL when no reason was recorded (legacy): emitted as "No information available".
  end_reason             text,
  reaction_manifestation jsonb,
  reaction_severity      text CHECK (reaction_severity IN ('mild', 'moderate', 'severe')),
  note                   text,
  recorder_id            text NOT NULL,
  encounter_id           text,
  confidential           boolean NOT NULL DEFAULT false,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  FOREIGN KEY (practice, recorder_id) REFERENCES practitioner (practice, id),
  FOREIGN KEY (practice, encounter_id) REFERENCES encounter (practice, id),
  CHECK (clinical_status = 'resolved' OR (end_at IS NULL AND end_reason IS NULL))
);
CREATE INDEX allergy_by_patient ON allergy (practice, patient_id, clinical_status, asserted_at);

-- Medication plans (intent 'plan': one authorisation) and issues (intent 'order': one
-- prescription issued under a plan).
CREATE TABLE medication_request (
  practice                 text NOT NULL,
  id                       text NOT NULL,
  patient_id               text NOT NULL,
  identifiers              jsonb NOT NULL DEFAULT '[]',
  intent                   text NOT NULL CHECK (intent IN ('plan', 'order')),
  -- Issues: the plan they were issued under.
  plan_id                  text,
  group_identifier         text,
  status                   text NOT NULL CHECK (status IN ('active', 'completed', 'stopped')),
  medication_id            text NOT NULL,
  prescription_type        text NOT NULL CHECK (prescription_type IN ('acute', 'repeat', 'repeat-dispensing', 'delayed-prescribing')),
  authored_on              date NOT NULL,
  requester_id             text,
  recorder_id              text NOT NULL,
  dosage_text              text NOT NULL,
  patient_instruction      text,
  -- Plans: the authorisation period; issues: the issue's validity.
  validity_start           date NOT NULL,
  validity_end             date,
  quantity_value           numeric,
  quantity_unit            text,
  quantity_text            text,
  supply_days              integer,
  -- Issues only: the dispensing organisation when known.
  dispenser_id             text,
  -- Plans only: the plan this one re-authorises or amends.
  prior_plan_id            text,
  -- Repeat and repeat-dispensing plans only.
  repeats_allowed          integer,
  repeats_issued           integer,
  authorisation_expiry     date,
  -- Stopped plans: why and when.
  status_reason            text,
  status_changed_on        date,
  encounter_id             text,
  notes                    jsonb NOT NULL DEFAULT '[]',
  confidential             boolean NOT NULL DEFAULT false,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  FOREIGN KEY (practice, plan_id) REFERENCES medication_request (practice, id),
  FOREIGN KEY (practice, prior_plan_id) REFERENCES medication_request (practice, id),
  FOREIGN KEY (practice, medication_id) REFERENCES medication (practice, id),
  FOREIGN KEY (practice, requester_id) REFERENCES practitioner (practice, id),
  FOREIGN KEY (practice, recorder_id) REFERENCES practitioner (practice, id),
  FOREIGN KEY (practice, dispenser_id) REFERENCES organization (practice, id),
  FOREIGN KEY (practice, encounter_id) REFERENCES encounter (practice, id),
  CHECK ((intent = 'order') = (plan_id IS NOT NULL)),
  CHECK (intent = 'plan' OR (repeats_allowed IS NULL AND repeats_issued IS NULL AND prior_plan_id IS NULL))
);
CREATE INDEX medication_request_by_patient ON medication_request (practice, patient_id, validity_start);
CREATE INDEX medication_request_by_plan ON medication_request (practice, plan_id, validity_start);

-- Medication statements: one per authorisation (plan), summarising the course.
CREATE TABLE medication_statement (
  practice               text NOT NULL,
  id                     text NOT NULL,
  patient_id             text NOT NULL,
  identifiers            jsonb NOT NULL DEFAULT '[]',
  plan_id                text NOT NULL,
  medication_id          text NOT NULL,
  status                 text NOT NULL CHECK (status IN ('active', 'completed', 'stopped')),
  -- The medication search compares this period with the from-date.
  effective_start        date NOT NULL,
  effective_end          date,
  asserted_on            date NOT NULL,
  last_issue_date        date,
  dosage_text            text NOT NULL,
  patient_instruction    text,
  dosage_last_changed    date,
  prescribing_agency     text NOT NULL DEFAULT 'prescribed-at-gp-practice'
                           CHECK (prescribing_agency IN ('prescribed-at-gp-practice', 'prescribed-by-another-organisation', 'prescribed-by-previous-practice')),
  -- Extra detail on where it was prescribed (hospital, dentist, ...).
  prescribing_agency_text text,
  encounter_id           text,
  notes                  jsonb NOT NULL DEFAULT '[]',
  confidential           boolean NOT NULL DEFAULT false,
  PRIMARY KEY (practice, id),
  UNIQUE (practice, plan_id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  FOREIGN KEY (practice, plan_id) REFERENCES medication_request (practice, id),
  FOREIGN KEY (practice, medication_id) REFERENCES medication (practice, id),
  FOREIGN KEY (practice, encounter_id) REFERENCES encounter (practice, id),
  CHECK (effective_end IS NULL OR effective_end >= effective_start)
);
CREATE INDEX medication_statement_by_patient ON medication_statement (practice, patient_id, effective_start);

CREATE TABLE problem (
  practice     text NOT NULL,
  id           text NOT NULL,
  patient_id   text NOT NULL,
  identifiers  jsonb NOT NULL DEFAULT '[]',
  status       text NOT NULL CHECK (status IN ('active', 'inactive')),
  significance text NOT NULL CHECK (significance IN ('major', 'minor')),
  code         jsonb NOT NULL,
  onset_at     timestamptz,
  abated_at    timestamptz,
  asserted_at  timestamptz NOT NULL,
  asserter_id  text NOT NULL,
  -- The consultation in which the problem was created (Condition.context).
  encounter_id text,
  notes        jsonb NOT NULL DEFAULT '[]',
  confidential boolean NOT NULL DEFAULT false,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  FOREIGN KEY (practice, asserter_id) REFERENCES practitioner (practice, id),
  FOREIGN KEY (practice, encounter_id) REFERENCES encounter (practice, id)
);
-- Problem search filters by status and significance.
CREATE INDEX problem_by_patient ON problem (practice, patient_id, status, significance);

-- What a problem is linked to, in order: the item promoted to the problem ('actual-problem'),
-- related clinical content ('related'), and other problems ('parent' | 'child' | 'sibling': the
-- relatedProblemHeader type as written on this problem). target_type is the FHIR resource type
-- the target is referenced as; targets are rows of the same practice.
CREATE TABLE problem_link (
  practice    text NOT NULL,
  problem_id  text NOT NULL,
  position    integer NOT NULL,
  relation    text NOT NULL CHECK (relation IN ('actual-problem', 'related', 'parent', 'child', 'sibling')),
  target_type text NOT NULL CHECK (target_type IN ('AllergyIntolerance', 'MedicationRequest', 'Immunization', 'Observation',
                'DiagnosticReport', 'ReferralRequest', 'ProcedureRequest', 'DocumentReference', 'Encounter', 'Condition')),
  target_id   text NOT NULL,
  PRIMARY KEY (practice, problem_id, position),
  UNIQUE (practice, problem_id, relation, target_type, target_id),
  FOREIGN KEY (practice, problem_id) REFERENCES problem (practice, id),
  CHECK ((target_type = 'Condition') = (relation IN ('parent', 'child', 'sibling')))
);
-- Reverse look-up: which problems link to an item.
CREATE INDEX problem_link_by_target ON problem_link (practice, target_type, target_id);

CREATE TABLE immunisation (
  practice              text NOT NULL,
  id                    text NOT NULL,
  patient_id            text NOT NULL,
  identifiers           jsonb NOT NULL DEFAULT '[]',
  -- true: intended but not given (only returned with includeNotGiven).
  not_given             boolean NOT NULL DEFAULT false,
  vaccine_code          jsonb NOT NULL,
  -- The vaccination procedure, or the "not done" situation when not given.
  vaccination_procedure jsonb NOT NULL,
  given_at              timestamptz,
  recorded_at           timestamptz NOT NULL,
  primary_source        boolean NOT NULL DEFAULT true,
  parent_present        boolean,
  location_id           text,
  manufacturer_id       text,
  lot_number            text,
  expiration_date       date,
  site                  jsonb,
  route                 jsonb,
  -- {value, unit, system, code}
  dose_quantity         jsonb,
  practitioner_id       text NOT NULL,
  -- HL7 v2 0443: 'AP' administering provider, 'EP' entering provider.
  practitioner_role     text CHECK (practitioner_role IN ('AP', 'EP')),
  reasons               jsonb NOT NULL DEFAULT '[]',
  -- {doseSequence, seriesDoses, description, targetDisease: [CodeableConcept]}
  protocol              jsonb,
  encounter_id          text,
  notes                 jsonb NOT NULL DEFAULT '[]',
  confidential          boolean NOT NULL DEFAULT false,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  FOREIGN KEY (practice, practitioner_id) REFERENCES practitioner (practice, id),
  FOREIGN KEY (practice, location_id) REFERENCES location (practice, id),
  FOREIGN KEY (practice, manufacturer_id) REFERENCES organization (practice, id),
  FOREIGN KEY (practice, encounter_id) REFERENCES encounter (practice, id)
);
CREATE INDEX immunisation_by_patient ON immunisation (practice, patient_id, given_at);

CREATE TABLE specimen (
  practice     text NOT NULL,
  id           text NOT NULL,
  patient_id   text NOT NULL,
  identifiers  jsonb NOT NULL DEFAULT '[]',
  status       text CHECK (status IN ('available', 'unavailable', 'unsatisfactory', 'entered-in-error')),
  type         jsonb NOT NULL,
  collected_at timestamptz,
  received_at  timestamptz,
  note         text,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id)
);

-- Observations of every kind share the Observation resource type, hence one table:
-- 'uncategorised' (coded record entries of no other area, incl. blood pressure with components),
-- 'narrative' (uncoded consultation text, a "Comment note"; only returned within consultations),
-- 'test-group', 'test-result' and 'filing-comment' (investigation results).
CREATE TABLE observation (
  practice                  text NOT NULL,
  id                        text NOT NULL,
  patient_id                text NOT NULL,
  identifiers               jsonb NOT NULL DEFAULT '[]',
  kind                      text NOT NULL CHECK (kind IN ('uncategorised', 'narrative', 'test-group', 'test-result', 'filing-comment')),
  status                    text NOT NULL CHECK (status IN ('final', 'preliminary', 'amended', 'unknown')),
  category                  jsonb,
  code                      jsonb NOT NULL,
  -- The uncategorised search compares effective_start; NULL (unknown date) always matches.
  effective_start           timestamptz,
  -- Set only for a period (e.g. an ended consent record).
  effective_end             timestamptz,
  issued_at                 timestamptz NOT NULL,
  performer_practitioner_id text,
  performer_organization_id text,
  -- {quantity: {value, unit, system, code}} | {string: text} | {codeableConcept: {...}}
  value                     jsonb,
  interpretation            jsonb,
  comment                   text,
  -- {low, high, text}; units are the value's.
  reference_range           jsonb,
  -- [{code, value}] e.g. the systolic and diastolic readings of a blood pressure.
  components                jsonb NOT NULL DEFAULT '[]',
  specimen_id               text,
  encounter_id              text,
  confidential              boolean NOT NULL DEFAULT false,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  FOREIGN KEY (practice, performer_practitioner_id) REFERENCES practitioner (practice, id),
  FOREIGN KEY (practice, performer_organization_id) REFERENCES organization (practice, id),
  FOREIGN KEY (practice, specimen_id) REFERENCES specimen (practice, id),
  FOREIGN KEY (practice, encounter_id) REFERENCES encounter (practice, id)
);
CREATE INDEX observation_by_patient ON observation (practice, patient_id, kind, effective_start);

-- Observation hierarchy, both directions as FHIR writes them: a test group (or uncategorised
-- parent) 'has-member' its results, each result is 'derived-from' its group; 'sequel-to' orders
-- narrative.
CREATE TABLE observation_related (
  practice       text NOT NULL,
  observation_id text NOT NULL,
  position       integer NOT NULL,
  type           text NOT NULL CHECK (type IN ('has-member', 'derived-from', 'sequel-to')),
  target_id      text NOT NULL,
  PRIMARY KEY (practice, observation_id, position),
  FOREIGN KEY (practice, observation_id) REFERENCES observation (practice, id),
  FOREIGN KEY (practice, target_id) REFERENCES observation (practice, id)
);

-- Test requests of investigations ('test-request', intent order) and diary entries ('diary':
-- planned recalls and reviews, intent plan) are both FHIR ProcedureRequests, hence one table.
CREATE TABLE procedure_request (
  practice                  text NOT NULL,
  id                        text NOT NULL,
  patient_id                text NOT NULL,
  identifiers               jsonb NOT NULL DEFAULT '[]',
  kind                      text NOT NULL CHECK (kind IN ('test-request', 'diary')),
  -- Diary: only incomplete ('active') entries are ever returned.
  status                    text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'cancelled')),
  code                      jsonb NOT NULL,
  authored_at               timestamptz,
  requester_id              text,
  performer_organization_id text,
  -- Diary: when the action is due (a date, or a window); the diary search compares the start.
  due_start                 date,
  due_end                   date,
  reason_codes              jsonb NOT NULL DEFAULT '[]',
  encounter_id              text,
  notes                     jsonb NOT NULL DEFAULT '[]',
  confidential              boolean NOT NULL DEFAULT false,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  FOREIGN KEY (practice, requester_id) REFERENCES practitioner (practice, id),
  FOREIGN KEY (practice, performer_organization_id) REFERENCES organization (practice, id),
  FOREIGN KEY (practice, encounter_id) REFERENCES encounter (practice, id),
  CHECK (kind = 'test-request' OR (authored_at IS NOT NULL AND requester_id IS NOT NULL)),
  CHECK (due_end IS NULL OR due_end >= due_start)
);
CREATE INDEX procedure_request_by_patient ON procedure_request (practice, patient_id, kind, due_start);

CREATE TABLE diagnostic_report (
  practice                  text NOT NULL,
  id                        text NOT NULL,
  patient_id                text NOT NULL,
  identifiers               jsonb NOT NULL DEFAULT '[]',
  status                    text NOT NULL CHECK (status IN ('final', 'preliminary', 'unknown')),
  -- The investigation search compares the lab's issue time.
  issued_at                 timestamptz NOT NULL,
  -- The test request the report answers (basedOn).
  request_id                text,
  performer_organization_id text,
  conclusion                text,
  encounter_id              text,
  confidential              boolean NOT NULL DEFAULT false,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  FOREIGN KEY (practice, request_id) REFERENCES procedure_request (practice, id),
  FOREIGN KEY (practice, performer_organization_id) REFERENCES organization (practice, id),
  FOREIGN KEY (practice, encounter_id) REFERENCES encounter (practice, id)
);
CREATE INDEX diagnostic_report_by_patient ON diagnostic_report (practice, patient_id, issued_at);

-- A report's specimens and its results (test groups, standalone results, report-level filing
-- comments), in order. A result may belong to more than one report.
CREATE TABLE diagnostic_report_item (
  practice  text NOT NULL,
  report_id text NOT NULL,
  position  integer NOT NULL,
  item_type text NOT NULL CHECK (item_type IN ('Specimen', 'Observation')),
  item_id   text NOT NULL,
  PRIMARY KEY (practice, report_id, position),
  FOREIGN KEY (practice, report_id) REFERENCES diagnostic_report (practice, id)
);

-- Outbound referrals.
CREATE TABLE referral (
  practice                  text NOT NULL,
  id                        text NOT NULL,
  patient_id                text NOT NULL,
  -- Includes the UBRN when the referral went through e-RS.
  identifiers               jsonb NOT NULL DEFAULT '[]',
  status                    text NOT NULL DEFAULT 'unknown' CHECK (status IN ('unknown', 'cancelled')),
  -- e-RS priorities only; anything else goes in notes.
  priority                  text CHECK (priority IN ('routine', 'urgent', 'asap')),
  -- The referral search compares the user-entered referral date.
  authored_at               timestamptz,
  requester_id              text NOT NULL,
  recipient_organization_id text,
  -- The main referral code first.
  reason_codes              jsonb NOT NULL DEFAULT '[]',
  description               text,
  encounter_id              text,
  notes                     jsonb NOT NULL DEFAULT '[]',
  confidential              boolean NOT NULL DEFAULT false,
  PRIMARY KEY (practice, id),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  FOREIGN KEY (practice, requester_id) REFERENCES practitioner (practice, id),
  FOREIGN KEY (practice, recipient_organization_id) REFERENCES organization (practice, id),
  FOREIGN KEY (practice, encounter_id) REFERENCES encounter (practice, id)
);
CREATE INDEX referral_by_patient ON referral (practice, patient_id, authored_at);

-- List warnings that do not follow from a withheld item: a record still in transfer from the
-- previous practice ('data-in-transit'), data awaiting filing, or a confidential-items marking
-- the practice puts on an area. area 'all' = every list returned for the patient.
CREATE TABLE record_warning (
  practice        text NOT NULL,
  patient_id      text NOT NULL,
  area            text NOT NULL CHECK (area IN ('all', 'allergies', 'medications', 'problems', 'consultations', 'immunisations',
                    'uncategorised', 'investigations', 'referrals', 'diary')),
  code            text NOT NULL CHECK (code IN ('confidential-items', 'data-in-transit', 'data-awaiting-filing')),
  -- data-in-transit / data-awaiting-filing: "information recorded before <date> may be missing".
  recorded_before date,
  PRIMARY KEY (practice, patient_id, area, code),
  FOREIGN KEY (practice, patient_id) REFERENCES patient (practice, id),
  CHECK ((code = 'confidential-items') = (recorded_before IS NULL))
);
