import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { StructuredArea } from '../../src/domain/structured-areas.ts';
import { setStructuredAreaEnabled } from '../../src/store/practices.ts';
import { describeOnEachStore, otherPractice, practice, type GpcResponse, type TestProvider } from '../harness/provider.ts';

/**
 * Per-practice switches for the clinical areas of the structured record (structured digest §18.3):
 * a requested area that is off is a 200 without that area's List, with one `<parameter> has been
 * disabled` warning in the bundle's OperationOutcome; items of an area that is off do not come in
 * through a problem's links or a consultation either — they are display-only `<Area> items have
 * been disabled` there, and the area is warned about; migrate ignores the switches; each practice
 * has its own.
 */

const nhs = { patient2: '9690937286', gpc002patient1: '9990000018' };
const titles = {
  allergies: 'Allergies and adverse reactions',
  immunisations: 'Immunisations',
  problems: 'Problems',
  immunisationsOfProblems: 'Problems - immunisations related to problems',
  uncategorisedOfProblems: 'Problems - uncategorised data related to problems',
  investigationsOfProblems: 'Problems - investigations related to problems',
  consultations: 'List of consultations',
  uncategorised: 'Uncategorised data',
  medicationsOfConsultations: 'Consultations - medications contained in consultations',
  problemsOfConsultations: 'Consultations - problems contained in consultations',
  investigationsOfConsultations: 'Consultations - investigations contained in consultations',
  uncategorisedOfConsultations: 'Consultations - uncategorised data contained in consultations',
  linkedProblems: 'Problems - linked problems not relating to the primary query',
};
const relatedClinicalContent = 'https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-RelatedClinicalContent-1';
const relatedProblemHeader = 'https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-RelatedProblemHeader-1';
const actualProblem = 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ActualProblem-1';
const travelImmunisation = 'Immunization/eba25af1-5b74-4790-aa5a-2134fd27ad45';

const allergies = { name: 'includeAllergies', part: [{ name: 'includeResolvedAllergies', valueBoolean: false }] };
const immunisations = { name: 'includeImmunisations' };
const problems = { name: 'includeProblems' };
const consultations = { name: 'includeConsultations' };
const uncategorised = { name: 'includeUncategorisedData' };

function parameters(nhsNumber: string, ...more: Record<string, unknown>[]): Record<string, unknown> {
  return {
    resourceType: 'Parameters',
    parameter: [{ name: 'patientNHSNumber', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhsNumber } }, ...more],
  };
}

function getRecord(p: TestProvider, body: Record<string, unknown>, ods: string = practice.ods): Promise<GpcResponse> {
  return p.gpc({ method: 'POST', base: '/structured', path: '/Patient/$gpc.getstructuredrecord', interaction: 'getStructuredRecord', body, ods });
}

const resources = (res: GpcResponse): any[] => res.json.entry.map((e: any) => e.resource);
const listTitles = (res: GpcResponse): string[] => resources(res).filter((r) => r.resourceType === 'List').map((r) => r.title);
/** The Lists of the requested areas, without the secondary "Problems - …" lists their items bring. */
const areaLists = (res: GpcResponse): string[] => listTitles(res).filter((t) => !t.startsWith('Problems - '));
const outcomes = (res: GpcResponse): any[] => resources(res).filter((r) => r.resourceType === 'OperationOutcome');
const ofType = (res: GpcResponse, type: string): any[] => resources(res).filter((r) => r.resourceType === type);
/** A consultation-structure List (consultation, topic or heading) by id. */
const structureList = (res: GpcResponse, id: string): any => ofType(res, 'List').find((l) => l.id === id);
const entryItems = (list: any): any[] => (list.entry ?? []).map((e: any) => e.item);
/** Every `reference` string in the bundle. */
const allReferences = (res: GpcResponse): string[] => [...JSON.stringify(res.json).matchAll(/"reference":"([^"]+)"/g)].map((m) => m[1]!);
/** The valueReferences of a Condition's related clinical content. */
const relatedContent = (condition: any): any[] => condition.extension.filter((e: any) => e.url === relatedClinicalContent).map((e: any) => e.valueReference);
const disabledDisplay = (label: string) => ({ display: `${label} items have been disabled` });

/** The warning issue the spec's clinical-area configuration page shows, exactly. */
function disabledIssue(parameter: string) {
  return {
    severity: 'warning',
    code: 'not-supported',
    details: {
      coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1', code: 'NOT_IMPLEMENTED', display: 'Not implemented' }],
      text: `${parameter} has been disabled`,
    },
    diagnostics: parameter,
  };
}

/** The one OperationOutcome of a bundle, checked against the GPConnect-OperationOutcome-1 shape; its issues. */
function warningIssues(res: GpcResponse): any[] {
  const found = outcomes(res);
  assert.equal(found.length, 1, 'exactly one OperationOutcome');
  assert.deepEqual(found[0].meta, { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1'] });
  assert.match(found[0].id, /^[0-9a-f-]{36}$/);
  return found[0].issue;
}

/**
 * Switches an area at a practice and waits until the provider answers accordingly: the practice
 * directory is re-read at most every 2 s, as after `gpc disable` from another process.
 */
async function switchArea(p: TestProvider, ods: string, area: StructuredArea, enabled: boolean, probe: Record<string, unknown>, done: (res: GpcResponse) => boolean): Promise<void> {
  assert.equal(await setStructuredAreaEnabled(p.db, ods, area, enabled, 'area-switches test'), true);
  const deadline = Date.now() + 6000;
  for (;;) {
    const res = await getRecord(p, probe, ods);
    assert.equal(res.status, 200, res.text.slice(0, 400));
    if (done(res)) return;
    assert.ok(Date.now() < deadline, `the switch of ${area} at ${ods} took effect`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const hasOutcome = (res: GpcResponse) => outcomes(res).length > 0;
const noOutcome = (res: GpcResponse) => outcomes(res).length === 0;

describeOnEachStore('Access Record Structured: per-practice clinical area switches', (provider) => {
  const p = () => provider();

  it('with every area on (the seed), nothing is disabled: the requested Lists come back and no OperationOutcome', async () => {
    const res = await getRecord(p(), parameters(nhs.patient2, allergies, immunisations));
    assert.equal(res.status, 200, res.text.slice(0, 400));
    assert.deepEqual(areaLists(res), [titles.allergies, titles.immunisations]);
    assert.equal(outcomes(res).length, 0);
  });

  it('an area switched off is a 200 without its List or resources, the other areas intact, and one exact warning; back on, it returns', async () => {
    const body = parameters(nhs.patient2, allergies, immunisations);
    await switchArea(p(), practice.ods, 'immunisations', false, body, hasOutcome);
    try {
      const res = await getRecord(p(), body);
      assert.equal(res.status, 200);
      assert.equal(res.json.resourceType, 'Bundle');
      assert.deepEqual(areaLists(res), [titles.allergies], 'the Immunisations List is not returned; Allergies is');
      assert.equal(ofType(res, 'Immunization').length, 0, 'no Immunization');
      assert.ok(ofType(res, 'AllergyIntolerance').length > 0, 'the allergies are still there');
      assert.deepEqual(warningIssues(res), [disabledIssue('includeImmunisations')]);
      // The OperationOutcome is the bundle's last entry, as for unknown-parameter warnings.
      assert.equal(resources(res).at(-1).resourceType, 'OperationOutcome');
    } finally {
      await switchArea(p(), practice.ods, 'immunisations', true, body, noOutcome);
    }
    const restored = await getRecord(p(), body);
    assert.deepEqual(areaLists(restored), [titles.allergies, titles.immunisations]);
    assert.ok(ofType(restored, 'Immunization').length > 0);
    assert.equal(outcomes(restored).length, 0, 'no warning once the area is back on');
  });

  it('the disabled-area warning joins unknown-parameter warnings in the one OperationOutcome; an area off but not asked for is not mentioned', async () => {
    const body = parameters(nhs.patient2, immunisations);
    await switchArea(p(), practice.ods, 'immunisations', false, body, hasOutcome);
    try {
      const res = await getRecord(p(), parameters(nhs.patient2, { name: 'includeEverything' }, immunisations));
      assert.equal(res.status, 200);
      const issues = warningIssues(res);
      assert.deepEqual(issues.map((i: any) => i.details.text), ['includeEverything is an unrecognised parameter', 'includeImmunisations has been disabled']);
      const other = await getRecord(p(), parameters(nhs.patient2, allergies));
      assert.equal(other.status, 200);
      assert.deepEqual(areaLists(other), [titles.allergies]);
      assert.equal(outcomes(other).length, 0, 'immunisations were not requested, nor linked: no warning');
    } finally {
      await switchArea(p(), practice.ods, 'immunisations', true, body, noOutcome);
    }
  });

  it('an item of an area that is off does not come in through a problem link: the link is display-only and the area is warned about', async () => {
    const body = parameters(nhs.patient2, problems);
    const before = await getRecord(p(), body);
    assert.ok(listTitles(before).includes(titles.immunisationsOfProblems), 'the seed links Problem-H to an immunisation');
    await switchArea(p(), practice.ods, 'immunisations', false, body, hasOutcome);
    try {
      const res = await getRecord(p(), body);
      assert.equal(res.status, 200);
      assert.ok(listTitles(res).includes(titles.problems));
      assert.ok(!listTitles(res).includes(titles.immunisationsOfProblems), 'no immunisations-related-to-problems list');
      assert.equal(ofType(res, 'Immunization').length, 0);
      const travel = ofType(res, 'Condition').find((c) => c.id === 'Problem-H-Travel-Vaccination');
      assert.ok(travel, 'the problem is still returned');
      const content = travel.extension.filter((e: any) => e.url === relatedClinicalContent).map((e: any) => e.valueReference);
      assert.deepEqual(content, [{ display: 'Immunisations items have been disabled' }]);
      assert.ok(!JSON.stringify(res.json).includes(travelImmunisation), 'no reference to the immunisation anywhere');
      assert.deepEqual(warningIssues(res), [disabledIssue('includeImmunisations')]);
    } finally {
      await switchArea(p(), practice.ods, 'immunisations', true, body, noOutcome);
    }
  });

  it('uncategorised data off: problem-linked uncategorised observations stay out, while the problems\' investigations still come in', async () => {
    const body = parameters(nhs.patient2, problems);
    await switchArea(p(), practice.ods, 'uncategorised', false, body, hasOutcome);
    try {
      const res = await getRecord(p(), body);
      assert.equal(res.status, 200);
      const lists = listTitles(res);
      assert.ok(!lists.includes(titles.uncategorisedOfProblems));
      assert.ok(lists.includes(titles.investigationsOfProblems), 'investigations are on');
      assert.ok(ofType(res, 'DiagnosticReport').length > 0);
      const anxiety = ofType(res, 'Condition').find((c) => c.id === 'Problem-A-Anxiety-With-Depression');
      const actual = anxiety.extension.find((e: any) => e.url === actualProblem);
      assert.deepEqual(actual.valueReference, { display: 'Uncategorised data items have been disabled' });
      assert.deepEqual(warningIssues(res), [disabledIssue('includeUncategorisedData')]);
    } finally {
      await switchArea(p(), practice.ods, 'uncategorised', true, body, noOutcome);
    }
  });

  it('problems off: includeProblems is warned about and no Condition comes in, not even as a linked problem of returned items', async () => {
    const body = parameters(nhs.patient2, problems, immunisations);
    await switchArea(p(), practice.ods, 'problems', false, body, hasOutcome);
    try {
      const res = await getRecord(p(), body);
      assert.equal(res.status, 200);
      assert.deepEqual(listTitles(res), [titles.immunisations], 'no Problems list, nor a linked-problems one');
      assert.equal(ofType(res, 'Condition').length, 0);
      assert.deepEqual(warningIssues(res), [disabledIssue('includeProblems')]);
    } finally {
      await switchArea(p(), practice.ods, 'problems', true, body, noOutcome);
    }
  });

  it('medication off, consultations asked for: the consultation\'s medication items are display-only, not returned, with no medications list of consultations', async () => {
    const body = parameters(nhs.patient2, consultations);
    const plan = 'Consultation1-Topic1-Category-Plan';
    const before = await getRecord(p(), body);
    assert.ok(entryItems(structureList(before, plan)).some((i) => i.reference?.startsWith('MedicationRequest/')), 'the seed prescribes in this heading');
    assert.ok(listTitles(before).includes(titles.medicationsOfConsultations));
    await switchArea(p(), practice.ods, 'medication', false, body, hasOutcome);
    try {
      const res = await getRecord(p(), body);
      assert.equal(res.status, 200);
      const lists = listTitles(res);
      assert.ok(lists.includes(titles.consultations));
      assert.ok(!lists.includes(titles.medicationsOfConsultations), 'no medications-contained-in-consultations list');
      assert.ok(lists.includes(titles.uncategorisedOfConsultations), 'the other areas\' lists stay');
      for (const type of ['MedicationRequest', 'MedicationStatement', 'Medication']) assert.equal(ofType(res, type).length, 0, `no ${type}`);
      assert.ok(!allReferences(res).some((r) => /^Medication(Request|Statement)?\//.test(r)), 'no reference to a medication anywhere');
      // The plan and the issue in the heading become one placeholder; the referral and observation stay.
      const items = entryItems(structureList(res, plan));
      assert.deepEqual(items.filter((i) => i.reference === undefined), [disabledDisplay('Medications')]);
      assert.deepEqual(items.filter((i) => i.reference !== undefined).map((i) => i.reference.split('/')[0]), ['ReferralRequest', 'Observation']);
      // Problem A, the topic's problem, shows its prescriptions display-only too (digest §18.3).
      const anxiety = ofType(res, 'Condition').find((c) => c.id === 'Problem-A-Anxiety-With-Depression');
      assert.ok(relatedContent(anxiety).some((v) => v.display === disabledDisplay('Medications').display));
      assert.deepEqual(warningIssues(res), [disabledIssue('includeMedication')]);
    } finally {
      await switchArea(p(), practice.ods, 'medication', true, body, noOutcome);
    }
  });

  it('problems off, consultations asked for: topics name their problem display-only, no Condition and no problems lists, one includeProblems warning', async () => {
    const body = parameters(nhs.patient2, consultations);
    const before = await getRecord(p(), body);
    assert.ok(ofType(before, 'Condition').length > 0, 'the seed\'s topics are about problems');
    await switchArea(p(), practice.ods, 'problems', false, body, hasOutcome);
    try {
      const res = await getRecord(p(), body);
      assert.equal(res.status, 200);
      assert.equal(ofType(res, 'Condition').length, 0, 'no Condition');
      const lists = listTitles(res);
      assert.ok(!lists.includes(titles.problemsOfConsultations) && !lists.includes(titles.linkedProblems), 'no problems lists');
      assert.ok(!allReferences(res).some((r) => r.startsWith('Condition/')), 'no reference to a Condition anywhere');
      const topic = structureList(res, 'Consultation1-Topic1');
      const headers = topic.extension.filter((e: any) => e.url === relatedProblemHeader);
      assert.deepEqual(headers, [{ url: relatedProblemHeader, extension: [{ url: 'target', valueReference: disabledDisplay('Problems') }] }]);
      assert.ok(ofType(res, 'Encounter').length > 0 && ofType(res, 'Observation').length > 0, 'the consultations themselves are returned');
      assert.deepEqual(warningIssues(res), [disabledIssue('includeProblems')]);
    } finally {
      await switchArea(p(), practice.ods, 'problems', true, body, noOutcome);
    }
  });

  it('investigations off, consultations asked for: reports are display-only; a confidential one leaves no trace and marks no list', async () => {
    const body = parameters(nhs.patient2, consultations);
    const heading = 'Consultation3-Topic2-Category-Examination';
    const secret = 'efae5859-28df-4e7d-be91-6df56d8215e5';
    await switchArea(p(), practice.ods, 'investigations', false, body, hasOutcome);
    await p().db.query('UPDATE diagnostic_report SET confidential = true WHERE practice = $1 AND id = $2', [practice.ods, secret]);
    try {
      const res = await getRecord(p(), body);
      assert.equal(res.status, 200);
      for (const type of ['DiagnosticReport', 'Specimen']) assert.equal(ofType(res, type).length, 0, `no ${type}`);
      assert.ok(!listTitles(res).includes(titles.investigationsOfConsultations));
      const items = entryItems(structureList(res, heading));
      assert.deepEqual(items.filter((i) => i.reference === undefined), [disabledDisplay('Investigations')], 'one placeholder for the reports');
      assert.ok(!JSON.stringify(res.json).includes(secret), 'the confidential report is named nowhere');
      const warned = ofType(res, 'List').filter((l) => (l.extension ?? []).some((e: any) => e.valueCode === 'confidential-items'));
      assert.deepEqual(warned.map((l) => l.title), [], 'no list carries confidential-items for it');
      // Problem B links both reports: the one not confidential display-only, the other not at all.
      const legs = ofType(res, 'Condition').find((c) => c.id === 'Problem-B-Swollen-Legs');
      assert.deepEqual(relatedContent(legs).filter((v) => v.reference === undefined), [disabledDisplay('Investigations')]);
      assert.deepEqual(warningIssues(res), [disabledIssue('includeInvestigations')]);
    } finally {
      await p().db.query('UPDATE diagnostic_report SET confidential = false WHERE practice = $1 AND id = $2', [practice.ods, secret]);
      await switchArea(p(), practice.ods, 'investigations', true, body, noOutcome);
    }
  });

  it('a linked-only problem (not asked for, linked from a returned item) shows its links to an area that is off display-only', async () => {
    const body = parameters(nhs.patient2, uncategorised);
    const anxietyOf = (res: GpcResponse) => ofType(res, 'Condition').find((c) => c.id === 'Problem-A-Anxiety-With-Depression');
    const before = await getRecord(p(), body);
    assert.ok(anxietyOf(before), 'problem A comes in as a linked problem of its observations');
    assert.ok(!relatedContent(anxietyOf(before)).some((v) => v.reference === undefined), 'with every area on, links outside the bundle are left out');
    await switchArea(p(), practice.ods, 'medication', false, body, hasOutcome);
    try {
      const res = await getRecord(p(), body);
      assert.equal(res.status, 200);
      assert.deepEqual(areaLists(res), [titles.uncategorised]);
      const linked = ofType(res, 'List').find((l) => l.title === titles.linkedProblems);
      assert.ok(entryItems(linked).some((i) => i.reference === 'Condition/Problem-A-Anxiety-With-Depression'));
      const displays = relatedContent(anxietyOf(res)).filter((v) => v.reference === undefined);
      assert.ok(displays.length > 0, 'its prescriptions are display-only');
      assert.ok(displays.every((v) => v.display === disabledDisplay('Medications').display), JSON.stringify(displays));
      assert.equal(ofType(res, 'MedicationRequest').length, 0);
      assert.deepEqual(warningIssues(res), [disabledIssue('includeMedication')]);
    } finally {
      await switchArea(p(), practice.ods, 'medication', true, body, noOutcome);
    }
  });

  it('the switch is per practice: allergies off at B82617 leaves GPC002\'s allergies as they were', async () => {
    const body = parameters(nhs.patient2, allergies);
    const other = parameters(nhs.gpc002patient1, allergies);
    await switchArea(p(), practice.ods, 'allergies', false, body, hasOutcome);
    try {
      const res = await getRecord(p(), other, otherPractice.ods);
      assert.equal(res.status, 200, res.text.slice(0, 400));
      assert.deepEqual(areaLists(res), [titles.allergies]);
      assert.ok(ofType(res, 'AllergyIntolerance').length > 0);
      assert.equal(outcomes(res).length, 0);
    } finally {
      await switchArea(p(), practice.ods, 'allergies', true, body, noOutcome);
    }
  });

  it('migrate ignores the switches (digest §18.3): the area switched off still comes back, without a warning', async () => {
    const body = parameters(nhs.patient2, immunisations);
    await switchArea(p(), practice.ods, 'immunisations', false, body, hasOutcome);
    try {
      const res = await p().gpc({
        method: 'POST',
        base: '/structured',
        path: '/Patient/$gpc.migratestructuredrecord',
        interaction: 'migrateStructuredRecord',
        claims: { reason_for_request: 'migration', requested_scope: 'patient/*.read conf/N' },
        body: {
          resourceType: 'Parameters',
          parameter: [
            { name: 'patientNHSNumber', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhs.patient2 } },
            { name: 'includeFullRecord', part: [{ name: 'includeSensitiveInformation', valueBoolean: false }] },
          ],
        },
      });
      assert.equal(res.status, 200, res.text.slice(0, 400));
      assert.ok(listTitles(res).includes(titles.immunisations));
      assert.ok(ofType(res, 'Immunization').length > 0);
      assert.equal(outcomes(res).length, 0);
    } finally {
      await switchArea(p(), practice.ods, 'immunisations', true, body, noOutcome);
    }
  });

  it('each switch is recorded in enablement_change as structured:<area>, and switching twice keeps the area once', async () => {
    const db = p().db;
    const [{ seq: last }] = await db.query<{ seq: string }>('SELECT coalesce(max(seq), 0)::text AS seq FROM enablement_change');
    assert.equal(await setStructuredAreaEnabled(db, otherPractice.ods, 'referrals', false, 'tester'), true);
    assert.equal(await setStructuredAreaEnabled(db, otherPractice.ods, 'referrals', false, 'tester'), true);
    const [{ disabled }] = await db.query<{ disabled: string[] }>('SELECT structured_areas_disabled AS disabled FROM practice WHERE ods_code = $1', [otherPractice.ods]);
    assert.deepEqual(disabled, ['referrals']);
    assert.equal(await setStructuredAreaEnabled(db, otherPractice.ods, 'referrals', true, 'tester'), true);
    const changes = await db.query<{ practice: string; capability: string; enabled: boolean; changed_by: string }>(
      'SELECT practice, capability, enabled, changed_by FROM enablement_change WHERE seq > $1 ORDER BY seq',
      [last],
    );
    assert.deepEqual(changes, [
      { practice: otherPractice.ods, capability: 'structured:referrals', enabled: false, changed_by: 'tester' },
      { practice: otherPractice.ods, capability: 'structured:referrals', enabled: false, changed_by: 'tester' },
      { practice: otherPractice.ods, capability: 'structured:referrals', enabled: true, changed_by: 'tester' },
    ]);
    const [{ after }] = await db.query<{ after: string[] }>('SELECT structured_areas_disabled AS after FROM practice WHERE ods_code = $1', [otherPractice.ods]);
    assert.deepEqual(after, []);
  });

  it('the store refuses an unknown area and an unknown practice changes nothing', async () => {
    const db = p().db;
    await assert.rejects(setStructuredAreaEnabled(db, practice.ods, 'vaccinations' as StructuredArea, false, 'tester'), /Unknown structured area "vaccinations"/);
    assert.equal(await setStructuredAreaEnabled(db, 'NOSUCH', 'allergies', false, 'tester'), false);
    const [{ count }] = await db.query<{ count: number }>("SELECT count(*)::int AS count FROM enablement_change WHERE practice = 'NOSUCH' OR capability = 'structured:vaccinations'");
    assert.equal(count, 0);
    // The column refuses a name the code does not know, written by hand.
    await assert.rejects(db.query("UPDATE practice SET structured_areas_disabled = '{vaccinations}' WHERE ods_code = $1", [practice.ods]));
  });
});

const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Runs `gpc` against a throw-away embedded store, so nothing here touches a real one. */
async function gpc(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gpc-area-switch-'));
  const env: NodeJS.ProcessEnv = { ...process.env, GPC_DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  try {
    return await new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', cli, ...args], { env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ status: error ? Number(error.code ?? -1) : 0, stdout, stderr });
      });
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

it('gpc disable <ODS> structured:<unknown area> is refused with the list of areas (exit 2)', async () => {
  const run = await gpc('disable', practice.ods, 'structured:vaccinations');
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /unknown structured area "vaccinations": one of allergies, medication, consultations, problems, immunisations, uncategorised, investigations, referrals, diary/);
});

it('gpc disable <ODS> structured:<area> names the practice it could not find (exit 1), and the usage text lists the areas', async () => {
  const run = await gpc('disable', 'NOSUCH', 'structured:immunisations');
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stdout, /no practice NOSUCH/);
  const help = await gpc('help');
  assert.match(help.stdout, /gpc enable\|disable <ODS> structured:<area>/);
});
