import type { ClinicalArea, ListWarningCode } from '../domain/clinical.ts';
import { structuredExtensions } from '../structured/fhir-urls.ts';
import { primaryLists } from '../structured/lists.ts';
import type { ReadContext } from './clinical-rows.ts';
import { asArray, type Fhir } from './record-bundle.ts';

const monthNumbers: Record<string, string> = {
  Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12',
};
const recordedBefore = /information recorded before (\d{2})-([A-Z][a-z]{2})-(\d{4}) may be missing/;
const datedNoteStart: Record<string, string> = {
  'data-in-transit': 'Patient record transfer from previous GP practice',
  'data-awaiting-filing': 'Patient record contains some items in the GP practice workflow',
};

/**
 * The warnings on the primary Lists → record_warning rows, per area (src/structured/lists.ts
 * listWarnings in reverse): each warning code on an area's list, with the date its note gives for
 * data-in-transit / data-awaiting-filing. A warning every area's list carries becomes one 'all'
 * warning. Secondary lists repeat their area's warnings and are not read. A confidential-items
 * warning (an item was withheld from the export) is kept as the practice's marking on that area.
 */
export function readRecordWarnings(ctx: ReadContext): void {
  const areaOfCode = new Map<string, ClinicalArea>(Object.values(primaryLists).map((d) => [d.code, d.area]));
  const found = new Map<string, { area: ClinicalArea; code: ListWarningCode; recordedBefore?: string }>();
  const areasWithLists = new Set<ClinicalArea>();
  for (const list of ctx.bundle.areaLists) {
    const area = areaOfCode.get(asArray(list.code?.coding)[0]?.code);
    if (!area) continue;
    areasWithLists.add(area);
    for (const e of asArray(list.extension).filter((x: Fhir) => x?.url === structuredExtensions.listWarningCode)) {
      const code = e.valueCode as ListWarningCode;
      if (code !== 'confidential-items' && code !== 'data-in-transit' && code !== 'data-awaiting-filing') {
        ctx.bundle.issues.add(`List "${String(list.title)}"`, 'extension(ListWarningCode)', `${JSON.stringify(code)} is not a warning code the store can hold`);
        continue;
      }
      let date: string | undefined;
      if (code !== 'confidential-items') {
        const note = asArray(list.note).find((n: Fhir) => typeof n?.text === 'string' && n.text.startsWith(datedNoteStart[code]!));
        const m = note ? recordedBefore.exec(note.text) : null;
        if (!m) {
          ctx.bundle.issues.add(`List "${String(list.title)}"`, 'note', `the ${code} warning has no note saying before which date information may be missing`);
          continue;
        }
        date = `${m[3]}-${monthNumbers[m[2]!] ?? '01'}-${m[1]}`;
      }
      const key = `${area}|${code}`;
      const seen = found.get(key);
      if (!seen || (date && (!seen.recordedBefore || date > seen.recordedBefore))) found.set(key, date ? { area, code, recordedBefore: date } : { area, code });
    }
  }
  const everyArea = areasWithLists.size === Object.keys(primaryLists).length - 1;
  const warnings = [...found.values()];
  for (const w of warnings) {
    const onEveryList = everyArea && [...areasWithLists].every((area) => {
      const other = found.get(`${area}|${w.code}`);
      return other && other.recordedBefore === w.recordedBefore;
    });
    if (onEveryList) {
      if (!ctx.rows.recordWarnings.some((r) => r.area === 'all' && r.code === w.code)) {
        ctx.rows.recordWarnings.push({ patientId: ctx.patientId, area: 'all', code: w.code, recordedBefore: w.recordedBefore });
      }
    } else {
      ctx.rows.recordWarnings.push({ patientId: ctx.patientId, area: w.area, code: w.code, recordedBefore: w.recordedBefore });
    }
  }
}
