import type { RecordBundle, Row } from './record-bundle.ts';

/**
 * The rows a Bundle becomes, per section of seed/clinical.json (the same camelCase columns
 * src/seed/load-clinical.ts writes), so the seed loader's one INSERT per table writes them too.
 */
export interface ClinicalRows {
  medications: Row[];
  encounters: Row[];
  consultationSections: Row[];
  consultationItems: Row[];
  allergies: Row[];
  medicationRequests: Row[];
  medicationStatements: Row[];
  problems: Row[];
  problemLinks: Row[];
  immunisations: Row[];
  specimens: Row[];
  observations: Row[];
  observationRelated: Row[];
  procedureRequests: Row[];
  diagnosticReports: Row[];
  diagnosticReportItems: Row[];
  referrals: Row[];
  recordWarnings: Row[];
}

export function emptyRows(): ClinicalRows {
  return {
    medications: [], encounters: [], consultationSections: [], consultationItems: [], allergies: [], medicationRequests: [],
    medicationStatements: [], problems: [], problemLinks: [], immunisations: [], specimens: [], observations: [],
    observationRelated: [], procedureRequests: [], diagnosticReports: [], diagnosticReportItems: [], referrals: [], recordWarnings: [],
  };
}

/** What each area's reader is given: the Bundle, the store id of the patient, and the rows to add to. */
export interface ReadContext {
  bundle: RecordBundle;
  patientId: string;
  rows: ClinicalRows;
  /** Things the store cannot keep that are not errors (display-only entries), for the summary. */
  notes: string[];
}
