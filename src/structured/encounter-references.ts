import type { Resource } from '../fhir/datatypes.ts';
import { structuredExtensions } from './fhir-urls.ts';

/**
 * The item without its references to consultations that are not returned — `context`, `encounter`
 * and the allergy's associatedEncounter extension — so no reference dangles (digest §7: every
 * reference resolves in the bundle; §9: only a consultations request returns Encounters). The item
 * itself when it has none (the common case: no copy), else a copy.
 */
export function withoutMissingEncounters(resource: Resource, isReturned: (encounterId: string) => boolean): Resource {
  const missing = (v: unknown) => {
    const ref = (v as { reference?: unknown } | undefined)?.reference;
    return typeof ref === 'string' && ref.startsWith('Encounter/') && !isReturned(ref.slice('Encounter/'.length));
  };
  const isMissingEncounter = (e: Resource) => e.url === structuredExtensions.associatedEncounter && missing(e.valueReference);
  const fields = ['context', 'encounter'].filter((field) => missing(resource[field]));
  const extension = Array.isArray(resource.extension) ? (resource.extension as Resource[]) : [];
  const dropsExtension = extension.some(isMissingEncounter);
  if (fields.length === 0 && !dropsExtension) return resource;

  const out: Resource = { ...resource };
  for (const field of fields) delete out[field];
  if (dropsExtension) {
    const kept = extension.filter((e) => !isMissingEncounter(e));
    if (kept.length > 0) out.extension = kept;
    else delete out.extension;
  }
  return out;
}
