import type { Location, Organization, Practitioner } from '../domain/directory.ts';
import { address, compact, contactPoint, meta, reference, type Resource } from '../fhir/datatypes.ts';
import { codeSystems, extensions, identifierSystems, profiles } from '../fhir/systems.ts';

/** CareConnect-GPC-Practitioner-1: no telecom, address, birthDate, photo or qualification (spec SHALL NOT). */
export function practitionerResource(p: Practitioner): Resource {
  return compact({
    resourceType: 'Practitioner',
    id: p.id,
    meta: meta(p.version, profiles.practitioner),
    extension: p.languages.length > 0 ? p.languages.map(nhsCommunicationLanguage) : undefined,
    identifier: [
      { system: identifierSystems.sdsUserId, value: p.sdsUserId },
      ...p.sdsRoleProfileIds.map((value) => ({ system: identifierSystems.sdsRoleProfileId, value })),
    ],
    name: [compact({ use: 'usual', family: p.family, given: p.given.length ? p.given : undefined, prefix: p.prefix.length ? p.prefix : undefined })],
    gender: p.gender,
  });
}

export function nhsCommunicationLanguage(language: { code: string; display: string }): Resource {
  return {
    url: extensions.nhsCommunication,
    extension: [{ url: 'language', valueCodeableConcept: { coding: [{ system: codeSystems.humanLanguage, code: language.code, display: language.display }] } }],
  };
}

/** CareConnect-GPC-Organization-1: no contact, no endpoint (spec SHALL NOT). */
export function organizationResource(o: Organization): Resource {
  return compact({
    resourceType: 'Organization',
    id: o.id,
    meta: meta(o.version, profiles.organization),
    identifier: o.odsCode ? [{ system: identifierSystems.odsOrganizationCode, value: o.odsCode }] : undefined,
    name: o.name,
    telecom: o.telecom.length > 0 ? o.telecom.map(contactPoint) : undefined,
    address: o.address ? [address(o.address)] : undefined,
  });
}

/** CareConnect-GPC-Location-1: a surgery of the practice; no endpoint (spec SHALL NOT). */
export function locationResource(l: Location): Resource {
  return compact({
    resourceType: 'Location',
    id: l.id,
    meta: meta(l.version, profiles.location),
    identifier: l.siteOdsCode ? [{ system: identifierSystems.odsSiteCode, value: l.siteOdsCode }] : undefined,
    status: l.status,
    name: l.name,
    telecom: l.telecom.length > 0 ? l.telecom.map(contactPoint) : undefined,
    address: l.address ? address(l.address) : undefined,
    managingOrganization: l.managingOrganizationId ? reference('Organization', l.managingOrganizationId) : undefined,
  });
}
