import type { Db } from './db.ts';

/** One audit trail row: who asked what of which practice, about which patient, and the outcome. */
export interface AuditRow {
  practice: string | undefined;
  interactionId: string | undefined;
  traceId: string | undefined;
  fromAsid: string | undefined;
  toAsid: string | undefined;
  requestingOrganization: string | undefined;
  requestingPractitioner: string | undefined;
  requestingDevice: string | undefined;
  patientId: string | undefined;
  httpStatus: number;
  errorCode: string | undefined;
}

// Header values are consumer-controlled: keep what is stored bounded.
const clip = (value: string | undefined) => (value === undefined ? null : value.slice(0, 200));

export async function recordAudit(db: Db, row: AuditRow): Promise<void> {
  await db.query(
    `INSERT INTO audit_event (practice, interaction_id, trace_id, from_asid, to_asid, requesting_organization,
       requesting_practitioner, requesting_device, patient_id, http_status, error_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      clip(row.practice), clip(row.interactionId), clip(row.traceId), clip(row.fromAsid), clip(row.toAsid),
      clip(row.requestingOrganization), clip(row.requestingPractitioner), clip(row.requestingDevice),
      clip(row.patientId), row.httpStatus, row.errorCode ?? null,
    ],
  );
}

export interface AuditEvent extends AuditRow {
  seq: number;
  at: string;
}

export async function listAudit(db: Db, practice: string, limit = 100, beforeSeq?: number): Promise<AuditEvent[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, practice, interaction_id, trace_id,
       from_asid, to_asid, requesting_organization, requesting_practitioner, requesting_device, patient_id, http_status, error_code
     FROM audit_event WHERE practice = $1 AND ($2::bigint IS NULL OR seq < $2) ORDER BY seq DESC LIMIT $3`,
    [practice, beforeSeq ?? null, limit],
  );
  return rows.map((r) => ({
    seq: r.seq as number,
    at: r.at as string,
    practice: r.practice as string,
    interactionId: (r.interaction_id as string) ?? undefined,
    traceId: (r.trace_id as string) ?? undefined,
    fromAsid: (r.from_asid as string) ?? undefined,
    toAsid: (r.to_asid as string) ?? undefined,
    requestingOrganization: (r.requesting_organization as string) ?? undefined,
    requestingPractitioner: (r.requesting_practitioner as string) ?? undefined,
    requestingDevice: (r.requesting_device as string) ?? undefined,
    patientId: (r.patient_id as string) ?? undefined,
    httpStatus: r.http_status as number,
    errorCode: (r.error_code as string) ?? undefined,
  }));
}
