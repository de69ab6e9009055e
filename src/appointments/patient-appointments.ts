import { GpcError } from '../fhir/errors.ts';
import type { Handler } from '../http/handler.ts';

export const searchPatientAppointments: Handler = async () => {
  throw new GpcError('NOT_IMPLEMENTED', 'Not built yet');
};
