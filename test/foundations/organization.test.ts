import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, interactionIds, type GpcResponse } from '../harness/provider.ts';

/**
 * OrganizationRead.feature and OrganizationSearch.feature (suite checklist §6.1–6.2, spec digest §7).
 * Suite map: ORG1 = B82617 (found exactly once), unknownORG = INVOC1 (not found).
 */

const profile = 'https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Organization-1';
const searchsetProfile = 'https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Searchset-Bundle-1';
const odsSystem = 'https://fhir.nhs.uk/Id/ods-organization-code';
const odsSystemLegacy = 'http://fhir.nhs.net/Id/ods-organization-code';
const allowedExtensions = [
  'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-MainLocation-1',
  'http://hl7.org/fhir/StructureDefinition/organization-period',
];
const ORG1 = 'B82617';
const unknownORG = 'INVOC1';

const json = 'application/fhir+json';
const xml = 'application/fhir+xml';
const formatOf = (type: string) => (type === xml ? 'xml' : 'json');

/** Query string encoded the way the suite's WebUtility.UrlEncode does it (| ⇒ %7C, + ⇒ %2B). */
function query(...pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
const ods = (code: string): [string, string] => ['identifier', `${odsSystem}|${code}`];

function assertNoStore(res: GpcResponse): void {
  assert.match(String(res.headers['cache-control']), /no-store/);
}

function assertFormat(res: GpcResponse, format: 'json' | 'xml'): void {
  assert.equal(res.headers['content-type'], `application/fhir+${format};charset=utf-8`);
  if (format === 'xml') assert.match(res.text, /^<\?xml[^>]*\?>\s*<\w+ xmlns="http:\/\/hl7.org\/fhir">/);
  else JSON.parse(res.text);
}

/** The suite's OperationOutcome step, with the exact Spine code, plus no-store. */
function assertOutcome(res: GpcResponse, status: number, code: string): void {
  assert.equal(res.status, status, res.text);
  assertFormat(res, 'json');
  assertNoStore(res);
  assert.equal(res.json.resourceType, 'OperationOutcome');
  assert.ok(res.json.meta, 'OperationOutcome has meta');
  assert.ok(res.json.issue.length >= 1);
  for (const issue of res.json.issue) {
    assert.equal(issue.severity, 'error');
    assert.ok(issue.code);
    assert.equal(issue.details.coding.length, 1);
    assert.equal(issue.details.coding[0].code, code);
    assert.ok(issue.details.coding[0].display);
  }
}

function assertSearchset(res: GpcResponse, entries: number): any[] {
  assert.equal(res.status, 200, res.text);
  assertNoStore(res);
  assert.equal(res.json.resourceType, 'Bundle');
  assert.equal(res.json.type, 'searchset');
  assert.ok(res.json.meta.profile.includes(searchsetProfile));
  const found = (res.json.entry ?? []).map((e: { resource: unknown }) => e.resource);
  assert.equal(found.length, entries);
  return found;
}

const odsIdentifiers = (o: any) => (o.identifier ?? []).filter((i: { system: string }) => i.system === odsSystem);

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
  const read = async (id: string, extra: { accept?: string; format?: string; interaction?: string } = {}) =>
    provider().gpc({
      path: `/Organization/${id}${extra.format ? `?${query(['_format', extra.format])}` : ''}`,
      interaction: 'readOrganization',
      headers: { ...(extra.accept ? { Accept: extra.accept } : {}), ...(extra.interaction ? { 'Ssp-InteractionID': extra.interaction } : {}) },
    });

  it('OR1 reading ORG1 (B82617) conforms: ETag, profile, one ODS identifier, name, no contact or endpoint', async () => {
    const id = await org1Id();
    const res = await read(id);
    assert.equal(res.status, 200, res.text);
    assertFormat(res, 'json');
    assertNoStore(res);
    assert.equal(res.headers.etag, `W/"${res.json.meta.versionId}"`);
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

  for (const type of [json, xml]) {
    it(`OR3 _format=${type} decides the response format`, async () => {
      const id = await org1Id();
      const res = await read(id, { format: type });
      assert.equal(res.status, 200, res.text);
      assertFormat(res, formatOf(type));
      assert.equal(res.json.id, id);
      assertConformingOrganization(res.json, ORG1);
    });

    it(`OR4 Accept: ${type} decides the response format`, async () => {
      const id = await org1Id();
      const res = await read(id, { accept: type });
      assert.equal(res.status, 200, res.text);
      assertFormat(res, formatOf(type));
      assert.equal(res.json.id, id);
      assertConformingOrganization(res.json, ORG1);
    });
  }

  for (const accept of [json, xml]) {
    for (const format of [json, xml]) {
      it(`OR5 Accept: ${accept} with _format=${format} answers in ${formatOf(format)} (_format wins)`, async () => {
        const id = await org1Id();
        const res = await read(id, { accept, format });
        assert.equal(res.status, 200, res.text);
        assertFormat(res, formatOf(format));
        assert.equal(res.json.id, id);
        assertConformingOrganization(res.json, ORG1);
      });
    }
  }

  it('OR7 a successful read is Cache-Control no-store with ETag W/"<versionId>"', async () => {
    const res = await read(await org1Id());
    assert.equal(res.status, 200);
    assertNoStore(res);
    assert.equal(res.headers.etag, `W/"${res.json.meta.versionId}"`);
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
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.id, id);
      assert.equal(res.headers.etag, `W/"${res.json.meta.versionId}"`);
      assertConformingOrganization(res.json);
    }
  });
});

describeOnEachStore('Foundations Organization search', (provider) => {
  const search = (q: string, headers: Record<string, string | undefined> = {}) =>
    provider().gpc({ path: `/Organization${q ? `?${q}` : ''}`, interaction: 'searchOrganization', headers });

  it('OS1 unknownORG (INVOC1) is an empty searchset', async () => {
    assertSearchset(await search(query(ods(unknownORG))), 0);
  });

  it('OS1 ORG1 (B82617) finds exactly one conforming Organization', async () => {
    const [found] = assertSearchset(await search(query(ods(ORG1))), 1);
    assertConformingOrganization(found, ORG1);
  });

  it('OS2/OS3 the ORG1 result has meta.versionId, the Organization profile and exactly one ODS identifier B82617', async () => {
    const res = await search(query(ods(ORG1)));
    assertFormat(res, 'json');
    const [found] = assertSearchset(res, 1);
    assert.deepEqual(found.meta.profile, [profile]);
    assert.ok(found.meta.versionId);
    assert.deepEqual(odsIdentifiers(found), [{ system: odsSystem, value: ORG1 }]);
  });

  it('OS4 a search without the identifier parameter is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(''), 400, 'BAD_REQUEST');
  });

  for (const type of [json, xml]) {
    it(`OS5 Accept: ${type} decides the format`, async () => {
      const res = await search(query(ods(ORG1)), { Accept: type });
      assertFormat(res, formatOf(type));
      const [found] = assertSearchset(res, 1);
      assertConformingOrganization(found, ORG1);
    });

    it(`OS6 _format=${type} with no Accept header decides the format`, async () => {
      const res = await search(query(ods(ORG1), ['_format', type]), { Accept: undefined });
      assertFormat(res, formatOf(type));
      const [found] = assertSearchset(res, 1);
      assertConformingOrganization(found, ORG1);
    });

    it(`OS8 _format=${type} before the identifier decides the format`, async () => {
      const res = await search(query(['_format', type], ods(ORG1)));
      assertFormat(res, formatOf(type));
      const [found] = assertSearchset(res, 1);
      assertConformingOrganization(found, ORG1);
    });

    it(`OS9 _format=${type} after the identifier decides the format`, async () => {
      const res = await search(query(ods(ORG1), ['_format', type]));
      assertFormat(res, formatOf(type));
      assertSearchset(res, 1);
    });
  }

  for (const accept of [json, xml]) {
    for (const format of [json, xml]) {
      it(`OS7 Accept: ${accept} with _format=${format} answers in ${formatOf(format)}`, async () => {
        const res = await search(query(ods(ORG1), ['_format', format]), { Accept: accept });
        assertFormat(res, formatOf(format));
        const [found] = assertSearchset(res, 1);
        assertConformingOrganization(found, ORG1);
      });
    }
  }

  it('OS11 the result has a logical id and valid identifiers', async () => {
    const [found] = assertSearchset(await search(query(ods(ORG1))), 1);
    assert.ok(found.id);
    assertConformingOrganization(found, ORG1);
  });

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
    assertOutcome(await search(query(['identifier', `${odsSystem}|`])), 422, 'INVALID_PARAMETER');
  });

  it('an identifier with no system is 422 INVALID_PARAMETER', async () => {
    assertOutcome(await search(query(['identifier', `|${ORG1}`])), 422, 'INVALID_PARAMETER');
    assertOutcome(await search(query(['identifier', ORG1])), 422, 'INVALID_PARAMETER');
  });

  it('the parameter name in the wrong case (Identifier=) is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(query(['Identifier', `${odsSystem}|${ORG1}`])), 400, 'BAD_REQUEST');
  });

  it('the identifier parameter twice is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(query(ods(ORG1), ods(ORG1))), 400, 'BAD_REQUEST');
  });

  it('spec: an unsupported identifier system is 400 INVALID_IDENTIFIER_SYSTEM', async () => {
    assertOutcome(await search(query(['identifier', `https://fhir.nhs.uk/Id/sds-user-id|${ORG1}`])), 400, 'INVALID_IDENTIFIER_SYSTEM');
  });

  it('the legacy ODS system http://fhir.nhs.net/Id/ods-organization-code is accepted', async () => {
    const [found] = assertSearchset(await search(query(['identifier', `${odsSystemLegacy}|${ORG1}`])), 1);
    assertConformingOrganization(found, ORG1);
  });

  it('the found ORG1 reads back by its id with the same content', async () => {
    const [found] = assertSearchset(await search(query(ods(ORG1))), 1);
    const res = await provider().gpc({ path: `/Organization/${found.id}`, interaction: 'readOrganization' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, found);
  });
});
