import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../store/db.ts';

const clinicalSeedFile = fileURLToPath(new URL('../../seed/clinical.json', import.meta.url));

type Row = Record<string, unknown>;
type Shift = 'months' | 'days';

/**
 * seed/clinical.json: one array of rows per clinical table, keyed by the camelCase form of the
 * column names. Rows with `"shift"` have their date columns moved relative to the seeding day
 * (seed/README.md, "Clinical data"): 'months' adds the whole months from dateShift.months.from to
 * the seeding day (the test pack's medication rule); 'days' treats dateShift.days.seedingDay as the
 * seeding day.
 */
export interface ClinicalSeed {
  dateShift: { months: { from: string }; days: { seedingDay: string } };
  [table: string]: unknown;
}

export function readClinicalSeed(): ClinicalSeed {
  return JSON.parse(readFileSync(clinicalSeedFile, 'utf8')) as ClinicalSeed;
}

/**
 * Column type, optionally with the value used when the row leaves the column out (an absent key
 * reads as NULL in jsonb_to_recordset, which would override the column default).
 */
type Column = 'text' | 'integer' | 'numeric' | 'boolean' | 'jsonb' | 'date' | 'timestamptz' | 'jsonb=[]' | 'boolean=false';

const item = { id: 'text', patientId: 'text', identifiers: 'jsonb=[]' } as const;
const notes = { notes: 'jsonb=[]', confidential: 'boolean=false' } as const;

/** Seed section → table and columns, in foreign-key order. */
const tables: [section: string, table: string, columns: Record<string, Column>][] = [
  ['medications', 'medication', { id: 'text', code: 'jsonb', batchNumber: 'text', expiryDate: 'date' }],
  ['encounters', 'encounter', {
    ...item, status: 'text', type: 'jsonb', startAt: 'timestamptz', endAt: 'timestamptz', recorderId: 'text', performerId: 'text',
    locationId: 'text', serviceProviderId: 'text', recordedAt: 'timestamptz', confidential: 'boolean=false',
  }],
  ['consultationSections', 'consultation_section', {
    id: 'text', encounterId: 'text', kind: 'text', parentId: 'text', position: 'integer', title: 'text', relatedProblemId: 'text',
  }],
  ['consultationItems', 'consultation_item', { sectionId: 'text', position: 'integer', itemType: 'text', itemId: 'text' }],
  ['allergies', 'allergy', {
    ...item, clinicalStatus: 'text', category: 'text', code: 'jsonb', onsetAt: 'timestamptz', assertedAt: 'timestamptz',
    endAt: 'timestamptz', endReason: 'text', reactionManifestation: 'jsonb', reactionSeverity: 'text', note: 'text',
    recorderId: 'text', encounterId: 'text', confidential: 'boolean=false',
  }],
  ['medicationRequests', 'medication_request', {
    ...item, intent: 'text', planId: 'text', groupIdentifier: 'text', status: 'text', medicationId: 'text', prescriptionType: 'text',
    authoredOn: 'date', requesterId: 'text', recorderId: 'text', dosageText: 'text', patientInstruction: 'text',
    validityStart: 'date', validityEnd: 'date', quantityValue: 'numeric', quantityUnit: 'text', quantityText: 'text',
    supplyDays: 'integer', dispenserId: 'text', priorPlanId: 'text', repeatsAllowed: 'integer', repeatsIssued: 'integer',
    authorisationExpiry: 'date', statusReason: 'text', statusChangedOn: 'date', encounterId: 'text', ...notes,
  }],
  ['medicationStatements', 'medication_statement', {
    ...item, planId: 'text', medicationId: 'text', status: 'text', effectiveStart: 'date', effectiveEnd: 'date',
    assertedOn: 'date', lastIssueDate: 'date', dosageText: 'text', patientInstruction: 'text', dosageLastChanged: 'date',
    prescribingAgency: 'text', prescribingAgencyText: 'text', encounterId: 'text', ...notes,
  }],
  ['problems', 'problem', {
    ...item, status: 'text', significance: 'text', code: 'jsonb', onsetAt: 'timestamptz', abatedAt: 'timestamptz',
    assertedAt: 'timestamptz', asserterId: 'text', encounterId: 'text', ...notes,
  }],
  ['problemLinks', 'problem_link', { problemId: 'text', position: 'integer', relation: 'text', targetType: 'text', targetId: 'text' }],
  ['immunisations', 'immunisation', {
    ...item, notGiven: 'boolean=false', vaccineCode: 'jsonb', vaccinationProcedure: 'jsonb', givenAt: 'timestamptz',
    recordedAt: 'timestamptz', primarySource: 'boolean', parentPresent: 'boolean', locationId: 'text', manufacturerId: 'text',
    lotNumber: 'text', expirationDate: 'date', site: 'jsonb', route: 'jsonb', doseQuantity: 'jsonb', practitionerId: 'text',
    practitionerRole: 'text', reasons: 'jsonb=[]', protocol: 'jsonb', encounterId: 'text', ...notes,
  }],
  ['specimens', 'specimen', {
    ...item, status: 'text', type: 'jsonb', collectedAt: 'timestamptz', receivedAt: 'timestamptz', note: 'text',
  }],
  ['observations', 'observation', {
    ...item, kind: 'text', status: 'text', category: 'jsonb', code: 'jsonb', effectiveStart: 'timestamptz',
    effectiveEnd: 'timestamptz', issuedAt: 'timestamptz', performerPractitionerId: 'text', performerOrganizationId: 'text',
    value: 'jsonb', interpretation: 'jsonb', comment: 'text', referenceRange: 'jsonb', components: 'jsonb=[]',
    specimenId: 'text', encounterId: 'text', confidential: 'boolean=false',
  }],
  ['observationRelated', 'observation_related', { observationId: 'text', position: 'integer', type: 'text', targetId: 'text' }],
  ['procedureRequests', 'procedure_request', {
    ...item, kind: 'text', status: 'text', code: 'jsonb', authoredAt: 'timestamptz', requesterId: 'text',
    performerOrganizationId: 'text', dueStart: 'date', dueEnd: 'date', reasonCodes: 'jsonb=[]', encounterId: 'text', ...notes,
  }],
  ['diagnosticReports', 'diagnostic_report', {
    ...item, status: 'text', issuedAt: 'timestamptz', requestId: 'text', performerOrganizationId: 'text', conclusion: 'text',
    encounterId: 'text', confidential: 'boolean=false',
  }],
  ['diagnosticReportItems', 'diagnostic_report_item', { reportId: 'text', position: 'integer', itemType: 'text', itemId: 'text' }],
  ['referrals', 'referral', {
    ...item, status: 'text', priority: 'text', authoredAt: 'timestamptz', requesterId: 'text', recipientOrganizationId: 'text',
    reasonCodes: 'jsonb=[]', description: 'text', encounterId: 'text', ...notes,
  }],
  ['recordWarnings', 'record_warning', { patientId: 'text', area: 'text', code: 'text', recordedBefore: 'date' }],
];

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The SELECT expression that turns recordset column `key` into a value of `type`. */
function valueOf(key: string, type: Column): string {
  const col = `"${key}"`;
  switch (type) {
    // Seed instants carry an offset, or are UK local times (a bare date is local midnight).
    case 'timestamptz':
      return `CASE WHEN ${col} ~ '(Z|[+-][0-9]{2}:[0-9]{2})$' THEN ${col}::timestamptz ELSE ${col}::timestamp AT TIME ZONE 'Europe/London' END`;
    case 'date':
      return `${col}::date`;
    case 'jsonb=[]':
      return `coalesce(${col}, '[]'::jsonb)`;
    case 'boolean=false':
      return `coalesce(${col}, false)`;
    default:
      return col;
  }
}

function recordsetType(type: Column): string {
  if (type === 'timestamptz' || type === 'date') return 'text';
  return type.split('=')[0]!;
}

/**
 * Loads seed/clinical.json, with its dates resolved against `today` (the UK date of seeding), in
 * the caller's transaction: one INSERT ... SELECT from jsonb_to_recordset per table.
 */
export async function loadClinicalSeed(tx: Db, today: string, seed: ClinicalSeed = readClinicalSeed()): Promise<void> {
  const shift = dateShifter(seed.dateShift, today);
  for (const [section, table, columns] of tables) {
    const rows = (seed[section] as Row[] | undefined) ?? [];
    if (rows.length === 0) continue;
    const entries = Object.entries({ practice: 'text', ...columns } as Record<string, Column>);
    const resolved = rows.map((row) => {
      const rule = row.shift as Shift | undefined;
      if (!rule) return row;
      const copy = { ...row };
      for (const [key, type] of entries) {
        if ((type === 'date' || type === 'timestamptz') && typeof copy[key] === 'string') copy[key] = shift(copy[key] as string, rule);
      }
      return copy;
    });
    await tx.query(
      `INSERT INTO ${table} (${entries.map(([key]) => snake(key)).join(', ')})
       SELECT ${entries.map(([key, type]) => valueOf(key, type)).join(', ')}
       FROM jsonb_to_recordset($1::text::jsonb) AS x(${entries.map(([key, type]) => `"${key}" ${recordsetType(type)}`).join(', ')})`,
      [JSON.stringify(resolved)],
    );
  }
}

/**
 * Moves the date part (YYYY-MM-DD) of a seed date or instant by the row's rule; the time of day
 * and offset are kept.
 */
export function dateShifter(anchors: ClinicalSeed['dateShift'], today: string): (value: string, rule: Shift) => string {
  const [ty, tm] = today.split('-').map(Number) as [number, number];
  const [fy, fm] = anchors.months.from.split('-').map(Number) as [number, number];
  // TIMESTAMPDIFF(MONTH, from, today) for a `from` on the 1st: the whole months between them.
  const months = (ty - fy) * 12 + (tm - fm);
  const days = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${anchors.days.seedingDay}T00:00:00Z`)) / 86_400_000);
  return (value, rule) => {
    const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
    let moved: Date;
    if (rule === 'months') {
      const first = new Date(Date.UTC(y, m - 1 + months, 1));
      const monthLength = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
      moved = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, monthLength)));
    } else {
      moved = new Date(Date.UTC(y, m - 1, d + days));
    }
    return moved.toISOString().slice(0, 10) + value.slice(10);
  };
}
