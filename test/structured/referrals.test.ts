import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, ukDateTime } from '../../src/fhir/datetime.ts';
import type { AreaResult } from '../../src/structured/area.ts';
import { warningDate } from '../../src/structured/lists.ts';
import { buildReferrals, referralRequest } from '../../src/structured/referrals.ts';
import { findPatientReferrals } from '../../src/store/clinical-referrals.ts';
import { type Json, A, B, checkPrimaryList, confidentialNote, describeStoreLevel, emptyReason, noteTexts, sd, snomed, today, warningCodes } from './support.ts';

/**
 * The referrals area of $gpc.getstructuredrecord, built straight from a fresh seeded store (no
 * HTTP): what the suite's StructuredReferrals scenarios assert of the "Outbound referral" list and
 * the ReferralRequests (notes/suite-structured.md §8, §13.2, §13.10) per test patient, the period
 * filter of digest §5.2 and the ReferralRequest content of digest §17.1.
 */


const referralProfile = `${sd}CareConnect-GPC-ReferralRequest-1`;
const title = 'Outbound referral';
const listCoding = { system: snomed, code: '792931000000107', display: 'Outbound referral' };
const inTransitText = `Patient record transfer from previous GP practice not yet complete; information recorded before ${warningDate(addDays(today, -7))} may be missing.`;

// patient2's two canned referrals (and patient3's copies), made in consultation 1, 95 days before seeding.
const physio = 'Consultation1-Topic5-Category-Plan-ReferralRequest-1';
const counselling = 'Consultation1-Topic1-Category-Plan-ReferralRequest-1';
const referralDay = addDays(today, -95);


const ids = (r: AreaResult): string[] => r.resources.map((x: Json) => x.id);

/** [RefList] / [Empty] / BaseList / [ListNIU] on the one list, [RR] / [RRNIU] on every ReferralRequest. */
function checkArea(r: AreaResult, patientId: string): Json {
  assert.equal(r.lists.length, 1, '[Lists=1]: the area adds one list');
  const list: Json = r.lists[0];
  checkPrimaryList(list, patientId, { title, code: listCoding.code, display: listCoding.display, tag: 'RefList' }, 'ReferralRequest', r.resources);
  assert.ok(r.resources.every((x: Json) => x.resourceType === 'ReferralRequest'), 'the area adds only ReferralRequests');
  assert.equal(new Set(ids(r)).size, r.resources.length, 'no duplicates');
  assert.deepEqual(r.linkedItems, r.resources.map((x: Json) => ({ type: 'ReferralRequest', id: x.id })));
  for (const rr of r.resources as Json[]) {
    assert.ok(typeof rr.id === 'string' && rr.id.trim() !== '');
    assert.deepEqual(rr.meta, { profile: [referralProfile] }, 'profile only: no versionId, no lastUpdated');
    assert.ok(rr.identifier.length >= 1);
    for (const i of rr.identifier) assert.ok(i.system && i.value);
    assert.equal(rr.status, 'unknown');
    assert.equal(rr.intent, 'order');
    assert.deepEqual(rr.subject, { reference: `Patient/${patientId}` });
    assert.match(rr.requester.agent.reference, /^Practitioner\/.+$/);
    assert.equal(rr.requester.onBehalfOf, undefined);
    for (const k of ['definition', 'replaces', 'reasonReference', 'relevantHistory', 'groupIdentifier', 'type',
      'occurrenceDateTime', 'occurrencePeriod', 'basedOn', 'serviceRequested', 'specialty', 'context']) {
      assert.equal(rr[k], undefined, `${k} absent`);
    }
    if (rr.authoredOn) assert.match(rr.authoredOn, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  }
  assert.doesNotMatch(JSON.stringify(r), /"versionId"|"lastUpdated"/);
  return list;
}

describeStoreLevel('Structured referrals: buildReferrals', (db) => {
  const build = (patientId: string, period?: { start?: string; end?: string }, practice = A) =>
    buildReferrals({ db: db(), practice, patientId, today, now: new Date() }, period ? { period } : {});

  for (const patient of ['1', '4']) {
    it(`patient${patient} (R3, no referrals): an empty list with emptyReason and exactly one note`, async () => {
      const r = await build(patient);
      const list = checkArea(r, patient);
      assert.deepEqual(r.resources, []);
      assert.deepEqual(r.linkedItems, []);
      assert.deepEqual(list.note, [{ text: 'Information not available' }]);
      assert.deepEqual(warningCodes(list), []);
    });
  }

  it('patient2 (R2): both referrals, in referral-date then id order, offered for problem links', async () => {
    const r = await build('2');
    const list = checkArea(r, '2');
    assert.deepEqual(ids(r), [counselling, physio]);
    assert.deepEqual(warningCodes(list), []);
    assert.equal(list.note, undefined);
    // [PLinkRR]: every problem link to a referral of patient2 points at a returned ReferralRequest.
    const links = await db().query<{ target_id: string }>(
      `SELECT l.target_id FROM problem_link l JOIN problem p ON p.practice = l.practice AND p.id = l.problem_id
        WHERE l.practice = $1 AND p.patient_id = '2' AND l.target_type = 'ReferralRequest'`, [A]);
    assert.ok(links.length >= 1, 'patient2 has a problem linked to a referral');
    for (const l of links) assert.ok(r.linkedItems.some((i) => i.type === 'ReferralRequest' && i.id === l.target_id));
  });

  it('patient2: the physiotherapy referral in full (identifiers incl. UBRN, priority, requester, recipient, reason, description)', async () => {
    const r = await build('2');
    const rr: Json = r.resources.find((x: Json) => x.id === physio);
    assert.deepEqual(rr, {
      resourceType: 'ReferralRequest',
      id: physio,
      meta: { profile: [referralProfile] },
      identifier: [
        { system: 'https://fhir.nhs.uk/Id/cross-care-setting-identifier', value: 'B154D1A3-D631-49BD-8B67-2F76D7D85865' },
        { system: 'https://fhir.nhs.uk/Id/ubr-number', value: 'bb2378b6-dde2-11e9-9d36-2a2ae2dbcce4' },
      ],
      status: 'unknown',
      intent: 'order',
      priority: 'routine',
      subject: { reference: 'Patient/2' },
      authoredOn: ukDateTime(new Date(`${referralDay}T10:30:00Z`)),
      requester: { agent: { reference: 'Practitioner/1' } },
      recipient: [{ reference: 'Organization/3' }],
      reasonCode: [{ coding: [{ system: snomed, code: '308447003', display: 'Referral to physiotherapist' }] }],
      description: 'Referral due to swollen legs',
    });
    const counsel: Json = r.resources.find((x: Json) => x.id === counselling);
    assert.equal(counsel.description, undefined);
    assert.equal(counsel.reasonCode[0].coding[0].code, '308448008');
  });

  it('the referral\'s consultation is only referenced when asked for (the consultations area)', async () => {
    const { referrals } = await findPatientReferrals(db(), A, '2');
    const withContext: Json = referralRequest(referrals.find((x) => x.id === physio)!, '2', { withContext: true });
    assert.deepEqual(withContext.context, { reference: 'Encounter/Encounter1' });
  });

  it('patient3 (R1): its two referrals, none linked to a problem', async () => {
    const r = await build('3');
    checkArea(r, '3');
    assert.deepEqual(ids(r), [`p3-${counselling}`, `p3-${physio}`]);
    const links = await db().query(`SELECT 1 FROM problem_link WHERE practice = $1 AND target_id LIKE 'p3-%'`, [A]);
    assert.equal(links.length, 0);
  });

  it('every requester and recipient is in the practice directory (the endpoint adds them to the bundle)', async () => {
    const practitioners = new Set((await db().query<{ id: string }>('SELECT id FROM practitioner WHERE practice = $1', [A])).map((p) => p.id));
    const organizations = new Set((await db().query<{ id: string }>('SELECT id FROM organization WHERE practice = $1', [A])).map((p) => p.id));
    for (const patient of ['2', '3']) {
      for (const rr of (await build(patient)).resources as Json[]) {
        assert.ok(practitioners.has(rr.requester.agent.reference.slice('Practitioner/'.length)));
        for (const rec of rr.recipient ?? []) assert.ok(organizations.has(rec.reference.slice('Organization/'.length)));
      }
    }
  });

  describe('referralSearchPeriod (authoredOn, inclusive UK dates)', () => {
    const cases: { name: string; period: { start?: string; end?: string }; expect: string[] }[] = [
      { name: 'R5: today to today', period: { start: today, end: today }, expect: [] },
      { name: 'the referral day only', period: { start: referralDay, end: referralDay }, expect: [counselling, physio] },
      { name: 'start on the referral day', period: { start: referralDay }, expect: [counselling, physio] },
      { name: 'start the day after', period: { start: addDays(referralDay, 1) }, expect: [] },
      { name: 'end on the referral day', period: { end: referralDay }, expect: [counselling, physio] },
      { name: 'end the day before', period: { end: addDays(referralDay, -1) }, expect: [] },
      { name: 'the last 3 years up to today', period: { start: addDays(today, -3 * 365), end: today }, expect: [counselling, physio] },
    ];
    for (const c of cases) {
      it(`patient2, ${c.name}`, async () => {
        const r = await build('2', c.period);
        const list = checkArea(r, '2');
        assert.deepEqual(ids(r), c.expect);
        if (c.expect.length === 0) {
          assert.deepEqual(list.note, [{ text: 'Information not available' }], 'no confidential warning for filtered-out items');
          assert.deepEqual(list.emptyReason, emptyReason);
        }
      });
    }
  });

  it('patient13 (R4, data-in-transit): the warning and its dated note on the empty list', async () => {
    const r = await build('13');
    const list = checkArea(r, '13');
    assert.deepEqual(warningCodes(list), ['data-in-transit']);
    assert.deepEqual(noteTexts(list), [inTransitText, 'Information not available']);
    assert.deepEqual(list.emptyReason, emptyReason);
  });

  it('patient16 (R4, confidential-items): the confidential referral is withheld, the list says so', async () => {
    const r = await build('16');
    const list = checkArea(r, '16');
    assert.deepEqual(r.resources, []);
    assert.deepEqual(r.linkedItems, []);
    assert.deepEqual(warningCodes(list), ['confidential-items', 'data-in-transit']);
    assert.equal(warningCodes(list).filter((c) => c === 'confidential-items').length, 1, '[Warn]: exactly one');
    assert.deepEqual(noteTexts(list), [confidentialNote, inTransitText, 'Information not available']);
    assert.deepEqual(list.emptyReason, emptyReason);
    assert.doesNotMatch(JSON.stringify(r), /p16-referral-1|bd031805-e11a-57ea-aadc-88d095dd80ec|306136006/);
  });

  it('patient16: a withheld referral outside the period does not warn', async () => {
    const r = await build('16', { start: addDays(today, -10), end: today });
    const list = checkArea(r, '16');
    assert.deepEqual(warningCodes(list), ['data-in-transit']);
    const inWindow = await build('16', { start: addDays(today, -77), end: addDays(today, -77) });
    assert.deepEqual(warningCodes(inWindow.lists[0]), ['confidential-items', 'data-in-transit']);
  });

  it('migrate with sensitive information gets the confidential referral', async () => {
    const { referrals, withheld } = await findPatientReferrals(db(), A, '16', { includeConfidential: true });
    assert.deepEqual(referrals.map((x) => x.id), ['p16-referral-1']);
    assert.equal(withheld, 0);
  });

  it('keeps practices apart: the other practice has no referrals', async () => {
    const r = await build('1', undefined, B);
    checkArea(r, '1');
    assert.deepEqual(r.resources, []);
    const unknown = await build('no-such-patient');
    checkArea(unknown, 'no-such-patient');
    assert.deepEqual(unknown.resources, []);
  });

  // Changes the store: keep last.
  it('an undated referral matches every period; a cancelled one stays status unknown with a note', async () => {
    await db().query(`UPDATE referral SET authored_at = NULL WHERE practice = $1 AND id = $2`, [A, `p3-${physio}`]);
    await db().query(`UPDATE referral SET status = 'cancelled' WHERE practice = $1 AND id = $2`, [A, `p3-${counselling}`]);
    const r = await build('3', { start: today, end: today });
    checkArea(r, '3');
    assert.deepEqual(ids(r), [`p3-${physio}`]);
    assert.equal((r.resources[0] as Json).authoredOn, undefined);
    const all = await build('3');
    const cancelled: Json = all.resources.find((x: Json) => x.id === `p3-${counselling}`);
    assert.equal(cancelled.status, 'unknown');
    assert.deepEqual(cancelled.note, [{ text: 'Status: Cancelled' }]);
    assert.deepEqual(ids(all), [`p3-${counselling}`, `p3-${physio}`], 'undated last');
  });
});
