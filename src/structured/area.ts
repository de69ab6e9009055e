import type { Resource } from '../fhir/datatypes.ts';
import type { Db } from '../store/db.ts';

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
