import type { Db } from '../store/db.ts';
import { findPatientByNhsNumber } from '../store/patients.ts';
import { readAllergies } from './allergies.ts';
import { clashingIds, medicationDictionary } from './clinical-ids.ts';
import { emptyRows, type ClinicalRows, type ReadContext } from './clinical-rows.ts';
import { readConsultations } from './consultations.ts';
import { addDirectoryEntries, checkDirectoryResources, mapDirectory } from './directory.ts';
import { ImportIssues, ImportRejected } from './import-issues.ts';
import { readImmunisations } from './immunisations.ts';
import { readInvestigations } from './investigations.ts';
import { readMedications } from './medications.ts';
import { readObservations } from './observations.ts';
import { deletePatientRecord, insertPatientRecord } from './patient-record-store.ts';
import { readProblems } from './problems.ts';
import { readProcedureRequests } from './procedure-requests.ts';
import { RecordBundle, type Fhir } from './record-bundle.ts';
import { readRecordWarnings } from './record-warnings.ts';
import { readReferrals } from './referrals.ts';
import { renameIds } from './rename-ids.ts';

/** What an import did, for the command line to print. */
export interface ImportSummary {
  practice: string;
  patientId: string;
  /** Rows written, by what they are. */
  counts: Record<string, number>;
  /** Bundle ids that belonged to another patient of the practice (or a different medication), and their new ids. */
  renamed: { from: string; to: string }[];
  directory: { matched: number; added: string[] };
  /** What the store could not keep that is not an error (display-only entries). */
  notKept: string[];
}

/** Resource types read into the store; and those the Bundle may carry that hold nothing to keep. */
const clinicalTypes = new Set([
  'AllergyIntolerance', 'Medication', 'MedicationStatement', 'MedicationRequest', 'Condition', 'Encounter', 'List', 'Immunization',
  'Observation', 'DiagnosticReport', 'Specimen', 'ProcedureRequest', 'ReferralRequest', 'Practitioner', 'Organization', 'Location',
]);
/** The Patient (demographics are never overwritten), role links, and the request's warnings. */
const ignoredTypes = new Set(['Patient', 'PractitionerRole', 'OperationOutcome']);

/** The item types whose export drops their consultation: it is found again from the consultation structure. */
const contextFromStructure: [type: string, section: keyof ClinicalRows][] = [
  ['ReferralRequest', 'referrals'],
  ['ProcedureRequest', 'procedureRequests'],
];

/**
 * Replaces the clinical record of the practice's patient with this NHS number by the content of
 * a structured record Bundle (the FHIR form $gpc.getstructuredrecord and
 * $gpc.migratestructuredrecord return), in one transaction: every clinical row of the patient is
 * deleted and the Bundle's items written. The Bundle's Patient is not read (demographics stay).
 *
 * Identity: items keep their Bundle ids unless another patient of the practice holds the id, then
 * they get new ids and every reference follows. Practitioners, Organizations and Locations are
 * mapped onto the practice directory (src/import/directory.ts), missing ones added.
 *
 * Anything that cannot be mapped — not a Bundle, a resource type or element the store cannot hold,
 * a missing required element, a reference to something the Bundle does not hold — is an
 * ImportRejected listing every issue; nothing is written then.
 */
export async function importStructuredRecord(db: Db, practice: string, nhsNumber: string, bundle: unknown): Promise<ImportSummary> {
  const patient = await findPatientByNhsNumber(db, practice, nhsNumber);
  if (!patient) throw new ImportRejected([{ resource: 'NHS number', element: '', message: `no patient with NHS number ${nhsNumber} at practice ${practice}` }]);

  // Everything that can be checked without the store, before the transaction.
  const issues = new ImportIssues();
  const first = readRecord(bundle, patient.id, issues);
  if (issues.any) throw new ImportRejected(issues.all);

  return db.transaction(async (tx) => {
    await findPatientByNhsNumber(tx, practice, nhsNumber, true);
    const directory = await mapDirectory(tx, practice, first.bundle);
    const clashes = await clashingIds(tx, practice, patient.id, first.rows);
    const dictionary = await medicationDictionary(tx, practice, patient.id, first.rows.medications);
    const renames = new Map([...directory.renames, ...clashes, ...dictionary.renames]);

    const final = readRecord(renameIds(bundle as Fhir, renames), patient.id, new ImportIssues());
    const rows = final.rows;
    rows.medications = rows.medications.filter((m) => !dictionary.reused.has(String(m.id)));

    await addDirectoryEntries(tx, practice, directory);
    await deletePatientRecord(tx, practice, patient.id);
    await insertPatientRecord(tx, practice, rows);
    return {
      practice,
      patientId: patient.id,
      counts: countsOf(rows, dictionary.reused.size),
      renamed: [...clashes, ...dictionary.renames].map(([from, to]) => ({ from, to: `${from.split('/')[0]}/${to}` })),
      directory: { matched: directory.matched.length, added: directory.added.map((a) => `${a.type}/${a.id}`) },
      notKept: final.notes,
    };
  });
}

/** Reads the whole Bundle into rows for the patient (store id `patientId`), reporting every issue. */
function readRecord(input: unknown, patientId: string, issues: ImportIssues): { bundle: RecordBundle; rows: ClinicalRows; notes: string[] } {
  const bundle = new RecordBundle(input, issues);
  const ctx: ReadContext = { bundle, patientId, rows: emptyRows(), notes: [] };
  for (const r of bundle.resources) {
    const type = String(r.resourceType);
    if (!clinicalTypes.has(type) && !ignoredTypes.has(type)) issues.add(`${type}/${String(r.id)}`, 'resourceType', `the store cannot hold ${type} resources`);
  }
  readAllergies(ctx);
  readMedications(ctx);
  readProblems(ctx);
  const encounterOfItem = readConsultations(ctx);
  readImmunisations(ctx);
  readObservations(ctx);
  readInvestigations(ctx);
  readProcedureRequests(ctx);
  readReferrals(ctx);
  readRecordWarnings(ctx);
  checkDirectoryResources(bundle);
  for (const [type, section] of contextFromStructure) {
    for (const row of ctx.rows[section]) row.encounterId ??= encounterOfItem.get(`${type}/${String(row.id)}`);
  }
  return { bundle, rows: ctx.rows, notes: ctx.notes };
}

function countsOf(rows: ClinicalRows, reusedMedications: number): Record<string, number> {
  const count = <T>(xs: T[], f: (x: T) => boolean = () => true) => xs.filter(f).length;
  const kind = (k: string) => (o: Record<string, unknown>) => o.kind === k;
  return {
    'allergies (active)': count(rows.allergies, (a) => a.clinicalStatus === 'active'),
    'allergies (ended)': count(rows.allergies, (a) => a.clinicalStatus === 'resolved'),
    'medication statements': count(rows.medicationStatements),
    'medication plans': count(rows.medicationRequests, (m) => m.intent === 'plan'),
    'medication issues': count(rows.medicationRequests, (m) => m.intent === 'order'),
    'medications added to the dictionary': count(rows.medications),
    'medications found in the dictionary': reusedMedications,
    problems: count(rows.problems),
    'problem links': count(rows.problemLinks),
    consultations: count(rows.encounters),
    'consultation topics and headings': count(rows.consultationSections, (s) => s.kind !== 'consultation'),
    'consultation items': count(rows.consultationItems),
    'consultation comment notes': count(rows.observations, kind('narrative')),
    immunisations: count(rows.immunisations),
    'uncategorised observations': count(rows.observations, kind('uncategorised')),
    'investigation reports': count(rows.diagnosticReports),
    'investigation observations': count(rows.observations, (o) => ['test-group', 'test-result', 'filing-comment'].includes(String(o.kind))),
    specimens: count(rows.specimens),
    'test requests': count(rows.procedureRequests, kind('test-request')),
    referrals: count(rows.referrals),
    'diary entries': count(rows.procedureRequests, kind('diary')),
    'record warnings': count(rows.recordWarnings),
  };
}
