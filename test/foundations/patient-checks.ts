/**
 * The Patient checks the provider suite's shared steps make (suite checklist §7.2–7.6), for the
 * Patient read, search and register tests. Not a test file itself (no `.test.ts`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { identifier, query, sd, systems } from '../harness/assertions.ts';
import type { TestProvider } from '../harness/provider.ts';

const nhsSystem = systems.nhsNumber;
export const patientProfile = `${sd}CareConnect-GPC-Patient-1`;
export const verificationStatusUrl = `${sd}Extension-CareConnect-GPC-NHSNumberVerificationStatus-1`;
export const registrationDetailsUrl = `${sd}Extension-CareConnect-GPC-RegistrationDetails-1`;
export const nhsCommunicationUrl = `${sd}Extension-CareConnect-GPC-NHSCommunication-1`;
const verificationStatusSystem = 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-NHSNumberVerificationStatus-1';
const registrationTypeSystem = 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-RegistrationType-1';

/** CareConnect-RegistrationType-1: the suite checks code, display and system together. */
const registrationTypes: Record<string, string> = {
  R: 'Regular', E: 'Emergency', IN: 'Immediately necessary', T: 'Temporary', P: 'Private', O: 'Other', S: 'Synthetic Record',
};
/** CareConnect-NHSNumberVerificationStatus-1 codes 01–08 (the suite checks the coding is in the value set). */
const verificationCodes = new Set(['01', '02', '03', '04', '05', '06', '07', '08']);

/** The seeded test patients the suite names (seed/README.md). */
export const patients = {
  patient1: { id: '1', nhs: '9690937278' },
  patient2: { id: '2', nhs: '9690937286' },
  patient3: { id: '3', nhs: '9690937294' },
  patient4: { id: '4', nhs: '9690937308' },
  patient5: { id: '5', nhs: '9690937375' },
  patient6: { id: '6', nhs: '9690937383' },
  patient9: { id: '9', nhs: '9690938533' },
  patient10: { id: '10', nhs: '9690938541' },
  patient11: { id: '11', nhs: '9690938622' },
  patient14: { id: '14', nhs: '9476718943' },
  patient15: { id: '15', nhs: '9690938576' },
  patient18: { id: '18', nhs: '9690938681' },
  patient21: { id: '21', nhs: '9690938142' },
} as const;
export const patientNotInSystem = '9999999999';
/** B82617's own Organization, which managingOrganization must name. */
export const practiceOrganizationId = '7';

/** `identifier=<system>|<value>` form-encoded as the suite sends it (`|` ⇒ %7C, `/` ⇒ %2F, `:` ⇒ %3A). */
export function identifierQuery(nhs: string, system: string = nhsSystem): string {
  return query(identifier(system, nhs));
}

/** A PDS stub row of the seed, e.g. the demographics of a register-pool patient. */
export interface PdsRow { nhsNumber: string; prefix: string[]; given: string[]; family: string; gender: string | null; birthDate: string; deceased: string | null; sensitive: boolean; superseded: boolean }
const seed = JSON.parse(readFileSync(new URL('../../seed/foundations.json', import.meta.url), 'utf8')) as {
  pds: PdsRow[];
  patients: { nhsNumber: string }[];
};
const held = new Set(seed.patients.map((p) => p.nhsNumber));
/** The suite's RegisterPatients.csv pool (9651258500…9651260246): on the PDS stub, held by no practice. */
export const registerPool: PdsRow[] = seed.pds.filter((r) => r.nhsNumber.startsWith('96512') && !held.has(r.nhsNumber) && !r.sensitive && !r.deceased && !r.superseded);
export function pdsRow(nhs: string): PdsRow {
  const row = seed.pds.find((r) => r.nhsNumber === nhs);
  assert.ok(row, `seed PDS row ${nhs}`);
  return row;
}

const ext = (resource: any, url: string): any[] => (resource.extension ?? []).filter((e: any) => e.url === url);
const sub = (extension: any, url: string): any[] => (extension.extension ?? []).filter((e: any) => e.url === url);

/** Suite "Patient Identifiers should be valid for Patient X" / register "Nhs Number Identifer should be valid". */
export function assertNhsIdentifier(patient: any, nhs: string): void {
  assert.equal(patient.identifier?.length, 1, 'exactly one identifier, the NHS number');
  const [identifier] = patient.identifier;
  assert.equal(identifier.system, nhsSystem);
  assert.equal(identifier.value, nhs);
  assert.equal(identifier.extension?.length, 1);
  assert.equal(identifier.extension[0].url, verificationStatusUrl);
  const coding = identifier.extension[0].valueCodeableConcept.coding;
  assert.equal(coding.length, 1);
  assert.equal(coding[0].system, verificationStatusSystem);
  assert.ok(verificationCodes.has(coding[0].code), coding[0].code);
  assert.ok(coding[0].display);
}

/** Suite "RegistrationDetails": exactly one extension; ≤1 of each part; never registrationStatus. Returns its type code. */
export function assertRegistrationDetails(patient: any): { type: string; preferredBranch: string | undefined } {
  const details = ext(patient, registrationDetailsUrl);
  assert.equal(details.length, 1, 'exactly one RegistrationDetails extension');
  const [d] = details;
  assert.equal(sub(d, 'registrationStatus').length, 0, 'no registrationStatus');
  const period = sub(d, 'registrationPeriod');
  assert.ok(period.length <= 1);
  if (period[0]) assert.ok(period[0].valuePeriod, 'registrationPeriod.valuePeriod');
  const type = sub(d, 'registrationType');
  assert.equal(type.length, 1);
  for (const c of type[0].valueCodeableConcept.coding) {
    assert.equal(c.system, registrationTypeSystem);
    assert.equal(c.display, registrationTypes[c.code], `registrationType ${c.code} display`);
  }
  const branch = sub(d, 'preferredBranchSurgery');
  assert.ok(branch.length <= 1);
  if (branch[0]) assert.match(branch[0].valueReference?.reference ?? '', /^Location\/[A-Za-z0-9\-.]+$/);
  for (const part of d.extension) assert.ok(['registrationPeriod', 'registrationType', 'preferredBranchSurgery'].includes(part.url), part.url);
  return { type: type[0].valueCodeableConcept.coding[0].code, preferredBranch: branch[0]?.valueReference.reference };
}

const forbiddenExtensions = [
  `${sd}Extension-CareConnect-GPC-EthnicCategory-1`,
  `${sd}Extension-CareConnect-GPC-ReligiousAffiliation-1`,
  'http://hl7.org/fhir/StructureDefinition/patient-cadavericDonor',
  `${sd}Extension-CareConnect-GPC-ResidentialStatus-1`,
  `${sd}Extension-CareConnect-GPC-TreatmentCategory-1`,
];

async function assertReadable(provider: TestProvider, reference: string, interaction: 'readOrganization' | 'readPractitioner' | 'readLocation', type: string): Promise<void> {
  const res = await provider.gpc({ path: `/${reference}`, interaction });
  assert.equal(res.status, 200, `${reference} readable: ${res.text.slice(0, 200)}`);
  assert.equal(res.json.resourceType, type);
  assert.equal(`${type}/${res.json.id}`, reference);
}

/**
 * The full set of Patient checks of PatientRead R9 / PatientSearch S13 (§7.5), plus the
 * RegistrationDetails check: every element the suite parses is valid and nothing forbidden is there.
 */
export async function assertConformantPatient(provider: TestProvider, patient: any, nhs: string, options: { id?: string } = {}): Promise<void> {
  assert.equal(patient.resourceType, 'Patient');
  assert.ok(typeof patient.id === 'string' && patient.id !== '', 'Patient.id');
  if (options.id) assert.equal(patient.id, options.id);
  // Metadata: exactly one profile, the Patient one; versionId present.
  assert.deepEqual(patient.meta?.profile, [patientProfile]);
  assert.ok(patient.meta.versionId, 'meta.versionId');
  assertNhsIdentifier(patient, nhs);

  // Name: exactly one official name; every name has a use and a non-empty family.
  assert.equal(patient.name.filter((n: any) => n.use === 'official').length, 1, 'one official name');
  for (const n of patient.name) {
    assert.ok(n.use, 'name.use');
    assert.ok(typeof n.family === 'string' && n.family !== '', 'name.family');
  }
  assert.ok(['male', 'female', 'other', 'unknown'].includes(patient.gender), `gender ${patient.gender}`);
  assert.match(patient.birthDate, /^\d{4}-\d{2}-\d{2}$/);
  for (const t of patient.telecom ?? []) assert.ok(t.system && t.value && t.use, 'telecom system, value and use');
  for (const a of patient.address ?? []) {
    assert.ok(['home', 'work', 'temp', 'old'].includes(a.use), `address use ${a.use}`);
    assert.equal(a.text, undefined);
  }

  // Not in use / excluded elements.
  assert.equal(patient.deceasedBoolean, undefined, 'deceased[x] may only be deceasedDateTime');
  assert.equal(patient.maritalStatus, undefined);
  assert.equal(patient.multipleBirthBoolean, undefined);
  assert.equal(patient.multipleBirthInteger, undefined);
  assert.equal(patient.photo, undefined);
  assert.equal(patient.link, undefined);
  assert.equal(patient.animal, undefined);
  for (const url of forbiddenExtensions) assert.equal(ext(patient, url).length, 0, url);
  for (const c of patient.communication ?? []) assert.ok(c.language?.coding?.length <= 1);

  // Contacts: relationship as text only; name with a use; telecom with a use.
  for (const c of patient.contact ?? []) {
    for (const r of c.relationship ?? []) {
      assert.ok(r.text, 'contact.relationship.text');
      assert.equal(r.coding, undefined, 'contact.relationship has no coding');
    }
    assert.ok(c.name?.use, 'contact.name.use');
    for (const t of c.telecom ?? []) assert.ok(t.use, 'contact.telecom.use');
  }

  const details = assertRegistrationDetails(patient);
  if (details.preferredBranch) await assertReadable(provider, details.preferredBranch, 'readLocation', 'Location');

  // managingOrganization: the practice's own Organization, readable.
  assert.equal(patient.managingOrganization?.reference, `Organization/${practiceOrganizationId}`);
  await assertReadable(provider, patient.managingOrganization.reference, 'readOrganization', 'Organization');
  // generalPractitioner: at most one, a readable Practitioner.
  assert.ok((patient.generalPractitioner ?? []).length <= 1);
  for (const gp of patient.generalPractitioner ?? []) {
    assert.match(gp.reference, /^Practitioner\//);
    await assertReadable(provider, gp.reference, 'readPractitioner', 'Practitioner');
  }
}
