import type { Resource } from '../fhir/datatypes.ts';
import { structuredExtensions } from './fhir-urls.ts';
import { emptyListNote } from './lists.ts';

/**
 * Primary and secondary Lists have no id (digest §8.1), yet a bundle holds each of them once: the
 * "Ended allergies" list in particular is built by every area that returns an ended allergy — the
 * allergies area (includeResolvedAllergies), the consultations holding one and the problems linked
 * to one — because an ended allergy can only exist contained in it (digest §10). Two Lists with the
 * same code are one List: `listIdentity` says which, `mergeLists` makes the one.
 */

/** What makes an id-less List the same List as another: its code (system and code). */
export function listIdentity(list: Resource): string | undefined {
  const coding = ((list.code as { coding?: { system?: string; code?: string }[] } | undefined)?.coding ?? [])[0];
  return coding?.code === undefined ? undefined : `${coding.system ?? ''}|${coding.code}`;
}

const warningOrder = ['confidential-items', 'data-in-transit', 'data-awaiting-filing'];

/**
 * One List holding what both hold, each once: contained resources (by type and id), entries (by
 * item), extensions (warning codes in the spec's order, then the clinical setting) and notes. It is
 * empty — emptyReason and "Information not available" — only when neither has an entry. The date
 * and everything else are the first's.
 */
export function mergeLists(first: Resource, second: Resource): Resource {
  const contained = union([first.contained, second.contained], (r) => `${String(r.resourceType)}/${String(r.id)}`);
  const entry = union([first.entry, second.entry], (e) => JSON.stringify(e.item));
  const rank = (x: Resource) => (x.url === structuredExtensions.listWarningCode ? warningOrder.indexOf(String(x.valueCode)) : warningOrder.length);
  const extension = union([first.extension, second.extension], (x) => JSON.stringify(x)).sort((a, b) => rank(a) - rank(b));
  const note = union([first.note, second.note], (n) => String(n.text)).filter((n) => n.text !== emptyListNote);
  if (entry.length === 0) note.push({ text: emptyListNote });

  const out: Resource = {};
  for (const [key, value] of Object.entries(first)) {
    if (!['contained', 'extension', 'note', 'entry', 'emptyReason'].includes(key)) out[key] = value;
    // Keep the elements where a built List has them.
    if (key === 'meta' && contained.length > 0) out.contained = contained;
    if (key === 'meta' && extension.length > 0) out.extension = extension;
  }
  if (note.length > 0) out.note = note;
  if (entry.length > 0) out.entry = entry;
  else out.emptyReason = first.emptyReason ?? second.emptyReason;
  return out;
}

/** The items of every array, once each by `key`, in order of first appearance. */
function union(arrays: unknown[], key: (x: Resource) => string): Resource[] {
  const seen = new Set<string>();
  const out: Resource[] = [];
  for (const array of arrays) {
    for (const x of (array ?? []) as Resource[]) {
      const k = key(x);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(x);
      }
    }
  }
  return out;
}
