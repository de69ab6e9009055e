import { GpcError } from '../fhir/errors.ts';
import type { Handler } from '../http/handler.ts';

export const cancelAppointmentHandler: Handler = async () => {
  throw new GpcError('NOT_IMPLEMENTED', 'Not built yet');
};
