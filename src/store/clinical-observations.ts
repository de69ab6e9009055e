import { addDays, ukStartOfDay } from '../fhir/datetime.ts';
import type { Coded, Identifier, Observation, ObservationKind, ObservationValue } from '../domain/clinical.ts';
import type { Db } from './db.ts';

/**
 * Access Record Structured: a patient's observations (table `observation`, 0003_clinical.sql) and
 * their hierarchy (`observation_related`), keyed by practice and patient. Only uncategorised data
 * is read here; the other kinds belong to consultations and investigations.
 */

/** An observation row as the clinical stores read it (uncategorised, investigations, consultations). */
export interface ObservationRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  kind: ObservationKind;
  status: Observation['status'];
  category: Coded | null;
  code: Coded;
  effective_start: Date | null;
  effective_end: Date | null;
  issued_at: Date;
  /** The recorded performer; with neither a performer nor an organisation, the consultation's clinician. */
  performer_practitioner_id: string | null;
  performer_organization_id: string | null;
  value: ObservationValue | null;
  interpretation: Coded | null;
  comment: string | null;
  reference_range: Observation['referenceRange'] | null;
  components: Observation['components'] | null;
  specimen_id: string | null;
  /** NULL when there is no consultation, or when that consultation is itself withheld. */
  encounter_id: string | null;
  confidential: boolean;
}

interface RelatedRow {
  observation_id: string;
  type: Observation['related'][number]['type'];
  target_id: string;
}

/**
 * An observation with what its resource needs: with no recorded performer, the consultation's
 * clinician performed it; a confidential consultation is never named.
 */
export const observationSelect = `SELECT o.id, o.patient_id, o.identifiers, o.kind, o.status, o.category, o.code, o.effective_start, o.effective_end,
            o.issued_at,
            CASE WHEN o.performer_practitioner_id IS NULL AND o.performer_organization_id IS NULL
                 THEN COALESCE(e.performer_id, e.recorder_id) ELSE o.performer_practitioner_id END AS performer_practitioner_id,
            o.performer_organization_id, o.value, o.interpretation, o.comment, o.reference_range, o.components, o.specimen_id,
            CASE WHEN e.confidential THEN NULL ELSE o.encounter_id END AS encounter_id, o.confidential
       FROM observation o
       LEFT JOIN encounter e ON e.practice = o.practice AND e.id = o.encounter_id`;

export const observationFromRow = (r: ObservationRow, related: Observation['related']): Observation => {
  const performer: Observation['performer'] = {};
  if (r.performer_practitioner_id) performer.practitionerId = r.performer_practitioner_id;
  if (r.performer_organization_id) performer.organizationId = r.performer_organization_id;
  return {
    id: r.id,
    patientId: r.patient_id,
    identifiers: r.identifiers,
    confidential: r.confidential,
    kind: r.kind,
    status: r.status,
    category: r.category ?? undefined,
    code: r.code,
    effective: r.effective_start ? (r.effective_end ? { start: r.effective_start, end: r.effective_end } : { start: r.effective_start }) : undefined,
    issuedAt: r.issued_at,
    performer,
    value: r.value ?? undefined,
    interpretation: r.interpretation ?? undefined,
    comment: r.comment ?? undefined,
    referenceRange: r.reference_range ?? undefined,
    components: r.components ?? [],
    specimenId: r.specimen_id ?? undefined,
    encounterId: r.encounter_id ?? undefined,
    related,
  };
};

export interface PatientObservations {
  /** Returned observations, by effective date (undated last), then issued, then id. */
  observations: Observation[];
  /** How many confidential observations that would otherwise have been returned were left out. */
  withheld: number;
}

/** A search period of whole UK days, both ends inclusive and optional (YYYY-MM-DD). */
export interface DayPeriod {
  start?: string;
  end?: string;
}

/**
 * A patient's uncategorised data (observation kind 'uncategorised', blood pressures included).
 *
 * `period` (digest §5.2): an observation matches when its effective time — an instant, or the
 * period start..end — overlaps the whole UK days start..end (either end may be open). Observations
 * with no effective date are always returned.
 *
 * Confidential observations matching the period are counted, not returned, unless
 * `includeConfidential`. Each observation's hierarchy (`related`) is given as stored; targets may
 * be observations that are not returned (the builder keeps only those it returns).
 */
export async function findUncategorisedObservations(
  db: Db,
  practice: string,
  patientId: string,
  options: { period?: DayPeriod; includeConfidential?: boolean } = {},
): Promise<PatientObservations> {
  const from = options.period?.start ? ukStartOfDay(options.period.start) : null;
  const until = options.period?.end ? ukStartOfDay(addDays(options.period.end, 1)) : null;
  // The hierarchy is read for the whole patient: one statement the other areas of a record share.
  const [rows, related] = await Promise.all([db.query<ObservationRow>(
    `${observationSelect}
      WHERE o.practice = $1 AND o.patient_id = $2 AND o.kind = 'uncategorised'
        AND (o.effective_start IS NULL
             OR (($3::timestamptz IS NULL OR COALESCE(o.effective_end, o.effective_start) >= $3::timestamptz)
                 AND ($4::timestamptz IS NULL OR o.effective_start < $4::timestamptz)))
      ORDER BY o.effective_start NULLS LAST, o.issued_at, o.id`,
    [practice, patientId, from, until],
  ), findPatientRelated(db, practice, patientId)]);
  const returned = rows.filter((r) => options.includeConfidential || !r.confidential);
  return {
    observations: returned.map((r) => observationFromRow(r, related.get(r.id) ?? [])),
    withheld: rows.length - returned.length,
  };
}

/** The stored hierarchy of every observation of a patient, in position order. */
export async function findPatientRelated(db: Db, practice: string, patientId: string): Promise<Map<string, Observation['related']>> {
  const rows = await db.query<RelatedRow>(
    `SELECT r.observation_id, r.type, r.target_id
       FROM observation_related r
       JOIN observation o ON o.practice = r.practice AND o.id = r.observation_id
      WHERE r.practice = $1 AND o.patient_id = $2
      ORDER BY r.observation_id, r.position`,
    [practice, patientId],
  );
  const byId = new Map<string, Observation['related']>();
  for (const r of rows) {
    const list = byId.get(r.observation_id) ?? [];
    list.push({ type: r.type, targetId: r.target_id });
    byId.set(r.observation_id, list);
  }
  return byId;
}
