import type { Address, ContactPoint } from '../domain/directory.ts';
import { identifierSystems } from '../fhir/systems.ts';
import type { Db } from '../store/db.ts';
import { findLocation, findOrganization, findOrganizationsByOdsCode, findPractitioner, findPractitionersBySdsUserId } from '../store/directory.ts';
import { asArray, isObject, keyOf, type Fhir, type RecordBundle } from './record-bundle.ts';

/** A Bundle resource the directory did not hold: inserted under `id`. */
interface NewEntry {
  type: 'Practitioner' | 'Organization' | 'Location';
  id: string;
  resource: Fhir;
}

export interface DirectoryMapping {
  /** `Type/bundle id` → the directory id to refer to instead (only where they differ). */
  renames: Map<string, string>;
  matched: string[];
  added: NewEntry[];
}

const identifierOf = (r: Fhir, ...systems: string[]): string | undefined =>
  asArray(r.identifier).find((i: Fhir) => isObject(i) && systems.includes(i.system) && typeof i.value === 'string')?.value;

/**
 * What the directory needs of the Bundle's Practitioners, Organizations and Locations to find or
 * add them: an SDS user id and a family name; a name; managing organisations in the Bundle.
 */
export function checkDirectoryResources(bundle: RecordBundle): void {
  for (const p of bundle.ofType('Practitioner')) {
    const reader = bundle.reader(p);
    if (!identifierOf(p, identifierSystems.sdsUserId)) reader.problem('identifier', `an SDS user id (${identifierSystems.sdsUserId}) is needed to find or add the practitioner in the directory`);
    if (typeof asArray(p.name)[0]?.family !== 'string') reader.missing('name[0].family');
  }
  for (const o of bundle.ofType('Organization')) if (typeof o.name !== 'string') bundle.reader(o).missing('name');
  for (const l of bundle.ofType('Location')) {
    if (typeof l.name !== 'string') bundle.reader(l).missing('name');
    if (l.managingOrganization !== undefined) bundle.reader(l).organization(l.managingOrganization, 'managingOrganization');
  }
}

/**
 * Maps the Bundle's Practitioners, Organizations and Locations onto the practice's directory: the
 * entry with the same id when it has the same identifier (SDS user id, ODS code, ODS site code —
 * or, for an organisation or location without one, the same name), else the first entry with that
 * identifier; else the resource is added to the directory (under its own id when that is free).
 * Only reads (after checkDirectoryResources found nothing wrong); `addDirectoryEntries` writes what it decided.
 */
export async function mapDirectory(db: Db, practice: string, bundle: RecordBundle): Promise<DirectoryMapping> {
  const mapping: DirectoryMapping = { renames: new Map(), matched: [], added: [] };
  const taken = new Set<string>();
  const settle = async (r: Fhir, type: NewEntry['type'], found: string | undefined, idFree: boolean) => {
    let id = found;
    if (id) mapping.matched.push(keyOf(r));
    else {
      id = idFree && !taken.has(`${type}/${r.id}`) ? r.id as string : crypto.randomUUID();
      mapping.added.push({ type, id, resource: r });
    }
    taken.add(`${type}/${id}`);
    if (id !== r.id) mapping.renames.set(keyOf(r), id);
  };

  for (const p of bundle.ofType('Practitioner')) {
    const sds = identifierOf(p, identifierSystems.sdsUserId);
    const byId = await findPractitioner(db, practice, p.id);
    const found = byId && byId.sdsUserId === sds ? byId.id : sds ? (await findPractitionersBySdsUserId(db, practice, sds))[0]?.id : undefined;
    await settle(p, 'Practitioner', found, !byId);
  }
  for (const o of bundle.ofType('Organization')) {
    const ods = identifierOf(o, identifierSystems.odsOrganizationCode, identifierSystems.odsOrganizationCodeLegacy);
    const byId = await findOrganization(db, practice, o.id);
    const sameById = byId && (ods ? byId.odsCode === ods : !byId.odsCode && byId.name === o.name);
    const found = sameById ? byId.id : ods ? (await findOrganizationsByOdsCode(db, practice, ods))[0]?.id : undefined;
    await settle(o, 'Organization', found, !byId);
  }
  for (const l of bundle.ofType('Location')) {
    const site = identifierOf(l, identifierSystems.odsSiteCode);
    const byId = await findLocation(db, practice, l.id);
    const sameById = byId && (site ? byId.siteOdsCode === site : !byId.siteOdsCode && byId.name === l.name);
    const bySite = site
      ? (await db.query<{ id: string }>('SELECT id FROM location WHERE practice = $1 AND site_ods_code = $2 ORDER BY id LIMIT 1', [practice, site]))[0]?.id
      : undefined;
    await settle(l, 'Location', sameById ? byId.id : bySite, !byId);
  }
  return mapping;
}

/** Inserts the directory entries `mapDirectory` found missing (organisations first: locations refer to them). */
export async function addDirectoryEntries(tx: Db, practice: string, mapping: DirectoryMapping): Promise<void> {
  const orgId = (ref: unknown) => {
    const m = /^Organization\/(.+)$/.exec(String((ref as Fhir | undefined)?.reference ?? ''));
    return m ? mapping.renames.get(`Organization/${m[1]}`) ?? m[1] : null;
  };
  const order = { Organization: 0, Practitioner: 1, Location: 2 };
  for (const { type, id, resource: r } of [...mapping.added].sort((a, b) => order[a.type] - order[b.type])) {
    if (type === 'Practitioner') {
      const name = asArray(r.name)[0] ?? {};
      const languages = asArray(r.extension).flatMap((e: Fhir) => asArray(e?.extension))
        .filter((e: Fhir) => e?.url === 'language')
        .map((e: Fhir) => asArray(e.valueCodeableConcept?.coding)[0])
        .filter((c: Fhir) => c?.code)
        .map((c: Fhir) => ({ code: c.code, display: c.display ?? c.code }));
      await tx.query(
        `INSERT INTO practitioner (practice, id, sds_user_id, sds_role_profile_ids, prefix, given, family, gender, languages)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::jsonb)`,
        [practice, id, identifierOf(r, identifierSystems.sdsUserId), asArray(r.identifier).filter((i: Fhir) => i?.system === identifierSystems.sdsRoleProfileId).map((i: Fhir) => String(i.value)),
          asArray(name.prefix).map(String), asArray(name.given).map(String), name.family, r.gender ?? null, JSON.stringify(languages)],
      );
    } else if (type === 'Organization') {
      await tx.query(
        'INSERT INTO organization (practice, id, ods_code, name, telecom, address) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb)',
        [practice, id, identifierOf(r, identifierSystems.odsOrganizationCode, identifierSystems.odsOrganizationCodeLegacy) ?? null, r.name,
          JSON.stringify(telecom(r.telecom)), addressOf(asArray(r.address)[0])],
      );
    } else {
      await tx.query(
        `INSERT INTO location (practice, id, name, site_ods_code, status, address, telecom, managing_organization_id)
         VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7::text::jsonb, $8)`,
        [practice, id, r.name, identifierOf(r, identifierSystems.odsSiteCode) ?? null, typeof r.status === 'string' ? r.status : 'active',
          addressOf(r.address), JSON.stringify(telecom(r.telecom)), orgId(r.managingOrganization)],
      );
    }
  }
}

function telecom(value: unknown): ContactPoint[] {
  return asArray(value).filter((t: Fhir) => typeof t?.system === 'string' && typeof t.value === 'string')
    .map((t: Fhir) => (typeof t.use === 'string' ? { system: t.system, value: t.value, use: t.use } : { system: t.system, value: t.value }));
}

/** A FHIR Address as the directory's jsonb Address (JSON text), or null. */
function addressOf(a: unknown): string | null {
  if (!isObject(a)) return null;
  const out: Address = { lines: asArray(a.line).map(String) };
  for (const key of ['use', 'city', 'district', 'postalCode', 'country'] as const) if (typeof a[key] === 'string') out[key] = a[key];
  return JSON.stringify(out);
}
