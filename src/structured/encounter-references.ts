import type { Resource } from '../fhir/datatypes.ts';
import { structuredExtensions } from './fhir-urls.ts';

/**
 * Removes, in place, an item's references to consultations that are not returned — `context`,
 * `encounter` and the allergy's associatedEncounter extension — so no reference dangles (digest §7:
 * every reference resolves in the bundle; §9: only a consultations request returns Encounters).
 */
export function withoutMissingEncounters(resource: Resource, isReturned: (encounterId: string) => boolean): Resource {
  const missing = (v: unknown) => {
    const ref = (v as { reference?: unknown } | undefined)?.reference;
    return typeof ref === 'string' && ref.startsWith('Encounter/') && !isReturned(ref.slice('Encounter/'.length));
  };
  for (const field of ['context', 'encounter']) if (missing(resource[field])) delete resource[field];
  if (Array.isArray(resource.extension)) {
    const kept = (resource.extension as Resource[]).filter((e) => !(e.url === structuredExtensions.associatedEncounter && missing(e.valueReference)));
    if (kept.length > 0) resource.extension = kept;
    else delete resource.extension;
  }
  return resource;
}
