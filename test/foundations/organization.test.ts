import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, interactionIds, readRequest, type ReadOptions } from '../harness/provider.ts';
import {
  assertFormat, assertOk, assertOutcome, assertRead, assertSearchset, fhirJson, fhirMediaTypes, formatOf, identifier, query, sd, systems,
} from '../harness/assertions.ts';

/**
 * OrganizationRead.feature and OrganizationSearch.feature (suite checklist §6.1–6.2, spec digest §7).
 * Suite map: ORG1 = B82617 (found exactly once), unknownORG = INVOC1 (not found).
 */

const profile = `${sd}CareConnect-GPC-Organization-1`;
const allowedExtensions = [
  `${sd}Extension-CareConnect-GPC-MainLocation-1`,
  'http://hl7.org/fhir/StructureDefinition/organization-period',
];
const ORG1 = 'B82617';
const unknownORG = 'INVOC1';
const ods = (code: string) => identifier(systems.ods, code);

const odsIdentifiers = (o: any) => (o.identifier ?? []).filter((i: { system: string }) => i.system === systems.ods);

/**
 * The suite's Organization steps: identifiers (system + value, ≤1 ODS code, = mapped ODS when given),
 * name, telecom, address, extensions from the allowed list, partOf (absent here), Not In Use.
 */
function assertConformingOrganization(o: any, expectedOds?: string): void {
  assert.equal(o.resourceType, 'Organization');
  assert.ok(o.id);
  assert.deepEqual(o.meta.profile, [profile]);
  assert.ok(o.meta.versionId);
  for (const identifier of o.identifier ?? []) {
    assert.ok(identifier.system);
    assert.ok(identifier.value);
  }
  const codes = odsIdentifiers(o);
  assert.ok(codes.length <= 1, 'at most one ODS identifier');
  if (expectedOds !== undefined) assert.deepEqual(codes.map((i: { value: string }) => i.value), [expectedOds]);
  assert.ok(typeof o.name === 'string' && o.name.length > 0);
  for (const telecom of o.telecom ?? []) {
    assert.ok(['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other'].includes(telecom.system));
    assert.ok(telecom.value);
    if (telecom.use !== undefined) assert.ok(['home', 'work', 'temp', 'old', 'mobile'].includes(telecom.use));
  }
  for (const address of o.address ?? []) {
    if (address.use !== undefined) assert.ok(['home', 'work', 'temp', 'old'].includes(address.use));
    assert.equal(address.text, undefined);
  }
  for (const ext of o.extension ?? []) assert.ok(allowedExtensions.includes(ext.url), ext.url);
  // Spec SHALL NOT: contact, endpoint. REC: no partOf (the suite would dereference it).
  assert.equal(o.contact, undefined);
  assert.equal(o.endpoint, undefined);
  assert.equal(o.partOf, undefined);
}

describeOnEachStore('Foundations Organization read', (provider) => {
  /** The suite gets ORG1's id from a default search first (and fails if there is none). */
  async function org1Id(): Promise<string> {
    const res = await provider().gpc({ path: `/Organization?${query(ods(ORG1))}`, interaction: 'searchOrganization' });
    const [found] = assertSearchset(res, 1);
    return found.id;
  }
  const read = (id: string, extra?: ReadOptions) => provider().gpc(readRequest(`/Organization/${id}`, 'readOrganization', extra));
  /** Reads ORG1 as `extra` asks: a conforming ORG1 in `mediaType`. */
  async function assertReadsOrg1(extra: ReadOptions, mediaType: string): Promise<void> {
    const id = await org1Id();
    const res = await read(id, extra);
    assertOk(res, 'Organization', mediaType);
    assert.equal(res.json.id, id);
    assertConformingOrganization(res.json, ORG1);
  }

  it('OR1 reading ORG1 (B82617) conforms: ETag, profile, one ODS identifier, name, no contact or endpoint', async () => {
    const id = await org1Id();
    const res = await read(id);
    assertRead(res, 'Organization');
    assert.equal(res.json.id, id);
    assertConformingOrganization(res.json, ORG1);
  });

  for (const id of ['ddBm', '1Zcr4', 'z.as.e', '1.1445.23', '40-9223', 'nc-sfem.mks--s']) {
    it(`OR2 an organisation id that does not exist (${id}) is 404 ORGANISATION_NOT_FOUND`, async () => {
      assertOutcome(await read(id), 404, 'ORGANISATION_NOT_FOUND');
    });
  }

  it('an id that is not a FHIR logical id is 404 ORGANISATION_NOT_FOUND', async () => {
    assertOutcome(await read('x'.repeat(65)), 404, 'ORGANISATION_NOT_FOUND');
  });

  for (const type of fhirMediaTypes) {
    it(`OR3 _format=${type} decides the response format`, () => assertReadsOrg1({ format: type }, type));
    it(`OR4 Accept: ${type} decides the response format`, () => assertReadsOrg1({ accept: type }, type));
  }

  for (const accept of fhirMediaTypes) {
    for (const format of fhirMediaTypes) {
      it(`OR5 Accept: ${accept} with _format=${format} answers in ${formatOf(format)} (_format wins)`, () => assertReadsOrg1({ accept, format }, format));
    }
  }

  it('OR7 a successful read is Cache-Control no-store with ETag W/"<versionId>"', async () => {
    assertRead(await read(await org1Id()), 'Organization');
  });

  it('OR8 a read with the Practitioner read interaction id is 400 BAD_REQUEST (no-store)', async () => {
    assertOutcome(await read(await org1Id(), { interaction: interactionIds.readPractitioner }), 400, 'BAD_REQUEST');
  });

  it('a read with the Organization search interaction id is 400 BAD_REQUEST', async () => {
    assertOutcome(await read(await org1Id(), { interaction: interactionIds.searchOrganization }), 400, 'BAD_REQUEST');
  });

  it('every organisation of the practice (1–7) reads as a conforming Organization', async () => {
    for (const id of ['1', '2', '3', '4', '5', '6', '7']) {
      const res = await read(id);
      assertRead(res, 'Organization');
      assert.equal(res.json.id, id);
      assertConformingOrganization(res.json);
    }
  });
});

describeOnEachStore('Foundations Organization search', (provider) => {
  const search = (q: string, headers: Record<string, string | undefined> = {}) =>
    provider().gpc({ path: `/Organization${q ? `?${q}` : ''}`, interaction: 'searchOrganization', headers });
  /** Searches with `q`: exactly one conforming ORG1, in `mediaType`. */
  async function assertFindsOrg1(q: string, mediaType: string = fhirJson, headers: Record<string, string | undefined> = {}): Promise<void> {
    const res = await search(q, headers);
    assertFormat(res, mediaType);
    const [found] = assertSearchset(res, 1);
    assertConformingOrganization(found, ORG1);
  }

  it('OS1 unknownORG (INVOC1) is an empty searchset', async () => {
    assertSearchset(await search(query(ods(unknownORG))), 0);
  });

  it('OS1 ORG1 (B82617) finds exactly one conforming Organization', () => assertFindsOrg1(query(ods(ORG1))));

  it('OS2/OS3 the ORG1 result has meta.versionId, the Organization profile and exactly one ODS identifier B82617', async () => {
    const res = await search(query(ods(ORG1)));
    assertFormat(res, 'json');
    const [found] = assertSearchset(res, 1);
    assert.deepEqual(found.meta.profile, [profile]);
    assert.ok(found.meta.versionId);
    assert.deepEqual(odsIdentifiers(found), [{ system: systems.ods, value: ORG1 }]);
  });

  it('OS4 a search without the identifier parameter is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(''), 400, 'BAD_REQUEST');
  });

  for (const type of fhirMediaTypes) {
    it(`OS5 Accept: ${type} decides the format`, () => assertFindsOrg1(query(ods(ORG1)), type, { Accept: type }));
    it(`OS6 _format=${type} with no Accept header decides the format`, () => assertFindsOrg1(query(ods(ORG1), ['_format', type]), type, { Accept: undefined }));
    it(`OS8 _format=${type} before the identifier decides the format`, () => assertFindsOrg1(query(['_format', type], ods(ORG1)), type));
    it(`OS9 _format=${type} after the identifier decides the format`, () => assertFindsOrg1(query(ods(ORG1), ['_format', type]), type));
  }

  for (const accept of fhirMediaTypes) {
    for (const format of fhirMediaTypes) {
      it(`OS7 Accept: ${accept} with _format=${format} answers in ${formatOf(format)}`, () =>
        assertFindsOrg1(query(ods(ORG1), ['_format', format]), format, { Accept: accept }));
    }
  }

  it('OS11 the result has a logical id and valid identifiers', () => assertFindsOrg1(query(ods(ORG1))));

  it('OS12 an unsupported _count is ignored', async () => {
    assertSearchset(await search(query(ods(ORG1), ['_count', '1'])), 1);
  });

  it('OS13 a successful search is Cache-Control no-store and has no ETag', async () => {
    const res = await search(query(ods(ORG1)));
    assertFormat(res, 'json');
    assertSearchset(res, 1);
    assert.equal(res.headers.etag, undefined);
  });

  it('OS14 no identifier with the Practitioner read interaction id is 400 BAD_REQUEST (no-store)', async () => {
    assertOutcome(await search('', { 'Ssp-InteractionID': interactionIds.readPractitioner }), 400, 'BAD_REQUEST');
  });

  it('a good search with the Practitioner read interaction id is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(query(ods(ORG1)), { 'Ssp-InteractionID': interactionIds.readPractitioner }), 400, 'BAD_REQUEST');
  });

  it('an identifier with an empty value is 422 INVALID_PARAMETER', async () => {
    assertOutcome(await search(query(ods(''))), 422, 'INVALID_PARAMETER');
  });

  it('an identifier with no system is 422 INVALID_PARAMETER', async () => {
    assertOutcome(await search(query(identifier('', ORG1))), 422, 'INVALID_PARAMETER');
    assertOutcome(await search(query(['identifier', ORG1])), 422, 'INVALID_PARAMETER');
  });

  it('the parameter name in the wrong case (Identifier=) is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(query(['Identifier', `${systems.ods}|${ORG1}`])), 400, 'BAD_REQUEST');
  });

  it('the identifier parameter twice is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(query(ods(ORG1), ods(ORG1))), 400, 'BAD_REQUEST');
  });

  it('spec: an unsupported identifier system is 400 INVALID_IDENTIFIER_SYSTEM', async () => {
    assertOutcome(await search(query(identifier(systems.sdsUserId, ORG1))), 400, 'INVALID_IDENTIFIER_SYSTEM');
  });

  it('the legacy ODS system http://fhir.nhs.net/Id/ods-organization-code is accepted', () => assertFindsOrg1(query(identifier(systems.odsLegacy, ORG1))));

  it('the found ORG1 reads back by its id with the same content', async () => {
    const [found] = assertSearchset(await search(query(ods(ORG1))), 1);
    const res = await provider().gpc({ path: `/Organization/${found.id}`, interaction: 'readOrganization' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, found);
  });
});
