import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dateShifter, readClinicalSeed } from '../../src/seed/load-clinical.ts';
import { A, B, describeStoreLevel, today } from './support.ts';

/**
 * Store-level checks of the clinical record seeded from seed/clinical.json (SQL through a fresh
 * seeded database, no HTTP): what the Access Record Structured suite needs of each test patient
 * (notes/suite-structured.md §15), dates resolved against the seeding day, and practices kept apart.
 */


/** A UK date `days` after `date` (YYYY-MM-DD). */
function plusDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
const ukDay = (column: string) => `(${column} AT TIME ZONE 'Europe/London')::date`;

/** Tables holding one patient's clinical items, with the column naming the patient. */
const itemTables = ['allergy', 'medication_statement', 'medication_request', 'problem', 'encounter', 'immunisation', 'observation',
  'specimen', 'procedure_request', 'diagnostic_report', 'referral'];

describeStoreLevel('Clinical store: seeded record per test patient', (db) => {
  const rows = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => db().query<T>(sql, params);
  const count = async (sql: string, params: unknown[] = []) => (await rows<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params))[0]!.n;
  /** How many rows each item table holds for a patient of B82617. */
  const perTable = async (patient: string) => {
    const out: Record<string, number> = {};
    for (const table of itemTables) out[table] = await count(`${table} WHERE practice = $1 AND patient_id = $2`, [A, patient]);
    return out;
  };

  it('patient1 has no clinical data at all (no allergies, no "no known allergies", no medications)', async () => {
    assert.deepEqual(Object.values(await perTable('1')).filter((n) => n > 0), []);
    assert.equal(await count(`record_warning WHERE practice = $1 AND patient_id = '1'`, [A]), 0);
  });

  describe('patient2: data in every area, each linked to a problem', () => {
    it('has active and ended allergies, and a problem linked to an active, visible allergy', async () => {
      const allergies = await rows<{ clinical_status: string; n: number }>(
        `SELECT clinical_status, count(*)::int AS n FROM allergy WHERE practice = $1 AND patient_id = '2' GROUP BY 1 ORDER BY 1`, [A]);
      assert.deepEqual(allergies, [{ clinical_status: 'active', n: 1 }, { clinical_status: 'resolved', n: 1 }]);
      assert.equal(await count(`problem_link l JOIN allergy a ON a.practice = l.practice AND a.id = l.target_id
        WHERE l.practice = $1 AND l.target_type = 'AllergyIntolerance' AND l.relation = 'related' AND a.patient_id = '2'
          AND a.clinical_status = 'active' AND NOT a.confidential`, [A]), 1);
    });

    it('has repeat, repeat-dispensing and acute plans with issues, a statement per plan, and a problem linked to a visible plan', async () => {
      const plans = await rows<{ prescription_type: string; n: number; issued: number }>(
        `SELECT p.prescription_type, count(DISTINCT p.id)::int AS n, count(o.id)::int AS issued FROM medication_request p
         LEFT JOIN medication_request o ON o.practice = p.practice AND o.plan_id = p.id
         WHERE p.practice = $1 AND p.patient_id = '2' AND p.intent = 'plan' GROUP BY 1 ORDER BY 1`, [A]);
      assert.deepEqual(plans.map((p) => p.prescription_type), ['acute', 'repeat', 'repeat-dispensing']);
      for (const p of plans) assert.ok(p.issued >= p.n, `${p.prescription_type} plans have issues`);
      // Repeat plans carry both repeat counts; acute plans have at most one issue.
      assert.equal(await count(`medication_request WHERE practice = $1 AND patient_id = '2' AND intent = 'plan'
        AND prescription_type <> 'acute' AND (repeats_allowed IS NULL OR repeats_issued IS NULL)`, [A]), 0);
      assert.equal(await count(`medication_request p WHERE practice = $1 AND intent = 'plan' AND prescription_type = 'acute'
        AND (SELECT count(*) FROM medication_request o WHERE o.practice = p.practice AND o.plan_id = p.id) > 1`, [A]), 0);
      assert.equal(await count(`medication_request p WHERE practice = $1 AND patient_id = '2' AND intent = 'plan'
        AND NOT EXISTS (SELECT 1 FROM medication_statement s WHERE s.practice = p.practice AND s.plan_id = p.id)`, [A]), 0);
      assert.ok(await count(`problem_link l JOIN medication_request r ON r.practice = l.practice AND r.id = l.target_id
        WHERE l.practice = $1 AND l.target_type = 'MedicationRequest' AND r.patient_id = '2' AND NOT r.confidential`, [A]) >= 1);
    });

    it('every medication course that started over 3 years before seeding has ended (the 3-year medication search)', async () => {
      assert.equal(await count(`medication_statement WHERE practice = $1 AND patient_id = '2'
        AND effective_start < ($2::date - interval '3 years')::date AND effective_end IS NULL`, [A, today]), 0);
      assert.ok(await count(`medication_statement WHERE practice = $1 AND patient_id = '2' AND NOT confidential
        AND coalesce(effective_end, effective_start) >= ($2::date - interval '3 years')::date`, [A, today]) >= 1);
    });

    it('has problems matching major, minor, active+major and active+minor, and an inactive one', async () => {
      const problems = await rows<{ status: string; significance: string }>(
        `SELECT DISTINCT status, significance FROM problem WHERE practice = $1 AND patient_id = '2' AND NOT confidential ORDER BY 1, 2`, [A]);
      assert.deepEqual(problems, [
        { status: 'active', significance: 'major' }, { status: 'active', significance: 'minor' }, { status: 'inactive', significance: 'minor' },
      ]);
      assert.ok(await count(`problem WHERE practice = $1 AND patient_id = '2' AND encounter_id IS NOT NULL`, [A]) >= 1);
    });

    it('links problems to every kind of item the suite follows, each item to one problem only', async () => {
      const targets = await rows<{ target_type: string }>(
        `SELECT DISTINCT target_type FROM problem_link l JOIN problem p ON p.practice = l.practice AND p.id = l.problem_id
         WHERE l.practice = $1 AND p.patient_id = '2' AND l.relation = 'related' ORDER BY 1`, [A]);
      assert.deepEqual(targets.map((t) => t.target_type),
        ['AllergyIntolerance', 'DiagnosticReport', 'Immunization', 'MedicationRequest', 'Observation', 'ProcedureRequest', 'ReferralRequest']);
      // An uncategorised observation (not only consultation entries) and a diary entry (not a test request).
      assert.ok(await count(`problem_link l JOIN observation o ON o.practice = l.practice AND o.id = l.target_id
        WHERE l.practice = $1 AND l.target_type = 'Observation' AND o.kind = 'uncategorised' AND o.encounter_id IS NULL
          AND NOT o.confidential`, [A]) >= 1);
      assert.ok(await count(`problem_link l JOIN procedure_request r ON r.practice = l.practice AND r.id = l.target_id
        WHERE l.practice = $1 AND l.target_type = 'ProcedureRequest' AND r.kind = 'diary' AND r.patient_id = '2'`, [A]) >= 1);
      // Problem filters stay closed: no item is shared by two problems (suite-structured §16 Q6).
      assert.equal(await count(`(SELECT target_type, target_id FROM problem_link WHERE practice = $1 AND relation IN ('related', 'actual-problem')
        GROUP BY 1, 2 HAVING count(DISTINCT problem_id) > 1) shared`, [A]), 0);
    });

    it('has a parent/child problem pair linked both ways, both of the same status and significance', async () => {
      const pairs = await rows<{ a: string; b: string }>(
        `SELECT x.problem_id AS a, x.target_id AS b FROM problem_link x
         JOIN problem_link y ON y.practice = x.practice AND y.problem_id = x.target_id AND y.target_id = x.problem_id
         JOIN problem pa ON pa.practice = x.practice AND pa.id = x.problem_id
         JOIN problem pb ON pb.practice = x.practice AND pb.id = x.target_id
         WHERE x.practice = $1 AND pa.patient_id = '2' AND x.relation = 'child' AND y.relation = 'parent'
           AND pa.status = pb.status AND pa.significance = pb.significance`, [A]);
      assert.equal(pairs.length, 1);
    });

    it('has consultations in the last three years, structured as topics and headings linked to a problem', async () => {
      const encounters = await rows<{ start: string; end: string | null }>(
        `SELECT ${ukDay('start_at')}::text AS start, ${ukDay('end_at')}::text AS end FROM encounter
         WHERE practice = $1 AND patient_id = '2' ORDER BY start_at`, [A]);
      assert.ok(encounters.length >= 3);
      for (const e of encounters) {
        assert.ok(e.start > plusDays(today, -3 * 365) && (e.end ?? e.start) <= plusDays(today, -2), `${e.start}..${e.end} inside (Y-3, D-2]`);
      }
      assert.ok(await count(`consultation_section s JOIN problem p ON p.practice = s.practice AND p.id = s.related_problem_id
        WHERE s.practice = $1 AND s.kind = 'topic'`, [A]) >= 1);
      const held = await rows<{ item_type: string }>(
        `SELECT DISTINCT i.item_type FROM consultation_item i JOIN consultation_section s ON s.practice = i.practice AND s.id = i.section_id
         JOIN encounter e ON e.practice = s.practice AND e.id = s.encounter_id WHERE i.practice = $1 AND e.patient_id = '2' ORDER BY 1`, [A]);
      // ProcedureRequest: a completed diary entry and a test request no report answers (returned as text, digest §13).
      assert.deepEqual(held.map((h) => h.item_type), ['DiagnosticReport', 'MedicationRequest', 'Observation', 'ProcedureRequest', 'ReferralRequest']);
      // Each consultation has one consultation-level section; topics hang off it, headings off topics.
      assert.equal(await count(`consultation_section WHERE practice = $1 AND kind = 'consultation'`, [A]), encounters.length);
      assert.equal(await count(`consultation_section h JOIN consultation_section t ON t.practice = h.practice AND t.id = h.parent_id
        WHERE h.practice = $1 AND h.kind = 'heading' AND t.kind <> 'topic'`, [A]), 0);
      assert.equal(await count(`consultation_item i JOIN consultation_section s ON s.practice = i.practice AND s.id = i.section_id
        WHERE i.practice = $1 AND s.kind = 'consultation'`, [A]), 0);
    });

    it('has diary entries due on or before the seeding day and later, all with a requester; only active ones outside consultations', async () => {
      const due = await rows<{ id: string; due_start: string }>(
        `SELECT id, due_start FROM procedure_request WHERE practice = $1 AND patient_id = '2' AND kind = 'diary' ORDER BY due_start`, [A]);
      assert.ok(due.filter((d) => d.due_start <= today).length >= 1);
      assert.ok(due.filter((d) => d.due_start > today).length >= 1);
      assert.ok(due.every((d) => d.due_start <= plusDays(today, 3652)), 'within ten years');
      assert.equal(await count(`procedure_request WHERE practice = $1 AND kind = 'diary' AND (requester_id IS NULL OR authored_at IS NULL)`, [A]), 0);
      // A completed entry exists only to be shown inside its consultation (digest §13).
      assert.equal(await count(`procedure_request p WHERE practice = $1 AND kind = 'diary' AND status <> 'active' AND NOT EXISTS
        (SELECT 1 FROM consultation_item i WHERE i.practice = p.practice AND i.item_type = 'ProcedureRequest' AND i.item_id = p.id)`, [A]), 0);
      assert.ok(await count(`procedure_request WHERE practice = $1 AND patient_id = '2' AND kind = 'diary' AND status = 'completed'`, [A]) >= 1);
    });

    it('has an immunisation, uncategorised data (incl. a blood pressure), investigations and referrals', async () => {
      assert.ok(await count(`immunisation WHERE practice = $1 AND patient_id = '2' AND NOT not_given`, [A]) >= 1);
      assert.ok(await count(`observation WHERE practice = $1 AND patient_id = '2' AND kind = 'uncategorised'`, [A]) >= 3);
      assert.equal(await count(`observation WHERE practice = $1 AND patient_id = '2' AND jsonb_array_length(components) = 2
        AND code->'coding'->0->>'code' = '163020007'`, [A]), 1);
      assert.ok(await count(`referral WHERE practice = $1 AND patient_id = '2' AND NOT confidential`, [A]) >= 1);
    });

    it('has confidential items for migrate: a medication linked to a problem, and an uncategorised observation', async () => {
      assert.ok(await count(`medication_statement s JOIN problem_link l ON l.practice = s.practice AND l.target_type = 'MedicationRequest'
        AND l.target_id = s.plan_id WHERE s.practice = $1 AND s.patient_id = '2' AND s.confidential`, [A]) >= 1);
      assert.ok(await count(`observation WHERE practice = $1 AND patient_id = '2' AND kind = 'uncategorised' AND confidential`, [A]) >= 1);
    });
  });

  for (const patient of ['2', '3']) {
    it(`patient${patient}'s investigations: report → test request and specimen, a test group with results, a filing comment`, async () => {
      const reports = await rows<{ id: string; request_kind: string }>(
        `SELECT d.id, r.kind AS request_kind FROM diagnostic_report d JOIN procedure_request r ON r.practice = d.practice AND r.id = d.request_id
         WHERE d.practice = $1 AND d.patient_id = $2 ORDER BY d.id`, [A, patient]);
      assert.ok(reports.length >= 1);
      assert.ok(reports.every((r) => r.request_kind === 'test-request'));
      assert.ok(await count(`diagnostic_report_item i JOIN specimen s ON s.practice = i.practice AND s.id = i.item_id
        WHERE i.practice = $1 AND i.item_type = 'Specimen' AND s.patient_id = $2`, [A, patient]) >= 1);
      assert.ok(await count(`observation WHERE practice = $1 AND patient_id = $2 AND kind = 'test-result' AND specimen_id IS NOT NULL`, [A, patient]) >= 1);
      assert.ok(await count(`observation_related r JOIN observation o ON o.practice = r.practice AND o.id = r.observation_id
        WHERE r.practice = $1 AND o.patient_id = $2 AND o.kind = 'test-group' AND r.type = 'has-member'`, [A, patient]) >= 1);
      assert.ok(await count(`observation WHERE practice = $1 AND patient_id = $2 AND kind = 'filing-comment' AND status = 'unknown'
        AND performer_practitioner_id IS NOT NULL`, [A, patient]) >= 1);
    });
  }

  it('patient3: the same areas as patient2 but no problems and no consultations', async () => {
    const counts = await perTable('3');
    assert.equal(counts.problem, 0);
    assert.equal(counts.encounter, 0);
    for (const table of ['allergy', 'medication_statement', 'immunisation', 'observation', 'diagnostic_report', 'referral', 'procedure_request']) {
      assert.ok(counts[table]! > 0, `patient3 has ${table} rows`);
    }
    assert.deepEqual(await rows(`SELECT DISTINCT clinical_status FROM allergy WHERE practice = $1 AND patient_id = '3' ORDER BY 1`, [A]),
      [{ clinical_status: 'active' }, { clinical_status: 'resolved' }]);
    // Past acute medication only.
    assert.deepEqual(await rows(`SELECT DISTINCT prescription_type, status FROM medication_request WHERE practice = $1 AND patient_id = '3'`, [A]),
      [{ prescription_type: 'acute', status: 'completed' }]);
    assert.ok(await count(`procedure_request WHERE practice = $1 AND patient_id = '3' AND kind = 'diary'`, [A]) >= 1);
    // Its copies of the pack's canned items have their own ids, none pointing at patient2's consultation.
    assert.equal(await count(`observation WHERE practice = $1 AND patient_id = '3' AND (encounter_id IS NOT NULL OR id NOT LIKE 'p3-%')`, [A]), 0);
  });

  it('patients with allergies only (4, 6, 7, 8, 13, 17): active and ended allergies, nothing else', async () => {
    for (const patient of ['4', '6', '7', '8', '13', '17']) {
      const { allergy, ...others } = await perTable(patient);
      assert.deepEqual(Object.entries(others).filter(([, n]) => n > 0), [], `patient${patient} has only allergies`);
      assert.deepEqual(await rows(`SELECT DISTINCT clinical_status FROM allergy WHERE practice = $1 AND patient_id = $2 ORDER BY 1`, [A, patient]),
        [{ clinical_status: 'active' }, { clinical_status: 'resolved' }], `patient${patient}`);
      assert.ok(allergy! >= 2);
    }
  });

  it('patient5 records "no known allergies" as one coded active allergy, and has a repeat medication', async () => {
    assert.deepEqual(await rows(`SELECT clinical_status, code->'coding'->0->>'code' AS code FROM allergy WHERE practice = $1 AND patient_id = '5'`, [A]),
      [{ clinical_status: 'active', code: '716186003' }]);
    assert.ok(await count(`medication_request WHERE practice = $1 AND patient_id = '5' AND intent = 'plan' AND prescription_type = 'repeat'`, [A]) >= 1);
  });

  it('patient12: each statement has its own plan, at most one issue per acute plan, and a course prescribed elsewhere', async () => {
    assert.equal(await count(`medication_request o JOIN medication_request p ON p.practice = o.practice AND p.id = o.plan_id
      WHERE o.practice = $1 AND o.patient_id = '12' AND (p.patient_id <> o.patient_id OR p.medication_id <> o.medication_id)`, [A]), 0);
    assert.equal(await count(`medication_statement WHERE practice = $1 AND patient_id = '12' AND prescribing_agency = 'prescribed-by-another-organisation'`, [A]), 1);
    assert.ok(await count(`medication_statement WHERE practice = $1 AND patient_id = '12'`, [A]) >= 3);
  });

  it('patient16: a confidential ended allergy, an ended allergy with no recorded reason, and a confidential referral', async () => {
    const allergies = await rows(`SELECT clinical_status, end_reason, confidential FROM allergy WHERE practice = $1 AND patient_id = '16' ORDER BY id`, [A]);
    assert.deepEqual(allergies, [
      { clinical_status: 'resolved', end_reason: null, confidential: true },
      { clinical_status: 'resolved', end_reason: null, confidential: false },
    ]);
    assert.deepEqual(await rows(`SELECT confidential FROM referral WHERE practice = $1 AND patient_id = '16'`, [A]), [{ confidential: true }]);
  });

  it('patient17: ended allergy with its end date and reason', async () => {
    const ended = await rows<{ end_reason: string; ended: boolean }>(`SELECT end_reason, end_at IS NOT NULL AS ended FROM allergy
      WHERE practice = $1 AND patient_id = '17' AND clinical_status = 'resolved'`, [A]);
    assert.deepEqual(ended, [{ end_reason: 'Cured', ended: true }]);
  });

  it('list warnings where the pack puts them: data-in-transit (13, 16) dated 7 days before seeding, confidential-items (2, 16, 17)', async () => {
    const warnings = await rows(`SELECT patient_id, area, code, recorded_before FROM record_warning WHERE practice = $1 ORDER BY 1, 2, 3`, [A]);
    const week = plusDays(today, -7);
    assert.deepEqual(warnings, [
      { patient_id: '13', area: 'all', code: 'data-in-transit', recorded_before: week },
      { patient_id: '16', area: 'all', code: 'data-in-transit', recorded_before: week },
      { patient_id: '16', area: 'allergies', code: 'confidential-items', recorded_before: null },
      { patient_id: '17', area: 'allergies', code: 'confidential-items', recorded_before: null },
      { patient_id: '2', area: 'medications', code: 'confidential-items', recorded_before: null },
    ]);
  });

  it('dates follow the seeding day: medication by whole months since 2018-10, canned and authored items by days', async () => {
    const seed = readClinicalSeed();
    const shift = dateShifter(seed.dateShift, today);
    const [sertraline] = await rows<{ effective_start: string; effective_end: string }>(
      `SELECT effective_start, effective_end FROM medication_statement WHERE practice = $1 AND id = '1'`, [A]);
    assert.deepEqual(sertraline, { effective_start: shift('2017-11-10', 'months'), effective_end: shift('2018-09-14', 'months') });
    const [consultation3] = await rows<{ day: string }>(`SELECT ${ukDay('start_at')}::text AS day FROM encounter WHERE practice = $1 AND id = 'Encounter3'`, [A]);
    assert.equal(consultation3!.day, plusDays(today, -30));
    const diary = await rows<{ id: string; due_start: string }>(
      `SELECT id, due_start FROM procedure_request WHERE practice = $1 AND id IN ('p2-diary-1', 'p2-diary-2') ORDER BY id`, [A]);
    assert.deepEqual(diary, [{ id: 'p2-diary-1', due_start: plusDays(today, -14) }, { id: 'p2-diary-2', due_start: today }]);
    // Unshifted history stays put.
    assert.deepEqual(await rows(`SELECT ${ukDay('onset_at')}::text AS onset FROM allergy WHERE practice = $1 AND id = 'patient2-allergy-1'`, [A]),
      [{ onset: '1962-08-12' }]);
  });

  it('the month rule matches TIMESTAMPDIFF(MONTH, 2018-10-01, today) and clamps to the end of the month', () => {
    const anchors = { months: { from: '2018-10-01' }, days: { seedingDay: '2019-07-01' } };
    assert.equal(dateShifter(anchors, '2026-12-02')('2017-11-10', 'months'), '2026-01-10');
    assert.equal(dateShifter(anchors, '2018-11-30')('2018-01-31T09:00:00', 'months'), '2018-02-28T09:00:00');
    assert.equal(dateShifter(anchors, '2019-07-03')('2019-03-28T10:30:00+00:00', 'days'), '2019-03-30T10:30:00+00:00');
  });

  it('every link from a problem, consultation or report names an item of the same patient', async () => {
    const target = (type: string, id: string) => `CASE ${type}
      WHEN 'AllergyIntolerance' THEN (SELECT patient_id FROM allergy t WHERE t.practice = x.practice AND t.id = ${id})
      WHEN 'MedicationRequest' THEN (SELECT patient_id FROM medication_request t WHERE t.practice = x.practice AND t.id = ${id})
      WHEN 'Immunization' THEN (SELECT patient_id FROM immunisation t WHERE t.practice = x.practice AND t.id = ${id})
      WHEN 'Observation' THEN (SELECT patient_id FROM observation t WHERE t.practice = x.practice AND t.id = ${id})
      WHEN 'DiagnosticReport' THEN (SELECT patient_id FROM diagnostic_report t WHERE t.practice = x.practice AND t.id = ${id})
      WHEN 'ReferralRequest' THEN (SELECT patient_id FROM referral t WHERE t.practice = x.practice AND t.id = ${id})
      WHEN 'ProcedureRequest' THEN (SELECT patient_id FROM procedure_request t WHERE t.practice = x.practice AND t.id = ${id})
      WHEN 'Specimen' THEN (SELECT patient_id FROM specimen t WHERE t.practice = x.practice AND t.id = ${id})
      WHEN 'Encounter' THEN (SELECT patient_id FROM encounter t WHERE t.practice = x.practice AND t.id = ${id})
      WHEN 'Condition' THEN (SELECT patient_id FROM problem t WHERE t.practice = x.practice AND t.id = ${id}) END`;
    const dangling = await rows(`
      SELECT 'problem' AS source, x.problem_id AS id, x.target_type AS type, x.target_id AS target FROM problem_link x
        JOIN problem p ON p.practice = x.practice AND p.id = x.problem_id
        WHERE ${target('x.target_type', 'x.target_id')} IS DISTINCT FROM p.patient_id
      UNION ALL
      SELECT 'consultation', x.section_id, x.item_type, x.item_id FROM consultation_item x
        JOIN consultation_section s ON s.practice = x.practice AND s.id = x.section_id
        JOIN encounter e ON e.practice = s.practice AND e.id = s.encounter_id
        WHERE ${target('x.item_type', 'x.item_id')} IS DISTINCT FROM e.patient_id
      UNION ALL
      SELECT 'report', x.report_id, x.item_type, x.item_id FROM diagnostic_report_item x
        JOIN diagnostic_report d ON d.practice = x.practice AND d.id = x.report_id
        WHERE ${target('x.item_type', 'x.item_id')} IS DISTINCT FROM d.patient_id`);
    assert.deepEqual(dangling, []);
  });
});

describeStoreLevel('Clinical store: practices kept apart', (db) => {

  it('Patient/1 of GPC002 has an allergy; Patient/1 of B82617 has none', async () => {
    const byPractice = await db().query(`SELECT practice, count(*)::int AS n FROM allergy WHERE patient_id = '1' GROUP BY 1 ORDER BY 1`);
    assert.deepEqual(byPractice, [{ practice: B, n: 1 }]);
  });

  it('ids are scoped per practice: the same allergy, problem and medication ids hold different data at each practice', async () => {
    const allergies = await db().query(`SELECT practice, patient_id, code->'coding'->0->>'code' AS code FROM allergy WHERE id = 'patient2-allergy-2' ORDER BY 1`);
    assert.deepEqual(allergies, [{ practice: A, patient_id: '2', code: '89707004' }, { practice: B, patient_id: '1', code: '91936005' }]);
    const problems = await db().query(`SELECT practice, patient_id FROM problem WHERE id = 'Problem-A-Anxiety-With-Depression' ORDER BY 1`);
    assert.deepEqual(problems, [{ practice: A, patient_id: '2' }, { practice: B, patient_id: '1' }]);
    const medications = await db().query(`SELECT practice, code->'coding'->0->>'display' AS display FROM medication WHERE id = '20' ORDER BY 1`);
    assert.deepEqual(medications, [{ practice: A, display: 'Sertraline 100mg tablets' }, { practice: B, display: 'Paracetamol 500mg tablets' }]);
  });

  it('no clinical row of GPC002 names a B82617-only patient, and the store refuses one that does', async () => {
    for (const table of itemTables) {
      const n = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE practice = $1 AND patient_id NOT IN ('1', '2', '3')`, [B]);
      assert.equal(n[0]!.n, 0, table);
    }
    await assert.rejects(
      db().query(`INSERT INTO allergy (practice, id, patient_id, clinical_status, category, code, asserted_at, recorder_id)
                VALUES ($1, 'x', '5', 'active', 'medication', '{}', now(), '1')`, [B]),
      (err: { code?: string }) => err.code === '23503',
    );
  });
});
