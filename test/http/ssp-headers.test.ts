/**
 * Spine Secure Proxy headers and the interaction id binding (cross-cutting §3, §4; suite
 * "invalid caching" scenarios of OrganizationRead/PractitionerRead/LocationRead/OrganizationSearch).
 */
import { it } from 'node:test';
import { describeOnEachStore, interactionIds, otherPractice } from '../harness/provider.ts';
import { assertOk, assertOutcome } from './_support.ts';

const urn = 'urn:nhs:names:services:gpconnect:';
const odsSearch = '/Organization?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fods-organization-code%7CB82617';

describeOnEachStore('Ssp-* headers and interaction ids', (provider) => {
  for (const header of ['Ssp-TraceID', 'Ssp-From', 'Ssp-To', 'Ssp-InteractionID']) {
    it(`a missing ${header} header is refused with 400 BAD_REQUEST`, async () => {
      assertOutcome(await provider().gpc({ path: '/metadata', interaction: 'metadata', headers: { [header]: undefined } }), 400, 'BAD_REQUEST');
    });

    it(`a blank ${header} header is refused with 400 BAD_REQUEST`, async () => {
      assertOutcome(await provider().gpc({ path: '/metadata', interaction: 'metadata', headers: { [header]: '' } }), 400, 'BAD_REQUEST');
    });
  }

  it("Ssp-To that is not the practice's ASID is refused with 400 BAD_REQUEST (SSP.feature To ASID - Invalid)", async () => {
    assertOutcome(await provider().gpc({ path: '/metadata', interaction: 'metadata', asid: '123456789123' }), 400, 'BAD_REQUEST');
  });

  it("Ssp-To of another practice's endpoint is refused with 400 BAD_REQUEST", async () => {
    assertOutcome(await provider().gpc({ path: '/metadata', interaction: 'metadata', asid: otherPractice.asid }), 400, 'BAD_REQUEST');
  });

  it('an Ssp-To of the right practice on its own endpoint is accepted', async () => {
    assertOk(await provider().gpc({ ods: otherPractice.ods, path: '/metadata', interaction: 'metadata' }), 'CapabilityStatement');
  });

  it('Organization read with the practitioner read interaction id is refused with 400 BAD_REQUEST (OrganizationRead invalid caching)', async () => {
    const res = await provider().gpc({ path: '/Organization/7', interaction: 'readOrganization', headers: { 'Ssp-InteractionID': interactionIds.readPractitioner } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('Practitioner read with the location read interaction id is refused with 400 BAD_REQUEST (PractitionerRead invalid caching)', async () => {
    const res = await provider().gpc({ path: '/Practitioner/1', interaction: 'readPractitioner', headers: { 'Ssp-InteractionID': interactionIds.readLocation } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('Location read with the practitioner read interaction id is refused with 400 BAD_REQUEST (LocationRead invalid caching)', async () => {
    const res = await provider().gpc({ path: '/Location/1', interaction: 'readLocation', headers: { 'Ssp-InteractionID': interactionIds.readPractitioner } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('Organization search (no identifier) with the practitioner read interaction id is refused with 400 BAD_REQUEST (OrganizationSearch invalid caching)', async () => {
    const res = await provider().gpc({ path: '/Organization', interaction: 'searchOrganization', headers: { 'Ssp-InteractionID': interactionIds.readPractitioner } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('an interaction id with a trailing space naming another route is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: '/Patient?identifier=https%3A%2F%2Ffhir.nhs.uk%2FId%2Fnhs-number%7C9690937278', interaction: 'searchPatient', headers: { 'Ssp-InteractionID': `${urn}fhir:rest:search:organization-1 ` } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('the search interaction id on a read URL is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: '/Patient/1', interaction: 'readPatient', headers: { 'Ssp-InteractionID': interactionIds.searchPatient } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('the read interaction id on a search URL is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: odsSearch, interaction: 'searchOrganization', headers: { 'Ssp-InteractionID': interactionIds.readOrganization } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('an unknown interaction id is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata', headers: { 'Ssp-InteractionID': `${urn}fhir:rest:read:metadata-2` } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('an interaction id differing only in case is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata', headers: { 'Ssp-InteractionID': interactionIds.metadata.toUpperCase() } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('the Structured metadata interaction id on the Foundations /metadata is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata', headers: { 'Ssp-InteractionID': `${urn}structured:fhir:rest:read:metadata-1` } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('the register interaction id on GET /Patient/$gpc.registerpatient (wrong verb) is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: '/Patient/$gpc.registerpatient', interaction: 'registerPatient' });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('POST to a read URL (Patient/1) with the read interaction id is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ method: 'POST', path: '/Patient/1', interaction: 'readPatient', body: { resourceType: 'Patient' } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });
});
