import { request as httpRequest } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { after, before, describe } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { auditClaims, encodeUnsignedJwt } from '../../src/consumer/audit-token.ts';
import type { Db } from '../../src/store/db.ts';
import { storedPds } from '../../src/store/pds-stub.ts';
import { fromFhirXml } from '../../src/fhir/xml.ts';
import { fhirJson, jsonType } from './assertions.ts';
import { testStores, type TestStore } from './stores.ts';

/** The seeded practice the official suite tests, and its ASID. */
export const practice = { ods: 'B82617', asid: '918999198738' } as const;
/** The second, small seeded practice (isolation tests). */
export const otherPractice = { ods: 'GPC002', asid: '918999198999' } as const;

export const interactionIds = {
  metadata: 'urn:nhs:names:services:gpconnect:fhir:rest:read:metadata-1',
  readPatient: 'urn:nhs:names:services:gpconnect:fhir:rest:read:patient-1',
  searchPatient: 'urn:nhs:names:services:gpconnect:fhir:rest:search:patient-1',
  registerPatient: 'urn:nhs:names:services:gpconnect:fhir:operation:gpc.registerpatient-1',
  readPractitioner: 'urn:nhs:names:services:gpconnect:fhir:rest:read:practitioner-1',
  searchPractitioner: 'urn:nhs:names:services:gpconnect:fhir:rest:search:practitioner-1',
  readOrganization: 'urn:nhs:names:services:gpconnect:fhir:rest:read:organization-1',
  searchOrganization: 'urn:nhs:names:services:gpconnect:fhir:rest:search:organization-1',
  readLocation: 'urn:nhs:names:services:gpconnect:fhir:rest:read:location-1',
  searchSlots: 'urn:nhs:names:services:gpconnect:fhir:rest:search:slot-1',
  bookAppointment: 'urn:nhs:names:services:gpconnect:fhir:rest:create:appointment-1',
  readAppointment: 'urn:nhs:names:services:gpconnect:fhir:rest:read:appointment-1',
  searchPatientAppointments: 'urn:nhs:names:services:gpconnect:fhir:rest:search:patient_appointments-1',
  amendAppointment: 'urn:nhs:names:services:gpconnect:fhir:rest:update:appointment-1',
  cancelAppointment: 'urn:nhs:names:services:gpconnect:fhir:rest:cancel:appointment-1',
  structuredMetadata: 'urn:nhs:names:services:gpconnect:structured:fhir:rest:read:metadata-1',
  getStructuredRecord: 'urn:nhs:names:services:gpconnect:fhir:operation:gpc.getstructuredrecord-1',
  migrateStructuredRecord: 'urn:nhs:names:services:gpconnect:fhir:operation:gpc.migratestructuredrecord-1',
} as const;

/** The JWT scope the spec pairs with each interaction. */
export const scopes: Record<keyof typeof interactionIds, string> = {
  metadata: 'organization/*.read',
  readPatient: 'patient/*.read',
  searchPatient: 'patient/*.read',
  registerPatient: 'patient/*.write',
  readPractitioner: 'organization/*.read',
  searchPractitioner: 'organization/*.read',
  readOrganization: 'organization/*.read',
  searchOrganization: 'organization/*.read',
  readLocation: 'organization/*.read',
  searchSlots: 'organization/*.read',
  bookAppointment: 'patient/*.write',
  readAppointment: 'patient/*.read',
  searchPatientAppointments: 'patient/*.read',
  amendAppointment: 'patient/*.write',
  cancelAppointment: 'patient/*.write',
  structuredMetadata: 'organization/*.read',
  getStructuredRecord: 'patient/*.read',
  migrateStructuredRecord: 'patient/*.read conf/N',
};

export interface GpcRequest {
  method?: string;
  /** Path below the service root, with query, e.g. '/Patient/1' */
  path: string;
  interaction: keyof typeof interactionIds;
  ods?: string;
  asid?: string;
  /** Headers to add or (with undefined) remove, applied last. */
  headers?: Record<string, string | undefined>;
  /** Claims to replace or (with undefined) remove. */
  claims?: Record<string, unknown>;
  /** A whole Authorization header value, replacing the generated one. */
  authorization?: string;
  body?: string | Record<string, unknown>;
  /** Service root suffix: '' (Foundations/Appointments) or '/structured'. */
  base?: string;
}

/** How a read asks for its format (`_format` in the query, Accept) or names another interaction id. */
export interface ReadOptions {
  accept?: string;
  format?: string;
  interaction?: string;
}

/** A read of `path` with the changes `extra` asks for. */
export function readRequest(path: string, interaction: GpcRequest['interaction'], extra: ReadOptions = {}): GpcRequest {
  return {
    path: extra.format ? `${path}?_format=${encodeURIComponent(extra.format)}` : path,
    interaction,
    headers: { ...(extra.accept ? { Accept: extra.accept } : {}), ...(extra.interaction ? { 'Ssp-InteractionID': extra.interaction } : {}) },
  };
}

export interface GpcResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed from JSON or XML, whichever the Content-Type says. */
  json: any;
}

export interface TestProvider {
  origin: string;
  db: Db;
  store: TestStore['name'];
  /** A well-formed GP Connect request, with whatever the test changes. */
  gpc(req: GpcRequest): Promise<GpcResponse>;
  /** A raw HTTP request to the server (no GP Connect headers added). */
  raw(method: string, path: string, headers?: Record<string, string>, body?: string | Buffer): Promise<GpcResponse>;
  close(): Promise<void>;
}

export async function startTestProvider(store: TestStore, options: { clock?: () => Date } = {}): Promise<TestProvider> {
  const db = await store.freshDb();
  const { app } = await buildApp({ db, pds: storedPds(db), logLevel: 'silent', clock: options.clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const raw = (method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer) =>
    new Promise<GpcResponse>((resolve, reject) => {
      const req = httpRequest(origin + path, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let buffer = Buffer.concat(chunks);
          if (res.headers['content-encoding'] === 'gzip') buffer = gunzipSync(buffer);
          const text = buffer.toString('utf8');
          const type = String(res.headers['content-type'] ?? '');
          let json: unknown;
          if (text) json = type.includes('xml') ? fromFhirXml(text) : JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });

  const gpc = (r: GpcRequest) => {
    const ods = r.ods ?? practice.ods;
    const claims = auditClaims({ scope: scopes[r.interaction], overrides: r.claims });
    const headers: Record<string, string | undefined> = {
      'Ssp-TraceID': crypto.randomUUID(),
      'Ssp-From': '200000000359',
      'Ssp-To': r.asid ?? (ods === otherPractice.ods ? otherPractice.asid : practice.asid),
      'Ssp-InteractionID': interactionIds[r.interaction],
      Authorization: r.authorization ?? `Bearer ${encodeUnsignedJwt(claims)}`,
      Accept: fhirJson,
    };
    let body: string | undefined;
    if (r.body !== undefined) {
      body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
      headers['Content-Type'] = jsonType;
    }
    for (const [name, value] of Object.entries(r.headers ?? {})) {
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
      if (value !== undefined) headers[name] = value;
    }
    const defined = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<string, string>;
    return raw(r.method ?? 'GET', `/${ods}/STU3/1/gpconnect${r.base ?? ''}${r.path}`, defined, body);
  };

  return {
    origin,
    db,
    store: store.name,
    gpc,
    raw,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * Declares `body` once per store: a describe block per store with a fresh provider started
 * before its tests and stopped after. A store that is not reachable is skipped, visibly.
 */
export function describeOnEachStore(title: string, body: (provider: () => TestProvider) => void, options: { clock?: () => Date } = {}): void {
  for (const store of testStores) {
    describe(`${title} [${store.name}]`, { skip: store.problem }, () => {
      let provider: TestProvider;
      before(async () => {
        provider = await startTestProvider(store, options);
      });
      after(async () => {
        await provider?.close();
      });
      body(() => provider);
    });
  }
}
