import type { Coded, Identifier, Note, ProcedureRequest } from '../domain/clinical.ts';

/**
 * Rows of `procedure_request` (0003_clinical.sql) — diary entries and test requests — as the diary
 * and the consultations read them. The consultation is only named when it is not itself
 * confidential (a withheld consultation must not be referenced).
 */

export interface ProcedureRequestRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  kind: ProcedureRequest['kind'];
  status: ProcedureRequest['status'];
  code: Coded;
  authored_at: Date | null;
  requester_id: string | null;
  performer_organization_id: string | null;
  due_start: string | null;
  due_end: string | null;
  reason_codes: Coded[];
  /** NULL when the request has no consultation, or when that consultation is itself withheld. */
  encounter_id: string | null;
  notes: Note[];
  confidential: boolean;
}

/** SELECT … FROM procedure_request p (with its consultation e): add WHERE and ORDER BY. */
export const procedureRequestSelect = `
  SELECT p.id, p.patient_id, p.identifiers, p.kind, p.status, p.code, p.authored_at, p.requester_id, p.performer_organization_id,
         p.due_start, p.due_end, p.reason_codes, CASE WHEN e.confidential THEN NULL ELSE p.encounter_id END AS encounter_id,
         p.notes, p.confidential
    FROM procedure_request p
    LEFT JOIN encounter e ON e.practice = p.practice AND e.id = p.encounter_id`;

export function procedureRequestFromRow(r: ProcedureRequestRow): ProcedureRequest {
  const p: ProcedureRequest = {
    id: r.id,
    patientId: r.patient_id,
    identifiers: r.identifiers,
    confidential: r.confidential,
    kind: r.kind,
    status: r.status,
    code: r.code,
    reasonCodes: r.reason_codes ?? [],
    notes: r.notes ?? [],
  };
  if (r.authored_at) p.authoredAt = r.authored_at;
  if (r.requester_id) p.requesterId = r.requester_id;
  if (r.performer_organization_id) p.performerOrganizationId = r.performer_organization_id;
  if (r.due_start) p.due = r.due_end ? { start: r.due_start, end: r.due_end } : { start: r.due_start };
  if (r.encounter_id) p.encounterId = r.encounter_id;
  return p;
}
