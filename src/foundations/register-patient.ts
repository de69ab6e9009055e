import type { Address, ContactPoint } from '../domain/directory.ts';
import { demographicsMatchPds, type NhsCommunication } from '../domain/patient.ts';
import { PdsUnavailableError, type PdsRecord } from '../domain/pds.ts';
import { searchset } from '../fhir/datatypes.ts';
import { GpcError } from '../fhir/errors.ts';
import { isValidNhsNumber } from '../fhir/nhs-number.ts';
import { extensions, identifierSystems } from '../fhir/systems.ts';
import type { Handler } from '../http/handler.ts';
import { isUniqueViolation } from '../store/db.ts';
import { findPatientByNhsNumber, insertPatient, reactivatePatient, type PatientRegistration } from '../store/patients.ts';
import { patientResource } from './patient-resource.ts';

type Json = Record<string, unknown>;

const invalid = (diagnostics: string) => new GpcError('INVALID_RESOURCE', diagnostics);
const bad = (diagnostics: string) => new GpcError('BAD_REQUEST', diagnostics);

/**
 * POST /Patient/$gpc.registerpatient: a temporary registration, or a lapsed one re-activated as
 * temporary, after a PDS trace (register-a-patient page). Error codes follow the suite where it
 * is stricter than the page's table (foundations digest §5.2).
 */
export const registerPatient: Handler = async (ctx) => {
  const request = readRegistration(ctx.body);
  const pds = await traceOnPds(ctx.pds, request.nhsNumber);
  verifyDemographics(request, pds);
  const registration: PatientRegistration = { ...request, gender: request.gender ?? pds.gender, registrationType: 'T', start: ctx.now };

  return ctx.commit(async (tx) => {
    const existing = await findPatientByNhsNumber(tx, ctx.practice.odsCode, request.nhsNumber, true);
    if (existing?.deceased !== undefined) throw new GpcError('INVALID_PATIENT_DEMOGRAPHICS', 'The patient is recorded as deceased');
    if (existing?.registration.status === 'active') {
      throw new GpcError('DUPLICATE_REJECTED', 'The patient already has an active registration at this practice');
    }
    let patient;
    try {
      patient = existing
        ? await reactivatePatient(tx, ctx.practice.odsCode, existing.id, registration)
        : await insertPatient(tx, ctx.practice.odsCode, registration);
    } catch (err) {
      // Two registrations of one NHS number racing: the unique index lets one through.
      if (isUniqueViolation(err)) throw new GpcError('DUPLICATE_REJECTED', 'The patient already has an active registration at this practice');
      throw err;
    }
    ctx.audit.patientId = patient.id;
    return { resource: searchset([patientResource(patient, ctx.practice.organizationId)]) };
  });
};

type RegistrationRequest = Omit<PatientRegistration, 'registrationType' | 'start'>;

const allowedPatientElements = new Set(['resourceType', 'id', 'meta', 'extension', 'identifier', 'name', 'telecom', 'gender', 'birthDate', 'address']);
const genders = new Set(['male', 'female', 'other', 'unknown']);

/** Reads the Parameters body into the demographics to register, refusing anything the spec forbids. */
function readRegistration(body: unknown): RegistrationRequest {
  if (!isObject(body) || body.resourceType !== 'Parameters') throw invalid('The request body must be a Parameters resource');
  if (!Array.isArray(body.parameter)) throw invalid('Parameters.parameter must hold the registerPatient parameter');
  const named = body.parameter.filter((p) => isObject(p) && p.name === 'registerPatient');
  if (named.length > 1) throw bad('The registerPatient parameter must be sent once');
  const unknown = body.parameter.find((p) => !isObject(p) || p.name !== 'registerPatient');
  if (unknown !== undefined) throw invalid(`Unknown parameter ${isObject(unknown) ? String(unknown.name) : ''}: only registerPatient is defined`);
  const patient = (named[0] as Json | undefined)?.resource;
  if (!isObject(patient) || patient.resourceType !== 'Patient') throw invalid('The registerPatient parameter must hold a Patient resource');

  const forbidden = Object.keys(patient).find((key) => !allowedPatientElements.has(key));
  if (forbidden) throw invalid(`Patient.${forbidden} must not be sent when registering a patient`);

  const nhsNumber = readNhsNumber(patient.identifier);
  const name = readOfficialName(patient.name);
  if (typeof patient.birthDate !== 'string' || patient.birthDate === '') throw bad('Patient.birthDate is required');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(patient.birthDate) || Number.isNaN(Date.parse(patient.birthDate))) throw bad('Patient.birthDate must be a date, YYYY-MM-DD');
  if (patient.gender !== undefined && !genders.has(patient.gender as string)) throw invalid('Patient.gender must be male, female, other or unknown');

  return {
    nhsNumber,
    ...name,
    gender: patient.gender as string | undefined,
    birthDate: patient.birthDate,
    addresses: readAddresses(patient.address),
    telecom: readTelecom(patient.telecom),
    nhsCommunication: readNhsCommunication(patient.extension),
  };
}

function readNhsNumber(identifiers: unknown): string {
  if (identifiers === undefined || (Array.isArray(identifiers) && identifiers.length === 0)) throw new GpcError('INVALID_NHS_NUMBER', 'Patient.identifier must hold the NHS number');
  if (!Array.isArray(identifiers) || !identifiers.every(isObject)) throw invalid('Patient.identifier must be a list of identifiers');
  if (identifiers.some((id) => typeof id.system !== 'string' || id.system === '')) throw bad('Every Patient.identifier needs a system');
  const nhs = identifiers.filter((id) => id.system === identifierSystems.nhsNumber);
  if (nhs.length !== 1) throw new GpcError('INVALID_NHS_NUMBER', 'Patient.identifier must hold exactly one NHS number');
  const value = nhs[0]!.value;
  if (typeof value !== 'string' || !isValidNhsNumber(value)) throw new GpcError('INVALID_NHS_NUMBER', 'The NHS number is not 10 digits with a valid check digit');
  return value;
}

function readOfficialName(names: unknown): Pick<RegistrationRequest, 'prefix' | 'given' | 'family' | 'otherNames'> {
  if (names === undefined || (Array.isArray(names) && names.length === 0)) throw bad('Patient.name is required, with one official name');
  if (!Array.isArray(names) || !names.every(isObject)) throw invalid('Patient.name must be a list of names');
  const official = names.filter((n) => n.use === 'official');
  if (official.length !== 1) throw bad('Patient.name must hold exactly one official name');
  const name = official[0]!;
  if (typeof name.family !== 'string' || name.family.trim() === '') throw bad('The official name needs a family name');
  return {
    family: name.family,
    given: stringList(name.given, 'Patient.name.given'),
    prefix: stringList(name.prefix, 'Patient.name.prefix'),
    // Other names (a nickname, say) are kept and returned, as Must-Support data received must be.
    otherNames: names.filter((n) => n.use !== 'official' && typeof n.family === 'string'),
  };
}

function stringList(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalid(`${path} must be a list of strings`);
  return value;
}

// Register page: at most one home and one temp address; no other use. No use given reads as temp.
function readAddresses(addresses: unknown): Address[] {
  if (addresses === undefined) return [];
  if (!Array.isArray(addresses) || !addresses.every(isObject)) throw invalid('Patient.address must be a list of addresses');
  const seen = new Set<string>();
  return addresses.map((a) => {
    const use = (a.use as string | undefined) ?? 'temp';
    if (use !== 'home' && use !== 'temp') throw invalid(`An address with use ${use} cannot be sent: only home and temp`);
    if (seen.has(use)) throw invalid(`Only one ${use} address may be sent`);
    seen.add(use);
    return {
      use,
      lines: stringList(a.line, 'Patient.address.line'),
      city: optionalString(a.city),
      district: optionalString(a.district),
      postalCode: optionalString(a.postalCode),
      country: optionalString(a.country),
    };
  });
}

// Register page: no more than one telecom of each use (the suite answers duplicates with 400); one email.
function readTelecom(telecom: unknown): ContactPoint[] {
  if (telecom === undefined) return [];
  if (!Array.isArray(telecom) || !telecom.every(isObject)) throw invalid('Patient.telecom must be a list of contact points');
  const seen = new Set<string>();
  return telecom.map((t) => {
    if (typeof t.system !== 'string' || typeof t.value !== 'string') throw invalid('Every Patient.telecom needs a system and a value');
    const key = t.system === 'email' ? 'email' : String(t.use ?? 'home');
    if (seen.has(key)) throw bad(`Only one telecom of use ${key} may be sent`);
    seen.add(key);
    return { system: t.system, value: t.value, use: t.use as string | undefined };
  });
}

function readNhsCommunication(list: unknown): NhsCommunication | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || !list.every(isObject)) throw invalid('Patient.extension must be a list of extensions');
  const unknown = list.find((e) => e.url !== extensions.nhsCommunication);
  if (unknown) throw invalid(`Extension ${String(unknown.url)} cannot be sent when registering a patient`);
  if (list.length > 1) throw invalid('Only one NHSCommunication extension may be sent');
  if (list.length === 0) return undefined;
  const parts = Array.isArray(list[0]!.extension) ? (list[0]!.extension as Json[]) : [];
  const part = (url: string) => parts.find((p) => isObject(p) && p.url === url);
  const coding = (p: Json | undefined) => {
    const c = ((p?.valueCodeableConcept as Json | undefined)?.coding as Json[] | undefined)?.[0];
    return c && typeof c.code === 'string' ? { code: c.code, display: String(c.display ?? c.code) } : undefined;
  };
  const language = coding(part('language'));
  if (!language) throw invalid('The NHSCommunication extension needs a coded language');
  return {
    language,
    preferred: part('preferred')?.valueBoolean as boolean | undefined,
    modeOfCommunication: coding(part('modeOfCommunication')),
    communicationProficiency: coding(part('communicationProficiency')),
    interpreterRequired: part('interpreterRequired')?.valueBoolean as boolean | undefined,
  };
}

async function traceOnPds(pds: Parameters<Handler>[0]['pds'], nhsNumber: string): Promise<PdsRecord> {
  let record: PdsRecord | undefined;
  try {
    record = await pds.trace(nhsNumber);
  } catch (err) {
    if (err instanceof PdsUnavailableError) throw new GpcError('INTERNAL_SERVER_ERROR', 'PDS could not be reached to trace the patient');
    throw err;
  }
  if (!record) throw new GpcError('INVALID_PATIENT_DEMOGRAPHICS', 'The NHS number was not found on PDS');
  if (record.superseded) throw new GpcError('INVALID_NHS_NUMBER', 'The NHS number is superseded or invalid on PDS');
  if (record.deceased !== undefined) throw new GpcError('INVALID_PATIENT_DEMOGRAPHICS', 'PDS records the patient as deceased');
  if (record.sensitive) throw new GpcError('INVALID_PATIENT_DEMOGRAPHICS', 'The patient cannot be registered here');
  return record;
}

/** Register page: the NHS number is verified against PDS (rule in demographicsMatchPds). */
function verifyDemographics(request: RegistrationRequest, pds: PdsRecord): void {
  if (!demographicsMatchPds(request, pds)) throw new GpcError('INVALID_PATIENT_DEMOGRAPHICS', 'The demographics sent do not match PDS');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
