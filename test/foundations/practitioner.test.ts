import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, interactionIds, type GpcResponse } from '../harness/provider.ts';

/**
 * PractitionerRead.feature and PractitionerSearch.feature (suite checklist §5, spec digest §6).
 * Suite map: practitioner1/2/3 = G13579135/G11111116/G22345655 with exactly 0/1/2 role profile ids.
 */

const profile = 'https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Practitioner-1';
const searchsetProfile = 'https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Searchset-Bundle-1';
const sdsUserId = 'https://fhir.nhs.uk/Id/sds-user-id';
const sdsRoleProfileId = 'https://fhir.nhs.uk/Id/sds-role-profile-id';
const allowedSystems = [sdsUserId, sdsRoleProfileId, 'https://fhir.hl7.org.uk/Id/gmp-number'];
const nhsCommunication = 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSCommunication-1';
const humanLanguage = 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-HumanLanguage-1';

const practitioners = [
  { key: 'practitioner1', sds: 'G13579135', roles: 0 },
  { key: 'practitioner2', sds: 'G11111116', roles: 1 },
  { key: 'practitioner3', sds: 'G22345655', roles: 2 },
] as const;
const [practitioner1, practitioner2, practitioner3] = practitioners;

const json = 'application/fhir+json';
const xml = 'application/fhir+xml';
const formatOf = (type: string) => (type === xml ? 'xml' : 'json');

/** Query string encoded the way the suite's WebUtility.UrlEncode does it (| ⇒ %7C, + ⇒ %2B). */
function query(...pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
const sds = (code: string): [string, string] => ['identifier', `${sdsUserId}|${code}`];

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

/** Every step PR1 applies to a Practitioner: metadata, identifiers, name, communication, disallowed elements. */
function assertConformingPractitioner(p: any, expected: { sds: string; roles: number }): void {
  assert.equal(p.resourceType, 'Practitioner');
  assert.ok(p.id);
  assert.deepEqual(p.meta.profile, [profile]);
  assert.ok(p.meta.versionId);
  // Identifiers: allowed systems only, exactly one sds-user-id with the mapped value, N role profile ids with values.
  for (const identifier of p.identifier ?? []) {
    assert.ok(allowedSystems.includes(identifier.system), `identifier system ${identifier.system}`);
    assert.ok(identifier.value);
  }
  const users = p.identifier.filter((i: { system: string }) => i.system === sdsUserId);
  assert.deepEqual(users.map((i: { value: string }) => i.value), [expected.sds]);
  const roles = (p.identifier ?? []).filter((i: { system: string }) => i.system === sdsRoleProfileId);
  assert.equal(roles.length, expected.roles);
  // Name: exactly one, with a family name; use (if any) a valid NameUse.
  assert.equal(p.name.length, 1);
  assert.ok(typeof p.name[0].family === 'string' && p.name[0].family.length > 0);
  if (p.name[0].use !== undefined) assert.ok(['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden'].includes(p.name[0].use));
  if (p.gender !== undefined) assert.ok(['male', 'female', 'other', 'unknown'].includes(p.gender));
  // nhsCommunication: each language a single HumanLanguage coding.
  for (const ext of p.extension ?? []) {
    assert.equal(ext.url, nhsCommunication);
    const language = ext.extension.filter((e: { url: string }) => e.url === 'language');
    assert.equal(language.length, 1);
    assert.equal(language[0].valueCodeableConcept.coding.length, 1);
    assert.equal(language[0].valueCodeableConcept.coding[0].system, humanLanguage);
    assert.ok(language[0].valueCodeableConcept.coding[0].code);
  }
  assert.equal(p.communication, undefined);
  assertNotInUse(p);
}

/** Spec SHALL NOT (suite "Practitioner Not In Use"): telecom, address, birthDate, photo, qualification. */
function assertNotInUse(p: any): void {
  for (const element of ['telecom', 'address', 'birthDate', 'photo', 'qualification']) assert.equal(p[element], undefined, element);
}

describeOnEachStore('Foundations Practitioner read', (provider) => {
  /** The suite gets the id from a default search first. */
  async function idOf(code: string): Promise<string> {
    const res = await provider().gpc({ path: `/Practitioner?${query(sds(code))}`, interaction: 'searchPractitioner' });
    const [found] = assertSearchset(res, 1);
    return found.id;
  }
  const read = async (id: string, extra: { accept?: string; format?: string; interaction?: string } = {}) =>
    provider().gpc({
      path: `/Practitioner/${id}${extra.format ? `?${query(['_format', extra.format])}` : ''}`,
      interaction: 'readPractitioner',
      headers: { ...(extra.accept ? { Accept: extra.accept } : {}), ...(extra.interaction ? { 'Ssp-InteractionID': extra.interaction } : {}) },
    });

  for (const p of practitioners) {
    it(`PR1 read ${p.key} (${p.sds}) conforms: profile, ${p.roles} role profile ids, one name, nothing disallowed`, async () => {
      const id = await idOf(p.sds);
      const res = await read(id);
      assert.equal(res.status, 200, res.text);
      assertFormat(res, 'json');
      assertNoStore(res);
      assert.equal(res.json.id, id);
      assertConformingPractitioner(res.json, p);
    });
  }

  for (const id of ['aaBA', '1ZEc2', 'z.as.dd', '1.1.22', '40-9', 'nd-skdm.mks--s']) {
    it(`PR2 a practitioner id that does not exist (${id}) is 404 PRACTITIONER_NOT_FOUND`, async () => {
      assertOutcome(await read(id), 404, 'PRACTITIONER_NOT_FOUND');
    });
  }

  for (const type of [json, xml]) {
    it(`PR3 _format=${type} decides the response format`, async () => {
      const id = await idOf(practitioner1.sds);
      const res = await read(id, { format: type });
      assert.equal(res.status, 200, res.text);
      assertFormat(res, formatOf(type));
      assert.equal(res.json.id, id);
      assertConformingPractitioner(res.json, practitioner1);
    });

    it(`PR4 Accept: ${type} decides the response format`, async () => {
      const id = await idOf(practitioner1.sds);
      const res = await read(id, { accept: type });
      assert.equal(res.status, 200, res.text);
      assertFormat(res, formatOf(type));
      assert.equal(res.json.id, id);
      assertConformingPractitioner(res.json, practitioner1);
    });
  }

  for (const accept of [json, xml]) {
    for (const format of [json, xml]) {
      it(`PR5 Accept: ${accept} with _format=${format} answers in ${formatOf(format)} (_format wins)`, async () => {
        const id = await idOf(practitioner2.sds);
        const res = await read(id, { accept, format });
        assert.equal(res.status, 200, res.text);
        assertFormat(res, formatOf(format));
        assert.equal(res.json.id, id);
        assertConformingPractitioner(res.json, practitioner2);
      });
    }
  }

  it('PR7 the read carries ETag W/"<meta.versionId>"', async () => {
    const res = await read(await idOf(practitioner1.sds));
    assert.equal(res.status, 200);
    assert.equal(res.headers.etag, `W/"${res.json.meta.versionId}"`);
  });

  it('PR8 a successful read is Cache-Control no-store', async () => {
    const res = await read(await idOf(practitioner1.sds));
    assert.equal(res.status, 200);
    assertNoStore(res);
  });

  it('PR9 a read with the Location read interaction id is 400 BAD_REQUEST (no-store)', async () => {
    const res = await read(await idOf(practitioner1.sds), { interaction: interactionIds.readLocation });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('a read with the Practitioner search interaction id is 400 BAD_REQUEST', async () => {
    const res = await read(await idOf(practitioner1.sds), { interaction: interactionIds.searchPractitioner });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('every seeded practitioner (1–4) reads as a conforming Practitioner', async () => {
    for (const id of ['1', '2', '3', '4']) {
      const res = await read(id);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.id, id);
      assertNotInUse(res.json);
      assert.equal(res.json.name.length, 1);
      assert.equal(res.json.identifier.filter((i: { system: string }) => i.system === sdsUserId).length, 1);
    }
  });
});

describeOnEachStore('Foundations Practitioner search', (provider) => {
  const search = (q: string, headers: Record<string, string | undefined> = {}) =>
    provider().gpc({ path: `/Practitioner${q ? `?${q}` : ''}`, interaction: 'searchPractitioner', headers });

  for (const p of practitioners) {
    it(`PS1 search ${p.key} (${p.sds}) finds 1 practitioner with ${p.roles} role profile ids`, async () => {
      const res = await search(query(sds(p.sds)));
      assertFormat(res, 'json');
      const [found] = assertSearchset(res, 1);
      assertConformingPractitioner(found, p);
    });
  }

  for (const [label, value] of [['an empty value', `${sdsUserId}|`], ['an empty system', '|G11111116']] as const) {
    it(`PS2 an identifier with ${label} is 422 INVALID_PARAMETER`, async () => {
      assertOutcome(await search(query(['identifier', value])), 422, 'INVALID_PARAMETER');
    });
  }

  it('an identifier with no system at all is 422 INVALID_PARAMETER', async () => {
    assertOutcome(await search(query(['identifier', 'G11111116'])), 422, 'INVALID_PARAMETER');
  });

  it('PS3 a search without the identifier parameter is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(''), 400, 'BAD_REQUEST');
  });

  it('PS4 the parameter name in the wrong case (Identifier=) is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(query(['Identifier', `${sdsUserId}|G11111116`])), 400, 'BAD_REQUEST');
  });

  for (const type of [json, xml]) {
    it(`PS5 _format=${type} before the identifier decides the format`, async () => {
      const res = await search(query(['_format', type], sds(practitioner2.sds)));
      assertFormat(res, formatOf(type));
      const [found] = assertSearchset(res, 1);
      assertConformingPractitioner(found, practitioner2);
    });

    it(`PS6 _format=${type} after the identifier decides the format`, async () => {
      const res = await search(query(sds(practitioner2.sds), ['_format', type]));
      assertFormat(res, formatOf(type));
      const [found] = assertSearchset(res, 1);
      assertConformingPractitioner(found, practitioner2);
    });

    it(`PS7 Accept: ${type} decides the format`, async () => {
      const res = await search(query(sds(practitioner2.sds)), { Accept: type });
      assertFormat(res, formatOf(type));
      const [found] = assertSearchset(res, 1);
      assertConformingPractitioner(found, practitioner2);
    });

    it(`_format=${type} with no Accept header decides the format`, async () => {
      const res = await search(query(sds(practitioner2.sds), ['_format', type]), { Accept: undefined });
      assertFormat(res, formatOf(type));
      assertSearchset(res, 1);
    });
  }

  for (const accept of [json, xml]) {
    for (const format of [json, xml]) {
      it(`PS8 Accept: ${accept} with _format=${format} answers in ${formatOf(format)}`, async () => {
        const res = await search(query(sds(practitioner2.sds), ['_format', format]), { Accept: accept });
        assertFormat(res, formatOf(format));
        const [found] = assertSearchset(res, 1);
        assertConformingPractitioner(found, practitioner2);
      });
    }
  }

  it('PS9 the same identifier twice is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(query(sds(practitioner2.sds), sds(practitioner2.sds))), 400, 'BAD_REQUEST');
  });

  it('PS10 two different identifiers is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(query(sds(practitioner1.sds), sds(practitioner2.sds))), 400, 'BAD_REQUEST');
  });

  it('PS11 unsupported _sort and _count are ignored', async () => {
    const res = await search(query(sds(practitioner1.sds), ['_sort', 'practitioner.coding'], ['_count', '1']));
    assertSearchset(res, 1);
  });

  it('PS13 a successful search is Cache-Control no-store and has no ETag', async () => {
    const res = await search(query(sds(practitioner1.sds)));
    assertSearchset(res, 1);
    assertNoStore(res);
    assert.equal(res.headers.etag, undefined);
  });

  it('PS14 a search with the Practitioner read interaction id is 400 BAD_REQUEST (no-store)', async () => {
    const res = await search(query(sds(practitioner2.sds)), { 'Ssp-InteractionID': interactionIds.readPractitioner });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('PS15 / PR10 the searched practitioner has no telecom, address, birthDate, photo or qualification', async () => {
    const [found] = assertSearchset(await search(query(sds(practitioner1.sds))), 1);
    assertNotInUse(found);
  });

  it('PS16 an unknown SDS user id is an empty searchset', async () => {
    assertSearchset(await search(query(sds('unknownSDSUserID'))), 0);
  });

  it('spec: an unsupported identifier system is 400 INVALID_IDENTIFIER_SYSTEM', async () => {
    assertOutcome(await search(query(['identifier', 'https://fhir.nhs.uk/Id/nhs-number|9690937278'])), 400, 'INVALID_IDENTIFIER_SYSTEM');
  });

  it('each searchset entry has meta.versionId and exactly the Practitioner profile', async () => {
    const [found] = assertSearchset(await search(query(sds(practitioner3.sds))), 1);
    assert.deepEqual(found.meta.profile, [profile]);
    assert.ok(found.meta.versionId);
  });
});
