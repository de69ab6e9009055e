import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore } from '../harness/provider.ts';
import { assertOk, fhirMediaTypes, fhirXml, sd } from '../harness/assertions.ts';

describeOnEachStore('Foundations CapabilityStatement', (provider) => {
  it('GET /metadata returns the CapabilityStatement with no-store and the FHIR JSON media type', async () => {
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata' });
    assertOk(res, 'CapabilityStatement');
    assert.equal(res.json.fhirVersion, '3.0.1');
    assert.deepEqual(res.json.format, [...fhirMediaTypes]);
    assert.ok(res.json.software.name && res.json.software.version);
  });

  it('lists every profile the suite requires exactly once, and both operations', async () => {
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata' });
    const refs: string[] = res.json.profile.map((p: { reference: string }) => p.reference);
    for (const name of ['CareConnect-GPC-Patient-1', 'CareConnect-GPC-Organization-1', 'CareConnect-GPC-Practitioner-1',
      'CareConnect-GPC-PractitionerRole-1', 'CareConnect-GPC-Location-1', 'GPConnect-OperationOutcome-1', 'GPConnect-Appointment-1',
      'GPConnect-Schedule-1', 'GPConnect-Slot-1', 'CareConnect-GPC-AllergyIntolerance-1', 'CareConnect-GPC-Medication-1',
      'CareConnect-GPC-MedicationStatement-1', 'CareConnect-GPC-MedicationRequest-1', 'CareConnect-GPC-List-1',
      'GPConnect-StructuredRecord-Bundle-1', 'CareConnect-GPC-Immunization-1', 'CareConnect-GPC-ProblemHeader-Condition-1',
      'CareConnect-GPC-Encounter-1', 'CareConnect-GPC-Observation-1', 'CareConnect-GPC-DiagnosticReport-1',
      'CareConnect-GPC-Specimen-1', 'CareConnect-GPC-ProcedureRequest-1', 'CareConnect-GPC-ReferralRequest-1']) {
      assert.equal(refs.filter((r) => r === sd + name).length, 1, name);
    }
    const operations = res.json.rest[0].operation.map((o: { name: string }) => o.name);
    assert.deepEqual(operations.sort(), ['gpc.getstructuredrecord', 'gpc.registerpatient']);
  });

  it('declares the Foundations resources with the interactions the server routes', async () => {
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata' });
    const byType = Object.fromEntries(res.json.rest[0].resource.map((r: { type: string; interaction: { code: string }[] }) => [r.type, r.interaction.map((i) => i.code).sort()]));
    assert.deepEqual(byType.Patient, ['read', 'search-type']);
    assert.deepEqual(byType.Practitioner, ['read', 'search-type']);
    assert.deepEqual(byType.Organization, ['read', 'search-type']);
    assert.deepEqual(byType.Location, ['read']);
    // Appointment Management: read, book (create), amend and cancel (update), a patient's appointments (search-type).
    assert.deepEqual(byType.Appointment, ['create', 'read', 'search-type', 'update']);
    assert.deepEqual(byType.Slot, ['search-type']);
  });

  it('declares the free-slot search includes, Location:managingOrganization among them', async () => {
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata' });
    const slot = res.json.rest[0].resource.find((r: { type: string }) => r.type === 'Slot');
    assert.ok(slot.searchInclude.includes('Location:managingOrganization'));
    assert.ok(slot.searchInclude.includes('Slot:schedule'));
    const params = slot.searchParam.map((p: { name: string }) => p.name).sort();
    assert.deepEqual(params, ['end', 'searchFilter', 'start', 'status']);
  });

  it('answers in XML when _format asks for it', async () => {
    const res = await provider().gpc({ path: '/metadata?_format=application/fhir%2Bxml', interaction: 'metadata' });
    assertOk(res, 'CapabilityStatement', fhirXml); // the XML root element is the CapabilityStatement
  });
});
