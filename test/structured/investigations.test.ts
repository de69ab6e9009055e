import assert from 'node:assert/strict';
import { it } from 'node:test';
import { addDays } from '../../src/fhir/datetime.ts';
import type { AreaResult } from '../../src/structured/area.ts';
import { warningDate } from '../../src/structured/lists.ts';
import { buildInvestigations } from '../../src/structured/investigations.ts';
import { type Json, A, confidentialNote, describeStoreLevel, noteTexts, sd, snomed, today, warningCodes, checkPrimaryList } from './support.ts';

/**
 * The investigations area of $gpc.getstructuredrecord, built straight from a fresh seeded store
 * (no HTTP): what the suite's StructuredInvestigations scenarios assert (notes/suite-structured.md
 * §7, §13.9) per test patient, digest §16 (DiagnosticReport, Specimen, test group / result /
 * filing comment Observations, ProcedureRequest and the links between them), the period filter on
 * DiagnosticReport.issued (§5.2) and the List rules of §8, with confidential withholding.
 */

/** The FBC reports are issued 89 days before seeding (2019-04-03 under the days rule). */
const issuedDay = addDays(today, -89);

const profile = {
  list: `${sd}CareConnect-GPC-List-1`,
  DiagnosticReport: `${sd}CareConnect-GPC-DiagnosticReport-1`,
  Specimen: `${sd}CareConnect-GPC-Specimen-1`,
  Observation: `${sd}CareConnect-GPC-Observation-1`,
  ProcedureRequest: `${sd}CareConnect-GPC-ProcedureRequest-1`,
} as Record<string, string>;


const ofType = (r: AreaResult, type: string): Json[] => (r.resources as Json[]).filter((x) => x.resourceType === type);
const byId = (r: AreaResult, id: string): Json => (r.resources as Json[]).find((x) => x.id === id);
const isFiling = (o: Json) => o.code?.coding?.[0]?.code === '37331000000100';

/** Every `reference` anywhere in a value. */
function references(value: Json, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else references(v, out);
    }
  }
  return out;
}

/** Common resource checks: id, profile only, identifiers with system + value, subject. */
function checkCommon(x: Json, patientId: string): void {
  assert.ok(typeof x.id === 'string' && x.id !== '');
  assert.deepEqual(x.meta, { profile: [profile[x.resourceType]] }, `${x.resourceType}/${x.id}: profile only`);
  assert.ok(x.identifier.length >= 1);
  for (const i of x.identifier) assert.ok(i.system && i.value);
  const subject = x.subject;
  assert.deepEqual(subject, { reference: `Patient/${patientId}` });
}

/** The area on one patient: every suite check, and closure of every reference. */
function checkArea(r: AreaResult, patientId: string): { reports: Json[]; observations: Json[]; specimens: Json[]; requests: Json[] } {
  assert.equal(r.lists.length, 1);
  const all = r.resources as Json[];
  assert.deepEqual([...new Set(all.map((x) => x.resourceType))].filter((t) => !['DiagnosticReport', 'Specimen', 'Observation', 'ProcedureRequest'].includes(t)), []);
  assert.equal(new Set(all.map((x) => `${x.resourceType}/${x.id}`)).size, all.length, '[NoDup]');
  const reports = ofType(r, 'DiagnosticReport');
  const observations = ofType(r, 'Observation');
  const specimens = ofType(r, 'Specimen');
  const requests = ofType(r, 'ProcedureRequest');
  checkPrimaryList(r.lists[0], patientId, { title: 'Investigations and results', code: '887191000000108', display: 'Investigations and results', tag: 'InvList' }, 'DiagnosticReport', reports);
  assert.deepEqual(r.linkedItems, reports.map((d) => ({ type: 'DiagnosticReport', id: d.id })));
  assert.doesNotMatch(JSON.stringify(r), /"versionId"|"lastUpdated"/);

  // Every reference is to a returned resource, the Patient, or the practice directory; never an Encounter.
  const inArea = new Set(all.map((x) => `${x.resourceType}/${x.id}`));
  for (const ref of references(all)) {
    if (/^(Practitioner|Organization|Location)\/[^/]+$/.test(ref) || ref === `Patient/${patientId}`) continue;
    assert.ok(inArea.has(ref), `dangling reference ${ref}`);
  }
  assert.doesNotMatch(JSON.stringify(all), /Encounter\//);

  for (const d of reports) {
    checkCommon(d, patientId);
    assert.deepEqual(d.code, { coding: [{ system: snomed, code: '721981007', display: 'Diagnostic studies report' }] });
    assert.ok(d.issued);
    assert.ok(['final', 'preliminary', 'unknown'].includes(d.status));
    for (const k of ['effectiveDateTime', 'effectivePeriod', 'imagingStudy', 'image', 'presentedForm', 'context']) assert.equal(d[k], undefined, `[DRNIU] ${k}`);
  }
  for (const s of specimens) {
    checkCommon(s, patientId);
    for (const k of ['parent', 'request', 'processing', 'container']) assert.equal(s[k], undefined, `[SpecNIU] ${k}`);
    assert.equal(s.collection?.method, undefined);
  }
  for (const p of requests) {
    checkCommon(p, patientId);
    assert.equal(p.status, 'active');
    assert.equal(p.intent, 'order');
    assert.ok(p.code);
    for (const k of ['definition', 'basedOn', 'replaces', 'requisition', 'priority', 'doNotPerform', 'category', 'context',
      'occurrenceDateTime', 'occurrencePeriod', 'asNeededBoolean', 'asNeededCodeableConcept', 'authoredOn', 'performerType',
      'supportingInfo', 'specimen', 'bodySite', 'relevantHistory']) assert.equal(p[k], undefined, `[PRNIU] ${k}`);
  }
  for (const o of observations) {
    checkCommon(o, patientId);
    assert.ok(o.code.coding[0].code, 'every investigations Observation has code.coding[0]');
    assert.ok(o.issued);
    for (const k of ['basedOn', 'device', 'component', 'bodySite', 'method', 'dataAbsentReason', 'context']) assert.equal(o[k], undefined, `${o.id}: ${k}`);
    if (isFiling(o)) {
      assert.equal(o.status, 'unknown', '[Filing]');
      assert.ok(o.performer[0].reference);
      for (const k of ['category', 'referenceRange', 'interpretation', 'specimen']) assert.equal(o[k], undefined, `[FilingNIU] ${k}`);
    }
  }
  return { reports, observations, specimens, requests };
}

const fbcResults = ['dacb177a-9501-4dcc-8b22-b941791ae0dc', '32685afe-1d46-4d98-8279-39b9e96ee914', '770b982d-be09-4744-a5d7-54e757947ffe',
  '0a8aba3d-6b29-4dba-9c64-3a47516cc5eb', 'ddc43c3a-2863-4d6f-a926-162f5a4174b1', '9825b7cf-de29-4c07-9b84-4af04dbf8233',
  'e732e681-3a89-4433-a37b-3767dd19d809', '2a604bea-1ef4-4cb1-97a0-f2a160f12679', '704b6bb2-a1c0-429b-b901-c641e70345ec',
  '53f4132c-0168-4327-8d69-560b13f5bb4e', 'c9e03e92-78b8-4e8e-9785-cbd9424e9380', '9c61ad77-8c17-41aa-b795-f0fcb9f983d5',
  'f67cb109-0890-4e47-9126-86da677c7008', '1f2e71db-b9aa-4e4f-9a78-87f99fefc8bf', 'a23b563d-765a-4032-8dd3-c03178224f35',
  'fedb7c2d-337c-435c-9169-612349783b5a', 'f9070943-7460-413a-a608-e15334b6e1d9', '66acb40a-e241-474a-92b5-c74f9aa6a854'];

/** The ids of patient2's FBC record, or patient3's copies. */
function fbc(prefix: string) {
  return {
    reports: [`${prefix}efae5859-28df-4e7d-be91-6df56d8215e4`, `${prefix}efae5859-28df-4e7d-be91-6df56d8215e5`],
    requests: [`${prefix}d9df1431-22ac-462a-946a-f195f6c639af`, `${prefix}d9df1431-22ac-462a-946a-f195f6c639b0`],
    specimens: [`${prefix}756a8361-79ce-4561-afcb-a91fe19df123`, `${prefix}756a8361-79ce-4561-afcb-a91fe19df124`],
    filing: `${prefix}7ec12071-b737-4ce8-8a91-2ea36d94464f`,
    group: `${prefix}dacb177a-9501-4dcc-8b22-b941791ae0db`,
    results: fbcResults.map((id) => `${prefix}${id}`),
  };
}

describeStoreLevel('Structured investigations: buildInvestigations', (db) => {
  const build = (patientId: string, period?: { start?: string; end?: string }, practice = A) =>
    buildInvestigations({ db: db(), practice, patientId, today, now: new Date() }, period ? { period } : {});

  for (const patient of ['1', '4']) {
    it(`patient${patient} (V4): an empty list with exactly one note and emptyReason`, async () => {
      const r = await build(patient);
      checkArea(r, patient);
      assert.deepEqual(r.resources, []);
      assert.deepEqual(r.lists[0]!.note, [{ text: 'Information not available' }]);
      assert.deepEqual(r.linkedItems, []);
    });
  }

  for (const [patient, prefix] of [['2', ''], ['3', 'p3-']] as const) {
    it(`patient${patient} (V1–V3): both FBC reports with their requests, specimens, group, results and filing comment`, async () => {
      const r = await build(patient);
      const { reports, observations, specimens, requests } = checkArea(r, patient);
      const ids = fbc(prefix);
      assert.deepEqual(reports.map((d) => d.id), ids.reports);
      assert.deepEqual(requests.map((p) => p.id).sort(), [...ids.requests].sort());
      assert.deepEqual(specimens.map((s) => s.id).sort(), [...ids.specimens].sort());
      assert.deepEqual(observations.map((o) => o.id).sort(), [ids.filing, ids.group, ...ids.results].sort());
      assert.deepEqual(warningCodes(r.lists[0]), []);
      assert.equal(r.lists[0]!.note, undefined);

      // [DRPR]: the first report is based on a returned ProcedureRequest.
      const [first, second] = reports;
      assert.deepEqual(first.basedOn, [{ reference: `ProcedureRequest/${ids.requests[0]}` }]);
      assert.deepEqual(second.basedOn, [{ reference: `ProcedureRequest/${ids.requests[1]}` }]);
      assert.deepEqual(first.specimen, [{ reference: `Specimen/${ids.specimens[0]}` }]);
      assert.deepEqual(first.result, [{ reference: `Observation/${ids.filing}` }, { reference: `Observation/${ids.group}` }]);
      assert.deepEqual(second.specimen, [{ reference: `Specimen/${ids.specimens[1]}` }]);
      assert.deepEqual(second.result, [{ reference: `Observation/${ids.group}` }]);
      assert.equal(first.status, 'final');
      assert.deepEqual(first.performer, [{ actor: { reference: 'Organization/2' } }]);
      assert.deepEqual(first.category, { coding: [{ system: snomed, code: '394595002', display: 'Pathology' }] });
      assert.equal(first.issued.slice(0, 10), issuedDay);

      // The test request.
      const request = byId(r, ids.requests[0]);
      assert.deepEqual(request.code, { coding: [{ system: snomed, code: '26604007', display: 'FBC - Full blood count' }] });
      assert.deepEqual(request.requester, { agent: { reference: 'Practitioner/1' } });
      assert.deepEqual(request.performer, { reference: 'Organization/2' });
      assert.deepEqual(request.note, [{ text: 'FBC' }]);

      // The specimen.
      const spec = byId(r, ids.specimens[0]);
      assert.equal(spec.status, 'available');
      assert.deepEqual(spec.type, { coding: [{ system: snomed, code: '122555007', display: 'Venous blood specimen' }] });
      assert.equal(spec.collection.collectedDateTime.slice(0, 10), addDays(today, -91));
      assert.equal(spec.receivedTime.slice(0, 10), addDays(today, -91));

      // The test group header: has-member each result; no value, no category.
      const group = byId(r, ids.group);
      assert.equal(group.status, 'final');
      assert.equal(group.code.coding[0].code, '26604007');
      assert.deepEqual(group.related, ids.results.map((id) => ({ type: 'has-member', target: { reference: `Observation/${id}` } })));
      assert.deepEqual(group.specimen, { reference: `Specimen/${ids.specimens[0]}` });
      assert.deepEqual(group.performer, [{ reference: 'Organization/2' }]);
      for (const k of ['category', 'valueQuantity', 'referenceRange']) assert.equal(group[k], undefined);

      // Test results: derived-from the group, specimen in the area, category, value, ranges.
      for (const id of ids.results) {
        const result = byId(r, id);
        assert.deepEqual(result.related, [{ type: 'derived-from', target: { reference: `Observation/${ids.group}` } }]);
        assert.deepEqual(result.specimen, { reference: `Specimen/${ids.specimens[0]}` });
        assert.deepEqual(result.category, [{ coding: [{ system: snomed, code: '394595002', display: 'Pathology' }] }]);
        assert.equal(result.status, 'final');
        assert.ok(result.valueQuantity);
      }
      const wcc = byId(r, ids.results[0]);
      assert.deepEqual(wcc.code.coding[0], { system: snomed, code: '1022541000000102', display: 'Total white cell count' });
      assert.deepEqual(wcc.valueQuantity, { value: 5.7, unit: '10*9/L' });
      assert.deepEqual(wcc.referenceRange, [{ low: { value: 3.5, unit: '10*9/L' }, high: { value: 11, unit: '10*9/L' } }]);
      assert.deepEqual(byId(r, ids.results[1]).referenceRange, [{ text: 'less than 3.8 to 5' }]);

      // The report-level filing comment.
      const filing = byId(r, ids.filing);
      assert.equal(filing.status, 'unknown');
      assert.deepEqual(filing.code, { coding: [{ system: snomed, code: '37331000000100', display: 'Comment note' }] });
      assert.deepEqual(filing.performer, [{ reference: 'Practitioner/1' }]);
      assert.equal(filing.comment, 'Some filing comments added at the GP practice');
      assert.equal(filing.effectiveDateTime.slice(0, 10), addDays(today, -86));
      assert.equal(filing.related, undefined);

      // [DR] overall: a resolvable specimen; a result Observation with a resolvable specimen.
      const inArea = new Set((r.resources as Json[]).map((x) => `${x.resourceType}/${x.id}`));
      assert.ok(reports.some((d) => inArea.has(d.specimen?.[0]?.reference)));
      const resultObservations = reports.flatMap((d) => d.result ?? []).map((x: Json) => byId(r, x.reference.split('/')[1]));
      assert.ok(resultObservations.some((o) => o.specimen && inArea.has(o.specimen.reference)));
    });
  }

  it('period (§5.2): DiagnosticReport.issued, whole UK days, both ends inclusive', async () => {
    const day = await build('2', { start: issuedDay, end: issuedDay });
    assert.deepEqual(checkArea(day, '2').reports.length, 2);
    assert.equal(ofType(day, 'Observation').length, 20);
    assert.deepEqual(ofType(await build('2', { start: issuedDay }), 'DiagnosticReport').length, 2, 'start only');
    assert.deepEqual(ofType(await build('2', { end: issuedDay }), 'DiagnosticReport').length, 2, 'end only');
    for (const period of [{ start: addDays(issuedDay, 1) }, { end: addDays(issuedDay, -1) }, { start: today, end: today }]) {
      const r = await build('2', period);
      checkArea(r, '2');
      assert.deepEqual(r.resources, [], JSON.stringify(period));
      assert.deepEqual(noteTexts(r.lists[0]), ['Information not available']);
    }
  });

  it('patient13: the data-in-transit warning (area all) and its dated note', async () => {
    const r = await build('13');
    checkArea(r, '13');
    assert.deepEqual(warningCodes(r.lists[0]), ['data-in-transit']);
    assert.deepEqual(noteTexts(r.lists[0]), [
      `Patient record transfer from previous GP practice not yet complete; information recorded before ${warningDate(addDays(today, -7))} may be missing.`,
      'Information not available',
    ]);
  });

  it('keeps practices apart: GPC002 patient 2 has none of B82617 patient2\'s investigations', async () => {
    const r = await build('2', undefined, 'GPC002');
    checkArea(r, '2');
    assert.deepEqual(r.resources, []);
  });

  // ---- Below, rows of patient2 are made confidential in this test database. ----

  const confidential = (table: string, id: string) =>
    db().query(`UPDATE ${table} SET confidential = true WHERE practice = $1 AND id = $2`, [A, id]);
  const ids = fbc('');

  it('a confidential test request is left out (no basedOn) and the list warns', async () => {
    await confidential('procedure_request', ids.requests[0]);
    const r = await build('2');
    const { reports, requests } = checkArea(r, '2');
    assert.deepEqual(requests.map((p) => p.id), [ids.requests[1]]);
    assert.equal(reports[0].basedOn, undefined);
    assert.deepEqual(warningCodes(r.lists[0]), ['confidential-items']);
    assert.deepEqual(noteTexts(r.lists[0]), [confidentialNote]);
    // Outside the period nothing is withheld, so no warning.
    const outside = await build('2', { start: today, end: today });
    assert.deepEqual(warningCodes(outside.lists[0]), []);
  });

  it('a confidential test result is left out and never referenced; the group keeps the others', async () => {
    await confidential('observation', ids.results[0]);
    const r = await build('2');
    checkArea(r, '2');
    assert.equal(byId(r, ids.results[0]), undefined);
    assert.doesNotMatch(JSON.stringify(r), new RegExp(ids.results[0]));
    assert.deepEqual(byId(r, ids.group).related.length, 17);
    assert.deepEqual(warningCodes(r.lists[0]), ['confidential-items']);
  });

  it('a confidential report is left out with what only it brings in; a filing comment on a group comes with it', async () => {
    // A filing comment on the group (derived-from it), not listed by any report.
    await db().query(
      `INSERT INTO observation (practice, id, patient_id, identifiers, kind, status, code, effective_start, issued_at, performer_practitioner_id, comment)
       VALUES ($1, 'p2-group-filing', '2', $2, 'filing-comment', 'unknown', $3, now(), now(), '1', 'Filed: normal')`,
      [A, JSON.stringify([{ system: 'https://fhir.nhs.uk/Id/cross-care-setting-identifier', value: 'p2-group-filing' }]),
        JSON.stringify({ coding: [{ system: snomed, code: '37331000000100', display: 'Comment note' }] })],
    );
    await db().query(`INSERT INTO observation_related (practice, observation_id, position, type, target_id) VALUES ($1, 'p2-group-filing', 0, 'derived-from', $2)`,
      [A, ids.group]);
    await confidential('diagnostic_report', ids.reports[0]);
    const r = await build('2');
    const { reports, observations, specimens, requests } = checkArea(r, '2');
    assert.deepEqual(reports.map((d) => d.id), [ids.reports[1]]);
    assert.deepEqual(requests.map((p) => p.id), [ids.requests[1]]);
    assert.equal(byId(r, ids.filing), undefined, 'the report-level filing comment goes with its report');
    // The group is still reached through the second report, so is its specimen (named by the group).
    assert.ok(byId(r, ids.group));
    assert.deepEqual(specimens.map((s) => s.id).sort(), [...ids.specimens].sort());
    const groupFiling = byId(r, 'p2-group-filing');
    assert.deepEqual(groupFiling.related, [{ type: 'derived-from', target: { reference: `Observation/${ids.group}` } }]);
    assert.equal(groupFiling.status, 'unknown');
    assert.equal(observations.length, 1 + 17 + 1);
    assert.deepEqual(warningCodes(r.lists[0]), ['confidential-items']);
    assert.deepEqual(noteTexts(r.lists[0]), [confidentialNote]);
  });
});
