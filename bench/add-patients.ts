import type pg from 'pg';

/**
 * Fills a PostgreSQL store with `count` more patients of a practice, each holding a copy of one
 * seeded patient's whole clinical record, so that the structured-record figures can be read with
 * a store of realistic size (issue: "no slower with 100,000 patients"). Copies get ids
 * `<id>~<n>` and patient ids `bench-<n>`; references between clinical items follow the copy, and
 * references into the practice directory and the medication dictionary stay as they are.
 */

/** Columns that name another clinical item of the same patient (and so are re-keyed in a copy). */
const itemReferences = new Set([
  'id', 'encounter_id', 'plan_id', 'prior_plan_id', 'request_id', 'specimen_id', 'problem_id', 'target_id', 'item_id',
  'section_id', 'parent_id', 'report_id', 'observation_id', 'related_problem_id',
]);

/** Clinical tables with a patient_id column, and the child tables reached through a parent's id. */
const patientTables = ['encounter', 'allergy', 'medication_request', 'medication_statement', 'problem', 'immunisation', 'specimen',
  'observation', 'procedure_request', 'diagnostic_report', 'referral', 'record_warning'];
const childTables: [table: string, parentColumn: string, parentTable: string][] = [
  ['consultation_section', 'encounter_id', 'encounter'],
  ['problem_link', 'problem_id', 'problem'],
  ['observation_related', 'observation_id', 'observation'],
  ['diagnostic_report_item', 'report_id', 'diagnostic_report'],
];

export async function addPatients(client: pg.Client, practice: string, sourcePatientId: string, count: number): Promise<number> {
  const columnsOf = async (table: string): Promise<string[]> =>
    (await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, [table],
    )).rows.map((r) => r.column_name);
  const copyOf = (column: string, alias: string) =>
    column === 'patient_id' ? `'bench-' || n` : itemReferences.has(column) ? `CASE WHEN ${alias}.${column} IS NULL THEN NULL ELSE ${alias}.${column} || '~' || n END` : `${alias}.${column}`;

  // The patients: the source's demographics under new ids and (unchecked) NHS numbers.
  const patientColumns = await columnsOf('patient');
  await client.query(
    `INSERT INTO patient (${patientColumns.join(', ')})
     SELECT ${patientColumns.map((c) => (c === 'id' ? `'bench-' || n` : c === 'nhs_number' ? `(8000000000 + n)::text` : `s.${c}`)).join(', ')}
       FROM patient s, generate_series(1, $3::int) AS n WHERE s.practice = $1 AND s.id = $2`,
    [practice, sourcePatientId, count],
  );
  let rows = count;
  for (const table of patientTables) {
    const columns = await columnsOf(table);
    const result = await client.query(
      `INSERT INTO ${table} (${columns.join(', ')})
       SELECT ${columns.map((c) => copyOf(c, 's')).join(', ')}
         FROM ${table} s, generate_series(1, $3::int) AS n WHERE s.practice = $1 AND s.patient_id = $2`,
      [practice, sourcePatientId, count],
    );
    rows += result.rowCount ?? 0;
  }
  // consultation_item hangs off consultation_section, which hangs off encounter.
  for (const [table, parentColumn, parentTable] of [...childTables, ['consultation_item', 'section_id', 'consultation_section'] as const]) {
    const columns = await columnsOf(table);
    const parentPatient = parentTable === 'consultation_section'
      ? `EXISTS (SELECT 1 FROM consultation_section cs JOIN encounter e ON e.practice = cs.practice AND e.id = cs.encounter_id
                  WHERE cs.practice = s.practice AND cs.id = s.section_id AND e.patient_id = $2)`
      : `EXISTS (SELECT 1 FROM ${parentTable} p WHERE p.practice = s.practice AND p.id = s.${parentColumn} AND p.patient_id = $2)`;
    const result = await client.query(
      `INSERT INTO ${table} (${columns.join(', ')})
       SELECT ${columns.map((c) => copyOf(c, 's')).join(', ')}
         FROM ${table} s, generate_series(1, $3::int) AS n WHERE s.practice = $1 AND ${parentPatient}`,
      [practice, sourcePatientId, count],
    );
    rows += result.rowCount ?? 0;
  }
  await client.query('ANALYZE');
  return rows;
}
