/**
 * The audit trail (cross-cutting §8; audit and provenance page): every request, accepted or
 * refused, leaves exactly one audit_event row with the Ssp-* headers, the status and error code,
 * and the requesting parties from the JWT when it was valid.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, interactionIds, practice, type GpcRequest, type GpcResponse } from '../harness/provider.ts';
import { auditCount, auditRowsFor, registerBody, registrable, type AuditEventRow } from './_support.ts';

/** The requesting parties the harness's default JWT names (src/consumer/audit-token.ts). */
const parties = { requesting_organization: 'GPCC001', requesting_practitioner: 'G13579135', requesting_device: 'gpc-cli' };
const noParties = { requesting_organization: null, requesting_practitioner: null, requesting_device: null };

describeOnEachStore('Audit trail', (provider) => {
  /** Sends the request with a known trace id; returns the response and the one row it left. */
  async function audited(req: GpcRequest, status: number): Promise<{ res: GpcResponse; row: AuditEventRow; traceId: string }> {
    const traceId = req.headers?.['Ssp-TraceID'] ?? crypto.randomUUID();
    const before = await auditCount(provider());
    const res = await provider().gpc({ ...req, headers: { ...req.headers, 'Ssp-TraceID': traceId } });
    assert.equal(res.status, status, res.text.slice(0, 300));
    assert.equal((await auditCount(provider())) - before, 1, 'exactly one new audit row');
    const rows = await auditRowsFor(provider(), traceId);
    assert.equal(rows.length, 1, 'exactly one row with the trace id');
    return { res, row: rows[0]!, traceId };
  }

  it('an accepted read is audited once with the Ssp-* headers, the requesting parties, the patient and status 200', async () => {
    const { row, traceId } = await audited({ path: '/Patient/1', interaction: 'readPatient' }, 200);
    assert.deepEqual(row, {
      practice: practice.ods,
      interaction_id: interactionIds.readPatient,
      trace_id: traceId,
      from_asid: '200000000359',
      to_asid: practice.asid,
      ...parties,
      patient_id: '1',
      appointment_id: null,
      http_status: 200,
      error_code: null,
    });
  });

  it('an accepted registration is audited once (inside its transaction) with the new patient id and status 200', async () => {
    const { res, row } = await audited({ method: 'POST', path: '/Patient/$gpc.registerpatient', interaction: 'registerPatient', body: registerBody(registrable.toole) }, 200);
    assert.equal(row.interaction_id, interactionIds.registerPatient);
    assert.equal(row.patient_id, res.json.entry[0].resource.id);
    assert.deepEqual([row.requesting_organization, row.requesting_practitioner, row.requesting_device], Object.values(parties));
    assert.equal(row.error_code, null);
  });

  it('a refused registration (duplicate) is audited once with 409 DUPLICATE_REJECTED and no half-written patient', async () => {
    const { row } = await audited({ method: 'POST', path: '/Patient/$gpc.registerpatient', interaction: 'registerPatient', body: registerBody(registrable.toole) }, 409);
    assert.equal(row.error_code, 'DUPLICATE_REJECTED');
    assert.deepEqual([row.requesting_organization, row.requesting_practitioner, row.requesting_device], Object.values(parties));
  });

  it('a JWT failure is audited once with 400 BAD_REQUEST and no requesting parties', async () => {
    const { row, traceId } = await audited({ path: '/metadata', interaction: 'metadata', claims: { iss: undefined } }, 400);
    assert.deepEqual(row, {
      practice: practice.ods,
      interaction_id: interactionIds.metadata,
      trace_id: traceId,
      from_asid: '200000000359',
      to_asid: practice.asid,
      ...noParties,
      patient_id: null,
      appointment_id: null,
      http_status: 400,
      error_code: 'BAD_REQUEST',
    });
  });

  it('a JWT claim that is an invalid resource is audited once with 422 INVALID_RESOURCE', async () => {
    const device = { resourceType: 'InvalidResourceType' };
    const { row } = await audited({ path: '/metadata', interaction: 'metadata', claims: { requesting_device: device } }, 422);
    assert.equal(row.error_code, 'INVALID_RESOURCE');
    assert.equal(row.requesting_device, null);
  });

  it('an unknown ODS code is audited once with the ODS code asked for, 404 NO_RECORD_FOUND', async () => {
    const { row } = await audited({ ods: 'ZZZ999', path: '/metadata', interaction: 'metadata' }, 404);
    assert.equal(row.practice, 'ZZZ999');
    assert.equal(row.interaction_id, interactionIds.metadata);
    assert.equal(row.http_status, 404);
    assert.equal(row.error_code, 'NO_RECORD_FOUND');
    assert.deepEqual([row.requesting_organization, row.requesting_practitioner, row.requesting_device], [null, null, null]);
  });

  it('a wrong Ssp-To is audited once with the ASIDs sent and 400 BAD_REQUEST', async () => {
    const { row } = await audited({ path: '/metadata', interaction: 'metadata', asid: '123456789123' }, 400);
    assert.equal(row.to_asid, '123456789123');
    assert.equal(row.from_asid, '200000000359');
    assert.equal(row.error_code, 'BAD_REQUEST');
  });

  it('an interaction id that does not match the route is audited once with the id sent', async () => {
    const { row } = await audited({ path: '/Location/1', interaction: 'readLocation', headers: { 'Ssp-InteractionID': interactionIds.readPractitioner } }, 400);
    assert.equal(row.interaction_id, interactionIds.readPractitioner);
    assert.equal(row.error_code, 'BAD_REQUEST');
  });

  it('a refusal after the JWT was accepted (unknown patient) records the requesting parties', async () => {
    const { row } = await audited({ path: '/Patient/999999', interaction: 'readPatient' }, 404);
    assert.equal(row.error_code, 'PATIENT_NOT_FOUND');
    assert.deepEqual([row.requesting_organization, row.requesting_practitioner, row.requesting_device], Object.values(parties));
  });

  it('a request without Ssp-TraceID still leaves exactly one row', async () => {
    const before = await auditCount(provider());
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata', headers: { 'Ssp-TraceID': undefined } });
    assert.equal(res.status, 400);
    assert.equal((await auditCount(provider())) - before, 1);
  });

  it('a malformed register body is audited once with 400 BAD_REQUEST and the requesting parties', async () => {
    const { row } = await audited({ method: 'POST', path: '/Patient/$gpc.registerpatient', interaction: 'registerPatient', body: '{not json' }, 400);
    assert.equal(row.error_code, 'BAD_REQUEST');
    assert.equal(row.interaction_id, interactionIds.registerPatient);
    assert.deepEqual([row.requesting_organization, row.requesting_practitioner, row.requesting_device], Object.values(parties));
  });

  it('an unsupported media type is audited once with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const { row } = await audited({ path: '/metadata', interaction: 'metadata', headers: { Accept: 'text/plain' } }, 415);
    assert.equal(row.error_code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a wrong verb on /metadata is audited once with 400 BAD_REQUEST', async () => {
    const { row } = await audited({ method: 'DELETE', path: '/metadata', interaction: 'metadata' }, 400);
    assert.equal(row.error_code, 'BAD_REQUEST');
  });

  it('audit rows are numbered in sequence (tamper evidence against clock changes)', async () => {
    const a = await audited({ path: '/metadata', interaction: 'metadata' }, 200);
    const b = await audited({ path: '/metadata', interaction: 'metadata' }, 200);
    const seqs = await provider().db.query<{ trace_id: string; seq: string | number }>(
      'SELECT trace_id, seq FROM audit_event WHERE trace_id = $1 OR trace_id = $2', [a.traceId, b.traceId],
    );
    const seqOf = (t: string) => Number(seqs.find((r) => r.trace_id === t)!.seq);
    assert.ok(seqOf(b.traceId) > seqOf(a.traceId));
  });
});
