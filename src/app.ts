import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { LogLevel } from './config.ts';
import type { Pds } from './domain/pds.ts';
import { GpcError } from './fhir/errors.ts';
import { createPipeline } from './http/pipeline.ts';
import type { Db } from './store/db.ts';
import { AuditWriter } from './store/audit.ts';
import { PracticeDirectory } from './store/practices.ts';

export interface AppOptions {
  db: Db;
  pds: Pds;
  logLevel?: LogLevel;
  bodyLimit?: number;
  clock?: () => Date;
}

/** Builds the HTTP server: every GP Connect URL goes through one pipeline driven by the interaction table. */
export async function buildApp(options: AppOptions): Promise<{ app: FastifyInstance; practices: PracticeDirectory }> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', base: undefined },
    // We log one line per request ourselves (pipeline.ts), without URLs: query strings hold NHS numbers.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    // A hung or trickling client must not hold a connection for ever.
    requestTimeout: 30_000,
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
