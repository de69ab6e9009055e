/**
 * The clinical record (Access Record Structured), as held in the store (0003_clinical.sql).
 * Ids are FHIR logical ids, unique per practice and resource type; references to other items are
 * ids; practitioner, organisation and location ids point into the practice's directory.
 */

export interface Coding {
  system: string;
  code: string;
  display?: string;
  /** SNOMED description id and term, when the record used a specific description. */
  descriptionId?: string;
  descriptionDisplay?: string;
}

/** A FHIR CodeableConcept: the record's coding first, then any translations. */
export interface Coded {
  coding?: Coding[];
  text?: string;
}

export interface Identifier {
  system: string;
  value: string;
}

export interface Note {
  text: string;
  /** Date or dateTime of the note. */
  time?: string;
  authorId?: string;
}

export interface Quantity {
  value?: number;
  unit?: string;
  system?: string;
  code?: string;
}

export type ObservationValue = { quantity: Quantity } | { string: string } | { codeableConcept: Coded };

/** Fields every clinical item has. */
interface Item {
  id: string;
  patientId: string;
  identifiers: Identifier[];
  /** Withheld from retrieval (and from migrate without sensitive data); lists it would be in get confidential-items. */
  confidential: boolean;
}

export interface Allergy extends Item {
  clinicalStatus: 'active' | 'resolved';
  category: 'medication' | 'environment';
  code: Coded;
  onsetAt?: Date;
  assertedAt: Date;
  endAt?: Date;
  /** Absent when no reason was recorded ("No information available"). */
  endReason?: string;
  reaction?: { manifestation?: Coded; severity?: 'mild' | 'moderate' | 'severe' };
  note?: string;
  recorderId: string;
  encounterId?: string;
}

export interface Medication {
  id: string;
  code: Coded;
  batchNumber?: string;
  expiryDate?: string;
}

export type PrescriptionType = 'acute' | 'repeat' | 'repeat-dispensing' | 'delayed-prescribing';
export type MedicationStatus = 'active' | 'completed' | 'stopped';

/** A plan (authorisation) or an order (one issue under a plan). Dates are YYYY-MM-DD. */
export interface MedicationRequest extends Item {
  intent: 'plan' | 'order';
  planId?: string;
  groupIdentifier?: string;
  status: MedicationStatus;
  medicationId: string;
  prescriptionType: PrescriptionType;
  authoredOn: string;
  requesterId?: string;
  recorderId: string;
  dosageText: string;
  patientInstruction?: string;
  validity: { start: string; end?: string };
  quantity?: { value?: number; unit?: string; text?: string };
  supplyDays?: number;
  dispenserId?: string;
  priorPlanId?: string;
  repeats?: { allowed?: number; issued?: number; authorisationExpiry?: string };
  statusReason?: { reason?: string; changedOn?: string };
  encounterId?: string;
  notes: Note[];
}

export type PrescribingAgency = 'prescribed-at-gp-practice' | 'prescribed-by-another-organisation' | 'prescribed-by-previous-practice';

/** One per plan: the course as a whole. Dates are YYYY-MM-DD. */
export interface MedicationStatement extends Item {
  planId: string;
  medicationId: string;
  status: MedicationStatus;
  effective: { start: string; end?: string };
  assertedOn: string;
  lastIssueDate?: string;
  dosageText: string;
  patientInstruction?: string;
  dosageLastChanged?: string;
  prescribingAgency: PrescribingAgency;
  prescribingAgencyText?: string;
  encounterId?: string;
  notes: Note[];
}

/** The FHIR resource type a linked item is referenced as. */
export type ClinicalItemType =
  | 'AllergyIntolerance' | 'MedicationRequest' | 'Immunization' | 'Observation' | 'DiagnosticReport'
  | 'ReferralRequest' | 'ProcedureRequest' | 'DocumentReference';

export type ProblemLink =
  | { relation: 'actual-problem' | 'related'; targetType: ClinicalItemType | 'Encounter'; targetId: string }
  | { relation: 'parent' | 'child' | 'sibling'; targetType: 'Condition'; targetId: string };

export interface Problem extends Item {
  status: 'active' | 'inactive';
  significance: 'major' | 'minor';
  code: Coded;
  onsetAt?: Date;
  abatedAt?: Date;
  assertedAt: Date;
  asserterId: string;
  /** The consultation the problem was created in. */
  encounterId?: string;
  notes: Note[];
  /** In order. */
  links: ProblemLink[];
}

export interface Encounter extends Item {
  status: 'finished' | 'unknown';
  type: Coded;
  period: { start: Date; end?: Date };
  recorderId: string;
  performerId?: string;
  locationId?: string;
  serviceProviderId?: string;
  recordedAt: Date;
}

/** A level of a consultation's structure; each becomes a List. */
export interface ConsultationSection {
  id: string;
  encounterId: string;
  kind: 'consultation' | 'topic' | 'heading';
  parentId?: string;
  position: number;
  title?: string;
  relatedProblemId?: string;
  /** Clinical items held by a (flat) topic or a heading, in display order. */
  items: { type: ClinicalItemType; id: string }[];
}

export interface Immunisation extends Item {
  notGiven: boolean;
  vaccineCode: Coded;
  vaccinationProcedure: Coded;
  givenAt?: Date;
  recordedAt: Date;
  primarySource: boolean;
  parentPresent?: boolean;
  locationId?: string;
  manufacturerId?: string;
  lotNumber?: string;
  expirationDate?: string;
  site?: Coded;
  route?: Coded;
  doseQuantity?: Quantity;
  practitioner: { id: string; role?: 'AP' | 'EP' };
  reasons: Coded[];
  protocol?: { doseSequence: number; seriesDoses?: number; description?: string; targetDisease: Coded[] };
  encounterId?: string;
  notes: Note[];
}

export type ObservationKind = 'uncategorised' | 'narrative' | 'test-group' | 'test-result' | 'filing-comment';

export interface Observation extends Item {
  kind: ObservationKind;
  status: 'final' | 'preliminary' | 'amended' | 'unknown';
  category?: Coded;
  code: Coded;
  effective?: { start: Date; end?: Date };
  issuedAt: Date;
  performer: { practitionerId?: string; organizationId?: string };
  value?: ObservationValue;
  interpretation?: Coded;
  comment?: string;
  referenceRange?: { low?: number; high?: number; text?: string };
  components: { code: Coded; value?: ObservationValue }[];
  specimenId?: string;
  encounterId?: string;
  related: { type: 'has-member' | 'derived-from' | 'sequel-to'; targetId: string }[];
}

export interface Specimen extends Omit<Item, 'confidential'> {
  status?: 'available' | 'unavailable' | 'unsatisfactory' | 'entered-in-error';
  type: Coded;
  collectedAt?: Date;
  receivedAt?: Date;
  note?: string;
}

/** A test request of an investigation, or a diary entry (a planned recall or review). */
export interface ProcedureRequest extends Item {
  kind: 'test-request' | 'diary';
  status: 'active' | 'completed' | 'cancelled';
  code: Coded;
  authoredAt?: Date;
  requesterId?: string;
  performerOrganizationId?: string;
  /** Diary: when it is due (YYYY-MM-DD), a day or a window. */
  due?: { start: string; end?: string };
  reasonCodes: Coded[];
  encounterId?: string;
  notes: Note[];
}

export interface DiagnosticReport extends Item {
  status: 'final' | 'preliminary' | 'unknown';
  issuedAt: Date;
  requestId?: string;
  performerOrganizationId?: string;
  conclusion?: string;
  encounterId?: string;
  specimenIds: string[];
  /** Test groups, standalone results and report-level filing comments, in order. */
  resultIds: string[];
}

export interface Referral extends Item {
  status: 'unknown' | 'cancelled';
  priority?: 'routine' | 'urgent' | 'asap';
  authoredAt?: Date;
  requesterId: string;
  recipientOrganizationId?: string;
  reasonCodes: Coded[];
  description?: string;
  encounterId?: string;
  notes: Note[];
}

export type ClinicalArea =
  | 'allergies' | 'medications' | 'problems' | 'consultations' | 'immunisations' | 'uncategorised'
  | 'investigations' | 'referrals' | 'diary';

export type ListWarningCode = 'confidential-items' | 'data-in-transit' | 'data-awaiting-filing';

/** A warning the practice puts on a patient's lists ('all': every list returned). */
export interface RecordWarning {
  patientId: string;
  area: ClinicalArea | 'all';
  code: ListWarningCode;
  /** data-in-transit / data-awaiting-filing: information recorded before this date (YYYY-MM-DD) may be missing. */
  recordedBefore?: string;
}
