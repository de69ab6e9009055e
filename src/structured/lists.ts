import type { ClinicalArea, ListWarningCode, RecordWarning } from '../domain/clinical.ts';
import { ukDateTime } from '../fhir/datetime.ts';
import type { Resource } from '../fhir/datatypes.ts';
import type { AreaResult } from './area.ts';
import { profiles, snomedCodes, structuredCodeSystems, structuredExtensions } from './fhir-urls.ts';

/**
 * The List rules every clinical area shares (structured digest §8): primary lists (§8.2) and
 * problems/consultations secondary lists (§8.3), with the empty-list reason (§8.4) and the warning
 * codes and their notes (§8.5).
 *
 * - No `id` and no meta.versionId / lastUpdated (suite: [ListNIU]); profile CareConnect-GPC-List-1.
 * - status current, mode snapshot, exact title and code (system, code and display).
 * - Empty list: emptyReason no-content-recorded and the note `Information not available`.
 * - Each warning: one ListWarningCode extension (valueCode) and its text as its own note; at most one
 *   per code. Suite §16 Q5: one Annotation per message, not one concatenated note.
 *
 * Consultation-structure lists (consultation/topic/heading, §13) have ids and never carry warnings;
 * they are not built here.
 */

export interface ListCode {
  system: string;
  code: string;
  display: string;
}

interface PrimaryListDefinition {
  /** record_warning area whose warnings apply to the list (besides 'all'). */
  area: ClinicalArea;
  code: string;
  display: string;
  title: string;
}

/** §8.2: one primary list per requested area (two for allergies), SNOMED coded. */
export const primaryLists = {
  allergies: { area: 'allergies', code: '886921000000105', display: 'Allergies and adverse reactions', title: 'Allergies and adverse reactions' },
  endedAllergies: { area: 'allergies', code: '1103671000000101', display: 'Ended allergies', title: 'Ended allergies' },
  medications: { area: 'medications', code: '933361000000108', display: 'Medications and medical devices', title: 'Medications and medical devices' },
  consultations: { area: 'consultations', code: '1149501000000101', display: 'List of consultations', title: 'List of consultations' },
  problems: { area: 'problems', code: '717711000000103', display: 'Problems', title: 'Problems' },
  immunisations: { area: 'immunisations', code: '1102181000000102', display: 'Immunisations', title: 'Immunisations' },
  // Title and display differ here.
  uncategorised: { area: 'uncategorised', code: '826501000000100', display: 'Miscellaneous record', title: 'Uncategorised data' },
  investigations: { area: 'investigations', code: '887191000000108', display: 'Investigations and results', title: 'Investigations and results' },
  referrals: { area: 'referrals', code: '792931000000107', display: 'Outbound referral', title: 'Outbound referral' },
  diary: { area: 'diary', code: '714311000000108', display: 'Patient recall administration', title: 'Patient recall administration' },
} as const satisfies Record<string, PrimaryListDefinition>;

export type PrimaryListKind = keyof typeof primaryLists;

/** §8.3: secondary list code → title (= coding display), system GPConnect-SecondaryListValues-1. */
export const secondaryLists = {
  'consultations-allergies-contained-in-consultations': 'Consultations - allergies contained in consultations',
  'consultations-allergies-that-have-been-ended-contained-in-consultations': 'Consultations - allergies that have been ended contained in consultations',
  'consultations-diary-entries-contained-in-consultations': 'Consultations - diary entries contained in consultations',
  'consultations-documents-contained-in-consultations': 'Consultations - documents contained in consultations',
  'consultations-immunisations-contained-in-consultations': 'Consultations - immunisations contained in consultations',
  'consultations-investigations-contained-in-consultations': 'Consultations - investigations contained in consultations',
  'consultations-medications-contained-in-consultations': 'Consultations - medications contained in consultations',
  'consultations-outbound-referrals-in-consultations': 'Consultations - outbound referrals in consultations',
  'consultations-problems-contained-in-consultations': 'Consultations - problems contained in consultations',
  'consultations-uncategorised-data-contained-in-consultations': 'Consultations - uncategorised data contained in consultations',
  'problems-allergies-related-to-problems': 'Problems - allergies related to problems',
  'problems-allergies-that-have-been-ended-related-to-problems': 'Problems - allergies that have been ended related to problems',
  'problems-consultations-related-to-problems': 'Problems - consultations related to problems',
  'problems-diary-entries-related-to-problems': 'Problems - diary entries related to problems',
  'problems-documents-related-to-problems': 'Problems - documents related to problems',
  'problems-immunisations-related-to-problems': 'Problems - immunisations related to problems',
  'problems-investigations-related-to-problems': 'Problems - investigations related to problems',
  'problems-medications-related-to-problems': 'Problems - medications related to problems',
  'problems-outbound-referrals-related-to-problems': 'Problems - outbound referrals related to problems',
  'problems-linked-problems-not-relating-to-the-primary-query': 'Problems - linked problems not relating to the primary query',
  'problems-uncategorised-data-related-to-problems': 'Problems - uncategorised data related to problems',
} as const;

export type SecondaryListCode = keyof typeof secondaryLists;

/** The coding and title of a primary list. */
export function primaryListCode(kind: PrimaryListKind): { code: ListCode; title: string } {
  const d = primaryLists[kind];
  return { code: { system: structuredCodeSystems.snomed, code: d.code, display: d.display }, title: d.title };
}

/** The coding and title of a secondary list. */
export function secondaryListCode(code: SecondaryListCode): { code: ListCode; title: string } {
  const title = secondaryLists[code];
  return { code: { system: structuredCodeSystems.secondaryListValues, code, display: title }, title };
}

// ---- Warnings (§8.5) ----

export interface ListWarning {
  code: ListWarningCode;
  /** data-in-transit / data-awaiting-filing: information recorded before this date (YYYY-MM-DD) may be missing. */
  recordedBefore?: string;
}

export const emptyListNote = 'Information not available';

const warningOrder: ListWarningCode[] = ['confidential-items', 'data-in-transit', 'data-awaiting-filing'];

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** YYYY-MM-DD as the warning texts write it: dd-Mmm-yyyy (05-Mar-2023). */
export function warningDate(date: string): string {
  const [y, m, d] = date.slice(0, 10).split('-');
  return `${d}-${monthNames[Number(m) - 1]}-${y}`;
}

/**
 * The note text of a warning, exactly as the spec (and the suite, for the first two) has it.
 * data-awaiting-filing is written as 1.6.2 corrected it ("inclusion"; 1.6.0 has "inculsion").
 * The store guarantees a date on the dated codes; without one the text says "an unknown date".
 */
export function warningNote(warning: ListWarning): string {
  const before = warning.recordedBefore ? warningDate(warning.recordedBefore) : 'an unknown date';
  switch (warning.code) {
    case 'confidential-items':
      return 'Items excluded due to confidentiality and/or patient preferences.';
    case 'data-in-transit':
      return `Patient record transfer from previous GP practice not yet complete; information recorded before ${before} may be missing.`;
    case 'data-awaiting-filing':
      return `Patient record contains some items in the GP practice workflow that have not been reviewed for inclusion in this message; information recorded before ${before} may be missing.`;
  }
}

/**
 * The warnings of one list: the patient's record warnings for `area` and for 'all' (pass area
 * undefined for 'all' only), plus confidential-items when an item that would have been in the list
 * was withheld. One warning per code, in a fixed order; for a dated code given twice the later date
 * wins (the wider "may be missing").
 */
export function listWarnings(
  recordWarnings: readonly RecordWarning[],
  options: { area?: ClinicalArea; confidentialWithheld?: boolean },
): ListWarning[] {
  const byCode = new Map<ListWarningCode, ListWarning>();
  const add = (w: ListWarning) => {
    const seen = byCode.get(w.code);
    if (!seen || (w.recordedBefore && (!seen.recordedBefore || w.recordedBefore > seen.recordedBefore))) byCode.set(w.code, w);
  };
  for (const w of recordWarnings) {
    if (w.area === 'all' || (options.area !== undefined && w.area === options.area)) {
      add(w.recordedBefore ? { code: w.code, recordedBefore: w.recordedBefore } : { code: w.code });
    }
  }
  if (options.confidentialWithheld) add({ code: 'confidential-items' });
  return warningOrder.flatMap((code) => byCode.get(code) ?? []);
}

// ---- The List resource ----

/** A List entry's item: `Type/id`, `#id` for a contained resource, or a display-only placeholder. */
export type ListItem = { reference: string; display?: string } | { display: string };

export interface ListContent {
  patientId: string;
  /** When the list was assembled (List.date). */
  now?: Date;
  items: ListItem[];
  /** Resources contained in the list (ended allergies), referenced from items as `#id`. */
  contained?: Resource[];
  warnings?: ListWarning[];
  /** List.orderedBy, a code of http://hl7.org/fhir/list-order (e.g. event-date). */
  orderedBy?: { code: string; display: string };
  /** The ClinicalSetting extension (General practice service); default true. */
  clinicalSetting?: boolean;
}

/** A primary or secondary List (§8.1) with the given code and title. */
export function buildList(code: ListCode, title: string, content: ListContent): Resource {
  const warnings = content.warnings ?? [];
  const extension: Resource[] = warnings.map((w) => ({ url: structuredExtensions.listWarningCode, valueCode: w.code }));
  if (content.clinicalSetting ?? true) {
    extension.push({
      url: structuredExtensions.clinicalSetting,
      valueCodeableConcept: { coding: [{ system: structuredCodeSystems.snomed, ...snomedCodes.generalPracticeService }] },
    });
  }
  const empty = content.items.length === 0;
  const note = warnings.map((w) => ({ text: warningNote(w) }));
  if (empty) note.push({ text: emptyListNote });
  const list: Resource = { resourceType: 'List', meta: { profile: [profiles.list] } };
  if (content.contained && content.contained.length > 0) list.contained = content.contained;
  if (extension.length > 0) list.extension = extension;
  list.status = 'current';
  list.mode = 'snapshot';
  list.title = title;
  list.code = { coding: [{ ...code }] };
  list.subject = { reference: `Patient/${content.patientId}` };
  if (content.now) list.date = ukDateTime(content.now);
  if (content.orderedBy) list.orderedBy = { coding: [{ system: structuredCodeSystems.listOrder, ...content.orderedBy }] };
  if (note.length > 0) list.note = note;
  if (!empty) list.entry = content.items.map((item) => ({ item: { ...item } }));
  else {
    list.emptyReason = {
      coding: [{ system: structuredCodeSystems.listEmptyReason, code: 'no-content-recorded', display: 'No Content Recorded' }],
    };
  }
  return list;
}

/** A primary list of §8.2. */
export function primaryList(kind: PrimaryListKind, content: ListContent): Resource {
  const { code, title } = primaryListCode(kind);
  return buildList(code, title, content);
}

/** A secondary list of §8.3. Callers leave out an empty secondary list that has no warning. */
export function secondaryList(code: SecondaryListCode, content: ListContent): Resource {
  const { code: coding, title } = secondaryListCode(code);
  return buildList(coding, title, content);
}

/**
 * What an area with one primary List and no secondary ones returns (diary, referrals,
 * immunisations, uncategorised data): the List of `items` in order, their resources, and the items
 * as the ones whose problem links the bundle follows.
 */
export function primaryListArea(
  kind: PrimaryListKind & ClinicalArea,
  resourceType: string,
  found: { items: { id: string }[]; resources: Resource[]; withheld: number },
  context: { patientId: string; now: Date; recordWarnings: readonly RecordWarning[] },
): AreaResult {
  const list = primaryList(kind, {
    patientId: context.patientId,
    now: context.now,
    items: found.items.map((i) => ({ reference: `${resourceType}/${i.id}` })),
    warnings: listWarnings(context.recordWarnings, { area: kind, confidentialWithheld: found.withheld > 0 }),
  });
  return { lists: [list], resources: found.resources, linkedItems: found.items.map((i) => ({ type: resourceType, id: i.id })) };
}
