import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { LogLevel } from './config.ts';
import type { Pds } from './domain/pds.ts';
import { GpcError, operationOutcome } from './fhir/errors.ts';
import { createPipeline } from './http/pipeline.ts';
import type { Db } from './store/db.ts';
import { AuditWriter } from './store/audit.ts';
import { PracticeDirectory } from './store/practices.ts';

export interface AppOptions {
  db: Db;
  pds: Pds;
  logLevel?: LogLevel;
  /** Where log lines go (stdout by default); tests capture them to check what is never logged. */
  logStream?: { write(line: string): void };
  bodyLimit?: number;
  clock?: () => Date;
}

/** Builds the HTTP server: every GP Connect URL goes through one pipeline driven by the interaction table. */
export async function buildApp(options: AppOptions): Promise<{ app: FastifyInstance; practices: PracticeDirectory }> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', base: undefined, ...(options.logStream ? { stream: options.logStream } : {}) },
    // We log one line per request ourselves (pipeline.ts), without URLs: query strings hold NHS numbers.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    // A hung or trickling client must not hold a connection for ever.
    requestTimeout: 30_000,
    // A path with invalid percent-encoding never reaches the routes or the error handler; without
    // this Fastify answers with its own application/json body. Spec (error handling, malformed
    // request): 400 BAD_REQUEST as an OperationOutcome, audited like any other refusal.
    frameworkErrors: (_error, request, reply) => handle(request, reply, new GpcError('BAD_REQUEST', 'The request URL is not validly percent-encoded')),
    clientErrorHandler: writeClientError,
  });
  const practices = new PracticeDirectory(options.db);
  const handle = createPipeline({
    db: options.db,
    practices,
    pds: options.pds,
    clock: options.clock ?? (() => new Date()),
    audit: new AuditWriter(options.db),
  });

  // Bodies are kept as text and parsed by the pipeline, which knows the FHIR formats and answers
  // bad ones with OperationOutcomes; Fastify's own JSON parser would answer with its own errors.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.all('/*', (request, reply) => handle(request, reply));
  app.setNotFoundHandler((request, reply) => handle(request, reply));
  app.setErrorHandler((error: { statusCode?: number; code?: string }, request, reply) => {
    const refusal =
      error.statusCode === 413
        ? new GpcError('PAYLOAD_TOO_LARGE', 'The request body is larger than this server accepts')
        : error.statusCode === 415
          ? new GpcError('UNSUPPORTED_MEDIA_TYPE', 'The request body is not in a supported format')
          : error.statusCode !== undefined && error.statusCode < 500
            ? new GpcError('BAD_REQUEST', 'The HTTP request is malformed')
            : new GpcError('INTERNAL_SERVER_ERROR', 'The provider could not process the request');
    return handle(request, reply, refusal);
  });
  return { app, practices };
}

/**
 * Requests Node's HTTP parser rejects (garbage, headers over the size limit, a timeout) never
 * become Fastify requests, so they cannot be routed or audited. They still get an OperationOutcome
 * in FHIR JSON with no-store (suite: error bodies must carry a FHIR media type), never a 5xx.
 */
function writeClientError(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, diagnostics] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'The request was not received in time']
      : err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'The request headers are larger than this server accepts']
        : [400, 'Bad Request', 'The HTTP request is malformed'];
  const body = JSON.stringify(operationOutcome('BAD_REQUEST', diagnostics));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/fhir+json;charset=utf-8\r\nCache-Control: no-store\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
