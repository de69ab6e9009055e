import type { Address, ContactPoint } from './directory.ts';

export interface PatientContact {
  relationship: string[];
  prefix: string[];
  given: string[];
  family: string;
  telecom: ContactPoint[];
  address: Address | undefined;
  gender: string | undefined;
}

export interface NhsCommunication {
  language: { code: string; display: string };
  preferred?: boolean;
  modeOfCommunication?: { code: string; display: string };
  communicationProficiency?: { code: string; display: string };
  interpreterRequired?: boolean;
}

/** A patient registered (now or before) at a practice. */
export interface Patient {
  id: string;
  nhsNumber: string;
  prefix: string[];
  given: string[];
  family: string;
  /** Names besides the official one (nickname, ...), kept as FHIR HumanName objects. */
  otherNames: Record<string, unknown>[];
  gender: string | undefined;
  birthDate: string;
  addresses: Address[];
  telecom: ContactPoint[];
  contacts: PatientContact[];
  nhsCommunication: NhsCommunication | undefined;
  registration: {
    start: Date;
    end: Date | undefined;
    /** CareConnect-RegistrationType-1 code. */
    type: string;
    status: 'active' | 'inactive';
  };
  usualGpId: string | undefined;
  preferredBranchLocationId: string | undefined;
  sensitive: boolean;
  deceased: string | undefined;
  dissent: boolean;
  nhsNumberVerified: boolean;
  version: number;
}

/**
 * Spec glossary: an active patient has not left and is not deceased, and has a PDS-verified NHS
 * number. Foundations shares only those, and (suite, demonstrator) never a sensitive (S-flag) one.
 * Dissent is not applied to Foundations.
 */
export function isShareable(patient: Patient): boolean {
  return patient.registration.status === 'active' && patient.deceased === undefined && !patient.sensitive && patient.nhsNumberVerified;
}

/**
 * The PDS verification rule of Find a patient and Register a patient: the date of birth matches
 * PDS exactly, or two of its three parts (YYYY, MM, DD) match and so do the first three letters of
 * the family name and the initial of the first given name.
 */
export function demographicsMatchPds(
  local: { birthDate: string; family: string; given: string[] },
  pds: { birthDate: string; family: string; given: string[] },
): boolean {
  if (local.birthDate === pds.birthDate) return true;
  const a = local.birthDate.split('-');
  const b = pds.birthDate.split('-');
  const datePartsMatching = [0, 1, 2].filter((i) => a[i] === b[i]).length;
  const familyMatches = local.family.slice(0, 3).toUpperCase() === pds.family.slice(0, 3).toUpperCase();
  const initialMatches = (local.given[0]?.[0] ?? '').toUpperCase() === (pds.given[0]?.[0] ?? '').toUpperCase();
  return datePartsMatching >= 2 && familyMatches && initialMatches;
}
