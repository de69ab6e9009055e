import type { ProcedureRequest } from '../domain/clinical.ts';
import { procedureRequestFromRow, procedureRequestSelect, type ProcedureRequestRow } from './clinical-procedure-requests.ts';
import type { Db } from './db.ts';

/**
 * Access Record Structured: a patient's diary entries — planned recalls and reviews not yet done
 * (table `procedure_request`, kind 'diary', 0003_clinical.sql), keyed by practice and patient.
 * Test requests of investigations share the table and are not read here.
 */

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
  const rows = await db.query<ProcedureRequestRow>(
    `${procedureRequestSelect}
      WHERE p.practice = $1 AND p.patient_id = $2 AND p.kind = 'diary' AND p.status = 'active'
        AND ($3::date IS NULL OR p.due_start IS NULL OR p.due_start <= $3::date)
      ORDER BY p.due_start NULLS LAST, p.id`,
    [practice, patientId, options.searchDate ?? null],
  );
  let withheld = 0;
  const entries: ProcedureRequest[] = [];
  for (const row of rows) {
    if (row.confidential && !options.includeConfidential) withheld++;
    else entries.push(procedureRequestFromRow(row));
  }
  return { entries, withheld };
}
