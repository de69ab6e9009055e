import type { NhsCommunication, Patient, PatientContact } from '../domain/patient.ts';
import type { Db } from './db.ts';

const columns = `id, nhs_number, prefix, given, family, other_names, gender, birth_date, addresses, telecom, contacts,
  nhs_communication, registration_start, registration_end, registration_type, registration_status, usual_gp_id,
  preferred_branch_location_id, sensitive, deceased, dissent, nhs_number_verified, version`;

interface PatientRow {
  id: string;
  nhs_number: string;
  prefix: string[];
  given: string[];
  family: string;
  other_names: Record<string, unknown>[];
  gender: string | null;
  birth_date: string;
  addresses: Patient['addresses'];
  telecom: Patient['telecom'];
  contacts: PatientContact[];
  nhs_communication: NhsCommunication | null;
  registration_start: Date;
  registration_end: Date | null;
  registration_type: string;
  registration_status: 'active' | 'inactive';
  usual_gp_id: string | null;
  preferred_branch_location_id: string | null;
  sensitive: boolean;
  deceased: string | null;
  dissent: boolean;
  nhs_number_verified: boolean;
  version: number;
}

function toPatient(row: PatientRow): Patient {
  return {
    id: row.id,
    nhsNumber: row.nhs_number,
    prefix: row.prefix,
    given: row.given,
    family: row.family,
    otherNames: row.other_names,
    gender: row.gender ?? undefined,
    birthDate: row.birth_date,
    addresses: row.addresses,
    telecom: row.telecom,
    contacts: row.contacts,
    nhsCommunication: row.nhs_communication ?? undefined,
    registration: {
      start: row.registration_start,
      end: row.registration_end ?? undefined,
      type: row.registration_type,
      status: row.registration_status,
    },
    usualGpId: row.usual_gp_id ?? undefined,
    preferredBranchLocationId: row.preferred_branch_location_id ?? undefined,
    sensitive: row.sensitive,
    deceased: row.deceased ?? undefined,
    dissent: row.dissent,
    nhsNumberVerified: row.nhs_number_verified,
    version: row.version,
  };
}

export async function findPatient(db: Db, practice: string, id: string): Promise<Patient | undefined> {
  const rows = await db.query<PatientRow>(`SELECT ${columns} FROM patient WHERE practice = $1 AND id = $2`, [practice, id]);
  return rows[0] && toPatient(rows[0]);
}

export async function findPatientByNhsNumber(db: Db, practice: string, nhsNumber: string, forUpdate = false): Promise<Patient | undefined> {
  const rows = await db.query<PatientRow>(
    `SELECT ${columns} FROM patient WHERE practice = $1 AND nhs_number = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [practice, nhsNumber],
  );
  return rows[0] && toPatient(rows[0]);
}

/** Records that the patient's NHS number has been traced and verified on PDS (Find a patient). */
export async function markNhsNumberVerified(db: Db, practice: string, id: string): Promise<void> {
  await db.query('UPDATE patient SET nhs_number_verified = true WHERE practice = $1 AND id = $2', [practice, id]);
}

/** The demographics a registration writes: a new temporary record, or a lapsed one re-activated. */
export type PatientRegistration = Pick<
  Patient,
  'nhsNumber' | 'prefix' | 'given' | 'family' | 'otherNames' | 'gender' | 'birthDate' | 'addresses' | 'telecom' | 'nhsCommunication'
> & { registrationType: string; start: Date };

// JSON goes in as text cast to jsonb: node-postgres would send a JS array as a PostgreSQL array literal.
function registrationValues(r: PatientRegistration): unknown[] {
  return [
    r.nhsNumber, r.prefix, r.given, r.family, JSON.stringify(r.otherNames), r.gender ?? null, r.birthDate,
    JSON.stringify(r.addresses), JSON.stringify(r.telecom),
    r.nhsCommunication ? JSON.stringify(r.nhsCommunication) : null, r.registrationType, r.start,
  ];
}

export async function insertPatient(db: Db, practice: string, r: PatientRegistration): Promise<Patient> {
  const rows = await db.query<PatientRow>(
    `INSERT INTO patient (practice, id, nhs_number, prefix, given, family, other_names, gender, birth_date, addresses, telecom,
       nhs_communication, registration_type, registration_start, registration_status, nhs_number_verified)
     VALUES ($1, nextval('patient_id_seq')::text, $2, $3, $4, $5, $6::text::jsonb, $7, $8, $9::text::jsonb, $10::text::jsonb,
       $11::text::jsonb, $12, $13, 'active', true)
     RETURNING ${columns}`,
    [practice, ...registrationValues(r)],
  );
  return toPatient(rows[0]!);
}

export async function reactivatePatient(db: Db, practice: string, id: string, r: PatientRegistration): Promise<Patient> {
  const rows = await db.query<PatientRow>(
    `UPDATE patient SET nhs_number = $3, prefix = $4, given = $5, family = $6, other_names = $7::text::jsonb, gender = $8,
       birth_date = $9, addresses = $10::text::jsonb, telecom = $11::text::jsonb, nhs_communication = $12::text::jsonb, registration_type = $13, registration_start = $14,
       registration_end = NULL, registration_status = 'active', nhs_number_verified = true, version = version + 1
     WHERE practice = $1 AND id = $2 RETURNING ${columns}`,
    [practice, id, ...registrationValues(r)],
  );
  return toPatient(rows[0]!);
}

export async function countPatients(db: Db, practice: string): Promise<number> {
  const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM patient WHERE practice = $1', [practice]);
  return rows[0]!.n;
}
