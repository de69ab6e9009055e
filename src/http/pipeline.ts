import { createHash } from 'node:crypto';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Pds } from '../domain/pds.ts';
import type { Practice } from '../domain/practice.ts';
import { GpcError, operationOutcome, type SpineErrorCode } from '../fhir/errors.ts';
import { bodyProblem, textProblem, withUnacceptableReplaced } from '../fhir/string-characters.ts';
import { fromFhirXml, XmlSyntaxError } from '../fhir/xml.ts';
import { matchPath, type Interaction, type ServiceBase } from '../interactions.ts';
import { recordAudit, type AuditRow, type AuditWriter } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import type { PracticeDirectory } from '../store/practices.ts';
import { checkAuditJwt, type RequestingParties } from './audit-jwt.ts';
import type { HandlerContext, HandlerResult } from './handler.ts';
import { requestBodyFormat, responseFormat, type FhirFormat } from './negotiation.ts';
import { sendFhir } from './reply.ts';
import { checkSspHeaders, readSspHeaders } from './ssp-headers.ts';

export interface PipelineDeps {
  db: Db;
  practices: PracticeDirectory;
  pds: Pds;
  clock: () => Date;
  audit: AuditWriter;
}

/** Where a request URL points: the practice, which of its two FHIR servers, and the path below it. */
export interface ServiceAddress {
  odsCode: string;
  base: ServiceBase;
  /** The service root as the consumer addressed it (with the optional /fhir suffix if used). */
  rootPath: string;
  segments: string[];
  query: URLSearchParams;
}

/**
 * Splits `/{ODS}/STU3/1/gpconnect[/structured][/fhir]/{path}?{query}`. The `/fhir` suffix is the
 * form in the official suite's default configuration; both forms reach the same server.
 * Returns undefined for URLs outside any practice's service roots.
 */
export function parseServiceAddress(url: string): ServiceAddress | undefined {
  const queryStart = url.indexOf('?');
  const path = queryStart < 0 ? url : url.slice(0, queryStart);
  const query = new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1));
  const raw = path.split('/').slice(1);
  if (raw.length < 4 || raw[1] !== 'STU3' || raw[2] !== '1' || raw[3] !== 'gpconnect') return undefined;
  let segments: string[];
  try {
    segments = raw.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  let rest = segments.slice(4);
  let base: ServiceBase = 'gpconnect';
  let root = `/${raw.slice(0, 4).join('/')}`;
  if (rest[0] === 'structured') {
    base = 'structured';
    root += '/structured';
    rest = rest.slice(1);
  }
  if (rest[0] === 'fhir') {
    root += '/fhir';
    rest = rest.slice(1);
  }
  return { odsCode: segments[0]!, base, rootPath: root, segments: rest, query };
}

/** Per-request state the pipeline gathers, for the audit row and the log line. */
interface Exchange {
  address: ServiceAddress | undefined;
  practice?: Practice;
  interaction?: Interaction;
  parties?: RequestingParties;
  /** What the handler learnt for the audit row (the patient concerned), kept even if it then fails. */
  audit: HandlerContext['audit'];
  format: FhirFormat;
  /** Set once the audit row is stored with a committed write. */
  audited?: boolean;
}

/**
 * The GP Connect request pipeline, in the order the spec and the suite need: route, practice,
 * Ssp-* headers, interaction id against route and verb, audit JWT, enablement, content
 * negotiation and body, then the interaction's handler. Every request, refused or not, ends in
 * exactly one audit row; every refusal is an OperationOutcome.
 */
export function createPipeline(deps: PipelineDeps) {
  /** `refusal` is set when the HTTP layer already refused the request (body too large, say). */
  return async function handleGpConnectRequest(request: FastifyRequest, reply: FastifyReply, refusal?: GpcError): Promise<FastifyReply> {
    const started = process.hrtime.bigint();
    const exchange: Exchange = { address: parseServiceAddress(request.url), format: 'json', audit: {} };
    const ssp = readSspHeaders(request.headers);
    let result: HandlerResult;
    let errorCode: SpineErrorCode | undefined;
    try {
      // Work out the response format first, so even a refusal is in the format the consumer asked for.
      exchange.format = negotiate(request, exchange.address?.query);
      if (refusal) throw refusal;
      result = await serve(deps, request, exchange, ssp);
    } catch (err) {
      const failure = toFailure(err, request.log);
      errorCode = failure.code;
      result = { status: failure.status, resource: operationOutcome(failure.code, failure.diagnostics) };
    }
    let status = result.status ?? 200;
    if (!exchange.audited) {
      // A write that committed recorded its audit row in its own transaction (ctx.commit).
      try {
        await deps.audit.write(auditRow(exchange, ssp, status, errorCode));
      } catch (err) {
        // Spec: audit is always on. Data whose access cannot be audited is not returned.
        request.log.error({ err: safeError(err), traceId: ssp.traceId }, 'audit row could not be written');
        errorCode = 'INTERNAL_SERVER_ERROR';
        status = 500;
        result = { status, resource: operationOutcome(errorCode, 'The provider could not record the request in its audit trail') };
      }
    }
    logExchange(request.log, exchange, ssp.traceId, status, errorCode, started);
    return sendFhir(reply, exchange.format, status, result.resource, result.headers, header(request, 'accept-encoding'));
  };
}

async function serve(deps: PipelineDeps, request: FastifyRequest, exchange: Exchange, ssp: ReturnType<typeof readSspHeaders>): Promise<HandlerResult> {
  const address = exchange.address;
  if (!address) throw new GpcError('NO_RECORD_FOUND', 'This is not a GP Connect service root: use /{ODS code}/STU3/1/gpconnect');
  const addressIssue = addressTextProblem(address);
  if (addressIssue) throw new GpcError('BAD_REQUEST', addressIssue);
  const practice = await deps.practices.find(address.odsCode);
  if (!practice) throw new GpcError('NO_RECORD_FOUND', `No practice with ODS code ${address.odsCode} is served here`);
  exchange.practice = practice;

  const checked = checkSspHeaders(ssp, practice.asid);
  const { interaction, params } = selectInteraction(address, request.method, checked.interactionId);
  exchange.interaction = interaction;

  exchange.parties = checkAuditJwt(header(request, 'authorization'), {
    scope: interaction.scope,
    reasons: interaction.reasons ?? ['directcare'],
    practitionerOptional: interaction.practitionerOptional,
    now: Math.floor(deps.clock().getTime() / 1000),
  });

  // 1.2.7 spells the code ACCESS_DENIED; 1.6 (Access Record Structured) 'ACCESS DENIED'.
  const accessDenied = address.base === 'structured' ? 'ACCESS DENIED' : 'ACCESS_DENIED';
  if (!practice.enabled.gpconnect) throw new GpcError(accessDenied, 'GP Connect is disabled at this practice');
  if (interaction.capability && !practice.enabled[interaction.capability]) {
    throw new GpcError(accessDenied, `The ${interaction.capability} capability is disabled at this practice`);
  }

  const body = parseBody(request, interaction);
  const ctx: HandlerContext = {
    db: deps.db,
    practice,
    params,
    query: address.query,
    body,
    baseUrl: `${request.protocol}://${request.headers.host ?? 'localhost'}${address.rootPath}`,
    headers: request.headers,
    traceId: checked.traceId,
    requestedScope: exchange.parties.scope,
    pds: deps.pds,
    now: deps.clock(),
    audit: exchange.audit,
    commit: (work) =>
      deps.db.transaction(async (tx) => {
        const result = await work(tx);
        await recordAudit(tx, auditRow(exchange, ssp, result.status ?? 200, undefined));
        exchange.audited = true;
        return result;
      }),
  };
  return interaction.handler(ctx);
}

/**
 * Spec: the Ssp-InteractionID SHALL be consistent with the endpoint and verb requested. Amend and
 * cancel share PUT /Appointment/{id}: only the interaction id tells them apart.
 */
function selectInteraction(address: ServiceAddress, method: string, interactionId: string): { interaction: Interaction; params: Record<string, string> } {
  const { candidates, params } = matchPath(address.base, address.segments);
  const path = '/' + address.segments.join('/');
  if (candidates.length === 0) throw new GpcError('BAD_REQUEST', `${path} is not a GP Connect resource path`);
  const sameVerb = candidates.filter((c) => c.method === method);
  if (sameVerb.length === 0) throw new GpcError('BAD_REQUEST', `${method} is not supported on ${path}`);
  const chosen = sameVerb.find((c) => c.id === interactionId);
  if (!chosen) throw new GpcError('BAD_REQUEST', `Ssp-InteractionID ${interactionId} does not match ${method} ${path}`);
  return { interaction: chosen, params };
}

/** What in the URL (decoded path segments, query names and values) is not acceptable text, as a diagnostic; undefined if nothing. */
function addressTextProblem(address: ServiceAddress): string | undefined {
  for (const segment of [address.odsCode, ...address.segments]) {
    const problem = textProblem(segment);
    if (problem) return `A path segment ${problem}`;
  }
  for (const [name, value] of address.query) {
    const problem = textProblem(name) ?? textProblem(value);
    if (problem) return `The query parameter ${withUnacceptableReplaced(name)} ${problem}`;
  }
  return undefined;
}

function negotiate(request: FastifyRequest, query: URLSearchParams | undefined): FhirFormat {
  const bodyFormat = hasBody(request) ? requestBodyFormat(header(request, 'content-type')) : undefined;
  return responseFormat(query?.get('_format') ?? undefined, header(request, 'accept'), bodyFormat);
}

function parseBody(request: FastifyRequest, interaction: Interaction): unknown {
  const text = typeof request.body === 'string' ? request.body : undefined;
  if (interaction.method === 'GET') return undefined;
  if (text === undefined || text.trim() === '') throw new GpcError('BAD_REQUEST', `${interaction.method} needs a FHIR resource in the request body`);
  const format = requestBodyFormat(header(request, 'content-type'));
  if (format === undefined) throw new GpcError('UNSUPPORTED_MEDIA_TYPE', 'The request body needs a Content-Type of application/fhir+json or application/fhir+xml');
  const body = format === 'xml' ? parseXmlBody(text) : parseJsonBody(text);
  const bad = bodyProblem(body);
  if (bad) throw new GpcError('BAD_REQUEST', `The request body is not valid FHIR: ${bad.path || 'the body'} ${bad.problem}`);
  return body;
}

function parseXmlBody(text: string): unknown {
  try {
    return fromFhirXml(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw new GpcError('BAD_REQUEST', `The request body is not well-formed FHIR XML: ${err.message}`);
    throw err;
  }
}

function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GpcError('BAD_REQUEST', 'The request body is not well-formed JSON');
  }
}

function hasBody(request: FastifyRequest): boolean {
  return typeof request.body === 'string' && request.body.length > 0;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

interface Failure {
  code: SpineErrorCode;
  status: number;
  diagnostics: string;
}

/** The one error boundary: a GpcError keeps its code; anything else is a 500 that says nothing internal. */
export function toFailure(err: unknown, log: FastifyBaseLogger): Failure {
  if (err instanceof GpcError) return { code: err.code, status: err.status, diagnostics: err.diagnostics };
  log.error({ err: safeError(err) }, 'unexpected error');
  return { code: 'INTERNAL_SERVER_ERROR', status: 500, diagnostics: 'The provider could not process the request' };
}

/**
 * Error details for the log without the message text: database errors quote the values they
 * rejected, which may be patient data.
 */
export function safeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const frames = (err.stack ?? '').split('\n').slice(1, 8).map((line) => line.trim());
  return { type: err.name, code: (err as { code?: unknown }).code, frames };
}

function auditRow(exchange: Exchange, ssp: ReturnType<typeof readSspHeaders>, status: number, errorCode: string | undefined): AuditRow {
  return {
    practice: exchange.practice?.odsCode ?? exchange.address?.odsCode,
    interactionId: ssp.interactionId,
    traceId: ssp.traceId,
    fromAsid: ssp.fromAsid,
    toAsid: ssp.toAsid,
    requestingOrganization: exchange.parties?.organizationOds,
    requestingPractitioner: exchange.parties?.practitioner,
    requestingDevice: exchange.parties?.device,
    patientId: exchange.audit.patientId,
    appointmentId: exchange.audit.appointmentId,
    httpStatus: status,
    errorCode,
  };
}

/** One JSON line per request: trace and interaction ids and the outcome, never URLs, bodies or tokens. */
function logExchange(log: FastifyBaseLogger, exchange: Exchange, traceId: string | undefined, status: number, errorCode: string | undefined, started: bigint): void {
  log.info({
    traceId: loggableTraceId(traceId),
    interaction: exchange.interaction?.id,
    practice: exchange.practice?.odsCode,
    status,
    errorCode,
    ms: Number(process.hrtime.bigint() - started) / 1e6,
  }, 'request');
}


const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The Ssp-TraceID as the log may show it. It should be a GUID, but it is the consumer's free text
 * and is not refused: anything else (which could carry an NHS number or a token) is logged as a
 * short hash of itself, still matchable against the audit row, which keeps the value as sent.
 */
function loggableTraceId(traceId: string | undefined): string | undefined {
  if (traceId === undefined || guid.test(traceId)) return traceId;
  return `sha256:${createHash('sha256').update(traceId).digest('hex').slice(0, 16)}`;
}
