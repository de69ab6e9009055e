import type { Db } from '../store/db.ts';
import type { Row } from './record-bundle.ts';
import type { ClinicalRows } from './clinical-rows.ts';

/** The table each clinical resource type's ids live in (unique per practice). */
const tableOf: Record<string, string> = {
  AllergyIntolerance: 'allergy',
  Encounter: 'encounter',
  MedicationRequest: 'medication_request',
  MedicationStatement: 'medication_statement',
  Condition: 'problem',
  Immunization: 'immunisation',
  Specimen: 'specimen',
  Observation: 'observation',
  ProcedureRequest: 'procedure_request',
  DiagnosticReport: 'diagnostic_report',
  ReferralRequest: 'referral',
};

/** The rows of each type, as read. */
const rowsOf = (rows: ClinicalRows): Record<string, Row[]> => ({
  AllergyIntolerance: rows.allergies,
  Encounter: rows.encounters,
  MedicationRequest: rows.medicationRequests,
  MedicationStatement: rows.medicationStatements,
  Condition: rows.problems,
  Immunization: rows.immunisations,
  Specimen: rows.specimens,
  Observation: rows.observations,
  ProcedureRequest: rows.procedureRequests,
  DiagnosticReport: rows.diagnosticReports,
  ReferralRequest: rows.referrals,
});

const idList = (rows: Row[]) => JSON.stringify(rows.map((r) => String(r.id)));

/**
 * The Bundle ids that are another patient's in the practice, as `Type/id` → a new id: the items
 * keep their ids when those are free or already this patient's. Consultation-structure Lists are
 * another patient's when their consultation is. A new id is the old one with `-p<patient id>`
 * (then `-2`, `-3`… while that is taken), so it says whose copy it is and sorts among its
 * siblings as the old id did (the record orders same-date items by id).
 */
export async function clashingIds(db: Db, practice: string, patientId: string, rows: ClinicalRows): Promise<Map<string, string>> {
  const renames = new Map<string, string>();
  for (const [type, typeRows] of Object.entries(rowsOf(rows))) {
    if (typeRows.length === 0) continue;
    const table = tableOf[type]!;
    const avoid = new Set(typeRows.map((r) => String(r.id)));
    const taken = await db.query<{ id: string }>(
      `SELECT id FROM ${table} WHERE practice = $1 AND patient_id <> $2 AND id IN (SELECT jsonb_array_elements_text($3::text::jsonb))`,
      [practice, patientId, idList(typeRows)],
    );
    for (const { id } of taken) renames.set(`${type}/${id}`, await freeId(db, practice, patientId, table, `${id}-p${patientId}`, avoid));
  }
  if (rows.consultationSections.length > 0) {
    const taken = await db.query<{ id: string }>(
      `SELECT s.id FROM consultation_section s JOIN encounter e ON e.practice = s.practice AND e.id = s.encounter_id
       WHERE s.practice = $1 AND e.patient_id <> $2 AND s.id IN (SELECT jsonb_array_elements_text($3::text::jsonb))`,
      [practice, patientId, idList(rows.consultationSections)],
    );
    const avoid = new Set(rows.consultationSections.map((r) => String(r.id)));
    for (const { id } of taken) renames.set(`List/${id}`, await freeId(db, practice, patientId, 'consultation_section', `${id}-p${patientId}`, avoid));
  }
  return renames;
}

/**
 * `wanted`, or `wanted-2`, `wanted-3`… : the first that is free in `table` or this patient's (whose
 * rows are replaced). Dictionary medications (patientId undefined) must be free. Over the 64 characters of a FHIR id: a UUID.
 * Never one in `avoid`: the ids of this type the Bundle itself holds (they are written too, so a
 * new id equal to one is a duplicate key), to which each id handed out here is added.
 */
async function freeId(db: Db, practice: string, patientId: string | undefined, table: string, wanted: string, avoid: Set<string>): Promise<string> {
  const ownerColumn = table === 'medication' ? 'NULL' : table === 'consultation_section'
    ? '(SELECT e.patient_id FROM encounter e WHERE e.practice = t.practice AND e.id = t.encounter_id)'
    : 't.patient_id';
  for (let n = 1; n < 100; n++) {
    const candidate = n === 1 ? wanted : `${wanted}-${n}`;
    if (candidate.length > 64) break;
    if (avoid.has(candidate)) continue;
    const rows = await db.query<{ owner: string | null }>(`SELECT ${ownerColumn} AS owner FROM ${table} t WHERE t.practice = $1 AND t.id = $2`, [practice, candidate]);
    if (rows.length === 0 || (patientId !== undefined && rows[0]!.owner === patientId)) {
      avoid.add(candidate);
      return candidate;
    }
  }
  const id = crypto.randomUUID();
  avoid.add(id);
  return id;
}

/** JSON with object keys sorted, so a stored jsonb value compares equal to the same value read from FHIR. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v);
}

/**
 * The Bundle's Medications against the practice's dictionary: one with the same id and the same
 * code is reused; a different code under the same id gets a new id; the rest are added.
 */
export async function medicationDictionary(db: Db, practice: string, patientId: string, medications: Row[]): Promise<{ renames: Map<string, string>; reused: Set<string> }> {
  const renames = new Map<string, string>();
  const reused = new Set<string>();
  if (medications.length === 0) return { renames, reused };
  const stored = await db.query<{ id: string; code: unknown }>(
    'SELECT id, code FROM medication WHERE practice = $1 AND id IN (SELECT jsonb_array_elements_text($2::text::jsonb))',
    [practice, idList(medications)],
  );
  const codeById = new Map(stored.map((m) => [m.id, canonicalJson(m.code)]));
  const suffix = `p${patientId}`;
  const avoid = new Set(medications.map((m) => String(m.id)));
  for (const m of medications) {
    const code = codeById.get(String(m.id));
    if (code === undefined) continue;
    if (code === canonicalJson(m.code)) reused.add(String(m.id));
    else renames.set(`Medication/${String(m.id)}`, await freeId(db, practice, undefined, 'medication', `${String(m.id)}-${suffix}`, avoid));
  }
  return { renames, reused };
}
