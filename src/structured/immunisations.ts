import type { Coded, Immunisation } from '../domain/clinical.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findPatientImmunisations } from '../store/clinical-immunisations.ts';
import { patientRecordWarnings, type AreaContext, type AreaResult } from './area.ts';
import { profiles, structuredCodeSystems, structuredExtensions } from './fhir-urls.ts';
import { primaryListArea } from './lists.ts';
import { annotation, codeableConcept } from './coded.ts';
import { fhirQuantity } from './uncategorised.ts';

/**
 * Access Record Structured, immunisations (structured digest §14, lists §8):
 *
 * - "Immunisations" (code 1102181000000102): every vaccination given (or reported as given), and
 *   with includeNotGiven=true the intended-but-not-given ones too (`notGiven: true`, the "not done"
 *   situation as vaccinationProcedure, no site/route/dose/protocol, reasons as reasonNotGiven).
 *   Each is a top-level Immunization referenced `Immunization/<id>`; no date filter.
 * - includeStatus (consent / dissent / invitation records as Observations): the store holds no such
 *   records — nothing is filed under immunisations but Immunizations — so the option adds nothing
 *   and the list holds Immunizations only (suite [ImmList]: entries = Immunization resources).
 * - Confidential immunisations are never returned; the list gets confidential-items. Record
 *   warnings (area 'immunisations' or 'all') go on the list.
 *
 * Practitioners, manufacturer and location are `Practitioner/…`, `Organization/…`, `Location/…`
 * of the practice directory and the consultation `Encounter/<id>`; the endpoint adds those
 * resources to the bundle.
 */
export async function buildImmunisations(
  ctx: AreaContext,
  options: { includeNotGiven: boolean; includeStatus: boolean },
): Promise<AreaResult> {
  const [{ immunisations, withheld }, recordWarnings] = await Promise.all([
    findPatientImmunisations(ctx.db, ctx.practice, ctx.patientId, { includeNotGiven: options.includeNotGiven, includeConfidential: ctx.includeConfidential ?? false }),
    patientRecordWarnings(ctx),
  ]);
  return primaryListArea('immunisations', 'Immunization', { items: immunisations, resources: immunisations.map((i) => immunization(i, ctx.patientId)), withheld },
    { patientId: ctx.patientId, now: ctx.now, recordWarnings });
}

const ukSd = 'https://fhir.hl7.org.uk/STU3/StructureDefinition/';

/** Immunization extensions: all on fhir.hl7.org.uk (the spec example's fhir.nhs.uk forms are wrong, digest §24). */
export const immunizationExtensions = {
  parentPresent: `${ukSd}Extension-CareConnect-ParentPresent-1`,
  /** 1..1; the suite fails a response without it. */
  dateRecorded: `${ukSd}Extension-CareConnect-DateRecorded-1`,
  vaccinationProcedure: `${ukSd}Extension-CareConnect-VaccinationProcedure-1`,
} as const;

const practitionerRoleSystem = 'http://hl7.org/fhir/v2/0443';
const practitionerRoles = { AP: 'Administering Provider', EP: 'Entering Provider' } as const;
const doseStatusSystem = 'http://hl7.org/fhir/vaccination-protocol-dose-status';

/**
 * Codings on the Immunization follow the CareConnect (fhir.hl7.org.uk) base profile, so the SNOMED
 * description id goes in the fhir.hl7.org.uk sctdescid extension.
 */
const concept = (c: Coded): Resource => codeableConcept(c, structuredExtensions.codingSctDescIdUk);

/** The Immunization of an immunisation (profile CareConnect-GPC-Immunization-1). */
export function immunization(i: Immunisation, patientId: string): Resource {
  const extension: Resource[] = [];
  if (i.parentPresent !== undefined) extension.push({ url: immunizationExtensions.parentPresent, valueBoolean: i.parentPresent });
  extension.push({ url: immunizationExtensions.dateRecorded, valueDateTime: ukDateTime(i.recordedAt) });
  extension.push({ url: immunizationExtensions.vaccinationProcedure, valueCodeableConcept: concept(i.vaccinationProcedure) });

  const resource: Resource = {
    resourceType: 'Immunization',
    id: i.id,
    meta: { profile: [profiles.immunization] },
    extension,
  };
  resource.identifier = i.identifiers.map((id) => ({ system: id.system, value: id.value }));
  // Fixed by the profile (and asserted by the suite), given or not.
  resource.status = 'completed';
  resource.notGiven = i.notGiven;
  resource.vaccineCode = vaccineCode(i.vaccineCode);
  resource.patient = { reference: `Patient/${patientId}` };
  if (i.encounterId) resource.encounter = { reference: `Encounter/${i.encounterId}` };
  if (i.givenAt) resource.date = ukDateTime(i.givenAt);
  resource.primarySource = i.primarySource;
  if (i.locationId) resource.location = { reference: `Location/${i.locationId}` };
  if (i.manufacturerId) resource.manufacturer = { reference: `Organization/${i.manufacturerId}` };
  if (i.lotNumber) resource.lotNumber = i.lotNumber;
  if (i.expirationDate) resource.expirationDate = i.expirationDate;
  if (!i.notGiven) {
    if (i.site) resource.site = concept(i.site);
    if (i.route) resource.route = concept(i.route);
    if (i.doseQuantity) resource.doseQuantity = fhirQuantity(i.doseQuantity);
  }
  const practitioner: Resource = {};
  if (i.practitioner.role) {
    practitioner.role = { coding: [{ system: practitionerRoleSystem, code: i.practitioner.role, display: practitionerRoles[i.practitioner.role] }] };
  }
  practitioner.actor = { reference: `Practitioner/${i.practitioner.id}` };
  resource.practitioner = [practitioner];
  if (i.notes.length > 0) resource.note = i.notes.map(annotation);
  if (i.reasons.length > 0) {
    resource.explanation = i.notGiven ? { reasonNotGiven: i.reasons.map(concept) } : { reason: i.reasons.map(concept) };
  }
  if (!i.notGiven && i.protocol) {
    const p = i.protocol;
    const protocol: Resource = { doseSequence: p.doseSequence };
    if (p.description) protocol.description = p.description;
    if (p.seriesDoses !== undefined && p.seriesDoses !== null) protocol.seriesDoses = p.seriesDoses;
    protocol.targetDisease = (p.targetDisease ?? []).map(concept);
    protocol.doseStatus = { coding: [{ system: doseStatusSystem, code: 'count', display: 'Counts' }] };
    resource.vaccinationProtocol = [protocol];
  }
  return resource;
}

/** The vaccine product; unknown ⇒ nullFlavor UNK (every coding needs a system and a code). */
function vaccineCode(c: Coded): Resource {
  const codings = (c.coding ?? []).filter((x) => x.system && x.code);
  if (codings.length > 0) return concept({ ...c, coding: codings });
  const out: Resource = { coding: [{ system: structuredCodeSystems.nullFlavor, code: 'UNK', display: 'unknown' }] };
  if (c.text) out.text = c.text;
  return out;
}
