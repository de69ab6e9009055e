import type { Db } from '../store/db.ts';
import { loadClinicalSeed } from '../seed/load-clinical.ts';
import type { ClinicalRows } from './clinical-rows.ts';

/**
 * Deletes one patient's whole clinical record (every clinical table of 0003_clinical.sql), in an
 * order the foreign keys allow. The practice's medication dictionary is shared and stays.
 */
export async function deletePatientRecord(tx: Db, practice: string, patientId: string): Promise<void> {
  const p = [practice, patientId];
  const ofPatient = (table: string) => `SELECT id FROM ${table} WHERE practice = $1 AND patient_id = $2`;
  await tx.query(
    `DELETE FROM consultation_item WHERE practice = $1 AND section_id IN (
       SELECT s.id FROM consultation_section s JOIN encounter e ON e.practice = s.practice AND e.id = s.encounter_id
       WHERE s.practice = $1 AND e.patient_id = $2)`, p);
  await tx.query(`DELETE FROM problem_link WHERE practice = $1 AND problem_id IN (${ofPatient('problem')})`, p);
  await tx.query(`DELETE FROM observation_related WHERE practice = $1 AND observation_id IN (${ofPatient('observation')})`, p);
  await tx.query(`DELETE FROM diagnostic_report_item WHERE practice = $1 AND report_id IN (${ofPatient('diagnostic_report')})`, p);
  for (const table of [
    'record_warning', 'diagnostic_report', 'referral', 'medication_statement', 'medication_request', 'observation', 'specimen',
    'procedure_request', 'immunisation', 'problem', 'allergy',
  ]) {
    await tx.query(`DELETE FROM ${table} WHERE practice = $1 AND patient_id = $2`, p);
  }
  await tx.query(
    `DELETE FROM consultation_section WHERE practice = $1 AND encounter_id IN (${ofPatient('encounter')})`, p);
  await tx.query('DELETE FROM encounter WHERE practice = $1 AND patient_id = $2', p);
}

/** Writes the rows with the seed loader's one INSERT per table (its date shifting is not used: no row asks for it). */
export async function insertPatientRecord(tx: Db, practice: string, rows: ClinicalRows): Promise<void> {
  const today = new Date().toISOString().slice(0, 10);
  const seed: Record<string, unknown> = { dateShift: { months: { from: today }, days: { seedingDay: today } } };
  for (const [section, sectionRows] of Object.entries(rows) as [string, Record<string, unknown>[]][]) seed[section] = sectionRows.map((row) => ({ ...row, practice }));
  await loadClinicalSeed(tx, today, seed as Parameters<typeof loadClinicalSeed>[2]);
}
