import { createHash } from 'node:crypto';
/**
 * What the log may hold (cross-cutting §8: don't log GET parameters, which contain NHS numbers,
 * into an unprotected log): one line per request with the trace id and outcome, never an NHS
 * number, a patient's details or the audit JWT. Log content does not depend on the store, so this
 * runs on the embedded store only, with the log captured through buildApp's logStream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { auditToken } from '../../src/consumer/audit-token.ts';
import type { Db } from '../../src/store/db.ts';
import { storedPds } from '../../src/store/pds-stub.ts';
import { fhirJson, jsonType } from '../harness/assertions.ts';
import { interactionIds, practice, scopes } from '../harness/provider.ts';
import { testStores } from '../harness/stores.ts';
import { registerBody, registrable } from './_support.ts';

const embedded = testStores.find((s) => s.name === 'embedded');

describe('Logging never holds NHS numbers or the audit JWT [embedded]', { skip: embedded ? false : 'embedded store not selected' }, () => {
  const lines: string[] = [];
  let app: FastifyInstance;
  let db: Db;
  const tokens: string[] = [];

  before(async () => {
    db = await embedded!.freshDb();
    ({ app } = await buildApp({ db, pds: storedPds(db), logLevel: 'info', logStream: { write: (line: string) => void lines.push(line) } }));
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.close();
  });

  async function send(method: 'GET' | 'POST', path: string, interaction: keyof typeof interactionIds, options: { token?: string; body?: string; traceId?: string } = {}) {
    const token = options.token ?? auditToken({ scope: scopes[interaction] });
    tokens.push(token);
    const traceId = options.traceId ?? crypto.randomUUID();
    const res = await app.inject({
      method,
      url: `/${practice.ods}/STU3/1/gpconnect${path}`,
      headers: {
        'Ssp-TraceID': traceId,
        'Ssp-From': '200000000359',
        'Ssp-To': practice.asid,
        'Ssp-InteractionID': interactionIds[interaction],
        Authorization: `Bearer ${token}`,
        Accept: fhirJson,
        ...(options.body === undefined ? {} : { 'Content-Type': jsonType }),
      },
      payload: options.body,
    });
    return { status: res.statusCode, traceId };
  }

  it('logs a trace id that is not a GUID as a hash of itself: a consumer may put anything there', async () => {
    const traceId = 'NHS 9690937286 seen for asthma';
    const before = lines.length;
    const { status } = await send('GET', '/Patient/1', 'readPatient', { traceId });
    assert.equal(status, 200);
    const logged = lines.slice(before).map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    assert.equal(logged.length, 1);
    assert.equal(logged[0].traceId, `sha256:${createHash('sha256').update(traceId).digest('hex').slice(0, 16)}`);
    assert.ok(!lines.slice(before).join('').includes('9690937286'));
  });

  it('logs one line per request with the trace id, and no NHS number, patient name or token in any line', async () => {
    const nhs = (n: string) => encodeURIComponent(`https://fhir.nhs.uk/Id/nhs-number|${n}`);
    const exchanges = [
      await send('GET', `/Patient?identifier=${nhs('9690937278')}`, 'searchPatient'),
      await send('GET', '/Patient/1', 'readPatient'),
      await send('GET', `/Patient?identifier=${nhs('9690937279')}`, 'searchPatient'), // bad check digit: refused
      await send('POST', '/Patient/$gpc.registerpatient', 'registerPatient', { body: JSON.stringify(registerBody(registrable.holt)) }),
      await send('POST', '/Patient/$gpc.registerpatient', 'registerPatient', { body: `{"nhs":"9690937286", broken` }),
      await send('GET', '/Patient/9690937294/extra', 'readPatient'),
      await send('GET', '/metadata', 'metadata', { token: auditToken({ scope: 'organization/*.read', overrides: { iss: undefined } }) }),
    ];
    assert.deepEqual(exchanges.map((e) => e.status), [200, 200, 400, 200, 400, 400, 400]);

    const log = lines.join('');
    for (const { traceId } of exchanges) {
      assert.equal(lines.filter((l) => l.includes(traceId)).length, 1, `one log line for ${traceId}`);
    }
    for (const secret of ['9690937278', '9690937279', '9690937286', '9690937294', registrable.holt.nhsNumber, 'SAMUAL', 'Lucien', registrable.holt.family, 'nhs-number', 'Bearer']) {
      assert.ok(!log.includes(secret), `the log contains ${secret}`);
    }
    for (const token of tokens) {
      for (const part of token.split('.').filter(Boolean)) assert.ok(!log.includes(part), 'the log contains part of the audit JWT');
    }
  });
});
