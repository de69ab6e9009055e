import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, interactionIds, readRequest, type ReadOptions } from '../harness/provider.ts';
import { assertOk, assertOutcome, assertRead, fhirJson, fhirMediaTypes, formatOf, sd, systems } from '../harness/assertions.ts';

/**
 * LocationRead.feature (suite checklist §6.3, spec digest §8).
 * Suite maps: SIT1/SIT2/SIT3 = Location/1, /8, /3 with ods-site-code Z26556, Z33432, Z33433.
 */

const profile = `${sd}CareConnect-GPC-Location-1`;
const organizationProfile = `${sd}CareConnect-GPC-Organization-1`;
const sites = [
  { key: 'SIT1', id: '1', siteCode: 'Z26556' },
  { key: 'SIT2', id: '8', siteCode: 'Z33432' },
  { key: 'SIT3', id: '3', siteCode: 'Z33433' },
] as const;
const [SIT1, SIT2, SIT3] = sites;
type Site = { id: string; siteCode: string };

/** "Response Resource should be a Location" + id = request id + site code identifier + metadata + Not In Use. */
function assertLocation(l: any, site: Site): void {
  assert.equal(l.resourceType, 'Location');
  assert.equal(l.id, site.id);
  assert.ok(typeof l.name === 'string' && l.name.length > 0);
  assert.ok(l.address && typeof l.address === 'object' && !Array.isArray(l.address), 'one address');
  assert.deepEqual(l.meta.profile, [profile]);
  assert.ok(l.meta.versionId);
  for (const identifier of l.identifier ?? []) assert.ok(identifier.system);
  const siteCodes = (l.identifier ?? []).filter((i: { system: string }) => i.system === systems.odsSite);
  assert.deepEqual(siteCodes.map((i: { value: string }) => i.value), [site.siteCode]);
  if (l.status !== undefined) assert.ok(['active', 'suspended', 'inactive'].includes(l.status));
  for (const concept of [...(l.type ? [l.type] : []), ...(l.physicalType ? [l.physicalType] : [])]) {
    for (const coding of concept.coding ?? []) assert.ok(coding.system && coding.code && coding.display);
  }
  for (const telecom of l.telecom ?? []) assert.ok(telecom.system && telecom.value);
  if (l.partOf !== undefined) assert.match(l.partOf.reference, /^Location\//);
  // Spec SHALL NOT: endpoint.
  assert.equal(l.endpoint, undefined);
  // The suite dereferences managingOrganization without a null check: it must be there, relative.
  assert.match(l.managingOrganization?.reference ?? '', /^Organization\/[A-Za-z0-9\-.]{1,64}$/);
}

describeOnEachStore('Foundations Location read', (provider) => {
  const read = (id: string, extra?: ReadOptions) => provider().gpc(readRequest(`/Location/${id}`, 'readLocation', extra));
  /** Reads `site` as `extra` asks: its Location, in `mediaType`. */
  async function assertReads(site: Site, extra: ReadOptions, mediaType: string): Promise<any> {
    const res = await read(site.id, extra);
    assertOk(res, 'Location', mediaType);
    assertLocation(res.json, site);
    return res.json;
  }

  /** The suite's "resolvable" read: a fresh default Organization read of the reference. */
  async function assertManagingOrganizationReadable(l: any): Promise<void> {
    const res = await provider().gpc({ path: `/${l.managingOrganization.reference}`, interaction: 'readOrganization' });
    assertOk(res, 'Organization');
    assert.equal(`Organization/${res.json.id}`, l.managingOrganization.reference);
    assert.deepEqual(res.json.meta.profile, [organizationProfile]);
  }

  for (const site of sites) {
    it(`L1 ${site.key} (Location/${site.id}) reads with a name, an address and site code ${site.siteCode}`, () => assertReads(site, {}, fhirJson));

    it(`${site.key} (Location/${site.id}) has a managingOrganization that reads as an Organization`, async () => {
      const res = await read(site.id);
      assert.equal(res.status, 200);
      await assertManagingOrganizationReadable(res.json);
    });
  }

  for (const id of ['mfpBm', '231Zcr64', 'th.as.e', '11dd4.45-23', '40-95-3', 'a-tm.mss..s']) {
    it(`L2 a location id that does not exist (${id}) is 404 NO_RECORD_FOUND`, async () => {
      assertOutcome(await read(id), 404, 'NO_RECORD_FOUND');
    });
  }

  for (const type of fhirMediaTypes) {
    it(`L3 _format=${type} decides the format of SIT1`, () => assertReads(SIT1, { format: type }, type));
  }

  for (const accept of fhirMediaTypes) {
    for (const format of fhirMediaTypes) {
      it(`L4 Accept: ${accept} with _format=${format} answers SIT3 in ${formatOf(format)} (_format wins)`, () => assertReads(SIT3, { accept, format }, format));
    }
  }

  for (const type of fhirMediaTypes) {
    it(`L6 SIT2 conforms in ${formatOf(type)}: profile, site code, resolvable managingOrganization, no endpoint`, async () => {
      await assertManagingOrganizationReadable(await assertReads(SIT2, { accept: type }, type));
    });
  }

  it('L7 the read carries ETag W/"<meta.versionId>"', async () => {
    assertRead(await read(SIT1.id), 'Location');
  });

  it('L8 a successful read is Cache-Control no-store', () => assertReads(SIT1, {}, fhirJson));

  it('L9 a read with the Practitioner read interaction id is 400 BAD_REQUEST (no-store)', async () => {
    assertOutcome(await read(SIT1.id, { interaction: interactionIds.readPractitioner }), 400, 'BAD_REQUEST');
  });

  it('a read with the Organization read interaction id is 400 BAD_REQUEST', async () => {
    assertOutcome(await read(SIT1.id, { interaction: interactionIds.readOrganization }), 400, 'BAD_REQUEST');
  });

  it("the practice's preferred branch surgery (Location/16) reads with the practice as managing organisation", async () => {
    const res = await read('16');
    assertOk(res, 'Location');
    assert.equal(res.json.managingOrganization.reference, 'Organization/7');
    await assertManagingOrganizationReadable(res.json);
  });
});
