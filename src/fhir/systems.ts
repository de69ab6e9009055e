/** Profile, extension, code system and identifier URLs: each written once, here. */

const sd = 'https://fhir.nhs.uk/STU3/StructureDefinition/';

export const profiles = {
  patient: `${sd}CareConnect-GPC-Patient-1`,
  practitioner: `${sd}CareConnect-GPC-Practitioner-1`,
  practitionerRole: `${sd}CareConnect-GPC-PractitionerRole-1`,
  organization: `${sd}CareConnect-GPC-Organization-1`,
  location: `${sd}CareConnect-GPC-Location-1`,
  operationOutcome: `${sd}GPConnect-OperationOutcome-1`,
  searchsetBundle: `${sd}GPConnect-Searchset-Bundle-1`,
  appointment: `${sd}GPConnect-Appointment-1`,
  schedule: `${sd}GPConnect-Schedule-1`,
  slot: `${sd}GPConnect-Slot-1`,
  allergyIntolerance: `${sd}CareConnect-GPC-AllergyIntolerance-1`,
  medication: `${sd}CareConnect-GPC-Medication-1`,
  medicationStatement: `${sd}CareConnect-GPC-MedicationStatement-1`,
  medicationRequest: `${sd}CareConnect-GPC-MedicationRequest-1`,
  list: `${sd}CareConnect-GPC-List-1`,
  structuredRecordBundle: `${sd}GPConnect-StructuredRecord-Bundle-1`,
  immunization: `${sd}CareConnect-GPC-Immunization-1`,
  problemHeader: `${sd}CareConnect-GPC-ProblemHeader-Condition-1`,
  encounter: `${sd}CareConnect-GPC-Encounter-1`,
  observation: `${sd}CareConnect-GPC-Observation-1`,
  diagnosticReport: `${sd}CareConnect-GPC-DiagnosticReport-1`,
  specimen: `${sd}CareConnect-GPC-Specimen-1`,
  procedureRequest: `${sd}CareConnect-GPC-ProcedureRequest-1`,
  referralRequest: `${sd}CareConnect-GPC-ReferralRequest-1`,
} as const;

export const operations = {
  registerPatient: 'https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-RegisterPatient-Operation-1',
  getStructuredRecord: 'https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-GetStructuredRecord-Operation-1/_history/1.15',
} as const;

export const extensions = {
  nhsNumberVerificationStatus: `${sd}Extension-CareConnect-GPC-NHSNumberVerificationStatus-1`,
  registrationDetails: `${sd}Extension-CareConnect-GPC-RegistrationDetails-1`,
  nhsCommunication: `${sd}Extension-CareConnect-GPC-NHSCommunication-1`,
  deliveryChannel: `${sd}Extension-GPConnect-DeliveryChannel-2`,
  practitionerRole: `${sd}Extension-GPConnect-PractitionerRole-1`,
  bookingOrganisation: `${sd}Extension-GPConnect-BookingOrganisation-1`,
  cancellationReason: `${sd}Extension-GPConnect-AppointmentCancellationReason-1`,
} as const;

export const codeSystems = {
  nhsNumberVerificationStatus: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-NHSNumberVerificationStatus-1',
  registrationType: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-RegistrationType-1',
  humanLanguage: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-HumanLanguage-1',
  spineErrorOrWarningCode: 'https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1',
  sdsJobRoleName: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1',
  organisationType: 'https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1',
} as const;

export const identifierSystems = {
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  odsOrganizationCode: 'https://fhir.nhs.uk/Id/ods-organization-code',
  /** Pre-STU3 form, still accepted where a consumer sends it (JWT, organisation search). */
  odsOrganizationCodeLegacy: 'http://fhir.nhs.net/Id/ods-organization-code',
  odsSiteCode: 'https://fhir.nhs.uk/Id/ods-site-code',
  sdsUserId: 'https://fhir.nhs.uk/Id/sds-user-id',
  sdsRoleProfileId: 'https://fhir.nhs.uk/Id/sds-role-profile-id',
} as const;

/** CareConnect-RegistrationType-1 displays. */
export const registrationTypes: Record<string, string> = {
  R: 'Regular',
  E: 'Emergency',
  IN: 'Immediately necessary',
  T: 'Temporary',
  P: 'Private',
  O: 'Other',
  S: 'Synthetic Record',
};
