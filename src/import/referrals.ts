import type { ReadContext } from './clinical-rows.ts';
import { asArray } from './record-bundle.ts';

/** The note the referral builder adds for a referral cancelled in the GP system (it sends status unknown). */
const cancelledNote = 'Status: Cancelled';

/** ReferralRequest → referral rows (src/structured/referrals.ts in reverse). */
export function readReferrals(ctx: ReadContext): void {
  for (const q of ctx.bundle.ofType('ReferralRequest')) {
    const r = ctx.bundle.reader(q);
    r.patient(q.subject, 'subject');
    const notes = r.notes(q.note, 'note');
    const cancelled = q.status === 'cancelled' || notes.some((n) => n.text === cancelledNote);
    ctx.rows.referrals.push({
      ...r.item(ctx.patientId),
      status: cancelled ? 'cancelled' : 'unknown',
      priority: r.code(q.priority, 'priority', ['routine', 'urgent', 'asap'] as const),
      authoredAt: r.instant(q.authoredOn, 'authoredOn'),
      requesterId: r.practitioner(q.requester?.agent, 'requester.agent', true),
      recipientOrganizationId: r.organization(asArray(q.recipient)[0], 'recipient[0]'),
      reasonCodes: asArray(q.reasonCode).map((c, i) => r.coded(c, `reasonCode[${i}]`, true)).filter(Boolean),
      description: r.string(q.description, 'description'),
      encounterId: r.encounter(q.context, 'context'),
      notes: notes.filter((n) => n.text !== cancelledNote),
    });
  }
}
