import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, otherPractice, practice, type GpcRequest, type GpcResponse, type TestProvider } from '../harness/provider.ts';
import { assertOutcome, assertRead, assertSearchset, identifier, query, systems } from '../harness/assertions.ts';

/**
 * Practices are kept apart (seed/README.md): GPC002 reuses B82617's logical ids Organization/1,
 * Location/1, Practitioner/1 and Patient/1, and each practice's endpoint must serve its own rows.
 * Spec: Ssp-To SHALL be the ASID of the endpoint addressed; a practice with GP Connect switched off
 * answers 403 ACCESS_DENIED.
 */

const { nhsNumber, sdsUserId, ods: odsSystem, odsSite: siteCodeSystem } = systems;

const A = practice.ods; // B82617
const B = otherPractice.ods; // GPC002

const identifierQuery = (system: string, value: string) => query(identifier(system, value));

const identifierValue = (resource: any, system: string) =>
  (resource.identifier ?? []).filter((i: { system: string }) => i.system === system).map((i: { value: string }) => i.value);

describeOnEachStore('Practice isolation', (provider) => {
  const gpc = (r: GpcRequest) => provider().gpc(r);
  /** `<type>/1` read at B82617 and at GPC002. */
  const readAtBoth = async (type: 'Organization' | 'Location' | 'Practitioner' | 'Patient') => {
    const at = async (ods: string) => assertRead(await gpc({ path: `/${type}/1`, interaction: `read${type}`, ods }), type);
    return [await at(A), await at(B)];
  };

  it('Organization/1 is each practice\'s own organisation (GPC001 at B82617, GPC002 at GPC002)', async () => {
    const [atA, atB] = await readAtBoth('Organization');
    assert.equal(atA.name, 'GP Connect Demonstrator');
    assert.deepEqual(identifierValue(atA, odsSystem), ['GPC001']);
    assert.equal(atB.name, 'Ryedale Test Practice');
    assert.deepEqual(identifierValue(atB, odsSystem), ['GPC002']);
  });

  it('Location/1 is each practice\'s own site (Building A Z26556 at B82617, its main site at GPC002)', async () => {
    const [atA, atB] = await readAtBoth('Location');
    assert.equal(atA.name, 'Building A');
    assert.deepEqual(identifierValue(atA, siteCodeSystem), ['Z26556']);
    assert.equal(atB.name, 'Ryedale Test Practice Main Site');
    assert.deepEqual(identifierValue(atB, siteCodeSystem), []);
    // GPC002's site is managed by GPC002's own Organization/1, which reads at GPC002.
    assert.equal(atB.managingOrganization.reference, 'Organization/1');
    const managing = assertRead(await gpc({ path: `/${atB.managingOrganization.reference}`, interaction: 'readOrganization', ods: B }), 'Organization');
    assert.deepEqual(identifierValue(managing, odsSystem), ['GPC002']);
  });

  it('Practitioner/1 is each practice\'s own practitioner (G13579135 at B82617, G55555555 at GPC002)', async () => {
    const [atA, atB] = await readAtBoth('Practitioner');
    assert.deepEqual(identifierValue(atA, sdsUserId), ['G13579135']);
    assert.equal(atA.name[0].family, 'Gilbert');
    assert.deepEqual(identifierValue(atB, sdsUserId), ['G55555555']);
    assert.equal(atB.name[0].family, 'Thornbury');
  });

  it('Patient/1 is each practice\'s own patient, managed by that practice\'s organisation', async () => {
    const [atA, atB] = await readAtBoth('Patient');
    assert.deepEqual(identifierValue(atA, nhsNumber), ['9690937278']);
    assert.equal(atA.name[0].family, 'SAMUAL');
    assert.equal(atA.managingOrganization.reference, 'Organization/7');
    assert.deepEqual(identifierValue(atB, nhsNumber), ['9990000018']);
    assert.equal(atB.name[0].family, 'OAKWORTH');
    assert.equal(atB.managingOrganization.reference, 'Organization/1');
  });

  it('GPC002 does not find B82617\'s patient2 (9690937286) by NHS number, and B82617 still does', async () => {
    const path = `/Patient?${identifierQuery(nhsNumber, '9690937286')}`;
    assert.deepEqual(assertSearchset(await gpc({ path, interaction: 'searchPatient', ods: B })), []);
    const [found] = assertSearchset(await gpc({ path, interaction: 'searchPatient', ods: A }));
    assert.equal(found.id, '2');
  });

  it('B82617 does not find GPC002\'s patients by NHS number, and GPC002 does', async () => {
    for (const [nhs, id] of [['9990000018', '1'], ['9990000026', '2'], ['9990000034', '3']] as const) {
      const path = `/Patient?${identifierQuery(nhsNumber, nhs)}`;
      assert.deepEqual(assertSearchset(await gpc({ path, interaction: 'searchPatient', ods: A })), [], nhs);
      const found = assertSearchset(await gpc({ path, interaction: 'searchPatient', ods: B }));
      assert.deepEqual(found.map((p) => p.id), [id], nhs);
    }
  });

  it('GPC002 cannot read ids only B82617 has (Patient/4, Location/16, Practitioner/2, Organization/7): 404', async () => {
    assertOutcome(await gpc({ path: '/Patient/4', interaction: 'readPatient', ods: B }), 404, 'PATIENT_NOT_FOUND');
    assertOutcome(await gpc({ path: '/Location/16', interaction: 'readLocation', ods: B }), 404, 'NO_RECORD_FOUND');
    assertOutcome(await gpc({ path: '/Practitioner/2', interaction: 'readPractitioner', ods: B }), 404, 'PRACTITIONER_NOT_FOUND');
    assertOutcome(await gpc({ path: '/Organization/7', interaction: 'readOrganization', ods: B }), 404, 'ORGANISATION_NOT_FOUND');
    // …which B82617 itself serves.
    for (const [path, interaction] of [['/Patient/4', 'readPatient'], ['/Location/16', 'readLocation'], ['/Practitioner/2', 'readPractitioner'], ['/Organization/7', 'readOrganization']] as const) {
      assert.equal((await gpc({ path, interaction, ods: A })).status, 200, path);
    }
  });

  const ownSearches = [
    { title: "practitioner search only finds the practice's own practitioners", resource: 'Practitioner', interaction: 'searchPractitioner', system: sdsUserId, atA: ['G13579135', '1'], atB: ['G55555555', '1'] },
    { title: "organisation search only finds the practice's own organisations", resource: 'Organization', interaction: 'searchOrganization', system: odsSystem, atA: ['B82617', '7'], atB: ['GPC002', '1'] },
  ] as const;
  for (const { title, resource, interaction, system, atA, atB } of ownSearches) {
    it(title, async () => {
      const searchAt = async (ods: string, value: string) =>
        assertSearchset(await gpc({ path: `/${resource}?${identifierQuery(system, value)}`, interaction, ods }));
      assert.deepEqual(await searchAt(B, atA[0]), []);
      assert.deepEqual(await searchAt(A, atB[0]), []);
      assert.deepEqual((await searchAt(B, atB[0])).map((r) => r.id), [atB[1]]);
      assert.deepEqual((await searchAt(A, atA[0])).map((r) => r.id), [atA[1]]);
    });
  }

  it('a request to GPC002 addressed (Ssp-To) to B82617\'s ASID is 400 BAD_REQUEST', async () => {
    const res = await gpc({ path: '/Organization/1', interaction: 'readOrganization', ods: B, asid: practice.asid });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('a request to B82617 addressed (Ssp-To) to GPC002\'s ASID is 400 BAD_REQUEST', async () => {
    const res = await gpc({ path: '/Patient/1', interaction: 'readPatient', ods: A, asid: otherPractice.asid });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });
});

/** Polls a request until its status is `status` (the practice cache is re-read at most every 2 s). */
async function untilStatus(provider: TestProvider, request: GpcRequest, status: number, deadlineMs = 6000): Promise<GpcResponse> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const res = await provider.gpc(request);
    if (res.status === status || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describeOnEachStore('Practice with GP Connect disabled', (provider) => {
  const metadataAt = (ods: string): GpcRequest => ({ path: '/metadata', interaction: 'metadata', ods });
  const setEnabled = (enabled: boolean) =>
    provider().db.query('UPDATE practice SET gpconnect_enabled = $1 WHERE ods_code = $2', [enabled, B]);

  it('GPC002 with GP Connect disabled answers 403 ACCESS_DENIED while B82617 still answers 200; re-enabled, 200 again', async () => {
    assert.equal((await provider().gpc(metadataAt(B))).status, 200);
    await setEnabled(false);
    try {
      // The practice directory re-reads within ~2 s: poll until the change shows.
      const refused = await untilStatus(provider(), metadataAt(B), 403);
      assertOutcome(refused, 403, 'ACCESS_DENIED');
      // Every Foundations interaction at GPC002 is refused, not just metadata.
      assertOutcome(await provider().gpc({ path: '/Patient/1', interaction: 'readPatient', ods: B }), 403, 'ACCESS_DENIED');
      assertOutcome(await provider().gpc({ path: '/Location/1', interaction: 'readLocation', ods: B }), 403, 'ACCESS_DENIED');
      // The other practice is unaffected.
      assert.equal((await provider().gpc(metadataAt(A))).status, 200);
      assert.equal((await provider().gpc({ path: '/Patient/1', interaction: 'readPatient', ods: A })).status, 200);
    } finally {
      await setEnabled(true);
    }
    const restored = await untilStatus(provider(), metadataAt(B), 200);
    assert.equal(restored.status, 200, restored.text);
  });
});
