import { immunizationExtensions } from '../structured/immunisations.ts';
import type { ReadContext } from './clinical-rows.ts';
import { asArray, extensionOf, type Fhir } from './record-bundle.ts';

/**
 * Immunization → immunisation rows (src/structured/immunisations.ts in reverse). A vaccine coded
 * nullFlavor UNK is kept as written (the builder writes it back unchanged).
 */
export function readImmunisations(ctx: ReadContext): void {
  for (const i of ctx.bundle.ofType('Immunization')) {
    const r = ctx.bundle.reader(i);
    r.patient(i.patient, 'patient');
    const vaccine = r.coded(i.vaccineCode, 'vaccineCode', true);
    const practitioner = asArray(i.practitioner)[0] as Fhir | undefined;
    const protocol = asArray(i.vaccinationProtocol)[0] as Fhir | undefined;
    const reasons = asArray(i.explanation?.reason ?? i.explanation?.reasonNotGiven);
    const parentPresent = extensionOf(i, immunizationExtensions.parentPresent)?.valueBoolean;
    const dose = i.doseQuantity;
    ctx.rows.immunisations.push({
      ...r.item(ctx.patientId),
      notGiven: i.notGiven === true,
      vaccineCode: vaccine,
      vaccinationProcedure: r.coded(extensionOf(i, immunizationExtensions.vaccinationProcedure)?.valueCodeableConcept, 'extension(VaccinationProcedure)', true),
      givenAt: r.instant(i.date, 'date'),
      recordedAt: r.instant(extensionOf(i, immunizationExtensions.dateRecorded)?.valueDateTime, 'extension(DateRecorded)', true),
      primarySource: i.primarySource !== false,
      parentPresent: typeof parentPresent === 'boolean' ? parentPresent : undefined,
      locationId: r.reference(i.location, 'location', ['Location']),
      manufacturerId: r.organization(i.manufacturer, 'manufacturer'),
      lotNumber: r.string(i.lotNumber, 'lotNumber'),
      expirationDate: r.date(i.expirationDate, 'expirationDate'),
      site: r.coded(i.site, 'site'),
      route: r.coded(i.route, 'route'),
      doseQuantity: dose && { value: r.number(dose.value, 'doseQuantity.value'), unit: dose.unit, system: dose.system, code: dose.code },
      practitionerId: r.practitioner(practitioner?.actor, 'practitioner[0].actor', true),
      practitionerRole: r.code(asArray(practitioner?.role?.coding)[0]?.code, 'practitioner[0].role', ['AP', 'EP'] as const),
      reasons: reasons.map((c: Fhir, n: number) => r.coded(c, `explanation.reason[${n}]`, true)).filter(Boolean),
      protocol: protocol && {
        doseSequence: r.number(protocol.doseSequence, 'vaccinationProtocol[0].doseSequence'),
        seriesDoses: r.number(protocol.seriesDoses, 'vaccinationProtocol[0].seriesDoses'),
        description: r.string(protocol.description, 'vaccinationProtocol[0].description'),
        targetDisease: asArray(protocol.targetDisease).map((c: Fhir, n: number) => r.coded(c, `vaccinationProtocol[0].targetDisease[${n}]`, true)).filter(Boolean),
      },
      encounterId: r.encounter(i.encounter, 'encounter'),
      notes: r.notes(i.note, 'note'),
    });
  }
}
