import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, practice, type GpcResponse, type TestProvider } from '../harness/provider.ts';

/**
 * $gpc.getstructuredrecord over HTTP: items of a type this provider never exports — documents;
 * Access Record Structured 1.6 returns no DocumentReference (digest §17.3, §18.5). A problem's link
 * to one, and a consultation's entry for one, are display-only "Documents items are not supported
 * by the provider system" (spec problems and consultation guidance, "unsupported clinical items"),
 * with no documents list and no warning. The seed has no documents: each test adds its links.
 */

const patient2 = '9690937286';
const notSupported = { display: 'Documents items are not supported by the provider system' };
const travelProblem = 'Problem-H-Travel-Vaccination';
const heading = 'Consultation3-Topic1-Category-History';
const relatedClinicalContent = 'https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-RelatedClinicalContent-1';
const actualProblem = 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ActualProblem-1';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

async function getRecord(p: TestProvider, ...parameters: Record<string, unknown>[]): Promise<GpcResponse> {
  const body = {
    resourceType: 'Parameters',
    parameter: [{ name: 'patientNHSNumber', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: patient2 } }, ...parameters],
  };
  const res = await p.gpc({ method: 'POST', base: '/structured', path: '/Patient/$gpc.getstructuredrecord', interaction: 'getStructuredRecord', body });
  assert.equal(res.status, 200, res.text.slice(0, 400));
  return res;
}

const resources = (res: GpcResponse): Json[] => res.json.entry.map((e: Json) => e.resource);
const ofType = (res: GpcResponse, type: string): Json[] => resources(res).filter((r) => r.resourceType === type);
const condition = (res: GpcResponse, id: string): Json => {
  const found = ofType(res, 'Condition').find((c) => c.id === id);
  assert.ok(found, `${id} is returned`);
  return found;
};
const valueReferences = (c: Json, url: string): Json[] => c.extension.filter((e: Json) => e.url === url).map((e: Json) => e.valueReference);

/** Nothing in the bundle names a document, there is no documents List, and nothing is warned about. */
function checkNoDocument(res: GpcResponse): void {
  assert.ok(!res.text.includes('DocumentReference'), 'no DocumentReference, nor a reference to one');
  assert.ok(!res.text.includes('doc-1') && !res.text.includes('doc-2'), 'no document id');
  assert.ok(!ofType(res, 'List').some((l) => /documents/i.test(l.title ?? '')), 'no documents list');
  assert.equal(ofType(res, 'OperationOutcome').length, 0, 'not a warning: documents are simply not exported');
}

describeOnEachStore('Access Record Structured: documents, which the provider does not export', (provider) => {
  const p = () => provider();

  /** Runs `body` with problem H linked to documents (one as its actual problem), and a document in consultation 3. */
  async function withDocuments(body: () => Promise<void>): Promise<void> {
    const db = p().db;
    await db.query(`INSERT INTO problem_link (practice, problem_id, position, relation, target_type, target_id) VALUES
      ($1, $2, 100, 'related', 'DocumentReference', 'doc-1'), ($1, $2, 101, 'actual-problem', 'DocumentReference', 'doc-2')`, [practice.ods, travelProblem]);
    await db.query(`INSERT INTO consultation_item (practice, section_id, position, item_type, item_id) VALUES ($1, $2, 100, 'DocumentReference', 'doc-1')`, [practice.ods, heading]);
    try {
      await body();
    } finally {
      await db.query('DELETE FROM problem_link WHERE practice = $1 AND problem_id = $2 AND position >= 100', [practice.ods, travelProblem]);
      await db.query('DELETE FROM consultation_item WHERE practice = $1 AND section_id = $2 AND position >= 100', [practice.ods, heading]);
    }
  }

  it('a problem asked for shows its documents display-only, as related content and as its actual problem', async () => {
    const before = condition(await getRecord(p(), { name: 'includeProblems' }), travelProblem);
    await withDocuments(async () => {
      const res = await getRecord(p(), { name: 'includeProblems' });
      const travel = condition(res, travelProblem);
      assert.deepEqual(valueReferences(travel, actualProblem), [notSupported], 'the promoted document');
      assert.deepEqual(valueReferences(travel, relatedClinicalContent), [...valueReferences(before, relatedClinicalContent), notSupported],
        'the links it had, then the document');
      checkNoDocument(res);
    });
  });

  it('a linked-only problem (here linked from an immunisation) shows its documents display-only too', async () => {
    await withDocuments(async () => {
      const res = await getRecord(p(), { name: 'includeImmunisations' });
      const linked = ofType(res, 'List').find((l) => l.title === 'Problems - linked problems not relating to the primary query');
      assert.ok(linked.entry.some((e: Json) => e.item.reference === `Condition/${travelProblem}`));
      const travel = condition(res, travelProblem);
      assert.deepEqual(valueReferences(travel, actualProblem), [notSupported]);
      assert.ok(valueReferences(travel, relatedClinicalContent).some((v) => v.display === notSupported.display));
      checkNoDocument(res);
    });
  });

  it('a document in a consultation is a display-only entry of its heading, with no documents list', async () => {
    await withDocuments(async () => {
      const res = await getRecord(p(), { name: 'includeConsultations', part: [{ name: 'includeNumberOfMostRecent', valuePositiveInt: 1 }] });
      const list = ofType(res, 'List').find((l) => l.id === heading);
      assert.deepEqual(list.entry.at(-1), { item: notSupported });
      checkNoDocument(res);
    });
  });
});
