import type { Resource } from '../fhir/datatypes.ts';
import type { RecordWarning } from '../domain/clinical.ts';
import { findRecordWarnings } from '../store/clinical-allergies.ts';
import type { Db } from '../store/db.ts';
import type { AreaSwitches } from './area-switches.ts';

/** What an area builder is given: the store and the patient whose record is being read. */
export interface AreaContext {
  db: Db;
  practice: string;
  patientId: string;
  /** The UK date today, YYYY-MM-DD. */
  today: string;
  now: Date;
  /** Migrate with sensitive information: confidential items are returned, not withheld (default false). */
  includeConfidential?: boolean;
  /**
   * The practice's clinical-area switches, for the builders that pull in other areas' items
   * (consultations, problems): an item of an area that is off is shown display-only instead.
   * Absent: every area is on (migrate).
   */
  switches?: AreaSwitches;
}

/**
 * What a clinical area adds to the structured record: its List(s) and the resources they
 * reference (the bundle de-duplicates by type and id), and the items whose problem links the
 * bundle should follow.
 */
export interface AreaResult {
  lists: Resource[];
  resources: Resource[];
  linkedItems: { type: string; id: string }[];
}

/**
 * The patient's record warnings (every area); each area's lists pick their own with
 * listWarnings(). Every area asks: within a record the store view (readOnce) reads them once.
 */
export async function patientRecordWarnings(ctx: AreaContext): Promise<RecordWarning[]> {
  const warnings = await findRecordWarnings(ctx.db, ctx.practice, ctx.patientId);
  // With confidential items returned (migrate with sensitive information) nothing is withheld, so
  // a recorded confidential-items warning would be false.
  return ctx.includeConfidential ? warnings.filter((w) => w.code !== 'confidential-items') : warnings;
}
