import { GpcError } from '../fhir/errors.ts';
import { extensions } from '../fhir/systems.ts';
import type { Handler } from '../http/handler.ts';
import { wantsMinimalReturn } from '../http/prefer.ts';
import { cancelAppointment } from '../store/appointments.ts';
import { releaseSlots } from '../store/diary.ts';
import { changedElements, invalidResource, isObject, lockForChange, readUpdateBody } from './appointment-changes.ts';
import { appointmentResource } from './resources.ts';

/**
 * PUT /Appointment/{id} with the cancel interaction: the status becomes cancelled and the
 * AppointmentCancellationReason-1 extension is added; "if any content other than the appointment
 * cancellation reason or appointment status is updated the server SHALL reject" (cancel page):
 * 422 INVALID_RESOURCE. The slots go back to the diary (spec: a 200 means the Slots reflect the
 * cancellation; DEMO frees them), so a slot search offers them again.
 */
export const cancelAppointmentHandler: Handler = async (ctx) => {
  const body = readUpdateBody(ctx);
  const reason = readCancellationReason(body);
  if (body.status !== 'cancelled') throw invalidResource('Appointment.status must be cancelled');

  return ctx.commit(async (tx) => {
    const stored = await lockForChange(ctx, tx, 'cancelled');
    const changed = changedElements(body, stored, { mutable: ['status'], addedExtensions: [extensions.cancellationReason] });
    if (changed.length > 0) throw invalidResource(`Only the status and the cancellation reason can change on cancelling; changed: ${changed.join(', ')}`);
    const practice = ctx.practice.odsCode;
    const cancelled = await cancelAppointment(tx, practice, stored.id, reason);
    await releaseSlots(tx, practice, stored.slotIds);
    const headers = { etag: `W/"${cancelled.version}"`, 'last-modified': ctx.now.toUTCString() };
    // Spec: Prefer return=minimal ⇒ 200 with no body (suite C17).
    return { status: 200, resource: wantsMinimalReturn(ctx.headers) ? undefined : appointmentResource(cancelled), headers };
  });
};

/**
 * The one AppointmentCancellationReason-1 extension and its text. Checked before anything else
 * (suite §9 Q16): present but blank or without a value ⇒ 422 INVALID_PARAMETER (suite C13, C21);
 * missing — including under a wrong or empty url (C12) — or sent twice ⇒ 422 INVALID_RESOURCE.
 */
function readCancellationReason(body: Record<string, unknown>): string {
  const list = Array.isArray(body.extension) ? body.extension.filter(isObject) : [];
  const reasons = list.filter((e) => e.url === extensions.cancellationReason);
  if (reasons.length === 0) throw invalidResource('The AppointmentCancellationReason-1 extension is required to cancel');
  if (reasons.length > 1) throw invalidResource('Only one AppointmentCancellationReason-1 extension can be sent');
  const value = reasons[0]!.valueString;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new GpcError('INVALID_PARAMETER', 'The cancellation reason (AppointmentCancellationReason-1 valueString) must not be empty');
  }
  return value;
}
