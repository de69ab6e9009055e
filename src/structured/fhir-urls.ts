/**
 * Access Record Structured: extension and code-system URLs (structured digest §23), each written
 * once, here. Resource profile URLs are in src/fhir/systems.ts (`profiles`), re-exported below so an
 * area builder needs one import.
 */
export { profiles } from '../fhir/systems.ts';

const sd = 'https://fhir.nhs.uk/STU3/StructureDefinition/';
const ukSd = 'https://fhir.hl7.org.uk/STU3/StructureDefinition/';

export const structuredExtensions = {
  /** List: valueCode confidential-items | data-in-transit | data-awaiting-filing. */
  listWarningCode: `${sd}Extension-CareConnect-GPC-ListWarningCode-1`,
  /** List: valueCodeableConcept, SNOMED 1060971000000108 "General practice service". */
  clinicalSetting: `${sd}Extension-CareConnect-GPC-ClinicalSetting-1`,
  /** AllergyIntolerance (resolved): sub-extensions endDate (valueDateTime) and reasonEnded (valueString). */
  allergyIntoleranceEnd: `${sd}Extension-CareConnect-GPC-AllergyIntoleranceEnd-1`,
  /** AllergyIntolerance: the consultation it was recorded in (valueReference Encounter/…). */
  associatedEncounter: 'http://hl7.org/fhir/StructureDefinition/encounter-associatedEncounter',
  /**
   * SNOMED description id on a Coding (sub-extensions descriptionId valueId, descriptionDisplay
   * valueString), as AllergyIntolerance, Medication, MedicationStatement, MedicationRequest,
   * Observation and DocumentReference profiles name it.
   */
  codingSctDescId: `${sd}Extension-coding-sctdescid`,
  /** The same, as Condition, Encounter, DiagnosticReport, Specimen and ProcedureRequest profiles name it. */
  codingSctDescIdUk: `${ukSd}Extension-coding-sctdescid`,
} as const;

export const structuredCodeSystems = {
  snomed: 'http://snomed.info/sct',
  listEmptyReason: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListEmptyReasonCode-1',
  listWarningCode: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListWarningCode-1',
  /** Secondary (problems / consultations) list codes. Not the fhir.nhs.uk form the big consultation example shows. */
  secondaryListValues: 'https://fhir.hl7.org.uk/STU3/CodeSystem/GPConnect-SecondaryListValues-1',
  listOrder: 'http://hl7.org/fhir/list-order',
  nullFlavor: 'http://hl7.org/fhir/v3/NullFlavor',
} as const;

/** SNOMED codes the structured record writes itself. */
export const snomedCodes = {
  generalPracticeService: { code: '1060971000000108', display: 'General practice service' },
  /** "No known allergy" and the descendants GP systems record. */
  noKnownAllergy: ['716186003', '409137002', '428607008', '429625007', '428197003'] as readonly string[],
} as const;
