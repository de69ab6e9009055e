import { GpcError } from '../fhir/errors.ts';

/**
 * The one search parameter of Patient, Practitioner and Organization search:
 * `identifier=[system]|[value]`. Suite: missing, mis-cased or repeated ⇒ 400 BAD_REQUEST; empty
 * system or value ⇒ 422 INVALID_PARAMETER. Spec: an unknown system ⇒ 400 INVALID_IDENTIFIER_SYSTEM.
 * Other parameters are ignored (spec: unrecognised search criteria SHALL be ignored).
 */
export function identifierParameter(query: URLSearchParams, systems: readonly string[]): { system: string; value: string } {
  const values = query.getAll('identifier');
  if (values.length === 0) throw new GpcError('BAD_REQUEST', 'The identifier search parameter is required');
  if (values.length > 1) throw new GpcError('BAD_REQUEST', 'The identifier search parameter must be sent once');
  const token = values[0]!;
  const bar = token.indexOf('|');
  const system = bar < 0 ? '' : token.slice(0, bar);
  const value = bar < 0 ? token : token.slice(bar + 1);
  if (system === '') throw new GpcError('INVALID_PARAMETER', 'The identifier parameter must name its system: identifier=[system]|[value]');
  if (value === '') throw new GpcError('INVALID_PARAMETER', 'The identifier parameter has an empty value');
  if (!systems.includes(system)) throw new GpcError('INVALID_IDENTIFIER_SYSTEM', `Identifier system ${system} is not supported here; use ${systems[0]}`);
  return { system, value };
}

/** FHIR STU3 logical ids: 1 to 64 of [A-Za-z0-9-.]. Anything else cannot name a resource here. */
export function isLogicalId(id: string): boolean {
  return /^[A-Za-z0-9\-.]{1,64}$/.test(id);
}
