-- Indexes found missing with 100,000 patients in the store (npm run bench -- --patients): lookups
-- by a clinical item's reference to another item, and the checks PostgreSQL makes on the
-- referencing rows when a consultation, plan or specimen is deleted (gpc import replaces a
-- patient's record). Without them each of those is a scan of the whole table.
-- Partial: most rows hold no such reference, and an equality lookup implies NOT NULL.

-- A problem's link to a medication: is its course (statement) withheld?
CREATE INDEX medication_statement_by_plan ON medication_statement (practice, plan_id) WHERE plan_id IS NOT NULL;
-- A problem's link to a test request: does a report answer it?
CREATE INDEX diagnostic_report_by_request ON diagnostic_report (practice, request_id) WHERE request_id IS NOT NULL;

CREATE INDEX medication_request_by_prior_plan ON medication_request (practice, prior_plan_id) WHERE prior_plan_id IS NOT NULL;
CREATE INDEX observation_by_specimen ON observation (practice, specimen_id) WHERE specimen_id IS NOT NULL;
CREATE INDEX consultation_section_by_parent ON consultation_section (practice, parent_id) WHERE parent_id IS NOT NULL;

CREATE INDEX allergy_by_encounter ON allergy (practice, encounter_id) WHERE encounter_id IS NOT NULL;
CREATE INDEX medication_request_by_encounter ON medication_request (practice, encounter_id) WHERE encounter_id IS NOT NULL;
CREATE INDEX medication_statement_by_encounter ON medication_statement (practice, encounter_id) WHERE encounter_id IS NOT NULL;
CREATE INDEX problem_by_encounter ON problem (practice, encounter_id) WHERE encounter_id IS NOT NULL;
CREATE INDEX immunisation_by_encounter ON immunisation (practice, encounter_id) WHERE encounter_id IS NOT NULL;
CREATE INDEX observation_by_encounter ON observation (practice, encounter_id) WHERE encounter_id IS NOT NULL;
CREATE INDEX procedure_request_by_encounter ON procedure_request (practice, encounter_id) WHERE encounter_id IS NOT NULL;
CREATE INDEX diagnostic_report_by_encounter ON diagnostic_report (practice, encounter_id) WHERE encounter_id IS NOT NULL;
CREATE INDEX referral_by_encounter ON referral (practice, encounter_id) WHERE encounter_id IS NOT NULL;
