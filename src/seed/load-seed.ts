import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../store/db.ts';
import { loadClinicalSeed } from './load-clinical.ts';

const seedFile = fileURLToPath(new URL('../../seed/foundations.json', import.meta.url));
const diarySeedFile = fileURLToPath(new URL('../../seed/appointments.json', import.meta.url));

type Row = Record<string, unknown>;
interface SeedData {
  practices: Row[];
  organizations: Row[];
  locations: Row[];
  practitioners: Row[];
  patients: Row[];
  pds: Row[];
  /** seed/appointments.json: each practice's schedules and the pattern its rolling diary repeats. */
  diary: { schedules: Row[]; slotPatterns: Row[]; diaryCycleDays: number };
}

export function readSeed(): SeedData {
  return {
    ...(JSON.parse(readFileSync(seedFile, 'utf8')) as Omit<SeedData, 'diary'>),
    diary: JSON.parse(readFileSync(diarySeedFile, 'utf8')) as SeedData['diary'],
  };
}

/** True once the store holds any practice: `npm start` seeds only an empty store. */
export async function isSeeded(db: Db): Promise<boolean> {
  return (await db.query('SELECT 1 FROM practice LIMIT 1')).length > 0;
}

/**
 * Loads the test data pack (seed/foundations.json) in one transaction. The demo practices are
 * switched on; a production practice would start with every capability off.
 * Each table is filled by one INSERT ... SELECT from jsonb_to_recordset, so seeding is a handful of round trips.
 */
export async function loadSeed(db: Db, today: string, data: SeedData = readSeed()): Promise<void> {
  const json = (rows: unknown) => JSON.stringify(rows);
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO practice (ods_code, name, asid, organization_id, gpconnect_enabled, appointments_enabled, structured_enabled)
       SELECT "odsCode", name, asid, "organizationId", true, true, true
       FROM jsonb_to_recordset($1::text::jsonb) AS x("odsCode" text, name text, asid text, "organizationId" text)`,
      [json(data.practices)],
    );
    await tx.query(
      `INSERT INTO organization (practice, id, ods_code, name, telecom, address)
       SELECT practice, id, "odsCode", name, coalesce(telecom, '[]'), address
       FROM jsonb_to_recordset($1::text::jsonb) AS x(practice text, id text, "odsCode" text, name text, telecom jsonb, address jsonb)`,
      [json(data.organizations.map((o) => ({ ...o, address: addressOf(o.address) })))],
    );
    await tx.query(
      `INSERT INTO location (practice, id, name, site_ods_code, status, address, telecom, managing_organization_id)
       SELECT practice, id, name, "siteOdsCode", status, address, coalesce(telecom, '[]'), "managingOrganizationId"
       FROM jsonb_to_recordset($1::text::jsonb) AS x(practice text, id text, name text, "siteOdsCode" text, status text,
         address jsonb, telecom jsonb, "managingOrganizationId" text)`,
      [json(data.locations.map((l) => ({ ...l, address: addressOf(l.address) })))],
    );
    await tx.query(
      `INSERT INTO practitioner (practice, id, sds_user_id, sds_role_profile_ids, prefix, given, family, gender, languages)
       SELECT practice, id, "sdsUserId", "sdsRoleProfileIds", prefix, given, family, gender, coalesce(languages, '[]')
       FROM jsonb_to_recordset($1::text::jsonb) AS x(practice text, id text, "sdsUserId" text, "sdsRoleProfileIds" text[],
         prefix text[], given text[], family text, gender text, languages jsonb)`,
      [json(data.practitioners.map(withTextArrays('sdsRoleProfileIds', 'prefix', 'given')))],
    );
    await tx.query(
      `INSERT INTO patient (practice, id, nhs_number, prefix, given, family, gender, birth_date, addresses, telecom, contacts,
         registration_start, registration_end, registration_type, registration_status, usual_gp_id, preferred_branch_location_id,
         sensitive, deceased, dissent, nhs_number_verified)
       SELECT practice, id, "nhsNumber", prefix, given, family, gender, "birthDate"::date, addresses, coalesce(telecom, '[]'),
         coalesce(contacts, '[]'), (("registration"->>'start') || ' 00:00 Europe/London')::timestamptz,
         (("registration"->>'end') || ' 00:00 Europe/London')::timestamptz,
         coalesce("registration"->>'type', 'R'), coalesce("registration"->>'status', 'active'), "usualGpId",
         "preferredBranchLocationId", coalesce(sensitive, false), deceased::date, coalesce(dissent, false), coalesce("nhsNumberVerified", true)
       FROM jsonb_to_recordset($1::text::jsonb) AS x(practice text, id text, "nhsNumber" text, prefix text[], given text[],
         family text, gender text, "birthDate" text, addresses jsonb, telecom jsonb, contacts jsonb, registration jsonb,
         "usualGpId" text, "preferredBranchLocationId" text, sensitive boolean, deceased text, dissent boolean, "nhsNumberVerified" boolean)`,
      [json(data.patients.map((p) => ({
        ...withTextArrays('prefix', 'given')(p),
        addresses: p.address ? [addressOf(p.address)] : [],
        contacts: ((p.contacts as Row[] | undefined) ?? []).map((c) => ({ ...c, address: addressOf(c.address) })),
      })))],
    );
    await tx.query(
      `INSERT INTO pds_record (nhs_number, prefix, given, family, gender, birth_date, deceased, sensitive, superseded, address)
       SELECT "nhsNumber", prefix, given, family, gender, "birthDate"::date, deceased::date, coalesce(sensitive, false),
         coalesce(superseded, false), address
       FROM jsonb_to_recordset($1::text::jsonb) AS x("nhsNumber" text, prefix text[], given text[], family text, gender text,
         "birthDate" text, deceased text, sensitive boolean, superseded boolean, address jsonb)`,
      [json(data.pds.map(withTextArrays('prefix', 'given')))],
    );
    await loadDiary(tx, data.diary, today);
    await loadClinicalSeed(tx, today);
  });
}

/**
 * Schedules, the slot pattern, and each practice's diary state anchored on `today` (the UK date
 * of seeding): pattern day 1 is tomorrow. The slots themselves are generated by extendDiary.
 */
async function loadDiary(tx: Db, diary: SeedData['diary'], today: string): Promise<void> {
  const json = (rows: unknown) => JSON.stringify(rows);
  await tx.query(
    `INSERT INTO schedule (practice, id, identifier, practitioner_id, location_id, service_category, practitioner_role,
       planning_horizon_start, planning_horizon_end)
     SELECT practice, id, identifier, "practitionerId", "locationId", "serviceCategory", "practitionerRole",
       "planningHorizonStart"::timestamp AT TIME ZONE 'Europe/London', "planningHorizonEnd"::timestamp AT TIME ZONE 'Europe/London'
     FROM jsonb_to_recordset($1::text::jsonb) AS x(practice text, id text, identifier text, "practitionerId" text,
       "locationId" text, "serviceCategory" text, "practitionerRole" jsonb, "planningHorizonStart" text, "planningHorizonEnd" text)`,
    [json(diary.schedules)],
  );
  await tx.query(
    `INSERT INTO slot_pattern (practice, schedule_id, day, start_time, slot_minutes, slot_count, gpc_bookable, service_type,
       delivery_channel, bookable_ods_codes, bookable_org_types)
     SELECT practice, "scheduleId", day, "from"::time, "slotMinutes", "slotCount", "gpConnectBookable", "serviceType",
       "deliveryChannel", "bookableOdsCodes", "bookableOrganisationTypes"
     FROM jsonb_to_recordset($1::text::jsonb) AS x(practice text, "scheduleId" text, day int, "from" text, "slotMinutes" int,
       "slotCount" int, "gpConnectBookable" boolean, "serviceType" text, "deliveryChannel" text, "bookableOdsCodes" text[],
       "bookableOrganisationTypes" text[])`,
    [json(diary.slotPatterns.map(withTextArrays('bookableOdsCodes', 'bookableOrganisationTypes')))],
  );
  await tx.query(
    `INSERT INTO diary_state (practice, anchor_date, cycle_days, generated_through)
     SELECT DISTINCT practice, $1::date, $2::int, $1::date FROM slot_pattern`,
    [today, diary.diaryCycleDays],
  );
}

/** Seed addresses use `null` for absent parts; the store keeps them absent. */
function addressOf(value: unknown): Row | null {
  if (value === null || typeof value !== 'object') return null;
  return Object.fromEntries(Object.entries(value as Row).filter(([, v]) => v !== null && v !== ''));
}

/** jsonb_to_recordset reads text[] columns from PostgreSQL array literals, not JSON arrays. */
function withTextArrays(...keys: string[]) {
  return (row: Row): Row => {
    const copy = { ...row };
    for (const key of keys) copy[key] = pgArray((row[key] as string[] | null) ?? []);
    return copy;
  };
}

function pgArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** Deletes every practice and its data (for `gpc seed --reset`); the audit trail is kept. */
export async function clearPracticeData(db: Db): Promise<void> {
  await db.exec(`DELETE FROM record_warning; DELETE FROM referral; DELETE FROM diagnostic_report_item; DELETE FROM diagnostic_report;
    DELETE FROM observation_related; DELETE FROM observation; DELETE FROM specimen; DELETE FROM procedure_request;
    DELETE FROM immunisation; DELETE FROM problem_link; DELETE FROM problem; DELETE FROM medication_statement;
    DELETE FROM medication_request; DELETE FROM allergy; DELETE FROM consultation_item; DELETE FROM consultation_section;
    DELETE FROM encounter; DELETE FROM medication;
    DELETE FROM appointment_slot; DELETE FROM appointment; DELETE FROM slot; DELETE FROM slot_pattern;
    DELETE FROM diary_state; DELETE FROM schedule; DELETE FROM patient; DELETE FROM practitioner; DELETE FROM location;
    DELETE FROM organization; DELETE FROM enablement_change; DELETE FROM practice; DELETE FROM pds_record;`);
}
