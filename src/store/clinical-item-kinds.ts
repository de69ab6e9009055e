import type { Db } from './db.ts';

/**
 * The stored kind of each given Observation and ProcedureRequest of a practice: those two FHIR
 * types each belong to more than one clinical area (an Observation is uncategorised data or part
 * of an investigation; a ProcedureRequest is a diary entry or a test request), and the kind says
 * which. Keyed `Type/id`; ids the practice does not hold are absent.
 */
export async function findItemKinds(db: Db, practice: string, observationIds: string[], procedureRequestIds: string[]): Promise<Map<string, string>> {
  if (observationIds.length === 0 && procedureRequestIds.length === 0) return new Map();
  const rows = await db.query<{ type: string; id: string; kind: string }>(
    `SELECT 'Observation' AS type, id, kind FROM observation WHERE practice = $1 AND id = ANY($2::text[])
     UNION ALL
     SELECT 'ProcedureRequest' AS type, id, kind FROM procedure_request WHERE practice = $1 AND id = ANY($3::text[])`,
    [practice, observationIds, procedureRequestIds],
  );
  return new Map(rows.map((r) => [`${r.type}/${r.id}`, r.kind]));
}
