import { addDays, ukStartOfDay } from '../fhir/datetime.ts';
import type { Coded, DiagnosticReport, Identifier, Note, Observation, ObservationKind, ProcedureRequest, Specimen } from '../domain/clinical.ts';
import type { Db } from './db.ts';
import { findPatientRelated, observationFromRow, type ObservationRow } from './clinical-observations.ts';

/**
 * Access Record Structured: a patient's investigations (structured digest §16) — pathology reports
 * (`diagnostic_report`), what each holds in order (`diagnostic_report_item`: specimens, test
 * groups, standalone results, report-level filing comments), the test-group / test-result /
 * filing-comment observations with their hierarchy (`observation_related`), the specimens, and the
 * test requests the reports answer (`procedure_request` kind 'test-request').
 *
 * What a report brings in, closed over its links:
 * - the observations it lists, the members (`has-member`) of every test group brought in, and
 *   every filing comment `derived-from` an observation brought in (a filing comment on a group or
 *   result is referenced only from itself, never from what it files);
 * - the specimens it lists and those its observations name;
 * - its test request (basedOn).
 *
 * Confidentiality (digest §18.1): a confidential report is left out with everything only it brings
 * in; a confidential observation or test request is left out (and a confidential group's members
 * are not brought in through it). Each element left out counts in `withheld`, so the list gets
 * confidential-items whenever any confidential element of a report in the search was withheld.
 * With `includeConfidential` (migrate with sensitive information) nothing is left out.
 *
 * The consultation (encounter_id) of a report, observation or request is given only when that
 * consultation is not itself confidential.
 */

interface ReportRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  status: DiagnosticReport['status'];
  issued_at: Date;
  request_id: string | null;
  performer_organization_id: string | null;
  conclusion: string | null;
  encounter_id: string | null;
  confidential: boolean;
}

interface ReportItemRow {
  report_id: string;
  item_type: 'Specimen' | 'Observation';
  item_id: string;
}


interface SpecimenRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  status: Specimen['status'] | null;
  type: Coded;
  collected_at: Date | null;
  received_at: Date | null;
  note: string | null;
}

interface RequestRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  status: ProcedureRequest['status'];
  code: Coded;
  authored_at: Date | null;
  requester_id: string | null;
  performer_organization_id: string | null;
  reason_codes: Coded[];
  encounter_id: string | null;
  notes: Note[];
  confidential: boolean;
}

/** A search period of whole UK days, both ends inclusive and optional (YYYY-MM-DD). */
export interface DayPeriod {
  start?: string;
  end?: string;
}

export interface PatientInvestigations {
  /** Returned reports, by issue time then id; specimenIds / resultIds name returned items only. */
  reports: DiagnosticReport[];
  /** Every observation the returned reports bring in (groups, results, filing comments), once each. */
  observations: Observation[];
  specimens: Specimen[];
  /** The returned reports' test requests (kind 'test-request'). */
  requests: ProcedureRequest[];
  /** How many confidential elements (reports, observations, requests) of reports in the search were left out. */
  withheld: number;
}

const investigationKinds: ObservationKind[] = ['test-group', 'test-result', 'filing-comment'];

/**
 * A patient's investigations. `period` (digest §5.2): a report matches when the lab's issue time
 * (DiagnosticReport.issued) falls on one of the whole UK days start..end (either end open).
 */
export async function findPatientInvestigations(
  db: Db,
  practice: string,
  patientId: string,
  options: { period?: DayPeriod; includeConfidential?: boolean } = {},
): Promise<PatientInvestigations> {
  const include = options.includeConfidential ?? false;
  const from = options.period?.start ? ukStartOfDay(options.period.start) : null;
  const until = options.period?.end ? ukStartOfDay(addDays(options.period.end, 1)) : null;
  const reportRows = await db.query<ReportRow>(
    `SELECT d.id, d.patient_id, d.identifiers, d.status, d.issued_at, d.request_id, d.performer_organization_id, d.conclusion,
            CASE WHEN e.confidential THEN NULL ELSE d.encounter_id END AS encounter_id, d.confidential
       FROM diagnostic_report d
       LEFT JOIN encounter e ON e.practice = d.practice AND e.id = d.encounter_id
      WHERE d.practice = $1 AND d.patient_id = $2
        AND ($3::timestamptz IS NULL OR d.issued_at >= $3::timestamptz)
        AND ($4::timestamptz IS NULL OR d.issued_at < $4::timestamptz)
      ORDER BY d.issued_at, d.id`,
    [practice, patientId, from, until],
  );
  let withheld = 0;
  const returnedReports = reportRows.filter((r) => {
    if (r.confidential && !include) {
      withheld++;
      return false;
    }
    return true;
  });
  if (returnedReports.length === 0) return { reports: [], observations: [], specimens: [], requests: [], withheld };

  const itemRows = await db.query<ReportItemRow>(
    `SELECT report_id, item_type, item_id
       FROM diagnostic_report_item
      WHERE practice = $1 AND report_id = ANY($2::text[])
      ORDER BY report_id, position`,
    [practice, returnedReports.map((r) => r.id)],
  );

  // The observations, closed over has-member (group → results) and filing comments derived-from
  // them. The patient's investigation observations and their hierarchy are read in two queries and
  // the closure is walked in memory: a record holds hundreds of them at most, and a round trip per
  // level of the hierarchy cost more than reading the few that are not brought in.
  const [candidateRows, related] = await Promise.all([
    db.query<ObservationRow>(
      `SELECT o.id, o.patient_id, o.identifiers, o.kind, o.status, o.category, o.code, o.effective_start, o.effective_end,
              o.issued_at, o.performer_practitioner_id, o.performer_organization_id, o.value, o.interpretation, o.comment,
              o.reference_range, o.components, o.specimen_id,
              CASE WHEN e.confidential THEN NULL ELSE o.encounter_id END AS encounter_id, o.confidential
         FROM observation o
         LEFT JOIN encounter e ON e.practice = o.practice AND e.id = o.encounter_id
        WHERE o.practice = $1 AND o.patient_id = $2 AND o.kind = ANY($3::text[])`,
      [practice, patientId, investigationKinds],
    ),
    findPatientRelated(db, practice, patientId),
  ]);
  const candidates = new Map(candidateRows.map((row) => [row.id, row]));
  const filingsOf = new Map<string, string[]>();
  for (const row of candidateRows) {
    if (row.kind !== 'filing-comment') continue;
    for (const r of related.get(row.id) ?? []) if (r.type === 'derived-from') filingsOf.set(r.targetId, [...(filingsOf.get(r.targetId) ?? []), row.id]);
  }
  const observationRows = new Map<string, ObservationRow>();
  const withheldObservations = new Set<string>();
  const pending = [...new Set(itemRows.filter((i) => i.item_type === 'Observation').map((i) => i.item_id))];
  while (pending.length > 0) {
    const id = pending.shift()!;
    const row = candidates.get(id);
    if (!row || observationRows.has(id) || withheldObservations.has(id)) continue;
    if (row.confidential && !include) {
      withheldObservations.add(id);
      continue;
    }
    observationRows.set(id, row);
    for (const r of related.get(id) ?? []) if (r.type === 'has-member') pending.push(r.targetId);
    pending.push(...(filingsOf.get(id) ?? []));
  }
  withheld += withheldObservations.size;

  // The specimens the reports list and the observations name.
  const specimenIds = new Set<string>(itemRows.filter((i) => i.item_type === 'Specimen').map((i) => i.item_id));
  for (const o of observationRows.values()) if (o.specimen_id) specimenIds.add(o.specimen_id);
  const specimenRows = specimenIds.size === 0 ? [] : await db.query<SpecimenRow>(
    `SELECT id, patient_id, identifiers, status, type, collected_at, received_at, note
       FROM specimen
      WHERE practice = $1 AND patient_id = $2 AND id = ANY($3::text[])
      ORDER BY collected_at NULLS LAST, id`,
    [practice, patientId, [...specimenIds]],
  );
  const specimens = specimenRows.map(toSpecimen);
  const returnedSpecimens = new Set(specimens.map((s) => s.id));

  // The test requests.
  const requestIds = [...new Set(returnedReports.flatMap((r) => (r.request_id ? [r.request_id] : [])))];
  const requestRows = requestIds.length === 0 ? [] : await db.query<RequestRow>(
    `SELECT p.id, p.patient_id, p.identifiers, p.status, p.code, p.authored_at, p.requester_id, p.performer_organization_id,
            p.reason_codes, CASE WHEN e.confidential THEN NULL ELSE p.encounter_id END AS encounter_id, p.notes, p.confidential
       FROM procedure_request p
       LEFT JOIN encounter e ON e.practice = p.practice AND e.id = p.encounter_id
      WHERE p.practice = $1 AND p.patient_id = $2 AND p.id = ANY($3::text[]) AND p.kind = 'test-request'
      ORDER BY p.authored_at NULLS LAST, p.id`,
    [practice, patientId, requestIds],
  );
  const requests: ProcedureRequest[] = [];
  for (const row of requestRows) {
    if (row.confidential && !include) withheld++;
    else requests.push(toRequest(row));
  }
  const returnedRequests = new Set(requests.map((r) => r.id));

  // Observations in the order the reports list them, each group followed by its members.
  const ordered: Observation[] = [];
  const placed = new Set<string>();
  const place = (id: string) => {
    const row = observationRows.get(id);
    if (!row || placed.has(id)) return;
    placed.add(id);
    const rel = (related.get(id) ?? []).filter((r) => observationRows.has(r.targetId));
    ordered.push(toObservation(row, rel, returnedSpecimens));
    for (const r of rel) if (r.type === 'has-member') place(r.targetId);
  };
  for (const item of itemRows) if (item.item_type === 'Observation') place(item.item_id);
  for (const id of observationRows.keys()) place(id);

  const reports = returnedReports.map((r): DiagnosticReport => {
    const items = itemRows.filter((i) => i.report_id === r.id);
    return {
      id: r.id,
      patientId: r.patient_id,
      identifiers: r.identifiers,
      confidential: r.confidential,
      status: r.status,
      issuedAt: r.issued_at,
      requestId: r.request_id && returnedRequests.has(r.request_id) ? r.request_id : undefined,
      performerOrganizationId: r.performer_organization_id ?? undefined,
      conclusion: r.conclusion ?? undefined,
      encounterId: r.encounter_id ?? undefined,
      specimenIds: items.filter((i) => i.item_type === 'Specimen' && returnedSpecimens.has(i.item_id)).map((i) => i.item_id),
      resultIds: items.filter((i) => i.item_type === 'Observation' && observationRows.has(i.item_id)).map((i) => i.item_id),
    };
  });
  return { reports, observations: ordered, specimens, requests, withheld };
}

// A result names its specimen only when that specimen is returned too.
const toObservation = (r: ObservationRow, related: Observation['related'], specimens: ReadonlySet<string>): Observation => ({
  ...observationFromRow(r, related),
  specimenId: r.specimen_id && specimens.has(r.specimen_id) ? r.specimen_id : undefined,
});

const toSpecimen = (r: SpecimenRow): Specimen => ({
  id: r.id,
  patientId: r.patient_id,
  identifiers: r.identifiers,
  status: r.status ?? undefined,
  type: r.type,
  collectedAt: r.collected_at ?? undefined,
  receivedAt: r.received_at ?? undefined,
  note: r.note ?? undefined,
});

const toRequest = (r: RequestRow): ProcedureRequest => ({
  id: r.id,
  patientId: r.patient_id,
  identifiers: r.identifiers,
  confidential: r.confidential,
  kind: 'test-request',
  status: r.status,
  code: r.code,
  authoredAt: r.authored_at ?? undefined,
  requesterId: r.requester_id ?? undefined,
  performerOrganizationId: r.performer_organization_id ?? undefined,
  reasonCodes: r.reason_codes ?? [],
  encounterId: r.encounter_id ?? undefined,
  notes: r.notes ?? [],
});
