import type { Coded, Identifier, Note, Problem, ProblemLink } from '../domain/clinical.ts';
import type { Db } from './db.ts';

/**
 * Access Record Structured: a patient's problems (table `problem`, 0003_clinical.sql) and what each
 * is linked to (`problem_link`), keyed by practice and patient.
 *
 * Every link says whether its target may be referenced at all:
 * - `available`: the target is a row of this patient that retrieval may return;
 * - `withheld`: the target is confidential (for a medication: the request, its plan or the plan's
 *   statement is), so it must leave no trace; the list it would have been in gets confidential-items;
 * - `unsupported`: the target is of a type this provider never exports (DocumentReference: Access
 *   Record Structured 1.6 returns no documents), so it has no row here to check; the problem shows
 *   the link display-only, "Documents items are not supported by the provider system" (digest §12,
 *   §18.5);
 * - `absent`: there is no such row of this patient, or it is out of scope: a diary entry that is
 *   no longer active, a test request no returned report answers. Simply not referenced (digest §12).
 *
 * A link to an Observation or a ProcedureRequest also carries the target's stored kind: those
 * types each belong to more than one clinical area (uncategorised data or an investigation; a diary
 * entry or a test request), and a practice may switch areas off one by one (digest §18.3).
 */

export type LinkState = 'available' | 'withheld' | 'unsupported' | 'absent';

export type StoredProblemLink = ProblemLink & { state: LinkState; targetKind?: string };

export interface StoredProblem extends Problem {
  links: StoredProblemLink[];
}

export interface PatientProblems {
  /** Returned problems, by asserted date then id. Confidential ones only with `includeConfidential`. */
  problems: StoredProblem[];
  /**
   * Confidential problems left out. Never to be emitted: the structured layer only uses them to
   * know which lists would have held them (confidential-items).
   */
  withheld: StoredProblem[];
}

interface ProblemRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  status: 'active' | 'inactive';
  significance: 'major' | 'minor';
  code: Coded;
  onset_at: Date | null;
  abated_at: Date | null;
  asserted_at: Date;
  asserter_id: string;
  /** NULL when there is none or when that consultation is itself confidential. */
  encounter_id: string | null;
  notes: Note[];
  confidential: boolean;
}

interface LinkRow {
  problem_id: string;
  relation: ProblemLink['relation'];
  target_type: ProblemLink['targetType'];
  target_id: string;
  state: LinkState;
  target_kind: string | null;
}

/**
 * The state of a link's target, per target type (the same patient only). A withheld plan hides its
 * issues too; a medication course is withheld when its statement is.
 */
const linkStateSql = `
  CASE l.target_type
    WHEN 'AllergyIntolerance' THEN (SELECT CASE WHEN t.confidential THEN 'withheld' ELSE 'available' END
      FROM allergy t WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
    WHEN 'MedicationRequest' THEN (SELECT CASE WHEN t.confidential OR COALESCE(plan.confidential, false)
        OR EXISTS (SELECT 1 FROM medication_statement s WHERE s.practice = t.practice
                    AND s.plan_id = COALESCE(t.plan_id, t.id) AND s.confidential)
      THEN 'withheld' ELSE 'available' END
      FROM medication_request t
      LEFT JOIN medication_request plan ON plan.practice = t.practice AND plan.id = t.plan_id
      WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
    WHEN 'Immunization' THEN (SELECT CASE WHEN t.confidential THEN 'withheld' ELSE 'available' END
      FROM immunisation t WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
    WHEN 'Observation' THEN (SELECT CASE WHEN t.confidential THEN 'withheld' ELSE 'available' END
      FROM observation t WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
    WHEN 'DiagnosticReport' THEN (SELECT CASE WHEN t.confidential THEN 'withheld' ELSE 'available' END
      FROM diagnostic_report t WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
    WHEN 'ReferralRequest' THEN (SELECT CASE WHEN t.confidential THEN 'withheld' ELSE 'available' END
      FROM referral t WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
    WHEN 'ProcedureRequest' THEN (SELECT CASE
        WHEN t.confidential THEN 'withheld'
        WHEN t.kind = 'diary' AND t.status = 'active' THEN 'available'
        WHEN t.kind = 'test-request' AND EXISTS (SELECT 1 FROM diagnostic_report r WHERE r.practice = t.practice
               AND r.request_id = t.id AND NOT r.confidential) THEN 'available'
        ELSE 'absent' END
      FROM procedure_request t WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
    WHEN 'Encounter' THEN (SELECT CASE WHEN t.confidential THEN 'withheld' ELSE 'available' END
      FROM encounter t WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
    WHEN 'Condition' THEN (SELECT CASE WHEN t.confidential THEN 'withheld' ELSE 'available' END
      FROM problem t WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
    WHEN 'DocumentReference' THEN 'unsupported'
  END`;

/** The stored kind of a link's Observation or ProcedureRequest target (NULL for other types). */
const linkKindSql = `
  CASE l.target_type
    WHEN 'Observation' THEN (SELECT t.kind FROM observation t
      WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
    WHEN 'ProcedureRequest' THEN (SELECT t.kind FROM procedure_request t
      WHERE t.practice = l.practice AND t.id = l.target_id AND t.patient_id = p.patient_id)
  END`;

/**
 * A patient's problems with their links in order. Confidential problems are set apart (and links
 * to them are `withheld`) unless `includeConfidential` (migrate with sensitive information).
 */
export async function findPatientProblems(
  db: Db,
  practice: string,
  patientId: string,
  options: { includeConfidential?: boolean; problemIds?: readonly string[] } = {},
): Promise<PatientProblems> {
  // Only those problems (each still with every link), when the caller knows which can matter.
  const only = options.problemIds === undefined ? '' : ' AND p.id = ANY($3::text[])';
  const params = options.problemIds === undefined ? [practice, patientId] : [practice, patientId, [...options.problemIds]];
  const [rows, links] = await Promise.all([
    db.query<ProblemRow>(
      `SELECT p.id, p.patient_id, p.identifiers, p.status, p.significance, p.code, p.onset_at, p.abated_at, p.asserted_at,
              p.asserter_id, CASE WHEN e.confidential THEN NULL ELSE p.encounter_id END AS encounter_id, p.notes, p.confidential
         FROM problem p
         LEFT JOIN encounter e ON e.practice = p.practice AND e.id = p.encounter_id
        WHERE p.practice = $1 AND p.patient_id = $2${only}
        ORDER BY p.asserted_at, p.id`,
      params,
    ),
    db.query<LinkRow>(
      `SELECT l.problem_id, l.relation, l.target_type, l.target_id, COALESCE(${linkStateSql}, 'absent') AS state,
              ${linkKindSql} AS target_kind
         FROM problem_link l
         JOIN problem p ON p.practice = l.practice AND p.id = l.problem_id
        WHERE p.practice = $1 AND p.patient_id = $2${only}
        ORDER BY l.problem_id, l.position`,
      params,
    ),
  ]);
  const linksByProblem = new Map<string, StoredProblemLink[]>();
  for (const l of links) {
    let state = l.state;
    if (options.includeConfidential && state === 'withheld') state = 'available';
    const link = { relation: l.relation, targetType: l.target_type, targetId: l.target_id, state } as StoredProblemLink;
    if (l.target_kind !== null) link.targetKind = l.target_kind;
    const list = linksByProblem.get(l.problem_id);
    if (list) list.push(link);
    else linksByProblem.set(l.problem_id, [link]);
  }
  const result: PatientProblems = { problems: [], withheld: [] };
  for (const r of rows) {
    const problem: StoredProblem = {
      id: r.id,
      patientId: r.patient_id,
      identifiers: r.identifiers,
      confidential: r.confidential,
      status: r.status,
      significance: r.significance,
      code: r.code,
      onsetAt: r.onset_at ?? undefined,
      abatedAt: r.abated_at ?? undefined,
      assertedAt: r.asserted_at,
      asserterId: r.asserter_id,
      encounterId: r.encounter_id ?? undefined,
      notes: r.notes ?? [],
      links: linksByProblem.get(r.id) ?? [],
    };
    if (r.confidential && !options.includeConfidential) result.withheld.push(problem);
    else result.problems.push(problem);
  }
  return result;
}

/**
 * The ids of the patient's problems (confidential ones too) linked to any of `items` (by target;
 * not through Condition links), with the ids of the problems directly related to those (Condition
 * links either way, whatever their state): every problem the linked problems of those items can
 * involve. Unordered; the related ids are not checked against the patient.
 */
export async function findProblemIdsLinkedTo(
  db: Db,
  practice: string,
  patientId: string,
  items: readonly { type: string; id: string }[],
): Promise<string[]> {
  if (items.length === 0) return [];
  const rows = await db.query<{ id: string }>(
    `WITH linked AS (
       SELECT DISTINCT l.problem_id AS id
         FROM unnest($3::text[], $4::text[]) AS i(type, id)
         JOIN problem_link l ON l.practice = $1 AND l.target_type = i.type AND l.target_id = i.id
         JOIN problem p ON p.practice = l.practice AND p.id = l.problem_id
        WHERE p.patient_id = $2 AND i.type <> 'Condition'
     )
     SELECT id FROM linked
     UNION SELECT l.target_id FROM linked JOIN problem_link l ON l.practice = $1 AND l.problem_id = linked.id AND l.target_type = 'Condition'
     UNION SELECT l.problem_id FROM linked JOIN problem_link l ON l.practice = $1 AND l.target_type = 'Condition' AND l.target_id = linked.id`,
    [practice, patientId, items.map((i) => i.type), items.map((i) => i.id)],
  );
  return rows.map((r) => r.id);
}
