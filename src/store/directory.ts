import type { Address, ContactPoint, Language, Location, Organization, Practitioner } from '../domain/directory.ts';
import type { Db } from './db.ts';

interface OrganizationRow { id: string; ods_code: string | null; name: string; telecom: ContactPoint[]; address: Address | null; version: number }
interface LocationRow { id: string; name: string; site_ods_code: string | null; status: string; address: Address | null; telecom: ContactPoint[]; managing_organization_id: string | null; version: number }
interface PractitionerRow { id: string; sds_user_id: string; sds_role_profile_ids: string[]; prefix: string[]; given: string[]; family: string; gender: string | null; languages: Language[]; version: number }

const toOrganization = (r: OrganizationRow): Organization => ({
  id: r.id, odsCode: r.ods_code ?? undefined, name: r.name, telecom: r.telecom, address: r.address ?? undefined, version: r.version,
});
const toLocation = (r: LocationRow): Location => ({
  id: r.id, name: r.name, siteOdsCode: r.site_ods_code ?? undefined, status: r.status, address: r.address ?? undefined,
  telecom: r.telecom, managingOrganizationId: r.managing_organization_id ?? undefined, version: r.version,
});
const toPractitioner = (r: PractitionerRow): Practitioner => ({
  id: r.id, sdsUserId: r.sds_user_id, sdsRoleProfileIds: r.sds_role_profile_ids, prefix: r.prefix, given: r.given,
  family: r.family, gender: r.gender ?? undefined, languages: r.languages, version: r.version,
});

const organizationColumns = 'id, ods_code, name, telecom, address, version';
const locationColumns = 'id, name, site_ods_code, status, address, telecom, managing_organization_id, version';
const practitionerColumns = 'id, sds_user_id, sds_role_profile_ids, prefix, given, family, gender, languages, version';

export async function findOrganization(db: Db, practice: string, id: string): Promise<Organization | undefined> {
  const rows = await db.query<OrganizationRow>(`SELECT ${organizationColumns} FROM organization WHERE practice = $1 AND id = $2`, [practice, id]);
  return rows[0] && toOrganization(rows[0]);
}

export async function findOrganizationsByOdsCode(db: Db, practice: string, odsCode: string): Promise<Organization[]> {
  const rows = await db.query<OrganizationRow>(
    `SELECT ${organizationColumns} FROM organization WHERE practice = $1 AND ods_code = $2 ORDER BY id`, [practice, odsCode]);
  return rows.map(toOrganization);
}

export async function findLocation(db: Db, practice: string, id: string): Promise<Location | undefined> {
  const rows = await db.query<LocationRow>(`SELECT ${locationColumns} FROM location WHERE practice = $1 AND id = $2`, [practice, id]);
  return rows[0] && toLocation(rows[0]);
}

export async function findPractitioner(db: Db, practice: string, id: string): Promise<Practitioner | undefined> {
  const rows = await db.query<PractitionerRow>(`SELECT ${practitionerColumns} FROM practitioner WHERE practice = $1 AND id = $2`, [practice, id]);
  return rows[0] && toPractitioner(rows[0]);
}

export async function findPractitionersBySdsUserId(db: Db, practice: string, sdsUserId: string): Promise<Practitioner[]> {
  const rows = await db.query<PractitionerRow>(
    `SELECT ${practitionerColumns} FROM practitioner WHERE practice = $1 AND sds_user_id = $2 ORDER BY id`, [practice, sdsUserId]);
  return rows.map(toPractitioner);
}

/** The directory entries of a practice with these ids, in their order, in one query per type. */
export async function findOrganizationsByIds(db: Db, practice: string, ids: string[]): Promise<Organization[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<OrganizationRow>(`SELECT ${organizationColumns} FROM organization WHERE practice = $1 AND id = ANY($2::text[]) ORDER BY array_position($2::text[], id)`, [practice, ids]);
  return rows.map(toOrganization);
}

export async function findLocationsByIds(db: Db, practice: string, ids: string[]): Promise<Location[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<LocationRow>(`SELECT ${locationColumns} FROM location WHERE practice = $1 AND id = ANY($2::text[]) ORDER BY array_position($2::text[], id)`, [practice, ids]);
  return rows.map(toLocation);
}

export async function findPractitionersByIds(db: Db, practice: string, ids: string[]): Promise<Practitioner[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<PractitionerRow>(`SELECT ${practitionerColumns} FROM practitioner WHERE practice = $1 AND id = ANY($2::text[]) ORDER BY array_position($2::text[], id)`, [practice, ids]);
  return rows.map(toPractitioner);
}
