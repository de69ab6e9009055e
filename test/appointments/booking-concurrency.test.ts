import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeOnEachStore, type GpcResponse, type TestProvider } from '../harness/provider.ts';
import { assertAppointment, assertOutcome } from '../harness/assertions.ts';
import { book, bookablePatients, bookingBody, contiguousRun, searchFreeSlots } from './booking.ts';

/**
 * Concurrent bookings (spec digest §2.2–2.3, suite B32): however requests for the same slots interleave,
 * a slot is held by at most one live appointment, every loser gets 409 DUPLICATE_REJECTED (never a 500
 * or a second booking), nothing is left half-written, and every request leaves exactly one audit row.
 *
 * On PostgreSQL the requests race for real: the pool is warmed first so each booking has its own
 * connection and transaction at the same time. PGlite has one connection and runs transactions one
 * after another, so there the table checks the outcome rules without a real race.
 */

interface Request {
  /** Indexes into the scenario's run of contiguous free slots. */
  slots: number[];
  patient: string;
  /** Name the slots in the body last first (the provider must lock them in one order whatever the body's). */
  reversed?: boolean;
}
interface Scenario {
  name: string;
  /** How many contiguous free slots of one schedule the scenario works on. */
  run: number;
  requests: Request[];
  /** How many bookings must succeed (when the interleaving decides nothing else). */
  created?: number;
  /** Further checks on the winners' slot index sets. */
  check?: (winners: number[][], losers: number[][]) => void;
}

const patient = (i: number) => bookablePatients[i % bookablePatients.length]!;
const times = <T>(n: number, make: (i: number) => T) => Array.from({ length: n }, (_, i) => make(i));

const scenarios: Scenario[] = [
  {
    name: '10 concurrent bookings of one free slot by 10 patients ⇒ one 201, nine 409',
    run: 1,
    requests: times(10, (i) => ({ slots: [0], patient: patient(i) })),
    created: 1,
  },
  {
    name: '10 concurrent bookings of one free slot by the same patient ⇒ one 201, nine 409',
    run: 1,
    requests: times(10, () => ({ slots: [0], patient: '1' })),
    created: 1,
  },
  {
    name: '5 × [A,B] and 5 × [B,C] concurrently ⇒ exactly one booking holds B',
    run: 3,
    requests: times(10, (i) => ({ slots: i % 2 === 0 ? [0, 1] : [1, 2], patient: patient(i) })),
    created: 1,
  },
  {
    name: '5 × [B] and 5 × [A,B] concurrently ⇒ exactly one booking holds B',
    run: 2,
    requests: times(10, (i) => ({ slots: i % 2 === 0 ? [1] : [0, 1], patient: patient(i) })),
    created: 1,
  },
  {
    name: '5 × [A,B] and 5 × [A,B] named in the body as [B,A] ⇒ one 201, nine 409 (no deadlock)',
    run: 2,
    requests: times(10, (i) => ({ slots: [0, 1], patient: patient(i), reversed: i % 2 === 1 })),
    created: 1,
  },
  {
    name: 'a chain of 5 overlapping pairs [s0,s1] … [s4,s5] ⇒ the winners share no slot and every loser lost to one of them',
    run: 6,
    requests: times(5, (i) => ({ slots: [i, i + 1], patient: patient(i) })),
    check: (winners, losers) => {
      // At least a maximal set of disjoint pairs out of five in a chain: two or three.
      assert.ok(winners.length >= 2 && winners.length <= 3, `${winners.length} winners`);
      for (const lost of losers) assert.ok(winners.some((w) => w.some((s) => lost.includes(s))), `[${lost}] lost to a booking holding one of its slots`);
    },
  },
  {
    name: '3 concurrent bookings of [A,B,C] and 3 of [C,D] and 3 of [D] ⇒ C and D each held at most once',
    run: 4,
    requests: times(9, (i) => ({ slots: [[0, 1, 2], [2, 3], [3]][i % 3]!, patient: patient(i) })),
    check: (winners, losers) => {
      assert.ok(winners.length >= 1 && winners.length <= 2, `${winners.length} winners`);
      for (const lost of losers) assert.ok(winners.some((w) => w.some((s) => lost.includes(s))), `[${lost}] lost to a booking holding one of its slots`);
    },
  },
  {
    name: '10 concurrent bookings of 10 different slots ⇒ ten 201 (no false conflicts)',
    run: 10,
    requests: times(10, (i) => ({ slots: [i], patient: patient(i) })),
    created: 10,
  },
];

interface Outcome {
  request: Request;
  traceId: string;
  res: GpcResponse;
}

async function count(p: TestProvider, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await p.db.query<{ n: number | string }>(sql, params);
  return Number(rows[0]!.n);
}

describeOnEachStore('Appointments: concurrent bookings of the same slots', (provider) => {
  const p = () => provider();

  before(async () => {
    // Open the pool's connections now, so the bookings below start their transactions together.
    await Promise.all(times(8, () => searchFreeSlots(p(), { fromDay: 20, days: 1 })));
  });

  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const found = await searchFreeSlots(p());
      const run = contiguousRun(found, scenario.run);
      const bodies = scenario.requests.map((r) => {
        const body = bookingBody(found, r.slots.map((i) => run[i]), r.patient);
        if (r.reversed) body.slot.reverse();
        return body;
      });
      const appointmentsBefore = await count(p(), `SELECT count(*) AS n FROM appointment WHERE practice = 'B82617'`);

      const outcomes: Outcome[] = await Promise.all(bodies.map(async (body, i) => {
        const traceId = crypto.randomUUID();
        return { request: scenario.requests[i]!, traceId, res: await book(p(), body, { headers: { 'Ssp-TraceID': traceId } }) };
      }));

      // Every answer is a booking or DUPLICATE_REJECTED: no 500, no 422 from a half-seen state.
      const winners = outcomes.filter((o) => o.res.status === 201);
      const losers = outcomes.filter((o) => o.res.status !== 201);
      for (const o of winners) assertAppointment(o.res.json);
      for (const o of losers) assertOutcome(o.res, 409, 'DUPLICATE_REJECTED');
      if (scenario.created !== undefined) assert.equal(winners.length, scenario.created, `${winners.length} bookings succeeded`);
      scenario.check?.(winners.map((o) => o.request.slots), losers.map((o) => o.request.slots));

      // Each winner holds exactly the slots it asked for.
      for (const o of winners) {
        assert.deepEqual(o.res.json.slot, o.request.slots.map((i) => ({ reference: `Slot/${run[i].id}` })));
        const held = await p().db.query<{ slot_id: string }>(
          `SELECT slot_id FROM appointment_slot WHERE practice = 'B82617' AND appointment_id = $1 AND active ORDER BY slot_id`, [o.res.json.id]);
        assert.deepEqual(held.map((h) => h.slot_id).sort(), o.request.slots.map((i) => run[i].id).sort());
      }

      // The rows left behind: per slot, as many live bookings as winners asked for it (never more than one),
      // busy exactly when held.
      for (const [i, slot] of run.entries()) {
        const holders = winners.filter((o) => o.request.slots.includes(i)).length;
        assert.ok(holders <= 1, `Slot index ${i} was given to ${holders} bookings`);
        const [row] = await p().db.query<{ status: string; live: number }>(
          `SELECT status, (SELECT count(*) FROM appointment_slot a WHERE a.practice = s.practice AND a.slot_id = s.id AND a.active)::int AS live
           FROM slot s WHERE s.practice = 'B82617' AND s.id = $1`, [slot.id]);
        assert.deepEqual(row, { status: holders === 1 ? 'busy' : 'free', live: holders }, `Slot/${slot.id}`);
      }
      assert.equal(await count(p(), `SELECT count(*) AS n FROM appointment WHERE practice = 'B82617'`), appointmentsBefore + winners.length, 'one appointment row per 201');

      // Across the whole diary: no appointment without its slots, no slot held twice, busy = held.
      assert.equal(await count(p(), `SELECT count(*) AS n FROM appointment a
        WHERE NOT EXISTS (SELECT 1 FROM appointment_slot s WHERE s.practice = a.practice AND s.appointment_id = a.id)`), 0, 'appointments without slot rows');
      assert.equal(await count(p(), `SELECT count(*) AS n FROM (SELECT 1 FROM appointment_slot WHERE active GROUP BY practice, slot_id HAVING count(*) > 1) x`), 0, 'slots held twice');
      assert.equal(await count(p(), `SELECT count(*) AS n FROM slot s
        WHERE (s.status = 'busy') <> EXISTS (SELECT 1 FROM appointment_slot a WHERE a.practice = s.practice AND a.slot_id = s.id AND a.active)`), 0, 'busy slots = held slots');

      // One audit row per request, with its outcome.
      const audit = await p().db.query<{ trace_id: string; http_status: number; error_code: string | null }>(
        'SELECT trace_id, http_status, error_code FROM audit_event WHERE trace_id = ANY($1::text[])', [outcomes.map((o) => o.traceId)]);
      assert.equal(audit.length, outcomes.length, 'audit rows = requests');
      for (const o of outcomes) {
        const rows = audit.filter((a) => a.trace_id === o.traceId);
        assert.deepEqual(rows.map((a) => [a.http_status, a.error_code]), [[o.res.status, o.res.status === 201 ? null : 'DUPLICATE_REJECTED']]);
      }
    });
  }
});
