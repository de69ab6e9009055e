import { withUnacceptableReplaced } from '../fhir/string-characters.ts';
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
  appointmentId?: string | undefined;
  httpStatus: number;
  errorCode: string | undefined;
}

// Header, path and JWT values are consumer-controlled: keep what is stored bounded, and storable.
// Rows are written in batches, and one value PostgreSQL refuses (U+0000, or an unpaired surrogate,
// which cutting at 200 UTF-16 units can make of an emoji) would fail every row of its batch.
const clip = (value: string | undefined) => (value === undefined ? null : withUnacceptableReplaced(value.slice(0, 200)));

const insertRows = `INSERT INTO audit_event (practice, interaction_id, trace_id, from_asid, to_asid, requesting_organization,
    requesting_practitioner, requesting_device, patient_id, appointment_id, http_status, error_code)
  SELECT practice, interaction_id, trace_id, from_asid, to_asid, requesting_organization, requesting_practitioner,
    requesting_device, patient_id, appointment_id, http_status, error_code
  FROM jsonb_to_recordset($1::text::jsonb) AS x(practice text, interaction_id text, trace_id text, from_asid text,
    to_asid text, requesting_organization text, requesting_practitioner text, requesting_device text, patient_id text,
    appointment_id text, http_status integer, error_code text)`;

function toRecord(row: AuditRow): Record<string, unknown> {
  return {
    practice: clip(row.practice), interaction_id: clip(row.interactionId), trace_id: clip(row.traceId),
    from_asid: clip(row.fromAsid), to_asid: clip(row.toAsid), requesting_organization: clip(row.requestingOrganization),
    requesting_practitioner: clip(row.requestingPractitioner), requesting_device: clip(row.requestingDevice),
    patient_id: clip(row.patientId), appointment_id: clip(row.appointmentId), http_status: row.httpStatus, error_code: row.errorCode ?? null,
  };
}

/** Writes one audit row now: used inside a write's own transaction, so the two commit together. */
export async function recordAudit(db: Db, row: AuditRow): Promise<void> {
  await db.query(insertRows, [JSON.stringify([toRecord(row)])]);
}

/**
 * Audit rows of reads, written with group commit: rows that arrive while one INSERT is in flight
 * wait and go together in the next one. Each caller still waits for its own row to be stored
 * before the response leaves, but under load one round trip serves many requests.
 */
export class AuditWriter {
  private queue: { record: Record<string, unknown>; done: (err?: unknown) => void }[] = [];
  private flushing = false;

  constructor(private readonly db: Db) {}

  write(row: AuditRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record: toRecord(row), done: (err) => (err ? reject(err) : resolve()) });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, 500);
      try {
        await this.db.query(insertRows, [JSON.stringify(batch.map((b) => b.record))]);
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    this.flushing = false;
  }
}

export interface AuditEvent extends AuditRow {
  seq: number;
  at: string;
}

export async function listAudit(db: Db, practice: string, limit = 100, beforeSeq?: number): Promise<AuditEvent[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at, practice, interaction_id, trace_id,
       from_asid, to_asid, requesting_organization, requesting_practitioner, requesting_device, patient_id, appointment_id, http_status, error_code
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
    appointmentId: (r.appointment_id as string) ?? undefined,
    httpStatus: r.http_status as number,
    errorCode: (r.error_code as string) ?? undefined,
  }));
}
