import type { ImportSummary } from './import-structured-record.ts';

/** The lines `gpc import` prints for a finished import: what was written, re-keyed, added and not kept. Counts only, never clinical content. */
export function summaryLines(s: ImportSummary): string[] {
  const lines = [`imported the structured record of patient ${s.patientId} at ${s.practice} (the patient's previous clinical record was replaced)`];
  for (const [what, n] of Object.entries(s.counts)) if (n > 0) lines.push(`  ${what}: ${n}`);
  lines.push(`  practitioners, organisations and locations found in the directory: ${s.directory.matched}`);
  if (s.directory.added.length > 0) lines.push(`  added to the practice directory: ${s.directory.added.join(', ')}`);
  if (s.renamed.length > 0) {
    lines.push(`  ${s.renamed.length} id(s) belonged to another patient (or another medication) and were given new ids:`);
    for (const r of s.renamed) lines.push(`    ${r.from} -> ${r.to}`);
  }
  if (s.notKept.length > 0) {
    lines.push('  not kept (the store has nowhere for them):');
    for (const n of s.notKept) lines.push(`    ${n}`);
  }
  return lines;
}
