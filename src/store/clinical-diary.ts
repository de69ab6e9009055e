import type { Coded, Identifier, Note, ProcedureRequest } from '../domain/clinical.ts';
import type { Db } from './db.ts';

/**
 * Access Record Structured: a patient's diary entries — planned recalls and reviews not yet done
 * (table `procedure_request`, kind 'diary', 0003_clinical.sql), keyed by practice and patient.
 * Test requests of investigations share the table and are not read here.
 */

interface DiaryRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  status: 'active' | 'completed' | 'cancelled';
  code: Coded;
  authored_at: Date;
  requester_id: string;
  performer_organization_id: string | null;
  due_start: string | null;
  due_end: string | null;
  reason_codes: Coded[];
  /** NULL when the entry has no consultation, or when that consultation is itself withheld. */
  encounter_id: string | null;
  notes: Note[];
  confidential: boolean;
}

const toEntry = (r: DiaryRow): ProcedureRequest => ({
  id: r.id,
  patientId: r.patient_id,
  identifiers: r.identifiers,
  confidential: r.confidential,
  kind: 'diary',
  status: r.status,
  code: r.code,
  authoredAt: r.authored_at,
  requesterId: r.requester_id,
  performerOrganizationId: r.performer_organization_id ?? undefined,
  due: r.due_start ? { start: r.due_start, ...(r.due_end ? { end: r.due_end } : {}) } : undefined,
  reasonCodes: r.reason_codes,
  encounterId: r.encounter_id ?? undefined,
  notes: r.notes,
});

export interface PatientDiaryEntries {
  /** Returned entries, by due date (undated last), then id. */
  entries: ProcedureRequest[];
  /** How many confidential entries matching the search were left out (the list gets confidential-items). */
  withheld: number;
}

/**
 * A patient's incomplete (status 'active') diary entries; completed and cancelled ones are never
 * returned. With a search date (YYYY-MM-DD), only entries planned on or before it — by the start of
 * the due date or window — so entries whose date has passed are always included; entries with no
 * due date are returned too (digest §5.2). Confidential entries are counted, not returned, unless
 * `includeConfidential`; only those that match the search count.
 */
export async function findPatientDiaryEntries(
  db: Db,
  practice: string,
  patientId: string,
  options: { searchDate?: string; includeConfidential?: boolean } = {},
): Promise<PatientDiaryEntries> {
  const rows = await db.query<DiaryRow>(
    `SELECT p.id, p.patient_id, p.identifiers, p.status, p.code, p.authored_at, p.requester_id, p.performer_organization_id,
            p.due_start, p.due_end, p.reason_codes, CASE WHEN e.confidential THEN NULL ELSE p.encounter_id END AS encounter_id,
            p.notes, p.confidential
       FROM procedure_request p
       LEFT JOIN encounter e ON e.practice = p.practice AND e.id = p.encounter_id
      WHERE p.practice = $1 AND p.patient_id = $2 AND p.kind = 'diary' AND p.status = 'active'
        AND ($3::date IS NULL OR p.due_start IS NULL OR p.due_start <= $3::date)
      ORDER BY p.due_start NULLS LAST, p.id`,
    [practice, patientId, options.searchDate ?? null],
  );
  let withheld = 0;
  const entries: ProcedureRequest[] = [];
  for (const row of rows) {
    if (row.confidential && !options.includeConfidential) withheld++;
    else entries.push(toEntry(row));
  }
  return { entries, withheld };
}
