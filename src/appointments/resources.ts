import type { Appointment } from '../domain/appointment.ts';
import type { Schedule, Slot } from '../domain/diary.ts';
import { compact, meta, reference, type Resource } from '../fhir/datatypes.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import { codeSystems, extensions, profiles } from '../fhir/systems.ts';

/** GPConnect-Slot-1: no specialty and no comment (suite); the slot type as serviceType.text (spec SHALL). */
export function slotResource(s: Slot): Resource {
  return {
    resourceType: 'Slot',
    id: s.id,
    meta: meta(s.version, profiles.slot),
    extension: [deliveryChannel(s.deliveryChannel)],
    serviceType: [{ text: s.serviceType }],
    schedule: reference('Schedule', s.scheduleId),
    status: s.status,
    start: ukDateTime(s.start),
    end: ukDateTime(s.end),
  };
}

/** GPConnect-Schedule-1: exactly one PractitionerRole extension, a Location actor, no serviceType/specialty/comment. */
export function scheduleResource(s: Schedule): Resource {
  return compact({
    resourceType: 'Schedule',
    id: s.id,
    meta: meta(s.version, profiles.schedule),
    extension: [practitionerRole(s.practitionerRole)],
    serviceCategory: s.serviceCategory ? { text: s.serviceCategory } : undefined,
    actor: [reference('Location', s.locationId), ...(s.practitionerId ? [reference('Practitioner', s.practitionerId)] : [])],
    planningHorizon: compact({ start: ukDateTime(s.planningHorizonStart), end: s.planningHorizonEnd && ukDateTime(s.planningHorizonEnd) }),
  });
}

/**
 * GPConnect-Appointment-1 as read, retrieved, booked, amended or cancelled: the booking
 * organisation contained as it was sent, and the delivery channel and practitioner role the
 * slot and schedule gave it (the suite requires both on every appointment it reads back).
 */
export function appointmentResource(a: Appointment): Resource {
  // Stored as jsonb, which does not keep key order: resourceType and id go first again.
  const { resourceType: _type, id, ...rest } = a.bookingOrganization;
  const bookingOrganization = { resourceType: 'Organization', id: String(id ?? '1'), ...rest };
  return compact({
    resourceType: 'Appointment',
    id: a.id,
    meta: meta(a.version, profiles.appointment),
    contained: [bookingOrganization],
    extension: [
      { url: extensions.bookingOrganisation, valueReference: { reference: `#${bookingOrganization.id}` } },
      practitionerRole(a.practitionerRole),
      deliveryChannel(a.deliveryChannel),
      ...(a.cancellationReason !== undefined ? [{ url: extensions.cancellationReason, valueString: a.cancellationReason }] : []),
    ],
    identifier: a.identifiers.length > 0 ? a.identifiers : undefined,
    status: a.status,
    serviceCategory: a.serviceCategory ? { text: a.serviceCategory } : undefined,
    serviceType: [{ text: a.serviceType }],
    priority: a.priority,
    description: a.description,
    start: ukDateTime(a.start),
    end: ukDateTime(a.end),
    slot: a.slotIds.map((id) => reference('Slot', id)),
    created: ukDateTime(a.created),
    comment: a.comment,
    participant: a.participants.map((p) => compact({ type: p.type, actor: { reference: p.actor }, status: p.status })),
  });
}

function deliveryChannel(code: string): Resource {
  return { url: extensions.deliveryChannel, valueCode: code };
}

function practitionerRole(role: { code: string; display: string }): Resource {
  return { url: extensions.practitionerRole, valueCodeableConcept: { coding: [{ system: codeSystems.sdsJobRoleName, code: role.code, display: role.display }] } };
}
