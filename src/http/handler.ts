import type { Practice } from '../domain/practice.ts';
import type { Pds } from '../domain/pds.ts';
import type { Db } from '../store/db.ts';

/** What an interaction handler is given: the request, already through the pipeline's checks. */
export interface HandlerContext {
  db: Db;
  practice: Practice;
  /** Path parameters, e.g. { id } for /Patient/:id. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed request body (JSON object from JSON or XML), or undefined when there was none. */
  body: unknown;
  /** This practice's service root for the capability, e.g. http://host/B82617/STU3/1/gpconnect */
  baseUrl: string;
  headers: Record<string, string | string[] | undefined>;
  traceId: string;
  /** The audit JWT's requested_scope, e.g. 'patient/*.read conf/R' (migrate reads the conf/ token). */
  requestedScope: string;
  pds: Pds;
  now: Date;
  /** Facts the handler learns that the audit row records: the patient and appointment concerned. */
  audit: { patientId?: string; appointmentId?: string };
  /**
   * Runs a write in one transaction together with the request's audit row, so both commit or
   * neither does. Validation and outside calls (PDS) belong before it, not inside.
   */
  commit(work: (tx: Db) => Promise<HandlerResult>): Promise<HandlerResult>;
}

export interface HandlerResult {
  status?: number;
  /** The response resource; omitted for an empty body (Prefer: return=minimal). */
  resource?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export type Handler = (ctx: HandlerContext) => Promise<HandlerResult>;
