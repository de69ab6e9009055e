import { searchset } from '../fhir/datatypes.ts';
import { GpcError } from '../fhir/errors.ts';
import { identifierSystems } from '../fhir/systems.ts';
import type { Handler } from '../http/handler.ts';
import { findPractitioner, findPractitionersBySdsUserId } from '../store/directory.ts';
import { identifierParameter, isLogicalId } from './identifier-search.ts';
import { practitionerResource } from './resources.ts';

/** GET /Practitioner/{id} */
export const readPractitioner: Handler = async (ctx) => {
  const id = ctx.params.id!;
  const practitioner = isLogicalId(id) ? await findPractitioner(ctx.db, ctx.practice.odsCode, id) : undefined;
  if (!practitioner) throw new GpcError('PRACTITIONER_NOT_FOUND', `No practitioner with logical id ${id.slice(0, 64)} at this practice`);
  return { resource: practitionerResource(practitioner) };
};

/** GET /Practitioner?identifier=https://fhir.nhs.uk/Id/sds-user-id|{id} */
export const searchPractitioners: Handler = async (ctx) => {
  const { value } = identifierParameter(ctx.query, [identifierSystems.sdsUserId]);
  const found = await findPractitionersBySdsUserId(ctx.db, ctx.practice.odsCode, value);
  return { resource: searchset(found.map(practitionerResource)) };
};
