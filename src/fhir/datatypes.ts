import type { Address, ContactPoint } from '../domain/directory.ts';
import { profiles } from './systems.ts';

export type Resource = Record<string, unknown>;

/** meta with the version (ETag source) and exactly one profile, as the suite checks. */
export function meta(version: number | string, profile: string): Resource {
  return { versionId: String(version), profile: [profile] };
}

export function reference(type: string, id: string): Resource {
  return { reference: `${type}/${id}` };
}

/** FHIR Address with absent parts left out (FHIR forbids empty strings). */
export function address(a: Address): Resource {
  return compact({
    use: a.use,
    line: a.lines.length > 0 ? a.lines : undefined,
    city: a.city,
    district: a.district,
    postalCode: a.postalCode,
    country: a.country,
  });
}

export function contactPoint(c: ContactPoint): Resource {
  return compact({ system: c.system, value: c.value, use: c.use });
}

export function searchset(resources: Resource[]): Resource {
  return {
    resourceType: 'Bundle',
    meta: { profile: [profiles.searchsetBundle] },
    type: 'searchset',
    total: resources.length,
    entry: resources.length > 0 ? resources.map((resource) => ({ resource })) : undefined,
  };
}

/** Drops undefined, null and empty-string members (FHIR allows none of them). */
export function compact<T extends Resource>(object: T): T {
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (value === undefined || value === null || value === '') delete object[key];
  }
  return object;
}
