import { GpcError } from '../fhir/errors.ts';
import type { Handler } from '../http/handler.ts';
import { findLocation } from '../store/directory.ts';
import { isLogicalId } from './identifier-search.ts';
import { locationResource } from './resources.ts';

/** GET /Location/{id} (1.2.7 has no Location search). */
export const readLocation: Handler = async (ctx) => {
  const id = ctx.params.id!;
  const location = isLogicalId(id) ? await findLocation(ctx.db, ctx.practice.odsCode, id) : undefined;
  if (!location) throw new GpcError('NO_RECORD_FOUND', `No location with logical id ${id.slice(0, 64)} at this practice`);
  return { resource: locationResource(location) };
};
