import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, type GpcResponse } from '../harness/provider.ts';
import { amend, amendBody, appointmentRow, bookOne, cancel, cancelBody, slotState } from './manage.ts';

/**
 * Amend and cancel of one appointment at the same time (general API guidance, managing resource
 * contention; the amend/cancel pages). Both lock the appointment row for the whole change, so they
 * take turns and each sees the other's result: a table of races, each with the responses it may give
 * (as a multiset of statuses) and the row and slot it must leave.
 */
describeOnEachStore('Amend and cancel racing', (provider) => {
  const p = () => provider();
  const statuses = (responses: GpcResponse[]) => responses.map((r) => r.status).sort((a, b) => a - b);
  const rounds = 3;

  it('concurrent amends naming the same version in If-Match ⇒ exactly one 200, the rest 409; the winner\'s text stored once', async () => {
    for (let round = 0; round < rounds; round++) {
      const { appointment } = await bookOne(p(), '1');
      const ifMatch = { 'If-Match': `W/"${appointment.meta.versionId}"` };
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) => amend(p(), amendBody(appointment, { description: `racer ${i}` }), { headers: ifMatch })),
      );
      assert.deepEqual(statuses(responses), [200, 409, 409, 409, 409, 409]);
      const winner = responses.find((r) => r.status === 200)!;
      const row = await appointmentRow(p(), appointment.id);
      assert.equal(row.version, 2, 'exactly one amend was stored');
      assert.equal(row.description, winner.json.description);
      assert.equal(winner.json.meta.versionId, '2');
      for (const loser of responses.filter((r) => r.status === 409)) assert.equal(loser.json.issue[0].details.coding[0].code, 'FHIR_CONSTRAINT_VIOLATION');
    }
  });

  it('concurrent amends without If-Match all succeed one after another: versions 2..n+1, the row is the last one\'s', async () => {
    const { appointment } = await bookOne(p(), '2');
    const n = 5;
    const responses = await Promise.all(Array.from({ length: n }, (_, i) => amend(p(), amendBody(appointment, { comment: `comment ${i}` }))));
    assert.deepEqual(statuses(responses), Array(n).fill(200));
    const versions = responses.map((r) => Number(r.json.meta.versionId)).sort((a, b) => a - b);
    assert.deepEqual(versions, Array.from({ length: n }, (_, i) => i + 2), 'each amend saw the one before it');
    const last = responses.find((r) => Number(r.json.meta.versionId) === n + 1)!;
    const row = await appointmentRow(p(), appointment.id);
    assert.equal(row.version, n + 1);
    assert.equal(row.comment, last.json.comment);
  });

  it('cancel racing an unchanged amend ⇒ the cancel always wins; the amend is 200 (before) or 422 (after); cancelled once, the slot freed once', async () => {
    for (let round = 0; round < rounds; round++) {
      const { appointment, slots } = await bookOne(p(), '3');
      const slotBefore = await slotState(p(), slots[0].id);
      const racers = [cancel(p(), cancelBody(appointment)), amend(p(), amendBody(appointment))];
      if (round % 2 === 1) racers.reverse();
      const [c, a] = round % 2 === 1 ? (await Promise.all(racers)).reverse() : await Promise.all(racers);
      assert.equal(c!.status, 200, c!.text.slice(0, 300));
      assert.ok([200, 422].includes(a!.status), `amend ${a!.status}`);
      const row = await appointmentRow(p(), appointment.id);
      assert.equal(row.status, 'cancelled');
      assert.equal(row.cancellation_reason, 'double booked');
      // Amended then cancelled: version 3; cancelled first (the amend refused): version 2.
      assert.equal(row.version, a!.status === 200 ? 3 : 2);
      assert.equal(c!.json.meta.versionId, String(row.version));
      const slotAfter = await slotState(p(), slots[0].id);
      assert.deepEqual([slotAfter.status, slotAfter.live, slotAfter.version], ['free', 0, slotBefore.version + 1]);
    }
  });

  it('cancel racing a description amend (both from the booking response) ⇒ one 200 and one 422; the row is the winner\'s', async () => {
    for (let round = 0; round < rounds; round++) {
      const { appointment, slots } = await bookOne(p(), '4');
      const racers = [cancel(p(), cancelBody(appointment)), amend(p(), amendBody(appointment, { description: 'amended' }))];
      const [c, a] = await Promise.all(round % 2 === 0 ? racers : racers.reverse()).then((r) => (round % 2 === 0 ? r : r.reverse()));
      assert.deepEqual(statuses([c!, a!]), [200, 422]);
      const row = await appointmentRow(p(), appointment.id);
      const slot = await slotState(p(), slots[0].id);
      assert.equal(row.version, 2, 'exactly one change stored');
      if (c!.status === 200) {
        // Cancelled first: the amend found it cancelled.
        assert.deepEqual([row.status, row.description, slot.status, slot.live], ['cancelled', 'Default Description', 'free', 0]);
      } else {
        // Amended first: the cancel's body no longer matches the description.
        assert.deepEqual([row.status, row.description, slot.status, slot.live], ['booked', 'amended', 'busy', 1]);
      }
    }
  });

  it('concurrent cancels ⇒ exactly one 200, the rest 409 or 422; one reason stored, the slot freed exactly once', async () => {
    for (let round = 0; round < rounds; round++) {
      const { appointment, slots } = await bookOne(p(), '5');
      const slotBefore = await slotState(p(), slots[0].id);
      const headers = round === 0 ? {} : { 'If-Match': `W/"${appointment.meta.versionId}"` };
      const responses = await Promise.all(Array.from({ length: 5 }, (_, i) => cancel(p(), cancelBody(appointment, `reason ${i}`), { headers })));
      const s = statuses(responses);
      assert.equal(s.filter((x) => x === 200).length, 1, `statuses ${s}`);
      assert.ok(s.every((x) => [200, 409, 422].includes(x)), `statuses ${s}`);
      const winner = responses.find((r) => r.status === 200)!;
      const row = await appointmentRow(p(), appointment.id);
      assert.deepEqual([row.status, row.version], ['cancelled', 2]);
      assert.equal(row.cancellation_reason, winner.json.extension.at(-1).valueString);
      const slotAfter = await slotState(p(), slots[0].id);
      assert.deepEqual([slotAfter.status, slotAfter.live, slotAfter.version], ['free', 0, slotBefore.version + 1]);
    }
  });

  it('amend and cancel with the same If-Match ⇒ one 200; the other 409 (after an amend) or 422 (after the cancel)', async () => {
    for (let round = 0; round < rounds; round++) {
      const { appointment, slots } = await bookOne(p(), '6');
      const headers = { 'If-Match': `W/"${appointment.meta.versionId}"` };
      const [c, a] = await Promise.all([cancel(p(), cancelBody(appointment), { headers }), amend(p(), amendBody(appointment, { comment: 'c' }), { headers })]);
      const row = await appointmentRow(p(), appointment.id);
      const slot = await slotState(p(), slots[0].id);
      if (c!.status === 200) {
        assert.equal(a!.status, 422, 'the amend found it cancelled');
        assert.deepEqual([row.status, row.comment, slot.status], ['cancelled', null, 'free']);
      } else {
        assert.deepEqual([a!.status, c!.status], [200, 409], 'the cancel named the version before the amend');
        assert.deepEqual([row.status, row.comment, slot.status], ['booked', 'c', 'busy']);
      }
      assert.equal(row.version, 2);
    }
  });
});
