import { searchset } from '../fhir/datatypes.ts';
import { GpcError } from '../fhir/errors.ts';
import { identifierSystems } from '../fhir/systems.ts';
import type { Handler } from '../http/handler.ts';
import { findOrganization, findOrganizationsByOdsCode } from '../store/directory.ts';
import { identifierParameter, isLogicalId } from './identifier-search.ts';
import { organizationResource } from './resources.ts';

/** GET /Organization/{id} */
export const readOrganization: Handler = async (ctx) => {
  const id = ctx.params.id!;
  const organization = isLogicalId(id) ? await findOrganization(ctx.db, ctx.practice.odsCode, id) : undefined;
  if (!organization) throw new GpcError('ORGANISATION_NOT_FOUND', `No organisation with logical id ${id.slice(0, 64)} at this practice`);
  return { resource: organizationResource(organization) };
};

/** GET /Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code|{ods} (the legacy system is accepted too). */
export const searchOrganizations: Handler = async (ctx) => {
  const { value } = identifierParameter(ctx.query, [identifierSystems.odsOrganizationCode, identifierSystems.odsOrganizationCodeLegacy]);
  const found = await findOrganizationsByOdsCode(ctx.db, ctx.practice.odsCode, value);
  return { resource: searchset(found.map(organizationResource)) };
};
