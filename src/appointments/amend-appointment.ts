import type { Handler } from '../http/handler.ts';
import { wantsMinimalReturn } from '../http/prefer.ts';
import { updateAppointmentText } from '../store/appointments.ts';
import { changedElements, invalidResource, lockForChange, readUpdateBody } from './appointment-changes.ts';
import { appointmentResource } from './resources.ts';

/**
 * PUT /Appointment/{id} with the update interaction: the amend page allows only description and
 * comment to change; any other difference from the stored appointment is 422 INVALID_RESOURCE
 * (suite M3 priority, M12 status, M16 cancellation reason, M18 absolute booking-organisation
 * reference). An unchanged body is a valid amend (suite M6, M8). The version moves on either way.
 */
export const amendAppointment: Handler = async (ctx) => {
  const body = readUpdateBody(ctx);
  // Profile: description 1..1; comment 0..1 (left out = removed).
  if (typeof body.description !== 'string' || body.description.trim() === '') throw invalidResource('Appointment.description is required');
  if (body.comment !== undefined && typeof body.comment !== 'string') throw invalidResource('Appointment.comment must be a string');
  const description = body.description;
  const comment = body.comment === '' ? undefined : (body.comment as string | undefined);

  return ctx.commit(async (tx) => {
    const stored = await lockForChange(ctx, tx, 'amended');
    const changed = changedElements(body, stored, { mutable: ['description', 'comment'], addedExtensions: [] });
    if (changed.length > 0) throw invalidResource(`Only description and comment can be amended; changed: ${changed.join(', ')}`);
    const amended = await updateAppointmentText(tx, ctx.practice.odsCode, stored.id, description, comment);
    const headers = { etag: `W/"${amended.version}"`, 'last-modified': ctx.now.toUTCString() };
    // Spec: Prefer return=minimal ⇒ 200 with no body (suite M8).
    return { status: 200, resource: wantsMinimalReturn(ctx.headers) ? undefined : appointmentResource(amended), headers };
  });
};
