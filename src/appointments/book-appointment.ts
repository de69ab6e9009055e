import type { AppointmentParticipant } from '../domain/appointment.ts';
import { isOfferedTo, type Slot } from '../domain/diary.ts';
import { isShareable } from '../domain/patient.ts';
import { parseFhirDateTime } from '../fhir/datetime.ts';
import { GpcError } from '../fhir/errors.ts';
import { codeSystems, extensions, identifierSystems } from '../fhir/systems.ts';
import type { Handler } from '../http/handler.ts';
import { wantsMinimalReturn } from '../http/prefer.ts';
import { insertAppointment } from '../store/appointments.ts';
import { isUniqueViolation } from '../store/db.ts';
import { findSchedules, findSlots, takeSlots } from '../store/diary.ts';
import { findPatient } from '../store/patients.ts';
import { appointmentResource } from './resources.ts';

type Json = Record<string, unknown>;
const invalid = (diagnostics: string) => new GpcError('INVALID_RESOURCE', diagnostics);

/**
 * POST /Appointment: books one or more contiguous free slots of one schedule for a patient of
 * this practice. Everything wrong inside the Appointment is 422 INVALID_RESOURCE (suite, also
 * for unknown slots); a slot another booking took first is 409 DUPLICATE_REJECTED.
 */
export const bookAppointment: Handler = async (ctx) => {
  const request = readBooking(ctx.body);
  const practice = ctx.practice.odsCode;

  const patient = await findPatient(ctx.db, practice, request.patientId);
  if (!patient) throw invalid(`Patient/${request.patientId} is not a patient of this practice`);
  // Appointments IG: a sensitive (S-flag) patient is answered as not found.
  if (patient.sensitive) throw new GpcError('PATIENT_NOT_FOUND', `Patient/${request.patientId} was not found`);
  if (!isShareable(patient)) throw invalid(`Patient/${request.patientId} is not an active patient of this practice`);
  ctx.audit.patientId = patient.id;

  return ctx.commit(async (tx) => {
    // Locked until the end of the transaction: a concurrent booking of the same slots waits here.
    const slots = await findSlots(tx, practice, request.slotIds, true);
    const schedule = checkSlots(slots, request, ctx.now);
    const [scheduleRow] = await findSchedules(tx, practice, [schedule]);
    if (!scheduleRow) throw invalid('The slots belong to no schedule of this practice');
    if (request.locationId !== scheduleRow.locationId) throw invalid(`The Location participant must be the schedule's Location/${scheduleRow.locationId}`);
    if (request.practitionerId !== undefined && request.practitionerId !== scheduleRow.practitionerId) {
      throw invalid("The Practitioner participant must be the schedule's practitioner");
    }
    if (slots.some((s) => s.status !== 'free')) throw new GpcError('DUPLICATE_REJECTED', 'A requested slot is no longer free');
    if ((await takeSlots(tx, practice, request.slotIds)) !== request.slotIds.length) {
      throw new GpcError('DUPLICATE_REJECTED', 'A requested slot is no longer free');
    }

    // The schedule's practitioner is recorded as a participant even when the consumer left it out.
    const participants = [...request.participants];
    if (request.practitionerId === undefined && scheduleRow.practitionerId !== undefined) {
      participants.push({ actor: `Practitioner/${scheduleRow.practitionerId}`, status: 'accepted' });
    }
    let appointment;
    try {
      appointment = await insertAppointment(tx, practice, {
        patientId: patient.id,
        scheduleId: scheduleRow.id,
        locationId: scheduleRow.locationId,
        practitionerId: scheduleRow.practitionerId,
        slotIds: slots.map((s) => s.id),
        start: slots[0]!.start,
        end: slots.at(-1)!.end,
        created: request.created,
        description: request.description,
        comment: request.comment,
        priority: request.priority,
        identifiers: request.identifiers,
        bookingOrganization: request.bookingOrganization,
        participants,
        serviceCategory: scheduleRow.serviceCategory,
        serviceType: slots[0]!.serviceType,
        deliveryChannel: slots[0]!.deliveryChannel,
        practitionerRole: scheduleRow.practitionerRole,
        bookedByOds: request.bookingOdsCode,
      });
    } catch (err) {
      // The unique index on live slot bookings: the last line against double booking.
      if (isUniqueViolation(err)) throw new GpcError('DUPLICATE_REJECTED', 'A requested slot is no longer free');
      throw err;
    }
    ctx.audit.appointmentId = appointment.id;
    const resource = appointmentResource(appointment);
    const headers = {
      location: `${ctx.baseUrl}/Appointment/${appointment.id}/_history/${appointment.version}`,
      etag: `W/"${appointment.version}"`,
      'last-modified': ctx.now.toUTCString(),
    };
    return { status: 201, resource: wantsMinimalReturn(ctx.headers) ? undefined : resource, headers };
  });
};

interface BookingRequest {
  patientId: string;
  locationId: string;
  practitionerId: string | undefined;
  slotIds: string[];
  start: number;
  end: number;
  created: Date;
  description: string;
  comment: string | undefined;
  priority: number | undefined;
  identifiers: { system: string; value: string }[];
  participants: AppointmentParticipant[];
  bookingOrganization: Json;
  bookingOdsCode: string;
  bookingOrganisationType: string | undefined;
}

// GPConnect-Appointment-1: what a booking may carry. reason, specialty, appointmentType and the
// other elements the profile constrains out are refused (suite: reason and specialty ⇒ 422).
const allowedElements = new Set([
  'resourceType', 'id', 'meta', 'language', 'contained', 'extension', 'identifier', 'status', 'serviceCategory',
  'serviceType', 'priority', 'description', 'start', 'end', 'minutesDuration', 'slot', 'created', 'comment', 'participant',
]);

/** Reads and checks the Appointment body; everything here is independent of the diary's state. */
export function readBooking(body: unknown): BookingRequest {
  if (!isObject(body) || body.resourceType !== 'Appointment') throw invalid('The request body must be an Appointment resource');
  const unknown = Object.keys(body).find((key) => !allowedElements.has(key));
  if (unknown) throw invalid(`Appointment.${unknown} must not be sent when booking`);
  if (body.status !== 'booked') throw invalid('Appointment.status must be booked');
  if (typeof body.description !== 'string' || body.description.trim() === '') throw invalid('Appointment.description is required');
  if (body.comment !== undefined && typeof body.comment !== 'string') throw invalid('Appointment.comment must be a string');
  // FHIR unsignedInt and positiveInt stop at 2^31 − 1 (the priority column is an integer).
  if (body.priority !== undefined && !isWholeNumber(body.priority, 0)) throw invalid(`Appointment.priority must be a whole number from 0 to ${maxInt}`);
  // minutesDuration is not kept (start and end come from the slots), but it must still be a positiveInt.
  if (body.minutesDuration !== undefined && !isWholeNumber(body.minutesDuration, 1)) {
    throw invalid(`Appointment.minutesDuration must be a whole number from 1 to ${maxInt}`);
  }
  const start = instant(body.start, 'start');
  const end = instant(body.end, 'end');
  const created = readCreated(body.created);

  if (!Array.isArray(body.slot) || body.slot.length === 0) throw invalid('Appointment.slot must reference at least one Slot');
  const slotIds = body.slot.map((s) => {
    const ref = isObject(s) ? s.reference : undefined;
    const m = typeof ref === 'string' ? /^Slot\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
    if (!m) throw invalid(`Slot reference ${String(ref)} is not a Slot of this server`);
    return m[1]!;
  });
  if (new Set(slotIds).size !== slotIds.length) throw invalid('A slot is referenced twice');

  const identifiers = readIdentifiers(body.identifier);
  const participants = readParticipants(body.participant);
  const actorIds = (type: string) => participants.filter((p) => p.actor.startsWith(`${type}/`)).map((p) => p.actor.slice(type.length + 1));
  const patients = actorIds('Patient');
  const locations = actorIds('Location');
  const practitioners = actorIds('Practitioner');
  if (patients.length !== 1) throw invalid('The appointment needs exactly one Patient participant');
  if (locations.length !== 1) throw invalid('The appointment needs exactly one Location participant');
  if (practitioners.length > 1) throw invalid('The appointment can have at most one Practitioner participant');

  const { organization, odsCode, organisationType } = readBookingOrganization(body);
  return {
    patientId: patients[0]!,
    locationId: locations[0]!,
    practitionerId: practitioners[0],
    slotIds,
    start,
    end,
    created,
    description: body.description,
    comment: body.comment as string | undefined,
    priority: body.priority as number | undefined,
    identifiers,
    participants,
    bookingOrganization: organization,
    bookingOdsCode: odsCode,
    bookingOrganisationType: organisationType,
  };
}

/**
 * The slots must exist here, be GP Connect bookable for the booking organisation, start in the
 * future, be contiguous in one schedule with one channel and type, and span exactly the
 * appointment's start and end. Returns the schedule id.
 */
function checkSlots(slots: Slot[], request: BookingRequest, now: Date): string {
  if (slots.length !== request.slotIds.length) throw invalid('A referenced slot does not exist at this practice');
  const first = slots[0]!;
  for (let i = 1; i < slots.length; i++) {
    const [previous, slot] = [slots[i - 1]!, slots[i]!];
    if (slot.scheduleId !== first.scheduleId) throw invalid('All slots of one appointment must be in the same schedule');
    if (slot.start.getTime() !== previous.end.getTime()) throw invalid('The slots of one appointment must be contiguous');
    if (slot.deliveryChannel !== first.deliveryChannel || slot.serviceType !== first.serviceType) {
      throw invalid('The slots of one appointment must have the same delivery channel and slot type');
    }
  }
  if (first.start.getTime() !== request.start || slots.at(-1)!.end.getTime() !== request.end) {
    throw invalid('Appointment.start and end must be the start of the first slot and the end of the last');
  }
  if (first.start < now) throw invalid('An appointment cannot be booked in the past');
  // Slot availability rules: the booking organisation must be one the slots may be offered to.
  // Its organisation type is only held against it when it states one (providers keep no state
  // between the search and the booking).
  for (const slot of slots) {
    const offered = isOfferedTo(
      { ...slot, bookableOrgTypes: request.bookingOrganisationType === undefined ? [] : slot.bookableOrgTypes },
      { odsCode: request.bookingOdsCode, organisationType: request.bookingOrganisationType },
    );
    if (!offered) throw invalid(`Slot/${slot.id} cannot be booked by this organisation`);
  }
  return first.scheduleId;
}

function readIdentifiers(value: unknown): { system: string; value: string }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('Appointment.identifier must be a list');
  return value.map((id) => {
    if (!isObject(id) || typeof id.system !== 'string' || typeof id.value !== 'string' || id.value === '' || id.system === '') {
      throw invalid('Every Appointment.identifier needs a system and a value');
    }
    return { system: id.system, value: id.value };
  });
}

function readParticipants(value: unknown): AppointmentParticipant[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid('Appointment.participant must list the Patient and the Location');
  return value.map((p) => {
    if (!isObject(p) || !isObject(p.actor) || typeof p.actor.reference !== 'string') throw invalid('Every participant needs an actor reference');
    const reference = p.actor.reference;
    // Spec: local relative references only (suite: absolute ones are refused).
    if (!/^(Patient|Location|Practitioner)\/[A-Za-z0-9\-.]{1,64}$/.test(reference)) {
      throw invalid(`Participant actor ${reference} must be a relative Patient, Location or Practitioner reference`);
    }
    if (typeof p.status !== 'string' || !['accepted', 'declined', 'tentative', 'needs-action'].includes(p.status)) {
      throw invalid('Every participant needs a status');
    }
    if (p.type !== undefined && !(Array.isArray(p.type) && p.type.every(isObject))) throw invalid('Participant type must be a list of CodeableConcepts');
    return { actor: reference, status: p.status, ...(p.type !== undefined ? { type: p.type as Json[] } : {}) };
  });
}

/** The BookingOrganisation extension must point (#id) at a contained Organization with an ODS code, name and telecom. */
function readBookingOrganization(body: Json): { organization: Json; odsCode: string; organisationType: string | undefined } {
  const extensionList = body.extension === undefined ? [] : body.extension;
  if (!Array.isArray(extensionList) || !extensionList.every(isObject)) throw invalid('Appointment.extension must be a list of extensions');
  // Other extensions (the DeliveryChannel and PractitionerRole the suite copies from the slot) are
  // accepted and ignored: those values come from the diary.
  if (extensionList.some((e) => typeof e.url !== 'string')) throw invalid('Every extension needs a url');
  const booking = extensionList.filter((e) => e.url === extensions.bookingOrganisation);
  if (booking.length !== 1) throw invalid('Exactly one BookingOrganisation extension is required');
  const ref = isObject(booking[0]!.valueReference) ? booking[0]!.valueReference.reference : undefined;
  if (typeof ref !== 'string' || !/^#[A-Za-z0-9\-.]{1,64}$/.test(ref)) {
    throw invalid('The BookingOrganisation extension must reference a contained Organization (#id)');
  }
  const contained = body.contained === undefined ? [] : body.contained;
  if (!Array.isArray(contained)) throw invalid('Appointment.contained must be a list');
  const organization = contained.find((c) => isObject(c) && c.resourceType === 'Organization' && c.id === ref.slice(1));
  if (!isObject(organization)) throw invalid(`No contained Organization has the id ${ref.slice(1)}`);
  if (typeof organization.name !== 'string' || organization.name.trim() === '') throw invalid('The booking organisation needs a name');
  if (!Array.isArray(organization.telecom) || organization.telecom.length === 0) throw invalid('The booking organisation needs a telecom');
  const identifiers = Array.isArray(organization.identifier) ? organization.identifier.filter(isObject) : [];
  const ods = identifiers.find((i) => (i.system === identifierSystems.odsOrganizationCode || i.system === identifierSystems.odsOrganizationCodeLegacy) && typeof i.value === 'string' && i.value !== '');
  if (!ods) throw invalid('The booking organisation needs its ODS code');
  const types = Array.isArray(organization.type) ? organization.type.filter(isObject) : [];
  const typeCoding = types.flatMap((t) => (Array.isArray(t.coding) ? t.coding.filter(isObject) : [])).find((c) => c.system === codeSystems.organisationType);
  return { organization, odsCode: ods.value as string, organisationType: typeof typeCoding?.code === 'string' ? typeCoding.code : undefined };
}

const maxInt = 2_147_483_647;
const isWholeNumber = (value: unknown, min: number) => Number.isInteger(value) && (value as number) >= min && (value as number) <= maxInt;

/** A real dateTime with its offset (no 2031-02-30, no T24:00: Date.parse would roll those over). */
function instant(value: unknown, name: string): number {
  const parsed = typeof value === 'string' ? parseFhirDateTime(value, true) : undefined;
  if (!parsed) throw invalid(`Appointment.${name} must be a dateTime with its offset`);
  return parsed.getTime();
}

// created is read back in UK local time, which has to be a FHIR dateTime (a four-digit year) equal to
// what was sent, or every later amend and cancel that sends it back unchanged would be refused. So
// created is refused unless it falls in 1900–9999, UK time: an appointment record cannot have been
// created before 1900, so an earlier year (0000, 0099, a two-digit year padded) is a consumer fault
// worth reporting now rather than storing; and 9999-12-31T23:59:59-14:00 is 10000-01-01 in the UK,
// which no FHIR dateTime can say. (Within those years every instant round-trips: UK offsets are
// whole minutes from 1847 on, and both stores keep 1900–9999 exactly.)
const earliestCreated = Date.parse('1900-01-01T00:00:00Z');
const latestCreated = Date.parse('9999-12-31T23:59:59.999Z'); // the UK is on GMT then

function readCreated(value: unknown): Date {
  const ms = instant(value, 'created');
  if (ms < earliestCreated || ms > latestCreated) {
    throw invalid(`Appointment.created must be an instant from 1900-01-01T00:00:00+00:00 to 9999-12-31T23:59:59+00:00 (UK time); ${String(value)} is not`);
  }
  return new Date(ms);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
