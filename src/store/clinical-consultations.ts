import type { ClinicalItemType, Coded, ConsultationSection, Encounter, Identifier, Observation, ProcedureRequest } from '../domain/clinical.ts';
import { addDays, ukStartOfDay } from '../fhir/datetime.ts';
import type { Db } from './db.ts';
import { procedureRequestFromRow, procedureRequestSelect, type ProcedureRequestRow } from './clinical-procedure-requests.ts';
import { findPatientRelated, observationFromRow, observationSelect, type ObservationRow } from './clinical-observations.ts';

/**
 * Access Record Structured: a patient's consultations (tables `encounter`, `consultation_section`,
 * `consultation_item`, 0003_clinical.sql), keyed by practice and patient. The items themselves are
 * mostly read through the other areas' store functions; the observations (comment notes are
 * returned nowhere else) and the procedure requests (completed diary entries and test requests too,
 * which no area returns) are read here by id.
 */

interface EncounterRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  status: 'finished' | 'unknown';
  type: Coded;
  start_at: Date;
  end_at: Date | null;
  recorder_id: string;
  performer_id: string | null;
  location_id: string | null;
  service_provider_id: string | null;
  recorded_at: Date;
  confidential: boolean;
}

interface SectionRow {
  id: string;
  encounter_id: string;
  kind: ConsultationSection['kind'];
  parent_id: string | null;
  position: number;
  title: string | null;
  related_problem_id: string | null;
}

interface ItemRow {
  section_id: string;
  item_type: ClinicalItemType;
  item_id: string;
}

/** A consultation with its structure: every section (consultation, topics, headings) by position. */
export interface StoredConsultation extends Encounter {
  sections: ConsultationSection[];
}

export interface PatientConsultations {
  /** Returned consultations, most recent first (by start, then id). */
  consultations: StoredConsultation[];
  /** How many confidential consultations matching the search were left out (the list gets confidential-items). */
  withheld: number;
}

export interface ConsultationSearch {
  /** consultationSearchPeriod: whole UK days, both ends inclusive and optional (YYYY-MM-DD). */
  period?: { start?: string; end?: string };
  /** includeNumberOfMostRecent: the N most recent by start. */
  mostRecent?: number;
  /** Migrate with sensitive information: return confidential consultations too. */
  includeConfidential?: boolean;
}

const toEncounter = (r: EncounterRow): Encounter => {
  const e: Encounter = {
    id: r.id,
    patientId: r.patient_id,
    identifiers: r.identifiers,
    confidential: r.confidential,
    status: r.status,
    type: r.type,
    period: r.end_at ? { start: r.start_at, end: r.end_at } : { start: r.start_at },
    recorderId: r.recorder_id,
    recordedAt: r.recorded_at,
  };
  if (r.performer_id) e.performerId = r.performer_id;
  if (r.location_id) e.locationId = r.location_id;
  if (r.service_provider_id) e.serviceProviderId = r.service_provider_id;
  return e;
};

/**
 * A patient's consultations (digest §5.2):
 * - `period`: on or after `start` by the consultation's start, on or before `end` by its end (its
 *   start when it has no end); whole UK days, inclusive.
 * - `mostRecent`: the N most recent (by start, descending) of those that may be returned; a
 *   confidential consultation at least as recent as the last one returned (or any, when fewer than
 *   N are returned) counts as withheld.
 * Confidential consultations are counted, not returned, unless `includeConfidential`.
 */
export async function findPatientConsultations(
  db: Db,
  practice: string,
  patientId: string,
  search: ConsultationSearch = {},
): Promise<PatientConsultations> {
  const from = search.period?.start ? ukStartOfDay(search.period.start) : null;
  const until = search.period?.end ? ukStartOfDay(addDays(search.period.end, 1)) : null;
  const rows = await db.query<EncounterRow>(
    `SELECT id, patient_id, identifiers, status, type, start_at, end_at, recorder_id, performer_id, location_id,
            service_provider_id, recorded_at, confidential
       FROM encounter
      WHERE practice = $1 AND patient_id = $2
        AND ($3::timestamptz IS NULL OR start_at >= $3::timestamptz)
        AND ($4::timestamptz IS NULL OR COALESCE(end_at, start_at) < $4::timestamptz)
      ORDER BY start_at DESC, id`,
    [practice, patientId, from, until],
  );
  const allowed = (r: EncounterRow) => search.includeConfidential || !r.confidential;
  let returned = rows.filter(allowed);
  let withheldRows = rows.filter((r) => !allowed(r));
  if (search.mostRecent !== undefined) {
    returned = returned.slice(0, search.mostRecent);
    const last = returned.length === search.mostRecent ? returned[returned.length - 1] : undefined;
    if (last) withheldRows = withheldRows.filter((r) => r.start_at.getTime() >= last.start_at.getTime());
  }
  const sections = await findSections(db, practice, returned.map((r) => r.id));
  return {
    consultations: returned.map((r) => ({ ...toEncounter(r), sections: sections.get(r.id) ?? [] })),
    withheld: withheldRows.length,
  };
}

/** The sections of the given consultations, by encounter, each in position order with its items. */
async function findSections(db: Db, practice: string, encounterIds: string[]): Promise<Map<string, ConsultationSection[]>> {
  const byEncounter = new Map<string, ConsultationSection[]>();
  if (encounterIds.length === 0) return byEncounter;
  const [sections, items] = await Promise.all([
    db.query<SectionRow>(
      `SELECT id, encounter_id, kind, parent_id, position, title, related_problem_id
         FROM consultation_section
        WHERE practice = $1 AND encounter_id = ANY($2::text[])
        ORDER BY encounter_id, position, id`,
      [practice, encounterIds],
    ),
    db.query<ItemRow>(
      `SELECT i.section_id, i.item_type, i.item_id
         FROM consultation_item i
         JOIN consultation_section s ON s.practice = i.practice AND s.id = i.section_id
        WHERE i.practice = $1 AND s.encounter_id = ANY($2::text[])
        ORDER BY i.section_id, i.position`,
      [practice, encounterIds],
    ),
  ]);
  const itemsBySection = new Map<string, ConsultationSection['items']>();
  for (const i of items) {
    const list = itemsBySection.get(i.section_id) ?? [];
    list.push({ type: i.item_type, id: i.item_id });
    itemsBySection.set(i.section_id, list);
  }
  for (const s of sections) {
    const section: ConsultationSection = {
      id: s.id,
      encounterId: s.encounter_id,
      kind: s.kind,
      position: s.position,
      items: itemsBySection.get(s.id) ?? [],
    };
    if (s.parent_id) section.parentId = s.parent_id;
    if (s.title) section.title = s.title;
    if (s.related_problem_id) section.relatedProblemId = s.related_problem_id;
    const list = byEncounter.get(s.encounter_id) ?? [];
    list.push(section);
    byEncounter.set(s.encounter_id, list);
  }
  return byEncounter;
}


/**
 * The patient's observations of the given ids (any kind; confidential ones included — the caller
 * withholds them), with their stored hierarchy. As for uncategorised data, an observation with no
 * recorded performer is performed by its consultation's clinician, and a confidential
 * consultation is never named.
 */
export async function findObservationsByIds(db: Db, practice: string, patientId: string, ids: string[]): Promise<Observation[]> {
  if (ids.length === 0) return [];
  // Every observation of the patient, filtered here: the consultations and the problems' linked
  // items of one record then share one read (through readOnce) instead of a round trip per id set.
  const [rows, related] = await Promise.all([
    db.query<ObservationRow>(`${observationSelect} WHERE o.practice = $1 AND o.patient_id = $2 ORDER BY o.id`, [practice, patientId]),
    findPatientRelated(db, practice, patientId),
  ]);
  const wanted = new Set(ids);
  return rows.filter((r) => wanted.has(r.id)).map((r) => observationFromRow(r, related.get(r.id) ?? []));
}

/**
 * The patient's procedure requests of the given ids, of either kind and any status: a consultation
 * may hold active or completed diary entries and test requests, and the caller decides what each
 * becomes (digest §13). Confidential ones are included (the caller withholds them); a confidential
 * consultation is never named.
 */
export async function findProcedureRequestsByIds(db: Db, practice: string, patientId: string, ids: string[]): Promise<ProcedureRequest[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<ProcedureRequestRow>(
    `${procedureRequestSelect} WHERE p.practice = $1 AND p.patient_id = $2 AND p.id = ANY($3::text[]) ORDER BY p.id`,
    [practice, patientId, ids],
  );
  return rows.map(procedureRequestFromRow);
}
