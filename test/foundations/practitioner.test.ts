import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, interactionIds, readRequest, type ReadOptions } from '../harness/provider.ts';
import {
  assertFormat, assertOk, assertOutcome, assertRead, assertSearchset, fhirJson, fhirMediaTypes, formatOf, identifier, query, sd, systems,
} from '../harness/assertions.ts';

/**
 * PractitionerRead.feature and PractitionerSearch.feature (suite checklist §5, spec digest §6).
 * Suite map: practitioner1/2/3 = G13579135/G11111116/G22345655 with exactly 0/1/2 role profile ids.
 */

const profile = `${sd}CareConnect-GPC-Practitioner-1`;
const { sdsUserId, sdsRoleProfileId } = systems;
const allowedSystems = [sdsUserId, sdsRoleProfileId, 'https://fhir.hl7.org.uk/Id/gmp-number'];
const nhsCommunication = `${sd}Extension-CareConnect-GPC-NHSCommunication-1`;
const humanLanguage = 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-HumanLanguage-1';

const practitioners = [
  { key: 'practitioner1', sds: 'G13579135', roles: 0 },
  { key: 'practitioner2', sds: 'G11111116', roles: 1 },
  { key: 'practitioner3', sds: 'G22345655', roles: 2 },
] as const;
const [practitioner1, practitioner2, practitioner3] = practitioners;
type Expected = { sds: string; roles: number };

const sds = (code: string) => identifier(sdsUserId, code);

/** Every step PR1 applies to a Practitioner: metadata, identifiers, name, communication, disallowed elements. */
function assertConformingPractitioner(p: any, expected: Expected): void {
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
  const read = (id: string, extra?: ReadOptions) => provider().gpc(readRequest(`/Practitioner/${id}`, 'readPractitioner', extra));
  /** Reads practitioner `p` as `extra` asks: a conforming Practitioner in `mediaType`. */
  async function assertReads(p: Expected, extra: ReadOptions, mediaType: string): Promise<void> {
    const id = await idOf(p.sds);
    const res = await read(id, extra);
    assertOk(res, 'Practitioner', mediaType);
    assert.equal(res.json.id, id);
    assertConformingPractitioner(res.json, p);
  }

  for (const p of practitioners) {
    it(`PR1 read ${p.key} (${p.sds}) conforms: profile, ${p.roles} role profile ids, one name, nothing disallowed`, () => assertReads(p, {}, fhirJson));
  }

  for (const id of ['aaBA', '1ZEc2', 'z.as.dd', '1.1.22', '40-9', 'nd-skdm.mks--s']) {
    it(`PR2 a practitioner id that does not exist (${id}) is 404 PRACTITIONER_NOT_FOUND`, async () => {
      assertOutcome(await read(id), 404, 'PRACTITIONER_NOT_FOUND');
    });
  }

  for (const type of fhirMediaTypes) {
    it(`PR3 _format=${type} decides the response format`, () => assertReads(practitioner1, { format: type }, type));
    it(`PR4 Accept: ${type} decides the response format`, () => assertReads(practitioner1, { accept: type }, type));
  }

  for (const accept of fhirMediaTypes) {
    for (const format of fhirMediaTypes) {
      it(`PR5 Accept: ${accept} with _format=${format} answers in ${formatOf(format)} (_format wins)`, () =>
        assertReads(practitioner2, { accept, format }, format));
    }
  }

  it('PR7 the read carries ETag W/"<meta.versionId>"', async () => {
    assertRead(await read(await idOf(practitioner1.sds)), 'Practitioner');
  });

  it('PR8 a successful read is Cache-Control no-store', async () => {
    assertOk(await read(await idOf(practitioner1.sds)), 'Practitioner');
  });

  it('PR9 a read with the Location read interaction id is 400 BAD_REQUEST (no-store)', async () => {
    assertOutcome(await read(await idOf(practitioner1.sds), { interaction: interactionIds.readLocation }), 400, 'BAD_REQUEST');
  });

  it('a read with the Practitioner search interaction id is 400 BAD_REQUEST', async () => {
    assertOutcome(await read(await idOf(practitioner1.sds), { interaction: interactionIds.searchPractitioner }), 400, 'BAD_REQUEST');
  });

  it('every seeded practitioner (1–4) reads as a conforming Practitioner', async () => {
    for (const id of ['1', '2', '3', '4']) {
      const res = await read(id);
      assertOk(res, 'Practitioner');
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
  /** Searches with `q`: exactly one Practitioner conforming to `p`, in `mediaType`. */
  async function assertFinds(p: Expected, q: string, mediaType: string = fhirJson, headers: Record<string, string | undefined> = {}): Promise<void> {
    const res = await search(q, headers);
    assertFormat(res, mediaType);
    const [found] = assertSearchset(res, 1);
    assertConformingPractitioner(found, p);
  }

  for (const p of practitioners) {
    it(`PS1 search ${p.key} (${p.sds}) finds 1 practitioner with ${p.roles} role profile ids`, () => assertFinds(p, query(sds(p.sds))));
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

  const p2 = sds(practitioner2.sds);
  for (const type of fhirMediaTypes) {
    it(`PS5 _format=${type} before the identifier decides the format`, () => assertFinds(practitioner2, query(['_format', type], p2), type));
    it(`PS6 _format=${type} after the identifier decides the format`, () => assertFinds(practitioner2, query(p2, ['_format', type]), type));
    it(`PS7 Accept: ${type} decides the format`, () => assertFinds(practitioner2, query(p2), type, { Accept: type }));
    it(`_format=${type} with no Accept header decides the format`, () =>
      assertFinds(practitioner2, query(p2, ['_format', type]), type, { Accept: undefined }));
  }

  for (const accept of fhirMediaTypes) {
    for (const format of fhirMediaTypes) {
      it(`PS8 Accept: ${accept} with _format=${format} answers in ${formatOf(format)}`, () =>
        assertFinds(practitioner2, query(p2, ['_format', format]), format, { Accept: accept }));
    }
  }

  it('PS9 the same identifier twice is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(query(p2, p2)), 400, 'BAD_REQUEST');
  });

  it('PS10 two different identifiers is 400 BAD_REQUEST', async () => {
    assertOutcome(await search(query(sds(practitioner1.sds), p2)), 400, 'BAD_REQUEST');
  });

  it('PS11 unsupported _sort and _count are ignored', async () => {
    assertSearchset(await search(query(sds(practitioner1.sds), ['_sort', 'practitioner.coding'], ['_count', '1'])), 1);
  });

  it('PS13 a successful search is Cache-Control no-store and has no ETag', async () => {
    const res = await search(query(sds(practitioner1.sds)));
    assertSearchset(res, 1); // with no-store
    assert.equal(res.headers.etag, undefined);
  });

  it('PS14 a search with the Practitioner read interaction id is 400 BAD_REQUEST (no-store)', async () => {
    assertOutcome(await search(query(p2), { 'Ssp-InteractionID': interactionIds.readPractitioner }), 400, 'BAD_REQUEST');
  });

  it('PS15 / PR10 the searched practitioner has no telecom, address, birthDate, photo or qualification', async () => {
    const [found] = assertSearchset(await search(query(sds(practitioner1.sds))), 1);
    assertNotInUse(found);
  });

  it('PS16 an unknown SDS user id is an empty searchset', async () => {
    assertSearchset(await search(query(sds('unknownSDSUserID'))), 0);
  });

  it('spec: an unsupported identifier system is 400 INVALID_IDENTIFIER_SYSTEM', async () => {
    assertOutcome(await search(query(identifier(systems.nhsNumber, '9690937278'))), 400, 'INVALID_IDENTIFIER_SYSTEM');
  });

  it('each searchset entry has meta.versionId and exactly the Practitioner profile', async () => {
    const [found] = assertSearchset(await search(query(sds(practitioner3.sds))), 1);
    assert.deepEqual(found.meta.profile, [profile]);
    assert.ok(found.meta.versionId);
  });
});
