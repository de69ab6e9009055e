import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, type TestProvider } from '../harness/provider.ts';

/**
 * $gpc.getstructuredrecord over HTTP, for what only the whole bundle shows:
 * - each primary and secondary List once (digest §8), although several areas build the Ended
 *   allergies list — the allergies area with includeResolvedAllergies, the consultations that hold
 *   an ended allergy, the problems linked to one — merged with every ended allergy contained once;
 * - a problem linked to an ended allergy names it display-only ("Ended allergy: <term>", digest
 *   §10 REC), since the allergy exists only contained in that List, so every reference still
 *   resolves (digest §7).
 * The links to patient2's ended peanut allergy are added for each test (the seed has none: the
 * suite's patient2 scenarios read problem links as references).
 */

const patient2 = '9690937286';
const endedAllergy = 'patient2-allergy-1';
const endedDisplay = 'Ended allergy: Allergy to peanuts';
const endedCode = '1103671000000101';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

const parameter = {
  allergies: (includeResolved: boolean) => ({ name: 'includeAllergies', part: [{ name: 'includeResolvedAllergies', valueBoolean: includeResolved }] }),
  consultations: { name: 'includeConsultations' },
  problems: { name: 'includeProblems' },
};

async function getRecord(p: TestProvider, ...parameters: Record<string, unknown>[]): Promise<Json[]> {
  const body = {
    resourceType: 'Parameters',
    parameter: [{ name: 'patientNHSNumber', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: patient2 } }, ...parameters],
  };
  const res = await p.gpc({ method: 'POST', base: '/structured', path: '/Patient/$gpc.getstructuredrecord', interaction: 'getStructuredRecord', body });
  assert.equal(res.status, 200, res.text.slice(0, 400));
  return res.json.entry.map((e: Json) => e.resource);
}

const listCode = (l: Json): string => `${l.code.coding[0].system}|${l.code.coding[0].code}`;

/**
 * Each id-less List once by code (and by title); no (type, id) twice; every reference resolves
 * (`#id` inside its own List); no empty List without its empty reason, none empty with entries.
 */
function checkBundle(resources: Json[]): void {
  const lists = resources.filter((r) => r.resourceType === 'List' && r.id === undefined);
  const codes = lists.map(listCode);
  assert.equal(new Set(codes).size, codes.length, `each List once: ${codes.join(', ')}`);
  assert.equal(new Set(lists.map((l) => l.title)).size, lists.length, 'each List title once');
  const keys = resources.filter((r) => r.id !== undefined && r.resourceType !== 'OperationOutcome').map((r) => `${r.resourceType}/${r.id}`);
  assert.equal(new Set(keys).size, keys.length, 'no resource twice');
  for (const r of resources) {
    const contained = new Set((r.contained ?? []).map((c: Json) => `#${c.id}`));
    JSON.stringify(r, (k, v) => {
      if (k === 'reference' && typeof v === 'string') {
        assert.ok(v.startsWith('#') ? contained.has(v) : keys.includes(v), `${v} (from ${r.resourceType} ${r.id ?? r.title}) resolves`);
      }
      return v;
    });
  }
  for (const l of lists) {
    const entries = l.entry ?? [];
    const items = entries.map((e: Json) => JSON.stringify(e.item));
    assert.equal(new Set(items).size, items.length, `${l.title}: each entry once`);
    if (entries.length === 0) assert.ok(l.emptyReason, `${l.title}: empty with its reason`);
    else {
      assert.equal(l.emptyReason, undefined, `${l.title}: not empty`);
      assert.ok(!(l.note ?? []).some((n: Json) => n.text === 'Information not available'));
    }
  }
}

function endedList(resources: Json[]): Json {
  const found = resources.filter((r) => r.resourceType === 'List' && r.code.coding[0].code === endedCode);
  assert.equal(found.length, 1, 'one Ended allergies list');
  return found[0];
}

/** The Condition of Problem F (food allergy) and the display of each of its related-content links. */
function foodAllergyLinks(resources: Json[]): string[] {
  const condition = resources.find((r) => r.resourceType === 'Condition' && r.id === 'Problem-F-Food-Allergy');
  assert.ok(condition, 'the food allergy problem is returned');
  return condition.extension
    .filter((e: Json) => e.valueReference)
    .map((e: Json) => e.valueReference.reference ?? `display:${e.valueReference.display}`);
}

describeOnEachStore('Access Record Structured: each List once, ended allergies linked by display', (provider) => {
  const p = () => provider();

  /** Runs `body` with patient2's ended allergy in consultation 3 and/or linked to Problem F. */
  async function withLinks(links: { consultation?: boolean; problem?: boolean }, body: () => Promise<void>): Promise<void> {
    const db = p().db;
    if (links.consultation) {
      await db.query(`INSERT INTO consultation_item (practice, section_id, position, item_type, item_id)
        VALUES ('B82617', 'Consultation3-Topic1-Category-History', 100, 'AllergyIntolerance', $1)`, [endedAllergy]);
    }
    if (links.problem) {
      await db.query(`INSERT INTO problem_link (practice, problem_id, position, relation, target_type, target_id)
        VALUES ('B82617', 'Problem-F-Food-Allergy', 100, 'related', 'AllergyIntolerance', $1)`, [endedAllergy]);
    }
    try {
      await body();
    } finally {
      await db.query(`DELETE FROM consultation_item WHERE practice = 'B82617' AND section_id = 'Consultation3-Topic1-Category-History' AND position = 100`);
      await db.query(`DELETE FROM problem_link WHERE practice = 'B82617' AND problem_id = 'Problem-F-Food-Allergy' AND position = 100`);
    }
  }

  const combinations: [string, { consultation?: boolean; problem?: boolean }, Record<string, unknown>[]][] = [
    ['resolved allergies + consultations holding one', { consultation: true }, [parameter.allergies(true), parameter.consultations]],
    ['resolved allergies + problems linked to one', { problem: true }, [parameter.allergies(true), parameter.problems]],
    ['consultations + problems, both with one', { consultation: true, problem: true }, [parameter.consultations, parameter.problems]],
    ['active allergies + consultations + problems', { consultation: true, problem: true }, [parameter.allergies(false), parameter.consultations, parameter.problems]],
    ['resolved allergies + consultations + problems', { consultation: true, problem: true }, [parameter.allergies(true), parameter.consultations, parameter.problems]],
  ];
  for (const [name, links, parameters] of combinations) {
    it(`${name}: one Ended allergies list, the ended allergy contained once, every reference resolves`, async () => {
      await withLinks(links, async () => {
        const resources = await getRecord(p(), ...parameters);
        checkBundle(resources);
        const ended = endedList(resources);
        assert.equal(ended.title, 'Ended allergies');
        assert.deepEqual(ended.contained.filter((a: Json) => a.id === endedAllergy).length, 1);
        assert.deepEqual(ended.entry.filter((e: Json) => e.item.reference === `#${endedAllergy}`).length, 1);
        assert.equal(ended.entry.length, ended.contained.length, 'one entry per contained allergy');
        assert.ok(!resources.some((r) => r.resourceType === 'AllergyIntolerance' && r.id === endedAllergy), 'never top level');
        if (links.problem) assert.ok(foodAllergyLinks(resources).includes(`display:${endedDisplay}`));
      });
    });
  }

  it('resolved allergies only: the problem linked to an ended allergy comes as a linked problem naming it by display', async () => {
    await withLinks({ problem: true }, async () => {
      const resources = await getRecord(p(), parameter.allergies(true));
      checkBundle(resources);
      endedList(resources);
      const linkedList = resources.find((r) => r.resourceType === 'List' && r.title === 'Problems - linked problems not relating to the primary query');
      assert.ok(linkedList.entry.some((e: Json) => e.item.reference === 'Condition/Problem-F-Food-Allergy'));
      const links = foodAllergyLinks(resources);
      assert.ok(links.includes(`display:${endedDisplay}`), JSON.stringify(links));
      assert.ok(links.includes('AllergyIntolerance/patient2-allergy-2'), 'the active allergy is still a reference');
    });
  });

  it('problems only: the problem names its ended allergy by display, and the Ended allergies list holds it', async () => {
    await withLinks({ problem: true }, async () => {
      const resources = await getRecord(p(), parameter.problems);
      checkBundle(resources);
      assert.deepEqual(endedList(resources).contained.map((a: Json) => a.id), [endedAllergy]);
      assert.ok(foodAllergyLinks(resources).includes(`display:${endedDisplay}`));
      const related = resources.find((r) => r.resourceType === 'List' && r.title === 'Problems - allergies that have been ended related to problems');
      assert.deepEqual(related.entry, [{ item: { display: endedDisplay } }]);
    });
  });

  it('without the links, resolved allergies + consultations + problems still hold each List once', async () => {
    const resources = await getRecord(p(), parameter.allergies(true), parameter.consultations, parameter.problems);
    checkBundle(resources);
    assert.equal(endedList(resources).contained.map((a: Json) => a.id).join(), endedAllergy);
  });
});
