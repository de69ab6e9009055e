/**
 * Malformed input is refused with a 4xx OperationOutcome, never a 5xx (cross-cutting §6.3: a body
 * that is not JSON/XML is 400 BAD_REQUEST; a body that parses but is not the resource is 422).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { auditToken } from '../../src/consumer/audit-token.ts';
import { describeOnEachStore, interactionIds, practice, scopes } from '../harness/provider.ts';
import { assertOk, assertOutcome, fhirJson, fhirXml, jsonType } from '../harness/assertions.ts';
import { auditCount, auditRowsFor } from './_support.ts';

const registerPath = '/Patient/$gpc.registerpatient';

/** Sends bytes on a raw socket and returns the status line and whatever came back. */
function rawExchange(origin: string, bytes: Buffer | string): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy());
    socket.write(bytes);
  });
}

/** A response written by the HTTP layer itself (no Fastify request): status, FHIR JSON, no-store, an OperationOutcome. */
function assertRawOutcome(reply: string, status: number): void {
  const [head = '', body = ''] = reply.split('\r\n\r\n');
  assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `), reply.slice(0, 200));
  assert.match(head, /\r\ncontent-type: application\/fhir\+json;charset=utf-8\r\n/i);
  assert.match(head, /\r\ncache-control: no-store\r\n/i);
  const oo = JSON.parse(body);
  assert.equal(oo.resourceType, 'OperationOutcome');
  assert.equal(oo.issue[0].severity, 'error');
  assert.deepEqual(oo.issue[0].details.coding.map((c: { code: string }) => c.code), ['BAD_REQUEST']);
}

describeOnEachStore('Malformed requests', (provider) => {
  const register = (body: string | Buffer, contentType = jsonType) =>
    typeof body === 'string'
      ? provider().gpc({ method: 'POST', path: registerPath, interaction: 'registerPatient', body, headers: { 'Content-Type': contentType } })
      : provider().raw('POST', `/${practice.ods}/STU3/1/gpconnect${registerPath}`, {
          'Ssp-TraceID': crypto.randomUUID(),
          'Ssp-From': '200000000359',
          'Ssp-To': practice.asid,
          'Ssp-InteractionID': interactionIds.registerPatient,
          Authorization: `Bearer ${auditToken({ scope: scopes.registerPatient })}`,
          Accept: fhirJson,
          'Content-Type': contentType,
        }, body);

  it('a register body that is malformed JSON is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await register('{"resourceType":"Parameters","parameter":[{'), 400, 'BAD_REQUEST');
  });

  it('a register body that is malformed XML is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await register('<Parameters xmlns="http://hl7.org/fhir"><parameter><name value="registerPatient"/>', fhirXml), 400, 'BAD_REQUEST');
  });

  it('a register body of XML with an undeclared entity is refused with 400 BAD_REQUEST', async () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Parameters xmlns="http://hl7.org/fhir">&x;</Parameters>';
    const res = await register(xml, fhirXml);
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assert.doesNotMatch(res.text, /root:/);
    assertOutcome(res, res.status, res.json.issue[0].details.coding[0].code);
  });

  it('a register body of XML in a non-FHIR namespace is refused with a 4xx OperationOutcome', async () => {
    const res = await register('<Parameters xmlns="http://example.org/"><parameter/></Parameters>', fhirXml);
    assert.ok(res.status === 400 || res.status === 422, `status ${res.status}`);
    assertOutcome(res, res.status, res.status === 400 ? 'BAD_REQUEST' : 'INVALID_RESOURCE');
  });

  for (const [label, body] of [['null', 'null'], ['an array', '[]'], ['a string', '"Parameters"'], ['a number', '42']]) {
    it(`a register body that is JSON ${label}, not a resource, is refused with 422 INVALID_RESOURCE`, async () => {
      assertOutcome(await register(body), 422, 'INVALID_RESOURCE');
    });
  }

  it('a register body of another resource type is refused with 422 INVALID_RESOURCE', async () => {
    assertOutcome(await register(JSON.stringify({ resourceType: 'Patient' })), 422, 'INVALID_RESOURCE');
  });

  it('a register body whose string holds a control character FHIR forbids (U+0000, U+0001) is refused with 400 BAD_REQUEST', async () => {
    for (const character of ['\u0000', '\u0001']) {
      const body = JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'registerPatient', resource: { resourceType: 'Patient', name: [{ family: `Smith${character}` }] } }] });
      const res = await register(body);
      assertOutcome(res, 400, 'BAD_REQUEST');
      assert.match(res.json.issue[0].diagnostics, /parameter\[0\]\.resource\.name\[0\]\.family holds the control character U\+000[01]/);
    }
  });

  it('a JWT requesting_organization whose identifier holds U+0000 is refused with 422 INVALID_RESOURCE and audited once, not a 5xx', async () => {
    const traceId = crypto.randomUUID();
    const before = await auditCount(provider());
    const organization = { resourceType: 'Organization', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'A1\u0000' }], name: 'x' };
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata', claims: { requesting_organization: organization }, headers: { 'Ssp-TraceID': traceId } });
    assertOutcome(res, 422, 'INVALID_RESOURCE');
    assert.equal((await auditCount(provider())) - before, 1);
    assert.equal((await auditRowsFor(provider(), traceId)).length, 1);
  });

  it('a register body holding an unpaired surrogate (JSON "\ud800") is refused with 400 BAD_REQUEST, in a value or an element name', async () => {
    const patient = (extra: Record<string, unknown>) => JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'registerPatient', resource: { resourceType: 'Patient', ...extra } }] });
    for (const body of [patient({ name: [{ family: 'a\ud800b' }] }), patient({ 'x\udfff': 1 })]) {
      const res = await register(body);
      assertOutcome(res, 400, 'BAD_REQUEST');
      assert.match(res.json.issue[0].diagnostics, /unpaired surrogate \(U\+D[8F]00|unpaired surrogate \(U\+DFFF/);
    }
  });

  it('a body nested 20,000 levels deep is refused with 400 BAD_REQUEST, not a 5xx', async () => {
    const res = await register(`{"resourceType":"Parameters","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`);
    assertOutcome(res, 400, 'BAD_REQUEST');
    assert.match(res.json.issue[0].diagnostics, /nests more than 64 levels deep/);
  });

  for (const path of [
    '/Practitioner?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fsds-user-id%7CG%00',
    '/Organization?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CB%00',
    '/Slot?start=ge2026-12-03&end=le2026-12-05&status=free&_include=Slot:schedule&searchFilter=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CB%00',
  ]) {
    it(`a search value holding U+0000 is refused with 400 BAD_REQUEST before it reaches the store: ${path.split('?')[0]}`, async () => {
      const interaction = path.startsWith('/Slot') ? 'searchSlots' : path.startsWith('/Practitioner') ? 'searchPractitioner' : 'searchOrganization';
      const res = await provider().gpc({ path, interaction });
      assertOutcome(res, 400, 'BAD_REQUEST');
      assert.match(res.json.issue[0].diagnostics, /query parameter \S+ holds the control character U\+0000/);
    });
  }

  it('an ODS segment of 199 letters and an emoji is 404 NO_RECORD_FOUND, and its audit row (cut at 200 UTF-16 units, mid-emoji) is stored', async () => {
    const ods = `${'a'.repeat(199)}\u{1F600}`;
    const traceId = crypto.randomUUID();
    const res = await provider().gpc({ ods: encodeURIComponent(ods), path: '/metadata', interaction: 'metadata', headers: { 'Ssp-TraceID': traceId } });
    assertOutcome(res, 404, 'NO_RECORD_FOUND');
    const [row] = await auditRowsFor(provider(), traceId);
    assert.equal(row?.practice, `${'a'.repeat(199)}\ufffd`);
  });

  it('requests whose JWT names an organisation of 199 letters and an emoji are served, and do not fail the reads audited with them', async () => {
    const long = { resourceType: 'Organization', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: `${'a'.repeat(199)}\u{1F600}` }], name: 'x' };
    // Audit rows of reads are written in batches: an unstorable value would fail every row of its batch.
    const responses = await Promise.all(Array.from({ length: 24 }, (_, i) =>
      provider().gpc({ path: '/Patient/1', interaction: 'readPatient', ...(i % 4 === 0 ? { claims: { requesting_organization: long } } : {}) })));
    assert.deepEqual(responses.map((r) => r.status), responses.map(() => 200));
  });

  it('an empty register body is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await register(''), 400, 'BAD_REQUEST');
  });

  it('a register body of binary garbage labelled FHIR JSON is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await register(randomBytes(4096)), 400, 'BAD_REQUEST');
  });

  it('a register body of binary garbage labelled FHIR XML is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await register(randomBytes(4096), fhirXml), 400, 'BAD_REQUEST');
  });

  it('a register body of binary garbage labelled application/octet-stream is refused with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    assertOutcome(await register(randomBytes(4096), 'application/octet-stream'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a body over 1 MiB is refused with 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ resourceType: 'Parameters', padding: 'x'.repeat(1024 * 1024 + 10) });
    assertOutcome(await register(big), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a body over 1 MiB still leaves exactly one audit row', async () => {
    const before = await auditCount(provider());
    const res = await register('x'.repeat(1024 * 1024 + 1));
    assert.equal(res.status, 413);
    assert.equal(await auditCount(provider()) - before, 1);
  });

  it('invalid percent-encoding in the path is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await provider().gpc({ path: '/Patient/%E0%A4%A', interaction: 'readPatient' }), 400, 'BAD_REQUEST');
  });

  it('invalid percent-encoding in the ODS segment is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().raw('GET', `/%ZZ${practice.ods}/STU3/1/gpconnect/metadata`, { Accept: fhirJson });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('invalid percent-encoding in the query is never a 5xx', async () => {
    const res = await provider().gpc({ path: '/Patient?identifier=%ZZ%E0%A4', interaction: 'searchPatient' });
    assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
    assertOutcome(res, res.status, res.json.issue[0].details.coding[0].code);
  });

  it('an encoded slash in a logical id is not a path separator: 404 PATIENT_NOT_FOUND', async () => {
    assertOutcome(await provider().gpc({ path: '/Patient/1%2F..%2F2', interaction: 'readPatient' }), 404, 'PATIENT_NOT_FOUND');
  });

  it('a very long (8 KB) Ssp-TraceID is accepted and clipped in the audit row, not a 5xx', async () => {
    const traceId = 'a'.repeat(8 * 1024);
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata', headers: { 'Ssp-TraceID': traceId } });
    assertOk(res, 'CapabilityStatement');
    const rows = await auditRowsFor(provider(), traceId.slice(0, 200));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.http_status, 200);
  });

  it('a very long (8 KB) Ssp-InteractionID is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata', headers: { 'Ssp-InteractionID': 'urn:'.repeat(2048) } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('a very long (12 KB) Authorization header of garbage is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata', authorization: `Bearer ${'A'.repeat(12 * 1024)}.${'B'.repeat(10)}.` });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('headers larger than the server accepts (64 KB) are refused with 431 and an OperationOutcome, not a 5xx', async () => {
    const reply = await rawExchange(provider().origin, `GET /${practice.ods}/STU3/1/gpconnect/metadata HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    assertRawOutcome(reply, 431);
  });

  it('binary garbage instead of an HTTP request is refused with 400 and an OperationOutcome, not a 5xx', async () => {
    const garbage = Buffer.concat([Buffer.from([0x00, 0xff, 0x13, 0x88]), randomBytes(512), Buffer.from('\r\n\r\n')]);
    assertRawOutcome(await rawExchange(provider().origin, garbage), 400);
  });

  it('the server still serves after the malformed requests', async () => {
    assertOk(await provider().gpc({ path: '/metadata', interaction: 'metadata' }), 'CapabilityStatement');
  });
});
