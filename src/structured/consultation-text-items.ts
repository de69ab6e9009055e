import type { Coded, Encounter, Observation, ProcedureRequest } from '../domain/clinical.ts';
import { structuredCodeSystems } from './fhir-urls.ts';
import { warningDate } from './lists.ts';

/**
 * Consultation items that no clinical area of this specification version covers — completed diary
 * entries, and test requests that no investigation report answers — are returned as text (digest
 * §13; spec "The provider MUST return the following items as text, where they are contained in
 * returned consultations"): an Observation "in the same manner as a comment note" (code
 * 37331000000100, profile CareConnect-GPC-Observation-1) whose comment is the full text the GP
 * system shows — the term, its dates, reasons and notes — not just the code description.
 *
 * The Observation keeps the item's id and identifiers (ids are per resource type, and it is the same
 * record entry); it is dated when the item was recorded, issued at the consultation's last-modified
 * time, performed by whoever recorded the item (else the consultation's recorder) and set in the
 * consultation.
 */
export function procedureAsText(p: ProcedureRequest, consultation: Encounter): Observation {
  return {
    id: p.id,
    patientId: p.patientId,
    identifiers: p.identifiers,
    confidential: p.confidential,
    kind: 'narrative',
    status: 'final',
    code: { coding: [{ system: structuredCodeSystems.snomed, code: '37331000000100', display: 'Comment note' }] },
    effective: { start: p.authoredAt ?? consultation.period.start },
    issuedAt: consultation.recordedAt,
    performer: { practitionerId: p.requesterId ?? consultation.recorderId },
    comment: procedureText(p),
    components: [],
    encounterId: consultation.id,
    related: [],
  };
}

/** The text of a completed diary entry or a test request, as one line per part. */
export function procedureText(p: ProcedureRequest): string {
  const lines = [`${p.kind === 'diary' ? 'Diary entry (completed)' : 'Test request'}: ${term(p.code)}`];
  if (p.due) lines.push(p.due.end ? `Due: ${warningDate(p.due.start)} to ${warningDate(p.due.end)}` : `Due: ${warningDate(p.due.start)}`);
  const reasons = p.reasonCodes.map(term).filter((t) => t !== '');
  if (reasons.length > 0) lines.push(`Reason: ${reasons.join(', ')}`);
  for (const n of p.notes) if (n.text.trim() !== '') lines.push(`Note: ${n.text.trim()}`);
  return lines.join('\n');
}

/** The term as shown: the text, with the coded display when it says something else. */
function term(c: Coded): string {
  const display = c.coding?.find((x) => x.display)?.display;
  if (c.text && display && c.text !== display) return `${c.text} (${display})`;
  return c.text ?? display ?? '';
}
