/**
 * Spine Secure Proxy headers and the interaction id binding (cross-cutting §3, §4; suite
 * "invalid caching" scenarios of OrganizationRead/PractitionerRead/LocationRead/OrganizationSearch).
 */
import { it } from 'node:test';
import { describeOnEachStore, interactionIds, otherPractice, type GpcRequest } from '../harness/provider.ts';
import { assertOk, assertOutcome, identifier, query, systems } from '../harness/assertions.ts';

const urn = 'urn:nhs:names:services:gpconnect:';
const odsSearch = `/Organization?${query(identifier(systems.ods, 'B82617'))}`;

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

  const refused: [title: string, request: GpcRequest][] = [
    ['Organization read with the practitioner read interaction id is refused with 400 BAD_REQUEST (OrganizationRead invalid caching)',
      { path: '/Organization/7', interaction: 'readOrganization', headers: { 'Ssp-InteractionID': interactionIds.readPractitioner } }],
    ['Practitioner read with the location read interaction id is refused with 400 BAD_REQUEST (PractitionerRead invalid caching)',
      { path: '/Practitioner/1', interaction: 'readPractitioner', headers: { 'Ssp-InteractionID': interactionIds.readLocation } }],
    ['Location read with the practitioner read interaction id is refused with 400 BAD_REQUEST (LocationRead invalid caching)',
      { path: '/Location/1', interaction: 'readLocation', headers: { 'Ssp-InteractionID': interactionIds.readPractitioner } }],
    ['Organization search (no identifier) with the practitioner read interaction id is refused with 400 BAD_REQUEST (OrganizationSearch invalid caching)',
      { path: '/Organization', interaction: 'searchOrganization', headers: { 'Ssp-InteractionID': interactionIds.readPractitioner } }],
    ['an interaction id with a trailing space naming another route is refused with 400 BAD_REQUEST',
      { path: `/Patient?${query(identifier(systems.nhsNumber, '9690937278'))}`, interaction: 'searchPatient', headers: { 'Ssp-InteractionID': `${urn}fhir:rest:search:organization-1 ` } }],
    ['the search interaction id on a read URL is refused with 400 BAD_REQUEST',
      { path: '/Patient/1', interaction: 'readPatient', headers: { 'Ssp-InteractionID': interactionIds.searchPatient } }],
    ['the read interaction id on a search URL is refused with 400 BAD_REQUEST',
      { path: odsSearch, interaction: 'searchOrganization', headers: { 'Ssp-InteractionID': interactionIds.readOrganization } }],
    ['an unknown interaction id is refused with 400 BAD_REQUEST',
      { path: '/metadata', interaction: 'metadata', headers: { 'Ssp-InteractionID': `${urn}fhir:rest:read:metadata-2` } }],
    ['an interaction id differing only in case is refused with 400 BAD_REQUEST',
      { path: '/metadata', interaction: 'metadata', headers: { 'Ssp-InteractionID': interactionIds.metadata.toUpperCase() } }],
    ['the Structured metadata interaction id on the Foundations /metadata is refused with 400 BAD_REQUEST',
      { path: '/metadata', interaction: 'metadata', headers: { 'Ssp-InteractionID': `${urn}structured:fhir:rest:read:metadata-1` } }],
    ['the register interaction id on GET /Patient/$gpc.registerpatient (wrong verb) is refused with 400 BAD_REQUEST',
      { path: '/Patient/$gpc.registerpatient', interaction: 'registerPatient' }],
    ['POST to a read URL (Patient/1) with the read interaction id is refused with 400 BAD_REQUEST',
      { method: 'POST', path: '/Patient/1', interaction: 'readPatient', body: { resourceType: 'Patient' } }],
  ];
  for (const [title, request] of refused) {
    it(title, async () => {
      assertOutcome(await provider().gpc(request), 400, 'BAD_REQUEST');
    });
  }
});
