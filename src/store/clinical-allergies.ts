import type { Allergy, ClinicalArea, Coded, Identifier, RecordWarning } from '../domain/clinical.ts';
import type { Db } from './db.ts';

/**
 * Access Record Structured: a patient's allergies (table `allergy`, 0003_clinical.sql), keyed by
 * practice and patient, and the patient's record warnings (`record_warning`).
 */

interface AllergyRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  clinical_status: 'active' | 'resolved';
  category: 'medication' | 'environment';
  code: Coded;
  onset_at: Date | null;
  asserted_at: Date;
  end_at: Date | null;
  end_reason: string | null;
  reaction_manifestation: Coded | null;
  reaction_severity: 'mild' | 'moderate' | 'severe' | null;
  note: string | null;
  recorder_id: string;
  /** NULL when the allergy has no consultation, or when that consultation is itself withheld. */
  encounter_id: string | null;
  confidential: boolean;
}

const toAllergy = (r: AllergyRow): Allergy => ({
  id: r.id,
  patientId: r.patient_id,
  identifiers: r.identifiers,
  confidential: r.confidential,
  clinicalStatus: r.clinical_status,
  category: r.category,
  code: r.code,
  onsetAt: r.onset_at ?? undefined,
  assertedAt: r.asserted_at,
  endAt: r.end_at ?? undefined,
  endReason: r.end_reason ?? undefined,
  reaction: r.reaction_manifestation || r.reaction_severity
    ? { manifestation: r.reaction_manifestation ?? undefined, severity: r.reaction_severity ?? undefined }
    : undefined,
  note: r.note ?? undefined,
  recorderId: r.recorder_id,
  encounterId: r.encounter_id ?? undefined,
});

export interface PatientAllergies {
  /** Returned allergies: active first, then resolved (only when asked for); each by asserted date, then id. */
  allergies: Allergy[];
  /** How many confidential allergies were left out, per status (the lists they would have been in get confidential-items). */
  withheld: { active: number; resolved: number };
}

/**
 * A patient's allergies. Confidential ones are counted, not returned, unless `includeConfidential`
 * (migrate with sensitive information). Resolved (ended) ones only with `includeResolved`.
 * The consultation an allergy was recorded in is only given when that consultation is not itself
 * confidential (a withheld consultation must not be referenced).
 */
export async function findPatientAllergies(
  db: Db,
  practice: string,
  patientId: string,
  options: { includeResolved: boolean; includeConfidential?: boolean },
): Promise<PatientAllergies> {
  const rows = await db.query<AllergyRow>(
    `SELECT a.id, a.patient_id, a.identifiers, a.clinical_status, a.category, a.code, a.onset_at, a.asserted_at, a.end_at,
            a.end_reason, a.reaction_manifestation, a.reaction_severity, a.note, a.recorder_id,
            CASE WHEN e.confidential THEN NULL ELSE a.encounter_id END AS encounter_id, a.confidential
       FROM allergy a
       LEFT JOIN encounter e ON e.practice = a.practice AND e.id = a.encounter_id
      WHERE a.practice = $1 AND a.patient_id = $2 AND (a.clinical_status = 'active' OR $3::boolean)
      ORDER BY a.clinical_status, a.asserted_at, a.id`,
    [practice, patientId, options.includeResolved],
  );
  const withheld = { active: 0, resolved: 0 };
  const allergies: Allergy[] = [];
  for (const row of rows) {
    if (row.confidential && !options.includeConfidential) withheld[row.clinical_status]++;
    else allergies.push(toAllergy(row));
  }
  return { allergies, withheld };
}

interface RecordWarningRow { patient_id: string; area: ClinicalArea | 'all'; code: RecordWarning['code']; recorded_before: string | null }

/**
 * The warnings a practice puts on a patient's lists (record_warning): those of `area` and those of
 * 'all', or every one when no area is given. Not specific to allergies: every area builder uses it.
 */
export async function findRecordWarnings(db: Db, practice: string, patientId: string, area?: ClinicalArea): Promise<RecordWarning[]> {
  const rows = await db.query<RecordWarningRow>(
    `SELECT patient_id, area, code, recorded_before
       FROM record_warning
      WHERE practice = $1 AND patient_id = $2 AND ($3::text IS NULL OR area = 'all' OR area = $3::text)
      ORDER BY area, code`,
    [practice, patientId, area ?? null],
  );
  return rows.map((r) => ({
    patientId: r.patient_id,
    area: r.area,
    code: r.code,
    recordedBefore: r.recorded_before ?? undefined,
  }));
}
