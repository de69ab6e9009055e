import type { Coded, Identifier, Immunisation, Note, Quantity } from '../domain/clinical.ts';
import type { Db } from './db.ts';

/**
 * Access Record Structured: a patient's immunisations (table `immunisation`, 0003_clinical.sql),
 * keyed by practice and patient.
 */

interface ImmunisationRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  not_given: boolean;
  vaccine_code: Coded;
  vaccination_procedure: Coded;
  given_at: Date | null;
  recorded_at: Date;
  primary_source: boolean;
  parent_present: boolean | null;
  /** The recorded location, else that of the (non-confidential) consultation it was given in. */
  location_id: string | null;
  manufacturer_id: string | null;
  lot_number: string | null;
  expiration_date: string | null;
  site: Coded | null;
  route: Coded | null;
  dose_quantity: Quantity | null;
  practitioner_id: string;
  practitioner_role: 'AP' | 'EP' | null;
  reasons: Coded[];
  protocol: Immunisation['protocol'] | null;
  /** NULL when there is no consultation, or when that consultation is itself withheld. */
  encounter_id: string | null;
  notes: Note[];
  confidential: boolean;
}

const toImmunisation = (r: ImmunisationRow): Immunisation => ({
  id: r.id,
  patientId: r.patient_id,
  identifiers: r.identifiers,
  confidential: r.confidential,
  notGiven: r.not_given,
  vaccineCode: r.vaccine_code,
  vaccinationProcedure: r.vaccination_procedure,
  givenAt: r.given_at ?? undefined,
  recordedAt: r.recorded_at,
  primarySource: r.primary_source,
  parentPresent: r.parent_present ?? undefined,
  locationId: r.location_id ?? undefined,
  manufacturerId: r.manufacturer_id ?? undefined,
  lotNumber: r.lot_number ?? undefined,
  expirationDate: r.expiration_date ?? undefined,
  site: r.site ?? undefined,
  route: r.route ?? undefined,
  doseQuantity: r.dose_quantity ?? undefined,
  practitioner: r.practitioner_role ? { id: r.practitioner_id, role: r.practitioner_role } : { id: r.practitioner_id },
  reasons: r.reasons ?? [],
  protocol: r.protocol ?? undefined,
  encounterId: r.encounter_id ?? undefined,
  notes: r.notes ?? [],
});

export interface PatientImmunisations {
  /** Returned immunisations, by administration date (undated last), then recorded date, then id. */
  immunisations: Immunisation[];
  /** How many confidential immunisations that would otherwise have been returned were left out. */
  withheld: number;
}

/**
 * A patient's immunisations: those given always; intended-but-not-given ones only with
 * `includeNotGiven`. Confidential ones are counted, not returned, unless `includeConfidential`
 * (migrate with sensitive information); a confidential not-given record is only counted when
 * not-given records were asked for (it would not have been in the list otherwise).
 * The consultation is only given when it is not itself confidential; with no recorded location,
 * the location of that consultation stands in (digest §14).
 */
export async function findPatientImmunisations(
  db: Db,
  practice: string,
  patientId: string,
  options: { includeNotGiven: boolean; includeConfidential?: boolean },
): Promise<PatientImmunisations> {
  const rows = await db.query<ImmunisationRow>(
    `SELECT i.id, i.patient_id, i.identifiers, i.not_given, i.vaccine_code, i.vaccination_procedure, i.given_at, i.recorded_at,
            i.primary_source, i.parent_present,
            COALESCE(i.location_id, CASE WHEN e.confidential THEN NULL ELSE e.location_id END) AS location_id,
            i.manufacturer_id, i.lot_number, to_char(i.expiration_date, 'YYYY-MM-DD') AS expiration_date, i.site, i.route,
            i.dose_quantity, i.practitioner_id, i.practitioner_role, i.reasons, i.protocol,
            CASE WHEN e.confidential THEN NULL ELSE i.encounter_id END AS encounter_id, i.notes, i.confidential
       FROM immunisation i
       LEFT JOIN encounter e ON e.practice = i.practice AND e.id = i.encounter_id
      WHERE i.practice = $1 AND i.patient_id = $2
      ORDER BY i.given_at NULLS LAST, i.recorded_at, i.id`,
    [practice, patientId],
  );
  let withheld = 0;
  const immunisations: Immunisation[] = [];
  // Not-given ones are filtered here, not in SQL: every reader of a record then shares one read.
  for (const row of rows) {
    if (row.not_given && !options.includeNotGiven) continue;
    if (row.confidential && !options.includeConfidential) withheld++;
    else immunisations.push(toImmunisation(row));
  }
  return { immunisations, withheld };
}
