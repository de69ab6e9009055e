import type { Patient } from '../domain/patient.ts';
import { address, compact, contactPoint, meta, reference, type Resource } from '../fhir/datatypes.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import { codeSystems, extensions, identifierSystems, profiles, registrationTypes } from '../fhir/systems.ts';

/**
 * CareConnect-GPC-Patient-1 as Foundations returns it (read, search, register). Spec and suite:
 * exactly one identifier (the NHS number, with its verification status), one official name,
 * RegistrationDetails without registrationStatus, managingOrganization = the practice addressed
 * by the URL; never maritalStatus, multipleBirth, photo or the other forbidden elements.
 */
export function patientResource(p: Patient, practiceOrganizationId: string): Resource {
  return compact({
    resourceType: 'Patient',
    id: p.id,
    meta: meta(p.version, profiles.patient),
    extension: [registrationDetails(p), ...(p.nhsCommunication ? [nhsCommunication(p.nhsCommunication)] : [])],
    identifier: [
      {
        extension: [{
          url: extensions.nhsNumberVerificationStatus,
          valueCodeableConcept: { coding: [{ system: codeSystems.nhsNumberVerificationStatus, code: '01', display: 'Number present and verified' }] },
        }],
        system: identifierSystems.nhsNumber,
        value: p.nhsNumber,
      },
    ],
    active: true,
    name: [
      compact({ use: 'official', family: p.family, given: p.given.length ? p.given : undefined, prefix: p.prefix.length ? p.prefix : undefined }),
      ...p.otherNames,
    ],
    telecom: p.telecom.length > 0 ? p.telecom.map(contactPoint) : undefined,
    gender: p.gender,
    birthDate: p.birthDate,
    address: p.addresses.length > 0 ? p.addresses.map(address) : undefined,
    contact: p.contacts.length > 0 ? p.contacts.map(contact) : undefined,
    generalPractitioner: p.usualGpId ? [reference('Practitioner', p.usualGpId)] : undefined,
    managingOrganization: reference('Organization', practiceOrganizationId),
  });
}

function registrationDetails(p: Patient): Resource {
  const period = compact({ start: ukDateTime(p.registration.start), end: p.registration.end && ukDateTime(p.registration.end) });
  return {
    url: extensions.registrationDetails,
    extension: [
      { url: 'registrationPeriod', valuePeriod: period },
      {
        url: 'registrationType',
        valueCodeableConcept: {
          coding: [{ system: codeSystems.registrationType, code: p.registration.type, display: registrationTypes[p.registration.type] ?? 'Other' }],
        },
      },
      ...(p.preferredBranchLocationId ? [{ url: 'preferredBranchSurgery', valueReference: reference('Location', p.preferredBranchLocationId) }] : []),
    ],
  };
}

function nhsCommunication(c: NonNullable<Patient['nhsCommunication']>): Resource {
  const coding = (system: string, v: { code: string; display: string }) => ({ coding: [{ system, code: v.code, display: v.display }] });
  const parts: Resource[] = [{ url: 'language', valueCodeableConcept: coding(codeSystems.humanLanguage, c.language) }];
  if (c.preferred !== undefined) parts.push({ url: 'preferred', valueBoolean: c.preferred });
  if (c.modeOfCommunication) parts.push({ url: 'modeOfCommunication', valueCodeableConcept: coding('https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-LanguageAbilityMode-1', c.modeOfCommunication) });
  if (c.communicationProficiency) parts.push({ url: 'communicationProficiency', valueCodeableConcept: coding('https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-LanguageAbilityProficiency-1', c.communicationProficiency) });
  if (c.interpreterRequired !== undefined) parts.push({ url: 'interpreterRequired', valueBoolean: c.interpreterRequired });
  return { url: extensions.nhsCommunication, extension: parts };
}

/** Spec (resource guidance): contact relationship as text only, never coded. */
function contact(c: Patient['contacts'][number]): Resource {
  return compact({
    relationship: c.relationship.map((text) => ({ text })),
    name: compact({ use: 'official', family: c.family, given: c.given.length ? c.given : undefined, prefix: c.prefix.length ? c.prefix : undefined }),
    telecom: c.telecom.length ? c.telecom.map(contactPoint) : undefined,
    address: c.address ? address(c.address) : undefined,
    gender: c.gender,
  });
}
