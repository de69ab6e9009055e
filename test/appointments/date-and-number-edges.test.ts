import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, type TestProvider } from '../harness/provider.ts';
import { assertAppointment, assertOk, assertOutcome, assertSearchset, query } from '../harness/assertions.ts';
import { book, bookingBody, searchFreeSlots } from './booking.ts';
import { amend, amendBody, bookOne, cancel, cancelBody, readAppointment, slotState, utcDate } from './manage.ts';

/**
 * The edges of FHIR's dates and integers (found by fuzzing, each once a 500): the last FHIR date
 * 9999-12-31 and dateTimes past it in UTC, the year 0000 (not a FHIR year) and years below 100,
 * and whole numbers past FHIR's 2^31 − 1. Searches take every valid FHIR date (a bad one is 422
 * INVALID_PARAMETER, suite F7/F10/A8); a booking with a bad element is 422 INVALID_RESOURCE and leaves
 * its slot free; what a booking accepts reads back as sent, so the appointment can still be amended
 * and cancelled.
 */

const slotSearch = (p: TestProvider, start: string, end: string) =>
  p.gpc({ path: `/Slot?${query(['start', start], ['end', end], ['status', 'free'], ['_include', 'Slot:schedule'])}`, interaction: 'searchSlots' });
const retrieve = (p: TestProvider, patientId: string, ge: string, le: string) =>
  p.gpc({ path: `/Patient/${patientId}/Appointment?${query(['start', `ge${ge}`], ['start', `le${le}`])}`, interaction: 'searchPatientAppointments' });

/** The suite's default body for the first free slot, for Patient/`patientId`, with `changes` applied. */
async function firstFreeBody(p: TestProvider, patientId: string, changes: Record<string, unknown>): Promise<{ body: any; slotId: string }> {
  const found = await searchFreeSlots(p);
  const slot = found.slots[0];
  return { body: { ...bookingBody(found, slot, patientId), ...changes }, slotId: slot.id };
}

describeOnEachStore('Appointments: date and number edges', (provider) => {
  const p = () => provider();

  // --- searches up to 9999-12-31 ---

  it('retrieve start=ge<today>&start=le9999-12-31 ⇒ 200 with every appointment of the patient from today on', async () => {
    const { appointment } = await bookOne(p(), '7');
    const found = assertSearchset(await retrieve(p(), '7', utcDate(), '9999-12-31'), undefined, 'Appointment');
    assert.deepEqual(found.map((a) => a.id), [appointment.id]);
    assert.deepEqual(found[0], appointment, 'as the booking returned it');
    assertSearchset(await retrieve(p(), '7', '9999-12-31', '9999-12-31'), 0);
  });

  it('retrieve with a year-0000 or a two-digit-year le date ⇒ 422 INVALID_PARAMETER', async () => {
    for (const le of ['0000-01-01', '0099-12-31']) assertOutcome(await retrieve(p(), '7', utcDate(), le), 422, 'INVALID_PARAMETER');
  });

  it('slot search start=ge9999-12-25&end=le9999-12-31 ⇒ 200, an empty searchset', async () => {
    assertSearchset(await slotSearch(p(), 'ge9999-12-25', 'le9999-12-31'), 0);
  });

  it('slot search ending 9999-12-31T23:59:59-14:00 (year 10000 in UTC) ⇒ 200, an empty searchset', async () => {
    assertSearchset(await slotSearch(p(), 'ge9999-12-31T00:00:00+00:00', 'le9999-12-31T23:59:59-14:00'), 0);
    assertSearchset(await slotSearch(p(), 'ge9999-12-31T23:00:00-14:00', 'le9999-12-31T23:59:59-14:00'), 0);
  });

  it('slot search starting 0001-01-01T00:00:00+14:00 (year 0 in UTC) ⇒ 200, an empty searchset', async () => {
    assertSearchset(await slotSearch(p(), 'ge0001-01-01T00:00:00+14:00', 'le0001-01-02T00:00:00+00:00'), 0);
    assertSearchset(await slotSearch(p(), 'ge0050-06-01', 'le0050-06-14'), 0);
  });

  it('slot search with the year 0000 (no FHIR year) ⇒ 422 INVALID_PARAMETER', async () => {
    assertOutcome(await slotSearch(p(), 'ge0000-01-01', 'le0000-01-10'), 422, 'INVALID_PARAMETER');
    assertOutcome(await slotSearch(p(), 'ge0000-12-31T23:00:00+00:00', 'le0001-01-01T01:00:00+00:00'), 422, 'INVALID_PARAMETER');
  });

  // --- booking: whole numbers ---

  for (const [name, changes] of [
    ['priority 2147483648 (2^31)', { priority: 2147483648 }],
    ['priority 1e308', { priority: 1e308 }],
    ['priority -1', { priority: -1 }],
    ['minutesDuration 2147483648', { minutesDuration: 2147483648 }],
    ['minutesDuration 0', { minutesDuration: 0 }],
    ['minutesDuration "10"', { minutesDuration: '10' }],
  ] as const) {
    it(`booking with ${name} ⇒ 422 INVALID_RESOURCE, the slot stays free`, async () => {
      const { body, slotId } = await firstFreeBody(p(), '8', changes);
      const res = await book(p(), body);
      assertOutcome(res, 422, 'INVALID_RESOURCE');
      assert.match(res.json.issue[0].diagnostics, new RegExp(Object.keys(changes)[0]!));
      const state = await slotState(p(), slotId);
      assert.equal(state.status, 'free');
      assert.equal(state.live, 0);
    });
  }

  it('booking with priority 2147483647 and minutesDuration 2147483647 ⇒ 201, priority read back', async () => {
    const { body } = await firstFreeBody(p(), '8', { priority: 2147483647, minutesDuration: 2147483647 });
    const res = await book(p(), body);
    assert.equal(res.status, 201, res.text.slice(0, 400));
    const read = await readAppointment(p(), res.json.id);
    assertOk(read, 'Appointment');
    assert.equal(read.json.priority, 2147483647);
  });

  // --- booking: created ---

  for (const created of [
    '0000-01-01T00:00:00Z',
    '0099-06-01T00:00:00+00:00',
    '1899-12-31T23:59:59+00:00',
    '9999-12-31T23:59:59-14:00',
    '9999-12-31T23:00:00-01:00',
    '2031-02-30T10:00:00+00:00',
    '2030-01-01T24:00:00+00:00',
  ]) {
    it(`booking with created ${created} ⇒ 422 INVALID_RESOURCE, the slot stays free`, async () => {
      const { body, slotId } = await firstFreeBody(p(), '13', { created });
      const res = await book(p(), body);
      assertOutcome(res, 422, 'INVALID_RESOURCE');
      assert.match(res.json.issue[0].diagnostics, /created/);
      const state = await slotState(p(), slotId);
      assert.equal(state.status, 'free');
      assert.equal(state.live, 0);
    });
  }

  for (const [created, readBack] of [
    ['9999-12-31T23:59:59+00:00', '9999-12-31T23:59:59+00:00'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59+00:00'],
    ['1900-01-01T00:00:00Z', '1900-01-01T00:00:00+00:00'],
    ['1960-07-01T12:00:00+00:00', '1960-07-01T13:00:00+01:00'],
  ] as const) {
    it(`booking with created ${created} ⇒ 201; read back as ${readBack}; an unchanged amend and a cancel still work`, async () => {
      const { appointment } = await bookOne(p(), '16', { change: (b) => (b.created = created) });
      assertAppointment(appointment);
      assert.equal(appointment.created, readBack);
      const read = await readAppointment(p(), appointment.id);
      assertOk(read, 'Appointment');
      assert.equal(read.json.created, readBack);

      const amended = await amend(p(), amendBody(appointment, { description: 'customDescription' }));
      assertOk(amended, 'Appointment');
      assert.equal(amended.json.created, readBack);
      // Sent back exactly as read, too (not only through the .NET re-formatting).
      const sameAgain = await amend(p(), { ...amended.json, description: 'again' });
      assertOk(sameAgain, 'Appointment');
      const cancelled = await cancel(p(), cancelBody(sameAgain.json));
      assertOk(cancelled, 'Appointment');
      assert.equal(cancelled.json.status, 'cancelled');
      assert.equal(cancelled.json.created, readBack);
    });
  }
});
