import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findPatientProblems } from '../../src/store/clinical-problems.ts';
import { buildLinkedProblems } from '../../src/structured/problems.ts';
import { A, describeStoreLevel, today, patient2Problems } from './support.ts';

/**
 * buildLinkedProblems with `bundleConditionIds` (the endpoint's path when no area read all the
 * patient's problems) reads only the problems that can matter: its result must be exactly that of
 * the full read, for any items, Conditions already in the bundle, primary problems and
 * confidentiality.
 */

const P = patient2Problems;
const key = (type: string, id: string) => `${type}/${id}`;

describeStoreLevel('Structured problems: buildLinkedProblems, narrow read == full read', (db) => {
  const now = new Date('2024-05-01T10:00:00Z');
  const ctx = (patientId: string, includeConfidential = false) =>
    ({ db: db(), practice: A, patientId, today, now, ...(includeConfidential ? { includeConfidential: true } : {}) });

  /** Every non-Condition link target of the patient's problems (confidential problems too). */
  async function targets(patientId: string) {
    const { problems, withheld } = await findPatientProblems(db(), A, patientId, { includeConfidential: true });
    const seen = new Map<string, { type: string; id: string }>();
    for (const p of [...problems, ...withheld]) {
      for (const l of p.links) if (l.targetType !== 'Condition') seen.set(key(l.targetType, l.targetId), { type: l.targetType, id: l.targetId });
      if (p.encounterId) seen.set(key('Encounter', p.encounterId), { type: 'Encounter', id: p.encounterId });
    }
    return [...seen.values()];
  }

  async function same(patientId: string, items: { type: string; id: string }[], conditions: string[], primary: string[], includeConfidential: boolean) {
    const held = new Set([...items.map((i) => key(i.type, i.id)), ...conditions.map((id) => key('Condition', id))]);
    const inBundle = (type: string, id: string) => held.has(key(type, id));
    const placeholder = (type: string, id: string) => (type === 'AllergyIntolerance' ? `ended ${id}` : undefined);
    const strip = (r: { lists: unknown[]; resources: unknown[] }) => JSON.parse(JSON.stringify(r).replace(/"id":"[0-9a-f-]{36}"/g, '"id":"x"'));
    const full = await buildLinkedProblems(ctx(patientId, includeConfidential), items, inBundle, new Set(primary), { placeholder });
    const narrow = await buildLinkedProblems(ctx(patientId, includeConfidential), items, inBundle, new Set(primary), { placeholder, bundleConditionIds: conditions });
    assert.deepEqual(strip(narrow), strip(full), `items ${items.map((i) => key(i.type, i.id)).join(',')} conditions ${conditions.join(',')} primary ${primary.join(',')} confidential ${includeConfidential}`);
    return full;
  }

  async function sweep(patientId: string) {
    const all = await targets(patientId);
    let nonEmpty = 0;
    for (const includeConfidential of [false, true]) {
      const r = await same(patientId, all, [], [], includeConfidential);
      if (r.lists.length > 0) nonEmpty++;
      await same(patientId, [], [], [], includeConfidential);
      await same(patientId, [{ type: 'AllergyIntolerance', id: 'no-such-allergy' }], [], [], includeConfidential);
      const ps = Object.values(P);
      for (const [n, item] of all.entries()) {
        if ((await same(patientId, [item], [], [], includeConfidential)).lists.length > 0) nonEmpty++;
        const c = ps[n % ps.length]!;
        await same(patientId, [item], [c], n % 2 === 0 ? [] : [c], includeConfidential);
      }
      for (const c of Object.values(P)) await same(patientId, [], [c], [], includeConfidential);
      await same(patientId, all.slice(0, Math.ceil(all.length / 2)), [P.F, P.A], [P.A], includeConfidential);
    }
    return nonEmpty;
  }

  it('patient2: every linked item alone and all together, with and without Conditions in the bundle', async () => {
    assert.ok((await sweep('2')) > 0, 'some cases have linked problems');
  });

  it('patients without problems: nothing either way', async () => {
    for (const patient of ['1', '3', '4']) await sweep(patient);
  });

  it('patient2 with a one-way problem link (A → D): the problems linking to a linked problem come too', async () => {
    await db().query(`INSERT INTO problem_link (practice, problem_id, position, relation, target_type, target_id) VALUES ($1, $2, 99, 'sibling', 'Condition', $3)`, [A, P.A, P.D]);
    try {
      const item = { type: 'Observation', id: 'Consultation1-Topic4-Category-History-Observation-5' };
      const r = await same('2', [item], [], [], false);
      assert.ok(r.resources.some((c) => c.id === P.A), 'A is related to D');
      await sweep('2');
    } finally {
      await db().query(`DELETE FROM problem_link WHERE practice = $1 AND problem_id = $2 AND position = 99`, [A, P.A]);
    }
  });

  it('patient2 with confidential problems (F, E) and a confidential linked item', async () => {
    await db().query(`UPDATE problem SET confidential = true WHERE practice = $1 AND id IN ($2, $3)`, [A, P.F, P.E]);
    try {
      assert.ok((await sweep('2')) > 0);
    } finally {
      await db().query(`UPDATE problem SET confidential = false WHERE practice = $1 AND id IN ($2, $3)`, [A, P.F, P.E]);
    }
    await db().query(`UPDATE allergy SET confidential = true WHERE practice = $1 AND id = 'patient2-allergy-2'`, [A]);
    try {
      await sweep('2');
    } finally {
      await db().query(`UPDATE allergy SET confidential = false WHERE practice = $1 AND id = 'patient2-allergy-2'`, [A]);
    }
  });
});
