import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { describeOnEachStore, type TestProvider } from '../harness/provider.ts';
import { importStructuredRecord } from '../../src/import/import-structured-record.ts';
import { describeIssue, ImportRejected } from '../../src/import/import-issues.ts';
import { references, type Json } from './support.ts';

const A = 'B82617';
const nhs = { patient2: '9690937286', patient3: '9690937294', unknown: '9000000009' };

/** The whole record with confidential items, exactly as $gpc.migratestructuredrecord (includeSensitiveInformation) returns it. */
async function exportRecord(p: TestProvider, nhsNumber: string): Promise<Json> {
  const res = await p.gpc({
    method: 'POST', base: '/structured', path: '/Patient/$gpc.migratestructuredrecord', interaction: 'migrateStructuredRecord',
    claims: { reason_for_request: 'migration', requested_scope: 'patient/*.read conf/R' },
    body: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'patientNHSNumber', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhsNumber } },
        { name: 'includeFullRecord', part: [{ name: 'includeSensitiveInformation', valueBoolean: true }] },
      ],
    },
  });
  assert.equal(res.status, 200, res.text.slice(0, 400));
  return res.json;
}

/**
 * The clinical content of an exported Bundle: resources by `Type/id` and the id-less Lists in
 * order, without what carries the request (Bundle id, OperationOutcome, the id-less Lists' date)
 * and without the Patient (demographics are not imported).
 */
function content(bundle: Json): { resources: Record<string, Json>; lists: Json[] } {
  const resources: Record<string, Json> = {};
  const lists: Json[] = [];
  for (const { resource } of bundle.entry) {
    if (resource.resourceType === 'OperationOutcome' || resource.resourceType === 'Patient') continue;
    if (resource.resourceType === 'List' && resource.id === undefined) {
      const { date: _, ...list } = resource;
      lists.push(list);
    } else resources[`${resource.resourceType}/${resource.id}`] = resource;
  }
  return { resources, lists };
}

/** Every Type/id reference of the bundle resolves to one of its resources; `#id` to a contained one. */
function assertReferencesResolve(bundle: Json): void {
  const held = new Set(bundle.entry.map((e: Json) => `${e.resource.resourceType}/${e.resource.id}`));
  for (const { resource } of bundle.entry) {
    const contained = new Set((resource.contained ?? []).map((c: Json) => `#${c.id}`));
    for (const ref of references(resource)) assert.ok(ref.startsWith('#') ? contained.has(ref) : held.has(ref), `${ref} resolves`);
  }
}

/** A copy of `value` with every id and reference renamed by `renames` (`Type/old` → `Type/new`). */
function renamed(value: Json, renames: Map<string, string>): Json {
  const text = JSON.stringify(value);
  const out = JSON.parse(text, function (key, v) {
    if (key === 'reference' && typeof v === 'string') {
      // `#id`: an ended allergy contained in its List.
      if (v.startsWith('#')) return `#${(renames.get(`AllergyIntolerance/${v.slice(1)}`) ?? `x/${v.slice(1)}`).split('/')[1]}`;
      return renames.get(v) ?? v;
    }
    if (key === 'id' && typeof v === 'string' && typeof this.resourceType === 'string') {
      const to = renames.get(`${this.resourceType}/${v}`);
      return to ? to.slice(to.indexOf('/') + 1) : v;
    }
    return v;
  });
  return out;
}

/** The rows of one table of the patient, for "unchanged" checks. */
async function rowsOf(p: TestProvider, table: string, patientId: string): Promise<unknown[]> {
  return p.db.query(`SELECT * FROM ${table} WHERE practice = $1 AND patient_id = $2 ORDER BY id`, [A, patientId]);
}

describeOnEachStore('gpc import: a structured record Bundle into the clinical store', (provider) => {
  const p = () => provider();
  let original: Json;

  it('refuses an unknown NHS number, naming it', async () => {
    original = await exportRecord(p(), nhs.patient2);
    await assert.rejects(importStructuredRecord(p().db, A, nhs.unknown, original), (err: unknown) => {
      assert.ok(err instanceof ImportRejected);
      assert.equal(err.issues.length, 1);
      assert.equal(err.issues[0]!.resource, 'NHS number');
      assert.match(err.issues[0]!.message, /9000000009/);
      return true;
    });
  });

  it('refuses what is not a Bundle', async () => {
    await assert.rejects(importStructuredRecord(p().db, A, nhs.patient2, { resourceType: 'Parameters' }), (err: unknown) => {
      assert.ok(err instanceof ImportRejected);
      assert.deepEqual(err.issues.map((i) => [i.resource, i.element]), [['Bundle', 'resourceType']]);
      return true;
    });
  });

  it('lists every resource it cannot map and leaves the existing record unchanged', async () => {
    const before = await Promise.all(['allergy', 'observation', 'medication_request', 'encounter'].map((t) => rowsOf(p(), t, '2')));
    const broken = structuredClone(original);
    const observation = broken.entry.map((e: Json) => e.resource).find((r: Json) => r.resourceType === 'Observation');
    delete observation.code;
    const allergy = broken.entry.map((e: Json) => e.resource).find((r: Json) => r.resourceType === 'AllergyIntolerance');
    allergy.recorder = { reference: 'Practitioner/not-in-bundle' };
    broken.entry.push({ resource: { resourceType: 'DocumentReference', id: 'doc-1', status: 'current' } });

    await assert.rejects(importStructuredRecord(p().db, A, nhs.patient2, broken), (err: unknown) => {
      assert.ok(err instanceof ImportRejected);
      const found = err.issues.map((i) => `${i.resource} ${i.element}`);
      assert.ok(found.includes(`Observation/${observation.id} code`), found.join('\n'));
      assert.ok(found.includes(`AllergyIntolerance/${allergy.id} recorder`), found.join('\n'));
      assert.ok(found.includes('DocumentReference/doc-1 resourceType'), found.join('\n'));
      assert.match(err.message, /Practitioner\/not-in-bundle, which is not in the Bundle/);
      return true;
    });
    const after = await Promise.all(['allergy', 'observation', 'medication_request', 'encounter'].map((t) => rowsOf(p(), t, '2')));
    assert.deepEqual(after, before, 'nothing written');
  });

  it('refuses values the store cannot hold, each as an issue, not a database error: U+0000, impossible dates, fractional or huge counts, a topic used twice', async () => {
    const before = await Promise.all(['allergy', 'observation', 'medication_request', 'encounter'].map((t) => rowsOf(p(), t, '2')));
    const broken = structuredClone(original);
    const resources = broken.entry.map((e: Json) => e.resource);
    const observation = resources.find((r: Json) => r.resourceType === 'Observation' && typeof r.effectiveDateTime === 'string');
    observation.effectiveDateTime = '2020-02-30';
    const allergy = resources.find((r: Json) => r.resourceType === 'AllergyIntolerance');
    allergy.note = [{ text: 'Rash\u0000' }];
    const plans = resources.filter((r: Json) => r.resourceType === 'MedicationRequest' && r.dispenseRequest?.expectedSupplyDuration);
    plans[0].dispenseRequest.expectedSupplyDuration.value = 28.5;
    plans[1].dispenseRequest.expectedSupplyDuration.value = 1e12;
    const consultation = resources.find((r: Json) => r.resourceType === 'List' && r.id !== undefined && r.entry?.length > 0 && r.code?.coding?.[0]?.code === '325851000000107');
    consultation.entry.push(structuredClone(consultation.entry[0]));

    await assert.rejects(importStructuredRecord(p().db, A, nhs.patient2, broken), (err: unknown) => {
      assert.ok(err instanceof ImportRejected);
      const found = err.issues.map((i) => `${i.resource} ${i.element}: ${i.message}`);
      const has = (pattern: RegExp) => assert.ok(found.some((f) => pattern.test(f)), `${pattern}\n${found.join('\n')}`);
      has(new RegExp(`^Observation/${observation.id} effectiveDateTime: is not a FHIR dateTime`));
      has(/^Bundle entry\[\d+\]\.resource\.note\[0\]\.text: holds the control character U\+0000/);
      has(new RegExp(`^MedicationRequest/${plans[0].id} dispenseRequest.expectedSupplyDuration.value: 28.5 is not a whole number`));
      has(new RegExp(`^MedicationRequest/${plans[1].id} dispenseRequest.expectedSupplyDuration.value: 1000000000000 is not a whole number`));
      has(new RegExp(`^List/${consultation.id} entry\\[${consultation.entry.length - 1}\\]\\.item: List/\\S+ is already part of a consultation`));
      return true;
    });
    const after = await Promise.all(['allergy', 'observation', 'medication_request', 'encounter'].map((t) => rowsOf(p(), t, '2')));
    assert.deepEqual(after, before, 'nothing written');
  });

  /** Asserts the import of `bundle` for patient 2 is refused with issues matching every pattern, and nothing is written. */
  async function assertRefused(bundle: Json, ...patterns: RegExp[]): Promise<void> {
    const tables = ['allergy', 'observation', 'medication_request', 'medication_statement', 'encounter'];
    const before = await Promise.all(tables.map((t) => rowsOf(p(), t, '2')));
    await assert.rejects(importStructuredRecord(p().db, A, nhs.patient2, bundle), (err: unknown) => {
      assert.ok(err instanceof ImportRejected, String(err));
      const found = err.issues.map(describeIssue);
      for (const pattern of patterns) assert.ok(found.some((f) => pattern.test(f)), `${pattern}\n${found.join('\n')}`);
      return true;
    });
    assert.deepEqual(await Promise.all(tables.map((t) => rowsOf(p(), t, '2'))), before, 'nothing written');
  }
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('refuses a second MedicationStatement on a plan that already has one (the store holds one per plan)', async () => {
    const broken = structuredClone(original);
    const statement = broken.entry.map((e: Json) => e.resource).find((r: Json) => r.resourceType === 'MedicationStatement');
    broken.entry.push({ resource: { ...structuredClone(statement), id: 'second-statement' } });
    const plan = statement.basedOn[0].reference;
    await assertRefused(broken,
      new RegExp(`^MedicationStatement/second-statement basedOn\\[0\\]: ${escaped(plan)} already has a MedicationStatement \\(MedicationStatement/${escaped(statement.id)}`));
  });

  it('refuses an ended allergy whose id is an active allergy\'s or another ended allergy\'s, rather than dropping one', async () => {
    const broken = structuredClone(original);
    const resources = broken.entry.map((e: Json) => e.resource);
    const active = resources.find((r: Json) => r.resourceType === 'AllergyIntolerance');
    const ended = resources.find((r: Json) => r.resourceType === 'List' && r.contained?.some((c: Json) => c.resourceType === 'AllergyIntolerance'));
    const first = ended.contained[0];
    const twin = { ...structuredClone(first), id: 'ended-twice' };
    ended.contained = [{ ...first, id: active.id }, twin, structuredClone(twin)];
    ended.entry = ended.contained.map((c: Json) => ({ ...structuredClone(ended.entry[0]), item: { reference: `#${c.id}` } }));
    await assertRefused(broken,
      new RegExp(`^AllergyIntolerance/${escaped(active.id)}: appears twice in the Bundle \\(as an active allergy and as an ended allergy`),
      /^AllergyIntolerance\/ended-twice: appears twice in the Bundle \(two ended allergies/);
  });

  it('refuses instants outside FHIR time (9999-12-31T23:59:59-14:00 is year 10000 in the UK), which the export could not write back', async () => {
    const broken = structuredClone(original);
    const resources = broken.entry.map((e: Json) => e.resource);
    const allergy = resources.find((r: Json) => r.resourceType === 'AllergyIntolerance');
    allergy.onsetDateTime = '9999-12-31T23:59:59-14:00';
    const observation = resources.find((r: Json) => r.resourceType === 'Observation' && typeof r.effectiveDateTime === 'string');
    observation.effectiveDateTime = '0001-01-01T00:30:00+01:00';
    await assertRefused(broken,
      new RegExp(`^AllergyIntolerance/${escaped(allergy.id)} onsetDateTime: "9999-12-31T23:59:59-14:00" lies outside FHIR time`),
      new RegExp(`^Observation/${escaped(observation.id)} effectiveDateTime: "0001-01-01T00:30:00\\+01:00" lies outside FHIR time`));
  });

  it('refuses a Bundle of thousands of bad Observations, listing every one', async () => {
    const broken = structuredClone(original);
    const count = 5000;
    for (let i = 0; i < count; i++) broken.entry.push({ resource: { resourceType: 'Observation', id: `bare-${i}` } });
    const tables = ['observation'];
    const before = await Promise.all(tables.map((t) => rowsOf(p(), t, '2')));
    await assert.rejects(importStructuredRecord(p().db, A, nhs.patient2, broken), (err: unknown) => {
      assert.ok(err instanceof ImportRejected, String(err));
      const found = new Set(err.issues.map(describeIssue));
      for (let i = 0; i < count; i++) {
        assert.ok(found.has(`Observation/bare-${i} subject: is required`), `Observation/bare-${i} subject`);
        assert.ok(found.has(`Observation/bare-${i} code: is required`), `Observation/bare-${i} code`);
      }
      assert.equal(found.size, err.issues.length, 'each issue listed once');
      return true;
    });
    assert.deepEqual(await Promise.all(tables.map((t) => rowsOf(p(), t, '2'))), before, 'nothing written');
  });

  it('round trip: importing the export back for the same patient gives the same record', async () => {
    const summary = await importStructuredRecord(p().db, A, nhs.patient2, original);
    assert.equal(summary.patientId, '2');
    assert.deepEqual(summary.renamed, [], 'the ids are the patient\'s own');
    assert.deepEqual(summary.directory.added, [], 'every practitioner, organisation and location is in the directory');
    assert.ok(summary.counts['allergies (active)']! > 0 && summary.counts['medication plans']! > 0 && summary.counts.consultations! > 0);
    const again = await exportRecord(p(), nhs.patient2);
    assert.deepEqual(content(again), content(original));
  });

  it('round trip for every test patient whose record may be shared', async () => {
    const shareable = ['9690937278', '9690937294', '9690937308', '9690937375', '9690937383', '9690937391', '9690937405',
      '9690938622', '9690938614', '9690938096', '9476718943', '9690938118', '9690938126', '9690938134'];
    for (const nhsNumber of shareable) {
      const before = await exportRecord(p(), nhsNumber);
      await importStructuredRecord(p().db, A, nhsNumber, before);
      assert.deepEqual(content(await exportRecord(p(), nhsNumber)), content(before), `patient with NHS number ${nhsNumber}`);
    }
  });

  it('an edited allergy code text comes back in the export', async () => {
    const edited = structuredClone(original);
    const allergy = edited.entry.map((e: Json) => e.resource).find((r: Json) => r.resourceType === 'AllergyIntolerance');
    allergy.code = { ...allergy.code, text: 'Edited: hives after amoxicillin' };
    await importStructuredRecord(p().db, A, nhs.patient2, edited);
    const again = content(await exportRecord(p(), nhs.patient2));
    assert.equal(again.resources[`AllergyIntolerance/${allergy.id}`].code.text, 'Edited: hives after amoxicillin');
    // Put it back for the next test.
    await importStructuredRecord(p().db, A, nhs.patient2, original);
  });

  it('importing the export into another patient gives that patient the same record, re-keyed where ids clash', async () => {
    const summary = await importStructuredRecord(p().db, A, nhs.patient3, original);
    assert.equal(summary.patientId, '3');
    assert.ok(summary.renamed.length > 0, 'patient 2 still holds the ids');
    const theirs = await exportRecord(p(), nhs.patient3);
    assertReferencesResolve(theirs);
    const renames = new Map(summary.renamed.map((r) => [r.from, r.to]));
    renames.set('Patient/2', 'Patient/3');
    assert.deepEqual(content(theirs), content(renamed(original, renames)));
    // Patient 2's record is untouched by it.
    assert.deepEqual(content(await exportRecord(p(), nhs.patient2)), content(original));
  });

  it('maps practitioners onto the directory by SDS user id, and adds the ones it does not know', async () => {
    const resources = (b: Json): Json[] => b.entry.map((e: Json) => e.resource);
    const sds = (r: Json) => r.identifier.find((i: Json) => i.system === 'https://fhir.nhs.uk/Id/sds-user-id').value;
    const known = resources(original).find((r) => r.resourceType === 'Practitioner');
    // The known practitioner arrives under another id (its SDS user id finds it in the directory) ...
    const incoming = renamed(original, new Map([[`Practitioner/${known.id}`, 'Practitioner/elsewhere-1']]));
    // ... and one allergy was recorded by a locum the practice has never had.
    incoming.entry.push({ resource: {
      resourceType: 'Practitioner', id: 'locum-7', identifier: [{ system: 'https://fhir.nhs.uk/Id/sds-user-id', value: 'G99990001' }],
      name: [{ use: 'usual', family: 'LOCUM', given: ['Lee'] }],
    } });
    const allergy = resources(incoming).find((r) => r.resourceType === 'AllergyIntolerance');
    allergy.recorder = { reference: 'Practitioner/locum-7' };

    const summary = await importStructuredRecord(p().db, A, nhs.patient3, incoming);
    assert.deepEqual(summary.directory.added, ['Practitioner/locum-7']);
    const theirs = await exportRecord(p(), nhs.patient3);
    assertReferencesResolve(theirs);
    const held = resources(theirs);
    assert.ok(held.some((r) => r.resourceType === 'Practitioner' && r.id === known.id && sds(r) === sds(known)), 'the directory entry is referred to');
    assert.ok(!held.some((r) => r.id === 'elsewhere-1'));
    const added = held.find((r) => r.resourceType === 'Practitioner' && r.id === 'locum-7');
    assert.equal(sds(added), 'G99990001');
    assert.equal(added.name[0].family, 'LOCUM');
    const allergyKey = summary.renamed.find((r) => r.from === `AllergyIntolerance/${allergy.id}`)?.to ?? `AllergyIntolerance/${allergy.id}`;
    assert.deepEqual(held.find((r) => `${r.resourceType}/${r.id}` === allergyKey)?.recorder, { reference: 'Practitioner/locum-7' });
  });

  it('a record read while an import replaces it is the old record or the new one, never a mix of both', async () => {
    const ids = (bundle: Json) => Object.keys(content(bundle).resources).sort().join(' ');
    // The other record: patient 3's (a re-keyed copy of patient 2's), which comes into patient 2 under new ids.
    const other = await exportRecord(p(), nhs.patient3);
    await importStructuredRecord(p().db, A, nhs.patient2, other);
    const otherIds = ids(await exportRecord(p(), nhs.patient2));
    await importStructuredRecord(p().db, A, nhs.patient2, original);
    const originalIds = ids(await exportRecord(p(), nhs.patient2));
    assert.notEqual(otherIds, originalIds);

    for (let round = 0; round < 8; round++) {
      let settled = false;
      const replacing = importStructuredRecord(p().db, A, nhs.patient2, round % 2 === 0 ? other : original).finally(() => { settled = true; });
      // Three readers read back to back for as long as the import runs, so some read spans its commit.
      const reader = async () => {
        const bundles: Json[] = [];
        do bundles.push(await exportRecord(p(), nhs.patient2)); while (!settled);
        return bundles;
      };
      const reads = (await Promise.all([reader(), reader(), reader(), replacing]).then(([a, b, c]) => [...a, ...b, ...c]));
      for (const bundle of reads) {
        assert.ok([otherIds, originalIds].includes(ids(bundle)), `round ${round}: the record read is one of the two`);
        assertReferencesResolve(bundle);
      }
    }
    // The last round put patient 2's own record back.
    assert.deepEqual(content(await exportRecord(p(), nhs.patient2)), content(original));
  });

  it('a new id for an id another patient holds is not one the Bundle already uses', async () => {
    // Patient 2 holds the ids of `original`; into patient 3 they become `<id>-p3` — unless the Bundle has that id too.
    const incoming = structuredClone(original);
    const resources = incoming.entry.map((e: Json) => e.resource);
    const observation = resources.find((r: Json) => r.resourceType === 'Observation');
    incoming.entry.push({ resource: { ...structuredClone(observation), id: `${observation.id}-p3` } });
    // A medication under a dictionary id with another code is renamed the same way.
    const medication = resources.find((r: Json) => r.resourceType === 'Medication');
    incoming.entry.push({ resource: { ...structuredClone(medication), id: `${medication.id}-p3` } });
    medication.code = { coding: [{ system: 'http://snomed.info/sct', code: '322623000', display: 'Tramadol 50mg capsules' }] };

    const summary = await importStructuredRecord(p().db, A, nhs.patient3, incoming);
    const renames = new Map(summary.renamed.map((r) => [r.from, r.to]));
    const newObservation = renames.get(`Observation/${observation.id}`);
    const newMedication = renames.get(`Medication/${medication.id}`);
    assert.ok(newObservation && newObservation !== `Observation/${observation.id}-p3`, newObservation);
    assert.ok(newMedication && newMedication !== `Medication/${medication.id}-p3`, newMedication);
    // Both observations and both medications are stored (the copy is in no consultation, so not exported).
    const observations = (await rowsOf(p(), 'observation', '3')).map((r) => (r as Json).id);
    assert.ok(observations.includes(newObservation.split('/')[1]) && observations.includes(`${observation.id}-p3`), observations.join(' '));
    const medications = await p().db.query<{ id: string }>('SELECT id FROM medication WHERE practice = $1 AND id IN ($2, $3)', [A, newMedication.split('/')[1], `${medication.id}-p3`]);
    assert.equal(medications.length, 2, 'both medications in the dictionary');
  });
});

describe('gpc import: the command line', () => {
  const cli = (...args: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'gpc-import-'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'import', ...args], {
      encoding: 'utf8', env: { ...process.env, GPC_DATA_DIR: join(dir, 'data'), DATABASE_URL: '' },
    });
    return { ...result, dir };
  };

  it('without its arguments: the usage, exit 2', () => {
    const run = cli('B82617');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /gpc import <ODS> <NHS number>/);
  });

  it('a file that is not FHIR JSON: says so, exit 2, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpc-import-'));
    const file = join(dir, 'bundle.json');
    writeFileSync(file, '{"resourceType": "Bundle",');
    const run = cli('B82617', nhs.patient2, file);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^gpc: cannot read .*bundle\.json: /);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });
});
