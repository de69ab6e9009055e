import type { ReadContext } from './clinical-rows.ts';
import { asArray } from './record-bundle.ts';

/**
 * ProcedureRequest → procedure_request rows: intent `order` is an investigation's test request,
 * intent `plan` a diary entry (src/structured/investigations.ts testRequest, diary.ts). Both
 * builders write status `active` whatever is stored, so imported entries are active. A diary
 * entry needs authoredOn and a requester (the store's rule).
 */
export function readProcedureRequests(ctx: ReadContext): void {
  for (const p of ctx.bundle.ofType('ProcedureRequest')) {
    const r = ctx.bundle.reader(p);
    r.patient(p.subject, 'subject');
    const intent = r.code(p.intent, 'intent', ['order', 'plan'] as const, true);
    const diary = intent === 'plan';
    const due = p.occurrencePeriod
      ? { start: r.date(p.occurrencePeriod.start, 'occurrencePeriod.start', true), end: r.date(p.occurrencePeriod.end, 'occurrencePeriod.end') }
      : { start: r.date(p.occurrenceDateTime, 'occurrenceDateTime') };
    ctx.rows.procedureRequests.push({
      ...r.item(ctx.patientId),
      kind: diary ? 'diary' : 'test-request',
      status: r.code(p.status, 'status', ['active', 'completed', 'cancelled'] as const) ?? 'active',
      code: r.coded(p.code, 'code', true),
      authoredAt: r.instant(p.authoredOn, 'authoredOn', diary),
      requesterId: r.practitioner(p.requester?.agent, 'requester.agent', diary),
      performerOrganizationId: r.organization(p.performer, 'performer'),
      dueStart: due.start,
      dueEnd: due.end,
      reasonCodes: asArray(p.reasonCode).map((c, i) => r.coded(c, `reasonCode[${i}]`, true)).filter(Boolean),
      encounterId: r.encounter(p.context, 'context'),
      notes: r.notes(p.note, 'note'),
    });
  }
}
