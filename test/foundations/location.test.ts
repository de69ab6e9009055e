import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, interactionIds, type GpcResponse } from '../harness/provider.ts';

/**
 * LocationRead.feature (suite checklist §6.3, spec digest §8).
 * Suite maps: SIT1/SIT2/SIT3 = Location/1, /8, /3 with ods-site-code Z26556, Z33432, Z33433.
 */

const profile = 'https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Location-1';
const organizationProfile = 'https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Organization-1';
const siteCodeSystem = 'https://fhir.nhs.uk/Id/ods-site-code';
const sites = [
  { key: 'SIT1', id: '1', siteCode: 'Z26556' },
  { key: 'SIT2', id: '8', siteCode: 'Z33432' },
  { key: 'SIT3', id: '3', siteCode: 'Z33433' },
] as const;
const [SIT1, SIT2, SIT3] = sites;

const json = 'application/fhir+json';
const xml = 'application/fhir+xml';
const formatOf = (type: string) => (type === xml ? 'xml' : 'json');

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

/** "Response Resource should be a Location" + id = request id + site code identifier + metadata + Not In Use. */
function assertLocation(l: any, site: { id: string; siteCode: string }): void {
  assert.equal(l.resourceType, 'Location');
  assert.equal(l.id, site.id);
  assert.ok(typeof l.name === 'string' && l.name.length > 0);
  assert.ok(l.address && typeof l.address === 'object' && !Array.isArray(l.address), 'one address');
  assert.deepEqual(l.meta.profile, [profile]);
  assert.ok(l.meta.versionId);
  for (const identifier of l.identifier ?? []) assert.ok(identifier.system);
  const siteCodes = (l.identifier ?? []).filter((i: { system: string }) => i.system === siteCodeSystem);
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
  const read = async (id: string, extra: { accept?: string; format?: string; interaction?: string } = {}) =>
    provider().gpc({
      path: `/Location/${id}${extra.format ? `?_format=${encodeURIComponent(extra.format)}` : ''}`,
      interaction: 'readLocation',
      headers: { ...(extra.accept ? { Accept: extra.accept } : {}), ...(extra.interaction ? { 'Ssp-InteractionID': extra.interaction } : {}) },
    });

  /** The suite's "resolvable" read: a fresh default Organization read of the reference. */
  async function assertManagingOrganizationReadable(l: any): Promise<void> {
    const res = await provider().gpc({ path: `/${l.managingOrganization.reference}`, interaction: 'readOrganization' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.resourceType, 'Organization');
    assert.equal(`Organization/${res.json.id}`, l.managingOrganization.reference);
    assert.deepEqual(res.json.meta.profile, [organizationProfile]);
  }

  for (const site of sites) {
    it(`L1 ${site.key} (Location/${site.id}) reads with a name, an address and site code ${site.siteCode}`, async () => {
      const res = await read(site.id);
      assert.equal(res.status, 200, res.text);
      assertFormat(res, 'json');
      assertNoStore(res);
      assertLocation(res.json, site);
    });

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

  for (const type of [json, xml]) {
    it(`L3 _format=${type} decides the format of SIT1`, async () => {
      const res = await read(SIT1.id, { format: type });
      assert.equal(res.status, 200, res.text);
      assertFormat(res, formatOf(type));
      assertLocation(res.json, SIT1);
    });
  }

  for (const accept of [json, xml]) {
    for (const format of [json, xml]) {
      it(`L4 Accept: ${accept} with _format=${format} answers SIT3 in ${formatOf(format)} (_format wins)`, async () => {
        const res = await read(SIT3.id, { accept, format });
        assert.equal(res.status, 200, res.text);
        assertFormat(res, formatOf(format));
        assertLocation(res.json, SIT3);
      });
    }
  }

  for (const type of [json, xml]) {
    it(`L6 SIT2 conforms in ${formatOf(type)}: profile, site code, resolvable managingOrganization, no endpoint`, async () => {
      const res = await read(SIT2.id, { accept: type });
      assert.equal(res.status, 200, res.text);
      assertFormat(res, formatOf(type));
      assertLocation(res.json, SIT2);
      await assertManagingOrganizationReadable(res.json);
    });
  }

  it('L7 the read carries ETag W/"<meta.versionId>"', async () => {
    const res = await read(SIT1.id);
    assert.equal(res.status, 200);
    assert.equal(res.headers.etag, `W/"${res.json.meta.versionId}"`);
  });

  it('L8 a successful read is Cache-Control no-store', async () => {
    const res = await read(SIT1.id);
    assert.equal(res.status, 200);
    assertNoStore(res);
    assertLocation(res.json, SIT1);
  });

  it('L9 a read with the Practitioner read interaction id is 400 BAD_REQUEST (no-store)', async () => {
    assertOutcome(await read(SIT1.id, { interaction: interactionIds.readPractitioner }), 400, 'BAD_REQUEST');
  });

  it('a read with the Organization read interaction id is 400 BAD_REQUEST', async () => {
    assertOutcome(await read(SIT1.id, { interaction: interactionIds.readOrganization }), 400, 'BAD_REQUEST');
  });

  it("the practice's preferred branch surgery (Location/16) reads with the practice as managing organisation", async () => {
    const res = await read('16');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.managingOrganization.reference, 'Organization/7');
    await assertManagingOrganizationReadable(res.json);
  });
});
