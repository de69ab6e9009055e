import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import type { Db } from '../../src/store/db.ts';
import { ukDate } from '../../src/fhir/datetime.ts';
import { seededAt, testStores } from '../harness/stores.ts';

/**
 * Scaffolding shared by the store-level tests of test/structured: the per-store describe with its
 * own fresh seeded database, the constants of the List profile, and the list and reference helpers.
 */

export const A = 'B82617';
export const B = 'GPC002';
export const today = ukDate(seededAt);

/** patient2's seeded problems by letter (seed/README.md "Clinical data"; B is minor, E major). */
export const patient2Problems = {
  A: 'Problem-A-Anxiety-With-Depression',
  B: 'Problem-B-Swollen-Legs',
  D: 'Problem-D-URTI',
  E: 'Problem-E-Post-viral-cough',
  F: 'Problem-F-Food-Allergy',
  G: 'Problem-G-Type-2-Diabetes',
  H: 'Problem-H-Travel-Vaccination',
};

export const sd = 'https://fhir.nhs.uk/STU3/StructureDefinition/';
export const listProfile = `${sd}CareConnect-GPC-List-1`;
export const warningUrl = `${sd}Extension-CareConnect-GPC-ListWarningCode-1`;
export const clinicalSettingUrl = `${sd}Extension-CareConnect-GPC-ClinicalSetting-1`;
export const snomed = 'http://snomed.info/sct';
export const confidentialNote = 'Items excluded due to confidentiality and/or patient preferences.';
export const emptyReason = {
  coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListEmptyReasonCode-1', code: 'no-content-recorded', display: 'No Content Recorded' }],
};

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Json = any;

export const warningCodes = (list: Json): string[] =>
  (list.extension ?? []).filter((e: Json) => e.url === warningUrl).map((e: Json) => e.valueCode);
export const noteTexts = (list: Json): string[] => (list.note ?? []).map((n: Json) => n.text);

/** Every `reference` string anywhere inside a value. */
export function references(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, into);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') into.push(v);
      else references(v, into);
    }
  }
  return into;
}

/** The one list of the given title among `lists` (asserting there is exactly one). */
export function listByTitle(lists: readonly unknown[], title: string, message = `exactly one ${title} list`): Json {
  const found = (lists as Json[]).filter((l) => l.title === title);
  assert.equal(found.length, 1, message);
  return found[0];
}

/**
 * `describe(\`${title} [store]\`)` once per test store (skipped, visibly, when the store is
 * unavailable), each with its own fresh seeded database, opened before its tests and closed after.
 * The body gets the database through `db()`; hooks it registers run after the database is open.
 */
export function describeStoreLevel(title: string, body: (db: () => Db) => void): void {
  for (const store of testStores) {
    describe(`${title} [${store.name}]`, { skip: store.problem }, () => {
      let current: Db | undefined;
      before(async () => {
        current = await store.freshDb();
      });
      after(async () => {
        await current?.close();
      });
      body(() => {
        assert.ok(current, 'the database is open');
        return current;
      });
    });
  }
}

/**
 * BaseList / [ListNIU] and the warning extensions' shape, on any primary List: no id, profile
 * only, current snapshot, no source, the patient as subject, at most one clinical setting, each
 * warning a known valueCode, once.
 */
export function checkListBase(list: Json, patientId: string): void {
  assert.equal(list.resourceType, 'List');
  assert.equal(list.id, undefined, 'primary lists have no id');
  assert.deepEqual(list.meta, { profile: [listProfile] }, 'profile only: no versionId, no lastUpdated');
  assert.equal(list.status, 'current');
  assert.equal(list.mode, 'snapshot');
  assert.equal(list.source, undefined);
  assert.deepEqual(list.subject, { reference: `Patient/${patientId}` });
  for (const e of list.extension ?? []) assert.ok(e.url, 'every extension has a url');
  assert.ok((list.extension ?? []).filter((e: Json) => e.url === clinicalSettingUrl).length <= 1);
  const warnings = (list.extension ?? []).filter((e: Json) => e.url === warningUrl);
  assert.ok(warnings.length <= 4);
  for (const w of warnings) {
    assert.deepEqual(Object.keys(w).sort(), ['url', 'valueCode'], 'warning is a valueCode');
    assert.ok(['confidential-items', 'data-in-transit', 'data-awaiting-filing'].includes(w.valueCode));
  }
  assert.equal(new Set(warningCodes(list)).size, warningCodes(list).length, 'one extension per warning code');
}

/**
 * A primary List as the suite checks it: no id, profile only, current snapshot, the exact title and
 * SNOMED code, the patient, one entry per `resources` (of `resourceType`) in order, and the empty
 * reason with "Information not available" last when there are none.
 */
export function checkPrimaryList(
  list: Json,
  patientId: string,
  expected: { title: string; code: string; display: string; tag: string },
  resourceType: string,
  resources: Json[],
): void {
  checkListBase(list, patientId);
  assert.equal(list.title, expected.title);
  assert.deepEqual(list.code.coding, [{ system: snomed, code: expected.code, display: expected.display }]);
  const entries: Json[] = list.entry ?? [];
  for (const e of entries) assert.deepEqual(Object.keys(e), ['item']);
  assert.equal(entries.length, resources.length, `[${expected.tag}]: entries == number of ${resourceType} resources`);
  assert.deepEqual(entries.map((e) => e.item.reference), resources.map((r) => `${resourceType}/${r.id}`));
  if (entries.length === 0) {
    assert.equal(list.entry, undefined);
    assert.deepEqual(list.emptyReason, emptyReason);
    assert.equal(noteTexts(list).at(-1), 'Information not available');
  } else {
    assert.equal(list.emptyReason, undefined);
    assert.ok(!noteTexts(list).includes('Information not available'));
  }
}
