import { asArray, isObject, type Fhir } from './record-bundle.ts';

/**
 * A copy of the Bundle with resources given new ids (`Type/old id` → new id) and every reference
 * to them rewritten: `Type/id` references anywhere, and `#id` references to an ended allergy
 * contained in a List.
 */
export function renameIds(bundle: Fhir, renames: ReadonlyMap<string, string>): Fhir {
  const copy = structuredClone(bundle) as Fhir;
  if (renames.size === 0) return copy;
  const rename = (resource: Fhir) => {
    const to = renames.get(`${String(resource.resourceType)}/${String(resource.id)}`);
    if (to !== undefined) resource.id = to;
  };
  const visit = (value: unknown, contained: ReadonlyMap<string, string>): void => {
    if (Array.isArray(value)) for (const v of value) visit(v, contained);
    else if (isObject(value)) {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'reference' && typeof v === 'string') {
          if (v.startsWith('#')) value.reference = `#${contained.get(v.slice(1)) ?? v.slice(1)}`;
          else {
            const m = /^([A-Za-z]+)\/(.+)$/.exec(v);
            const to = m ? renames.get(v) : undefined;
            if (m && to !== undefined) value.reference = `${m[1]}/${to}`;
          }
        } else visit(v, contained);
      }
    }
  };
  for (const entry of asArray(copy.entry)) {
    const resource = entry?.resource;
    if (!isObject(resource)) continue;
    const contained = new Map<string, string>();
    for (const c of asArray(resource.contained)) {
      if (!isObject(c)) continue;
      const to = renames.get(`${String(c.resourceType)}/${String(c.id)}`);
      if (to !== undefined) contained.set(String(c.id), to);
      rename(c);
    }
    rename(resource);
    visit(resource, contained);
  }
  return copy;
}
