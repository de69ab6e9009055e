import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { addDays } from '../../src/fhir/datetime.ts';
import type { AreaResult } from '../../src/structured/area.ts';
import { warningDate } from '../../src/structured/lists.ts';
import { buildMedications } from '../../src/structured/medications.ts';
import { activeOnOrAfter, statementEffectiveEnd } from '../../src/store/clinical-medications.ts';
import { type Json, A, B, checkListBase, confidentialNote, describeStoreLevel, emptyReason, noteTexts, references, sd, snomed, today, warningUrl } from './support.ts';

/**
 * The medications area of $gpc.getstructuredrecord, built straight from a fresh seeded store (no
 * HTTP): what the suite's StructuredMedications scenarios assert of the list, MedicationStatements,
 * MedicationRequests and Medications (notes/suite-structured.md §2, §13.2, §13.4) per test patient,
 * the medicationSearchFromDate rule (digest §5.2) and confidential withholding (digest §18.1).
 */


const cs = 'https://fhir.nhs.uk/STU3/CodeSystem/';
const agencyUrl = `${sd}Extension-CareConnect-GPC-PrescribingAgency-1`;
const lastIssueUrl = `${sd}Extension-CareConnect-GPC-MedicationStatementLastIssueDate-1`;
const repeatUrl = `${sd}Extension-CareConnect-GPC-MedicationRepeatInformation-1`;
const statusReasonUrl = `${sd}Extension-CareConnect-GPC-MedicationStatusReason-1`;
const typeUrl = `${sd}Extension-CareConnect-GPC-PrescriptionType-1`;
const changeSummaryUrl = `${sd}Extension-CareConnect-GPC-MedicationChangeSummary-1`;
const medicationTitle = 'Medications and medical devices';
const allowedMedicationSystems = [snomed, 'http://read.info/readv2', 'http://read.info/ctv3', 'https://fhir.hl7.org.uk/Id/emis-drug-codes',
  'https://fhir.hl7.org.uk/Id/egton-codes', 'https://fhir.hl7.org.uk/Id/multilex-drug-codes', 'https://fhir.hl7.org.uk/Id/resipuk-gemscript-drug-codes'];


const ofType = (r: AreaResult, type: string): Json[] => r.resources.filter((x: Json) => x.resourceType === type);
const statements = (r: AreaResult) => ofType(r, 'MedicationStatement');
const requests = (r: AreaResult) => ofType(r, 'MedicationRequest');
const plans = (r: AreaResult) => requests(r).filter((x) => x.intent === 'plan');
const orders = (r: AreaResult) => requests(r).filter((x) => x.intent === 'order');
const ids = (resources: Json[]) => resources.map((x: Json) => x.id).sort();
const ext = (resource: Json, url: string): Json[] => (resource.extension ?? []).filter((e: Json) => e.url === url);
const part = (extension: Json, url: string): Json | undefined => extension.extension.find((e: Json) => e.url === url);
const warningCodes = (list: Json): string[] => ext(list, warningUrl).map((e: Json) => e.valueCode);
const typeDisplay = (request: Json): string => ext(request, typeUrl)[0].valueCodeableConcept.coding[0].display;

/** BaseList / [ListNIU] / [ListMS] / [Empty] on the medications list (suite §13.2, §13.4). */
function checkList(list: Json, patientId: string): void {
  checkListBase(list, patientId);
  assert.equal(list.title, medicationTitle);
  assert.deepEqual(list.code.coding, [{ system: snomed, code: '933361000000108', display: medicationTitle }]);
  if (warningCodes(list).includes('confidential-items')) assert.equal(noteTexts(list).filter((t) => t === confidentialNote).length, 1);
  const entries: Json[] = list.entry ?? [];
  if (entries.length === 0) {
    assert.equal(list.entry, undefined, 'an empty list has no entry array');
    assert.deepEqual(list.emptyReason, emptyReason);
    assert.equal(noteTexts(list).filter((t) => t === 'Information not available').length, 1);
  } else {
    assert.equal(list.emptyReason, undefined);
    assert.ok(!noteTexts(list).includes('Information not available'));
  }
  for (const entry of entries) {
    assert.deepEqual(Object.keys(entry), ['item']);
    assert.match(entry.item.reference, /^MedicationStatement\/.+$/);
  }
}

/** [Med] */
function checkMedication(m: Json): void {
  assert.ok(m.id);
  assert.deepEqual(m.meta, { profile: [`${sd}CareConnect-GPC-Medication-1`] });
  assert.ok(m.code.coding.length >= 1);
  for (const c of m.code.coding) {
    assert.ok(allowedMedicationSystems.includes(c.system), `coding system ${c.system}`);
    assert.ok(c.code);
  }
  assert.equal(m.package, undefined);
}

/** [MS] (the basedOn check is done against the plans in checkArea). */
function checkStatement(s: Json, patientId: string): void {
  assert.ok(s.id);
  assert.deepEqual(s.meta, { profile: [`${sd}CareConnect-GPC-MedicationStatement-1`] });
  const agency = ext(s, agencyUrl);
  assert.equal(agency.length, 1, 'PrescribingAgency present');
  assert.equal(agency[0].valueCodeableConcept.coding[0].system, `${cs}CareConnect-PrescribingAgency-1`);
  assert.ok(agency[0].valueCodeableConcept.coding[0].display);
  assert.equal(ext(s, changeSummaryUrl).length, 0);
  assert.ok(ext(s, lastIssueUrl).length <= 1);
  assert.ok(s.identifier.length >= 1);
  for (const i of s.identifier) assert.ok(i.system && i.value);
  assert.equal(s.basedOn.length, 1, 'basedOn exactly 1');
  assert.match(s.basedOn[0].reference, /^MedicationRequest\/.+$/);
  assert.ok(['active', 'completed', 'stopped'].includes(s.status));
  assert.match(s.effectivePeriod.start, /^\d{4}-\d{2}-\d{2}$/);
  if (s.effectivePeriod.end) assert.ok(s.effectivePeriod.end >= s.effectivePeriod.start);
  if (s.status !== 'active') assert.ok(s.effectivePeriod.end, 'a course no longer active has an end');
  assert.equal(s.effectiveDateTime, undefined);
  assert.match(s.medicationReference.reference, /^Medication\/.+$/);
  assert.equal(s.medicationCodeableConcept, undefined);
  assert.deepEqual(s.subject, { reference: `Patient/${patientId}` });
  assert.equal(s.taken, 'unk');
  assert.ok(s.dateAsserted);
  assert.equal(s.dosage.length, 1);
  assert.ok(s.dosage[0].text.trim());
  for (const absent of ['informationSource', 'partOf', 'category', 'derivedFrom', 'reasonNotTaken', 'reasonCode', 'reasonReference']) {
    assert.equal(s[absent], undefined, `MedicationStatement.${absent} absent`);
  }
}

/** [MR] */
function checkRequest(r: Json, patientId: string): void {
  assert.ok(r.id);
  assert.deepEqual(r.meta, { profile: [`${sd}CareConnect-GPC-MedicationRequest-1`] });
  assert.ok(r.identifier.length >= 1);
  for (const i of r.identifier) assert.ok(i.system && i.value);
  assert.ok(['plan', 'order'].includes(r.intent));
  if (r.intent === 'order') assert.equal(r.basedOn.length, 1);
  else assert.equal(r.basedOn, undefined, 'plans have no basedOn');
  assert.ok(['active', 'completed', 'stopped'].includes(r.status));
  assert.match(r.medicationReference.reference, /^Medication\/.+$/);
  assert.deepEqual(r.subject, { reference: `Patient/${patientId}` });
  const type = ext(r, typeUrl);
  assert.equal(type.length, 1, 'PrescriptionType on every request');
  assert.equal(type[0].valueCodeableConcept.coding[0].system, `${cs}CareConnect-PrescriptionType-1`);
  assert.ok(['Acute', 'Repeat', 'Repeat dispensing', 'Delayed prescribing'].includes(typeDisplay(r)));
  const reason = ext(r, statusReasonUrl);
  if (r.intent === 'plan' && r.status === 'stopped') {
    assert.equal(reason.length, 1);
    assert.ok(part(reason[0], 'statusChangeDate')?.valueDateTime);
    assert.ok(part(reason[0], 'statusReason')?.valueCodeableConcept);
  } else {
    assert.equal(reason.length, 0, 'statusReason only on stopped plans');
  }
  const repeat = ext(r, repeatUrl);
  if (r.intent === 'plan' && ['Repeat', 'Repeat dispensing'].includes(typeDisplay(r))) {
    assert.equal(repeat.length, 1, 'repeat plans carry repeat information');
    assert.equal(typeof part(repeat[0], 'numberOfRepeatPrescriptionsAllowed')?.valueUnsignedInt, 'number');
    assert.equal(typeof part(repeat[0], 'numberOfRepeatPrescriptionsIssued')?.valueUnsignedInt, 'number');
  } else {
    for (const x of repeat) {
      assert.equal(part(x, 'numberOfRepeatPrescriptionsAllowed'), undefined);
      assert.equal(part(x, 'numberOfRepeatPrescriptionsIssued'), undefined);
    }
  }
  assert.ok(r.dispenseRequest.validityPeriod.start);
  assert.equal(r.dosageInstruction.length, 1, 'exactly one dosageInstruction');
  assert.ok(r.dosageInstruction[0].text.trim());
  assert.match(r.recorder.reference, /^Practitioner\/.+$/);
  assert.ok(r.authoredOn);
  if (r.intent === 'plan') assert.equal(r.dispenseRequest.performer, undefined, 'performer only on orders');
  for (const absent of ['definition', 'category', 'priority', 'supportingInformation', 'substitution', 'detectedIssue', 'eventHistory', 'reasonCode', 'reasonReference']) {
    assert.equal(r[absent], undefined, `MedicationRequest.${absent} absent`);
  }
}

/** Every reference in a JSON value, as strings. */
/** Everything the suite checks of a medications response, whatever the patient. */
function checkArea(r: AreaResult, patientId: string, includeIssues: boolean): void {
  assert.equal(r.lists.length, 1, '[Lists=1]');
  const [list] = r.lists as Json[];
  checkList(list, patientId);
  for (const x of r.resources as Json[]) {
    assert.ok(['Medication', 'MedicationStatement', 'MedicationRequest'].includes(x.resourceType), x.resourceType);
  }
  // [NoDup]
  const keys = (r.resources as Json[]).map((x) => `${x.resourceType}/${x.id}`);
  assert.equal(new Set(keys).size, keys.length, '[NoDup]');
  for (const m of ofType(r, 'Medication')) checkMedication(m);
  for (const s of statements(r)) checkStatement(s, patientId);
  for (const q of requests(r)) checkRequest(q, patientId);
  // The list is exactly the statements.
  assert.deepEqual((list.entry ?? []).map((e: Json) => e.item.reference).sort(), statements(r).map((s) => `MedicationStatement/${s.id}`).sort());
  // [MS]/[Elsewhere]: each statement is basedOn exactly one plan of the response; one statement per plan.
  const planIds = new Set(plans(r).map((p) => p.id));
  for (const s of statements(r)) assert.ok(planIds.has(s.basedOn[0].reference.slice('MedicationRequest/'.length)), `${s.id} basedOn a returned plan`);
  assert.equal(plans(r).length, statements(r).length, 'one plan per statement');
  assert.equal(new Set(statements(r).map((s) => s.basedOn[0].reference)).size, statements(r).length);
  // Orders are issues of returned plans; [Acute1]; [NoIssues].
  for (const o of orders(r)) assert.ok(planIds.has(o.basedOn[0].reference.slice('MedicationRequest/'.length)), `${o.id} is an issue of a returned plan`);
  for (const p of plans(r).filter((x) => typeDisplay(x).includes('Acute'))) {
    assert.ok(orders(r).filter((o) => o.basedOn[0].reference === `MedicationRequest/${p.id}`).length <= 1, `[Acute1] ${p.id}`);
  }
  if (!includeIssues) assert.equal(orders(r).length, 0, '[NoIssues]');
  // Closure among the medication resources: [MRtoMed], [MStoMRMed], and no dangling MedicationRequest/MedicationStatement/Medication reference.
  const present = new Set(keys);
  for (const ref of references([r.lists, r.resources])) {
    if (/^(Medication|MedicationStatement|MedicationRequest)\//.test(ref)) assert.ok(present.has(ref), `${ref} resolves`);
    if (ref.startsWith('Patient/')) assert.equal(ref, `Patient/${patientId}`);
    assert.match(ref, /^(Medication|MedicationStatement|MedicationRequest|Patient|Practitioner|Organization|Encounter)\/[A-Za-z0-9\-.]{1,64}$/);
  }
  // Problems link to plans and orders: exactly those are offered.
  assert.deepEqual(r.linkedItems.map((l) => `${l.type}/${l.id}`).sort(), requests(r).map((q) => `MedicationRequest/${q.id}`).sort());
  assert.doesNotMatch(JSON.stringify(r), /"versionId"|"lastUpdated"/);
}

/** S = now − 3 years, as the suite's [Eff3y] computes it (UTC, with the time of day). */
function threeYearsAgo(now: Date): Date {
  const s = new Date(now);
  s.setUTCFullYear(s.getUTCFullYear() - 3);
  return s;
}

interface RawStatement {
  id: string; status: string; effective_start: string; effective_end: string | null; prescribing_agency: string;
  confidential: boolean; plan_confidential: boolean; prescription_type: string; plan_id: string; status_changed_on: string | null;
}

describeStoreLevel('Structured medications: buildMedications', (db) => {
  const build = (patientId: string, options: { includePrescriptionIssues: boolean; searchFromDate?: string }, practice = A) =>
    buildMedications({ db: db(), practice, patientId, today, now: new Date() }, options);

  /** A patient's statements as stored, with their plan's type and confidentiality. */
  const rawStatements = (patientId: string) => db().query<RawStatement>(
    `SELECT s.id, s.status, s.effective_start, s.effective_end, s.prescribing_agency, s.confidential,
            p.confidential AS plan_confidential, p.prescription_type, s.plan_id, p.status_changed_on
       FROM medication_statement s JOIN medication_request p ON p.practice = s.practice AND p.id = s.plan_id
      WHERE s.practice = $1 AND s.patient_id = $2`, [A, patientId]);
  const rawIssues = (planId: string) => db().query<{ id: string; validity_start: string; validity_end: string | null; supply_days: number | null; confidential: boolean }>(
    `SELECT id, validity_start, validity_end, supply_days, confidential FROM medication_request WHERE practice = $1 AND plan_id = $2`, [A, planId]);

  for (const includePrescriptionIssues of [true, false]) {
    for (const patient of ['1', '4']) {
      it(`patient${patient} (no medications), includePrescriptionIssues=${includePrescriptionIssues}: one empty list with exactly one note`, async () => {
        const r = await build(patient, { includePrescriptionIssues });
        checkArea(r, patient, includePrescriptionIssues);
        assert.deepEqual(r.resources, []);
        assert.deepEqual(r.linkedItems, []);
        const [list] = r.lists as Json[];
        assert.deepEqual(list.note, [{ text: 'Information not available' }]);
        assert.deepEqual(list.emptyReason, emptyReason);
        assert.deepEqual(warningCodes(list), []);
      });
    }
  }

  it('patient2, with issues (M2/M18): every non-confidential course with all its issues; the confidential one withheld, with the warning once', async () => {
    const r = await build('2', { includePrescriptionIssues: true });
    checkArea(r, '2', true);
    const raw = await rawStatements('2');
    const shown = raw.filter((s) => !s.confidential && !s.plan_confidential);
    assert.deepEqual(ids(statements(r)), shown.map((s) => s.id).sort());
    assert.ok(statements(r).length >= 5);
    assert.deepEqual(ids(plans(r)), shown.map((s) => s.plan_id).sort());
    const expectedOrders = (await Promise.all(shown.map((s) => rawIssues(s.plan_id)))).flat().map((o) => o.id).sort();
    assert.deepEqual(ids(orders(r)), expectedOrders);
    // The sertraline course (statement 1, plan 20, issues 21–31, medication 20) is nowhere.
    assert.ok(raw.some((s) => s.id === '1' && s.confidential));
    const text = JSON.stringify(r);
    assert.doesNotMatch(text, /"(MedicationStatement|MedicationRequest)\/(1|20|2[1-9]|3[01])"|"Medication\/20"|Sertraline/);
    assert.doesNotMatch(text, /b3697e00-dde3-5558-8adf-25290031070e|affb802a-5554-5aa9-90c8-d95c90d3296a/);
    const [list] = r.lists as Json[];
    // A withheld course and the record warning are one warning, one note.
    assert.deepEqual(warningCodes(list), ['confidential-items']);
    assert.deepEqual(noteTexts(list), [confidentialNote]);
    // Acute and repeat plans are both there; the consultation courses name their consultation.
    assert.ok(plans(r).some((p) => typeDisplay(p) === 'Acute'));
    assert.ok(plans(r).some((p) => typeDisplay(p) === 'Repeat'));
    assert.ok(plans(r).some((p) => typeDisplay(p) === 'Repeat dispensing'));
    const fromConsultation = statements(r).find((s) => s.id === '6bff710a-0bdc-4c9b-b98b-40db0a107edc');
    assert.deepEqual(fromConsultation.context, { reference: 'Encounter/Encounter1' });
    assert.ok(ofType(r, 'Medication').length >= 5);
  });

  it('patient2: a repeat plan and one of its issues in full', async () => {
    const r = await build('2', { includePrescriptionIssues: true });
    const plan = requests(r).find((q) => q.id === '44');
    assert.deepEqual(ext(plan, repeatUrl)[0].extension.map((e: Json) => e.url),
      ['numberOfRepeatPrescriptionsAllowed', 'numberOfRepeatPrescriptionsIssued', 'authorisationExpiryDate']);
    assert.equal(part(ext(plan, repeatUrl)[0], 'numberOfRepeatPrescriptionsAllowed').valueUnsignedInt, 12);
    assert.equal(part(ext(plan, repeatUrl)[0], 'numberOfRepeatPrescriptionsIssued').valueUnsignedInt, 11);
    assert.deepEqual(ext(plan, typeUrl)[0].valueCodeableConcept.coding, [{ system: `${cs}CareConnect-PrescriptionType-1`, code: 'repeat', display: 'Repeat' }]);
    assert.deepEqual(plan.requester, { agent: { reference: 'Practitioner/1' } });
    assert.deepEqual(plan.dispenseRequest.expectedSupplyDuration, { value: 28, unit: 'day', system: 'http://unitsofmeasure.org', code: 'd' });
    const issue = requests(r).find((q) => q.id === '45');
    assert.deepEqual(issue.basedOn, [{ reference: 'MedicationRequest/44' }]);
    assert.equal(issue.intent, 'order');
    assert.deepEqual(issue.dispenseRequest.performer, { reference: 'Organization/1' });
    assert.equal(ext(issue, repeatUrl).length, 0, 'no repeat information on orders');
    const statement = statements(r).find((s) => s.id === '10');
    assert.deepEqual(statement.basedOn, [{ reference: 'MedicationRequest/44' }]);
    assert.deepEqual(statement.medicationReference, { reference: 'Medication/22' });
    assert.equal(ext(statement, lastIssueUrl).length, 1);
    // The repeat-dispensing course has no last issue date (digest §11).
    assert.equal(ext(statements(r).find((s) => s.id === '9'), lastIssueUrl).length, 0);
  });

  it('patient2, without issues (M4): the same courses, no orders at all, plans only offered for linking', async () => {
    const withIssues = await build('2', { includePrescriptionIssues: true });
    const r = await build('2', { includePrescriptionIssues: false });
    checkArea(r, '2', false);
    assert.deepEqual(ids(statements(r)), ids(statements(withIssues)));
    assert.deepEqual(ids(plans(r)), ids(plans(withIssues)));
    assert.equal(orders(r).length, 0);
    assert.ok(r.linkedItems.every((l) => plans(r).some((p) => p.id === l.id)));
    assert.deepEqual(warningCodes(r.lists[0]), ['confidential-items']);
  });

  it('patient2, medicationSearchFromDate = today − 3 years (M15, [Eff3y]): every statement starts or ends within the 3 years', async () => {
    const now = new Date();
    const s = threeYearsAgo(now);
    const from = s.toISOString().slice(0, 10);
    const r = await build('2', { includePrescriptionIssues: false, searchFromDate: from });
    checkArea(r, '2', false);
    assert.ok(statements(r).length >= 1);
    for (const st of statements(r)) {
      const start = new Date(st.effectivePeriod.start);
      const end = st.effectivePeriod.end ? new Date(st.effectivePeriod.end) : undefined;
      assert.ok(start >= s || end !== undefined, `${st.id}: an old open-ended statement crashes [Eff3y]`);
      assert.ok(start >= s || end! >= s, `${st.id}: ${st.effectivePeriod.start}..${st.effectivePeriod.end}`);
    }
  });

  for (const patient of ['2', '3', '5', '12']) {
    it(`patient${patient}: the search returns exactly the courses active on or after the from-date, and all issues of those`, async () => {
      const raw = await rawStatements(patient);
      for (const from of [undefined, '1960-01-01', addDays(today, -365 * 3), addDays(today, -365), addDays(today, -60), addDays(today, -7), today]) {
        const r = await build(patient, from === undefined ? { includePrescriptionIssues: true } : { includePrescriptionIssues: true, searchFromDate: from });
        checkArea(r, patient, true);
        const expected: string[] = [];
        let withheld = 0;
        for (const s of raw) {
          const issues = await rawIssues(s.plan_id);
          // The rule, restated: recorded end, else (course over) end of the final issue / change date / start.
          let end = s.effective_end;
          if (!end && s.status !== 'active') {
            const last = issues.map((i) => i.validity_end ?? (i.supply_days === null ? i.validity_start : addDays(i.validity_start, i.supply_days))).sort().at(-1);
            end = last ?? s.status_changed_on ?? s.effective_start;
          }
          const active = from === undefined || s.prescribing_agency !== 'prescribed-at-gp-practice'
            || (end ? end >= from : s.prescription_type !== 'acute' || s.effective_start >= from);
          if (!active) continue;
          if (s.confidential || s.plan_confidential) withheld++;
          else expected.push(s.id);
        }
        assert.deepEqual(ids(statements(r)), expected.sort(), `from ${from}`);
        const expectedOrders = (await Promise.all(raw.filter((s) => expected.includes(s.id)).map((s) => rawIssues(s.plan_id)))).flat()
          .filter((o) => !o.confidential).map((o) => o.id).sort();
        assert.deepEqual(ids(orders(r)), expectedOrders, `issues from ${from}`);
        assert.equal(warningCodes(r.lists[0]).includes('confidential-items'), withheld > 0 || patient === '2', `from ${from}`);
      }
    });
  }

  it('patient12 (M17, prescribed elsewhere): the hospital course is always returned, flagged, with no issues and no last issue date', async () => {
    const all = await build('12', { includePrescriptionIssues: true });
    checkArea(all, '12', true);
    assert.deepEqual(ids(statements(all)), ['7', '8', 'p12-statement-1']);
    const r = await build('12', { includePrescriptionIssues: true, searchFromDate: today });
    checkArea(r, '12', true);
    assert.deepEqual(ids(statements(r)), ['p12-statement-1'], 'the 1966 acute courses are not active on or after today');
    const [s] = statements(r);
    assert.deepEqual(ext(s, agencyUrl)[0].valueCodeableConcept, {
      coding: [{ system: `${cs}CareConnect-PrescribingAgency-1`, code: 'prescribed-by-another-organisation', display: 'Prescribed by another organisation' }],
      text: 'Hospital fracture clinic',
    });
    assert.equal(ext(s, lastIssueUrl).length, 0);
    assert.equal(s.status, 'completed');
    assert.ok(s.effectivePeriod.end < today);
    assert.deepEqual(ids(plans(r)), ['p12-plan-1']);
    assert.equal(orders(r).length, 0);
    // The old completed acute courses with no recorded end end on their final issue (or start).
    for (const old of statements(all).filter((x) => x.id !== 'p12-statement-1')) assert.ok(old.effectivePeriod.end);
  });

  it('patient5 (M1/M3): the current repeat course with its three issues, notes by their authors', async () => {
    const r = await build('5', { includePrescriptionIssues: true });
    checkArea(r, '5', true);
    assert.deepEqual(ids(statements(r)), ['3']);
    assert.deepEqual(ids(plans(r)), ['4']);
    assert.deepEqual(ids(orders(r)), ['5', '6', '7']);
    const [plan] = plans(r);
    assert.equal(typeDisplay(plan), 'Repeat');
    assert.equal(part(ext(plan, repeatUrl)[0], 'numberOfRepeatPrescriptionsAllowed').valueUnsignedInt, 6);
    assert.equal(part(ext(plan, repeatUrl)[0], 'numberOfRepeatPrescriptionsIssued').valueUnsignedInt, 4);
    const [s] = statements(r);
    assert.deepEqual(s.note[0], { authorReference: { reference: 'Practitioner/2' }, time: '2018-01-12', text: 'Patient complains of light sensitivity' });
    assert.equal(s.status, 'active');
    const noIssues = await build('5', { includePrescriptionIssues: false });
    checkArea(noIssues, '5', false);
    assert.deepEqual(ids(requests(noIssues)), ['4']);
  });

  it('patient3: a past acute course with its single issue', async () => {
    const r = await build('3', { includePrescriptionIssues: true });
    checkArea(r, '3', true);
    assert.deepEqual(ids(plans(r)), ['2']);
    assert.deepEqual(ids(orders(r)), ['3']);
    assert.equal(typeDisplay(plans(r)[0]), 'Acute');
  });

  it('patient13 (M23, data in transit): the warning and its dated note on the (empty) list', async () => {
    const r = await build('13', { includePrescriptionIssues: true });
    checkArea(r, '13', true);
    const [list] = r.lists as Json[];
    assert.deepEqual(warningCodes(list), ['data-in-transit']);
    assert.deepEqual(noteTexts(list), [
      `Patient record transfer from previous GP practice not yet complete; information recorded before ${warningDate(addDays(today, -7))} may be missing.`,
      'Information not available',
    ]);
  });

  it('patient16: no medications; only the every-list warning (its confidential-items is for allergies)', async () => {
    const r = await build('16', { includePrescriptionIssues: true });
    checkArea(r, '16', true);
    assert.deepEqual(warningCodes(r.lists[0]), ['data-in-transit']);
  });

  it('every practitioner and organisation referred to is in the practice directory (the endpoint adds them)', async () => {
    const practitioners = new Set((await db().query<{ id: string }>('SELECT id FROM practitioner WHERE practice = $1', [A])).map((p) => p.id));
    const organizations = new Set((await db().query<{ id: string }>('SELECT id FROM organization WHERE practice = $1', [A])).map((p) => p.id));
    const encounters = new Set((await db().query<{ id: string }>('SELECT id FROM encounter WHERE practice = $1 AND NOT confidential', [A])).map((p) => p.id));
    for (const patient of ['2', '3', '5', '12']) {
      const r = await build(patient, { includePrescriptionIssues: true });
      for (const ref of references(r.resources)) {
        const [type, id] = ref.split('/') as [string, string];
        if (type === 'Practitioner') assert.ok(practitioners.has(id), ref);
        if (type === 'Organization') assert.ok(organizations.has(id), ref);
        if (type === 'Encounter') assert.ok(encounters.has(id), ref);
      }
    }
  });

  it('keeps practices apart: GPC002\'s patients have no medications', async () => {
    const r = await build('2', { includePrescriptionIssues: true }, B);
    checkArea(r, '2', true);
    assert.deepEqual(r.resources, []);
  });
});

describeStoreLevel('Structured medications: search and withholding rules on authored rows', (db) => {
  const P = '6';
  const old = addDays(today, -400);
  const from = addDays(today, -30);
  before(async () => {
    const plan = (id: string, type: string, status: string, extra: Record<string, unknown> = {}) => db().query(
      `INSERT INTO medication_request (practice, id, patient_id, identifiers, intent, status, medication_id, prescription_type, authored_on,
         recorder_id, dosage_text, validity_start, validity_end, repeats_allowed, repeats_issued, status_reason, status_changed_on, prior_plan_id, confidential)
       VALUES ($1, $2, $3, $4::jsonb, 'plan', $5, $6, $7, $8, '1', 'One daily', $8, $9, $10, $11, $12, $13, $14, $15)`,
      [A, id, P, JSON.stringify([{ system: 'https://example.org/id', value: `id-${id}` }]), status, extra.medication ?? '5', type, extra.start ?? old,
        extra.end ?? null, extra.allowed ?? null, extra.issued ?? null, extra.reason ?? null, extra.changedOn ?? null, extra.prior ?? null, extra.confidential ?? false],
    );
    const issue = (id: string, planId: string, type: string, start: string, confidential = false) => db().query(
      `INSERT INTO medication_request (practice, id, patient_id, identifiers, intent, plan_id, status, medication_id, prescription_type, authored_on,
         recorder_id, dosage_text, validity_start, supply_days, confidential)
       VALUES ($1, $2, $3, $4::jsonb, 'order', $5, 'completed', '5', $6, $7, '1', 'One daily', $7, 28, $8)`,
      [A, id, P, JSON.stringify([{ system: 'https://example.org/id', value: `id-${id}` }]), planId, type, start, confidential],
    );
    const statement = (id: string, planId: string, status: string, extra: Record<string, unknown> = {}) => db().query(
      `INSERT INTO medication_statement (practice, id, patient_id, identifiers, plan_id, medication_id, status, effective_start, effective_end,
         asserted_on, dosage_text, prescribing_agency, confidential)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $8, 'One daily', $10, $11)`,
      [A, id, P, JSON.stringify([{ system: 'https://example.org/id', value: `st-${id}` }]), planId, extra.medication ?? '5', status,
        extra.start ?? old, extra.end ?? null, extra.agency ?? 'prescribed-at-gp-practice', extra.confidential ?? false],
    );
    await db().query(`INSERT INTO medication (practice, id, code) VALUES ($1, 'uncoded-1', '{"text":"Old mixture"}'::jsonb)`, [A]);
    // Old acute, open: active only on its start day.
    await plan('acute-old', 'acute', 'active');
    await statement('acute-old', 'acute-old', 'active');
    // Old repeat, open and active: ongoing.
    await plan('repeat-open', 'repeat', 'active', { allowed: 6, issued: 2 });
    await issue('repeat-open-1', 'repeat-open', 'repeat', old);
    await issue('repeat-open-2', 'repeat-open', 'repeat', addDays(today, -20), true);
    await statement('repeat-open', 'repeat-open', 'active');
    // Old delayed prescribing, open: neither acute nor repeat, treated as repeat.
    await plan('delayed-open', 'delayed-prescribing', 'active', { medication: 'uncoded-1' });
    await statement('delayed-open', 'delayed-open', 'active', { medication: 'uncoded-1' });
    // Old repeat, completed without a recorded end: ends with its final issue (old + 28 days).
    await plan('repeat-done', 'repeat', 'completed', { allowed: 3 });
    await issue('repeat-done-1', 'repeat-done', 'repeat', old);
    await statement('repeat-done', 'repeat-done', 'completed');
    // Old, prescribed by the previous practice: always returned.
    await plan('previous', 'acute', 'completed', { end: addDays(old, 14) });
    await statement('previous', 'previous', 'completed', { end: addDays(old, 14), agency: 'prescribed-by-previous-practice' });
    // Stopped recently, no reason recorded; re-authorised from the old repeat.
    await plan('stopped', 'repeat', 'stopped', { start: addDays(today, -90), end: addDays(today, -10), allowed: 6, issued: 1, prior: 'repeat-done' });
    await statement('stopped', 'stopped', 'stopped', { start: addDays(today, -90), end: addDays(today, -10) });
    // Confidential recent plan (statement not marked): withheld whole.
    await plan('secret', 'acute', 'active', { start: addDays(today, -5), confidential: true });
    await issue('secret-1', 'secret', 'acute', addDays(today, -5));
    await statement('secret', 'secret', 'active', { start: addDays(today, -5) });
  });
  const build = (options: { includePrescriptionIssues: boolean; searchFromDate?: string }) =>
    buildMedications({ db: db(), practice: A, patientId: P, today, now: new Date() }, options);

  it('without a from-date: every course but the confidential one; confidential-items for it and for the withheld issue', async () => {
    const r = await build({ includePrescriptionIssues: true });
    checkArea(r, P, true);
    assert.deepEqual(ids(statements(r)), ['acute-old', 'delayed-open', 'previous', 'repeat-done', 'repeat-open', 'stopped']);
    assert.deepEqual(ids(orders(r)), ['repeat-done-1', 'repeat-open-1']);
    assert.deepEqual(warningCodes(r.lists[0]), ['confidential-items']);
    assert.doesNotMatch(JSON.stringify(r), /secret|repeat-open-2/);
    // The stopped plan: statusReason with a change date and "No information available"; prior plan returned, so referenced.
    const stopped = plans(r).find((p) => p.id === 'stopped');
    const reason = ext(stopped, statusReasonUrl)[0];
    assert.equal(part(reason, 'statusChangeDate').valueDateTime, addDays(today, -10));
    assert.deepEqual(part(reason, 'statusReason').valueCodeableConcept, { text: 'No information available' });
    assert.deepEqual(stopped.priorPrescription, { reference: 'MedicationRequest/repeat-done' });
    // The completed repeat ends with its final issue (start + 28 days supply).
    assert.equal(statements(r).find((s) => s.id === 'repeat-done').effectivePeriod.end, addDays(old, 28));
    assert.equal(statements(r).find((s) => s.id === 'repeat-open').effectivePeriod.end, undefined);
    // Delayed prescribing has no repeat counts; an uncoded medication is transfer-degraded with its name.
    assert.equal(ext(plans(r).find((p) => p.id === 'delayed-open'), repeatUrl).length, 0);
    assert.deepEqual(ofType(r, 'Medication').find((m) => m.id === 'uncoded-1').code, {
      coding: [{ system: snomed, code: '196421000000109', display: 'Transfer-degraded medication entry' }], text: 'Old mixture',
    });
    // A repeat plan without a recorded issued count (completed, allowed 3) counts its issues on record.
    assert.equal(part(ext(plans(r).find((p) => p.id === 'repeat-done'), repeatUrl)[0], 'numberOfRepeatPrescriptionsIssued').valueUnsignedInt, 1);
  });

  it('from today − 30: open repeat and delayed ongoing, old acute and ended repeat out, previous practice always, stopped by its end', async () => {
    const r = await build({ includePrescriptionIssues: true, searchFromDate: from });
    checkArea(r, P, true);
    assert.deepEqual(ids(statements(r)), ['delayed-open', 'previous', 'repeat-open', 'stopped']);
    // Issues of returned plans are not date-filtered: the old issue of the open repeat is there.
    assert.deepEqual(ids(orders(r)), ['repeat-open-1']);
    // The stopped plan's prior plan is not returned, so it is not referenced.
    assert.equal(plans(r).find((p) => p.id === 'stopped').priorPrescription, undefined);
    assert.deepEqual(warningCodes(r.lists[0]), ['confidential-items']);
  });

  it('from today: the stopped course (ended 10 days ago) drops out; without issues, no warning for the withheld issue', async () => {
    const r = await build({ includePrescriptionIssues: false, searchFromDate: today });
    checkArea(r, P, false);
    assert.deepEqual(ids(statements(r)), ['delayed-open', 'previous', 'repeat-open']);
    // The confidential course started 5 days ago, open, acute: not active on or after today, so nothing was withheld.
    assert.deepEqual(warningCodes(r.lists[0]), []);
  });

  it('the acute open course counts from its start day only', async () => {
    const r = await build({ includePrescriptionIssues: false, searchFromDate: old });
    assert.ok(ids(statements(r)).includes('acute-old'));
    const next = await build({ includePrescriptionIssues: false, searchFromDate: addDays(old, 1) });
    assert.ok(!ids(statements(next)).includes('acute-old'));
  });
});

describe('Structured medications: the search rule and the effective end', () => {
  const at = { prescribingAgency: 'prescribed-at-gp-practice' as const };
  it('is active on or after the from-date', () => {
    assert.equal(activeOnOrAfter({ ...at, effective: { start: '2020-01-01', end: '2020-02-01' }, prescriptionType: 'repeat' }, '2020-02-01'), true);
    assert.equal(activeOnOrAfter({ ...at, effective: { start: '2020-01-01', end: '2020-02-01' }, prescriptionType: 'repeat' }, '2020-02-02'), false);
    assert.equal(activeOnOrAfter({ ...at, effective: { start: '2020-01-01' }, prescriptionType: 'acute' }, '2020-01-01'), true);
    assert.equal(activeOnOrAfter({ ...at, effective: { start: '2020-01-01' }, prescriptionType: 'acute' }, '2020-01-02'), false);
    assert.equal(activeOnOrAfter({ ...at, effective: { start: '2020-01-01' }, prescriptionType: 'repeat-dispensing' }, '2024-01-02'), true);
    assert.equal(activeOnOrAfter({ effective: { start: '1990-01-01', end: '1990-01-02' }, prescriptionType: 'acute', prescribingAgency: 'prescribed-by-another-organisation' }, '2024-01-02'), true);
    assert.equal(activeOnOrAfter({ ...at, effective: { start: '1990-01-01', end: '1990-01-02' }, prescriptionType: 'acute' }, undefined), true);
  });
  it('ends a finished course with its final issue, else its change date, else its start', () => {
    assert.equal(statementEffectiveEnd({ status: 'active', effectiveStart: '2020-01-01' }, undefined, [{ validityStart: '2020-02-01' }]), undefined);
    assert.equal(statementEffectiveEnd({ status: 'completed', effectiveStart: '2020-01-01', effectiveEnd: '2020-03-01' }, undefined, []), '2020-03-01');
    assert.equal(statementEffectiveEnd({ status: 'completed', effectiveStart: '2020-01-01' }, undefined,
      [{ validityStart: '2020-02-01', validityEnd: '2020-02-28' }, { validityStart: '2020-01-01' }]), '2020-02-28');
    assert.equal(statementEffectiveEnd({ status: 'completed', effectiveStart: '2020-01-01' }, undefined, [{ validityStart: '2020-03-01', supplyDays: 28 }]), '2020-03-29');
    assert.equal(statementEffectiveEnd({ status: 'stopped', effectiveStart: '2020-01-01' }, { statusChangedOn: '2020-01-10' }, []), '2020-01-10');
    assert.equal(statementEffectiveEnd({ status: 'completed', effectiveStart: '2020-01-01' }, {}, []), '2020-01-01');
  });
});
