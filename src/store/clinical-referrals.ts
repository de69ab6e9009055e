import type { Coded, Identifier, Note, Referral } from '../domain/clinical.ts';
import { addDays, ukStartOfDay } from '../fhir/datetime.ts';
import type { Db } from './db.ts';

/**
 * Access Record Structured: a patient's outbound referrals (table `referral`, 0003_clinical.sql),
 * keyed by practice and patient.
 */

interface ReferralRow {
  id: string;
  patient_id: string;
  identifiers: Identifier[];
  status: 'unknown' | 'cancelled';
  priority: 'routine' | 'urgent' | 'asap' | null;
  authored_at: Date | null;
  requester_id: string;
  recipient_organization_id: string | null;
  reason_codes: Coded[];
  description: string | null;
  /** NULL when the referral has no consultation, or when that consultation is itself withheld. */
  encounter_id: string | null;
  notes: Note[];
  confidential: boolean;
}

const toReferral = (r: ReferralRow): Referral => ({
  id: r.id,
  patientId: r.patient_id,
  identifiers: r.identifiers,
  confidential: r.confidential,
  status: r.status,
  priority: r.priority ?? undefined,
  authoredAt: r.authored_at ?? undefined,
  requesterId: r.requester_id,
  recipientOrganizationId: r.recipient_organization_id ?? undefined,
  reasonCodes: r.reason_codes,
  description: r.description ?? undefined,
  encounterId: r.encounter_id ?? undefined,
  notes: r.notes,
});

export interface PatientReferrals {
  /** Returned referrals, by referral date (undated last), then id. */
  referrals: Referral[];
  /** How many confidential referrals matching the search were left out (the list gets confidential-items). */
  withheld: number;
}

/**
 * A patient's outbound referrals. With a period (UK calendar dates, inclusive, either bound
 * optional), only those whose user-entered referral date (authoredOn) falls in it, plus those with
 * no referral date at all (digest §5.2: undated items are returned alongside matches).
 * Confidential ones are counted, not returned, unless `includeConfidential` (migrate with sensitive
 * information); only those that match the search count. The consultation a referral was made in
 * is only given when that consultation is not itself confidential.
 */
export async function findPatientReferrals(
  db: Db,
  practice: string,
  patientId: string,
  options: { period?: { start?: string; end?: string }; includeConfidential?: boolean } = {},
): Promise<PatientReferrals> {
  const from = options.period?.start ? ukStartOfDay(options.period.start) : null;
  const until = options.period?.end ? ukStartOfDay(addDays(options.period.end, 1)) : null;
  const rows = await db.query<ReferralRow>(
    `SELECT r.id, r.patient_id, r.identifiers, r.status, r.priority, r.authored_at, r.requester_id, r.recipient_organization_id,
            r.reason_codes, r.description, CASE WHEN e.confidential THEN NULL ELSE r.encounter_id END AS encounter_id,
            r.notes, r.confidential
       FROM referral r
       LEFT JOIN encounter e ON e.practice = r.practice AND e.id = r.encounter_id
      WHERE r.practice = $1 AND r.patient_id = $2
        AND (r.authored_at IS NULL OR (($3::timestamptz IS NULL OR r.authored_at >= $3::timestamptz)
                                   AND ($4::timestamptz IS NULL OR r.authored_at < $4::timestamptz)))
      ORDER BY r.authored_at NULLS LAST, r.id`,
    [practice, patientId, from, until],
  );
  let withheld = 0;
  const referrals: Referral[] = [];
  for (const row of rows) {
    if (row.confidential && !options.includeConfidential) withheld++;
    else referrals.push(toReferral(row));
  }
  return { referrals, withheld };
}
