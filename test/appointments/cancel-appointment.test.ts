import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore } from '../harness/provider.ts';
import { assertAppointment, assertNoStore, assertOk, assertOutcome, fhirJson, fhirXml, formatOf } from '../harness/assertions.ts';
import { bookingOrgExtension, searchFreeSlots, book, bookingBody } from './booking.ts';
import {
  absoluteBookingOrgReference, amend, appointmentRow, bookOne, cancel, cancelBody, cancellationReasonUrl, extensionOf,
  moveAppointment, readAppointment, slotState, whileSensitive,
} from './manage.ts';

/**
 * AppointmentCancel.feature (suite checklist §6 C1–C27, §8.4 bodies) and the cancel page (spec digest
 * §6): status becomes cancelled and the AppointmentCancellationReason-1 extension is added, nothing
 * else changes; the slots go back to the diary; the response keeps everything and has a new version.
 */

/** The absolute participants of M19/C24. */
const absoluteParticipants = ['Location/2', 'Practitioner/2', 'Patient/2'].map((r) => ({
  actor: { reference: `https://test1.supplier.thirdparty.nhs.uk/A11111/STU3/1/GPConnect/${r}` }, status: 'declined',
}));

describeOnEachStore('Appointment cancel', (provider) => {
  const p = () => provider();

  /** C1's checks on the cancel response against the booking response (suite §7.4 [Eq*]). */
  const assertCancelledCopy = (a: any, booked: any, reason: string) => {
    assertAppointment(a);
    assert.equal(a.status, 'cancelled', '[Cancelled]');
    assert.equal(extensionOf(a, cancellationReasonUrl).valueString, reason, '[Reason]');
    assert.equal(a.id, booked.id, '[EqId]');
    assert.equal(a.extension.length, booked.extension.length + 1, '[EqExt] one extension more');
    for (const e of booked.extension) assert.ok(a.extension.some((x: any) => JSON.stringify(x) === JSON.stringify(e)), `[EqExt] ${e.url} kept`);
    assert.equal(a.description, booked.description, '[EqDesc]');
    assert.equal(Date.parse(a.start), Date.parse(booked.start), '[EqStartEnd]');
    assert.equal(Date.parse(a.end), Date.parse(booked.end), '[EqStartEnd]');
    assert.deepEqual(a.slot, booked.slot, '[EqSlots]');
    assert.deepEqual(a.participant, booked.participant, '[EqPart]');
    assert.equal(a.created, booked.created, '[EqCreated]');
    assert.notEqual(a.meta.versionId, booked.meta.versionId, '[VidChanged]');
    assert.deepEqual(a.contained, booked.contained);
    assert.deepEqual(a.serviceType, booked.serviceType);
  };

  for (const patientId of ['1', '2', '3']) {
    it(`C1 patient${patientId}: cancelled with "double booked" ⇒ 200, the same appointment cancelled; the slot freed`, async () => {
      const { appointment, slots } = await bookOne(p(), patientId);
      const before = await slotState(p(), slots[0].id);
      assert.deepEqual([before.status, before.live], ['busy', 1]);
      const res = await cancel(p(), cancelBody(appointment));
      assertOk(res, 'Appointment');
      assertCancelledCopy(res.json, appointment, 'double booked');
      assert.equal(res.headers.etag, `W/"${res.json.meta.versionId}"`);
      const row = await appointmentRow(p(), appointment.id);
      assert.deepEqual([row.status, row.cancellation_reason, String(row.version)], ['cancelled', 'double booked', res.json.meta.versionId]);
      const after = await slotState(p(), slots[0].id);
      assert.deepEqual([after.status, after.live, after.version], ['free', 0, before.version + 1]);
    });
  }

  it('cancel page: the freed slot is offered by the free-slot search again, and can be booked again', async () => {
    const { appointment, slots } = await bookOne(p(), '4');
    const searched = async () => (await searchFreeSlots(p())).slots.some((s) => s.id === slots[0].id);
    assert.equal(await searched(), false, 'a booked slot is not offered');
    assert.equal((await cancel(p(), cancelBody(appointment))).status, 200);
    assert.equal(await searched(), true, 'the cancelled appointment\'s slot is offered again');
    const found = await searchFreeSlots(p());
    const again = await book(p(), bookingBody(found, found.slots.find((s) => s.id === slots[0].id), '5'));
    assert.equal(again.status, 201, again.text.slice(0, 300));
    assert.deepEqual(again.json.slot, appointment.slot);
    assert.deepEqual(await slotState(p(), slots[0].id).then((s) => [s.status, s.live]), ['busy', 1]);
    // The cancelled appointment still lists the slot it had (suite [EqSlots]).
    assert.deepEqual((await readAppointment(p(), appointment.id)).json.slot, appointment.slot);
  });

  it('a two-slot appointment gives both slots back', async () => {
    const { appointment, slots } = await bookOne(p(), '5', { slots: 2 });
    assert.equal(slots.length, 2);
    assert.equal((await cancel(p(), cancelBody(appointment))).status, 200);
    for (const s of slots) assert.deepEqual(await slotState(p(), s.id).then((x) => [x.status, x.live]), ['free', 0]);
  });

  it('C2 a cancelled appointment keeps its DeliveryChannel and PractitionerRole extensions', async () => {
    const { appointment } = await bookOne(p(), '6');
    const a = (await cancel(p(), cancelBody(appointment))).json;
    assertAppointment(a);
  });

  const refusals: [string, string, (body: any) => void][] = [
    ['C3', 'a comment added', (b) => (b.comment = 'RANDOM COMMENT')],
    ['C4', 'the description changed', (b) => (b.description = 'RANDOM DESCRIPTION')],
    ['C5', 'participants added', (b) => b.participant.push(...['location/2', 'Patient/2', 'Practitioner/2'].map((r) => ({ actor: { reference: r }, status: 'declined' })))],
    ['C6', 'appointmentType.text set', (b) => (b.appointmentType = { text: 'RANDOM TYPE TEXT' })],
    ['C23', 'the booking-organisation reference made absolute', (b) => {
      b.extension = [...b.extension.filter((e: any) => e.url !== bookingOrgExtension), { url: bookingOrgExtension, valueReference: { reference: absoluteBookingOrgReference } }];
    }],
    ['C24', 'the three absolute participants of M19', (b) => b.participant.push(...structuredClone(absoluteParticipants))],
    ['cancel page', 'priority set', (b) => (b.priority = 1)],
    ['cancel page', 'start moved', (b) => (b.start = new Date(Date.parse(b.start) + 600_000).toISOString())],
    ['cancel page', 'a slot added', (b) => b.slot.push({ reference: 'Slot/1' })],
    ['cancel page', 'status left booked', (b) => (b.status = 'booked')],
    ['cancel page', 'status noshow', (b) => (b.status = 'noshow')],
    ['cancel page', 'the reason sent twice', (b) => b.extension.push({ url: cancellationReasonUrl, valueString: 'again' })],
    ['cancel page', 'the contained organisation changed', (b) => (b.contained[0].telecom[0].value = '01234567890')],
  ];
  for (const [rule, what, change] of refusals) {
    it(`${rule} cancel with ${what} ⇒ 422 INVALID_RESOURCE; nothing stored, the slot still held`, async () => {
      const { appointment, slots } = await bookOne(p(), '7');
      const body = cancelBody(appointment);
      change(body);
      assertOutcome(await cancel(p(), body), 422, 'INVALID_RESOURCE');
      const row = await appointmentRow(p(), appointment.id);
      assert.deepEqual([row.status, row.cancellation_reason, row.version], ['booked', null, 1]);
      assert.deepEqual(await slotState(p(), slots[0].id).then((s) => [s.status, s.live]), ['busy', 1]);
    });
  }

  it('M19 (configured as a cancel) status cancelled, reason, and the three participants replaced by absolute ones ⇒ 422 INVALID_RESOURCE', async () => {
    const { appointment } = await bookOne(p(), '8');
    const body = cancelBody(appointment);
    body.participant = structuredClone(absoluteParticipants);
    assertOutcome(await cancel(p(), body), 422, 'INVALID_RESOURCE');
  });

  for (const format of ['json', 'xml'] as const) {
    it(`C7 _format=${format}: 200, the cancelled Appointment in ${format}`, async () => {
      const { appointment } = await bookOne(p(), '13');
      const res = await cancel(p(), cancelBody(appointment), { query: `?_format=${format}` });
      assertOk(res, 'Appointment', format);
      assertCancelledCopy(res.json, appointment, 'double booked');
    });
  }

  for (const accept of [fhirJson, fhirXml]) {
    it(`C8 Accept ${accept}: 200 in that format`, async () => {
      const { appointment } = await bookOne(p(), '16');
      const res = await cancel(p(), cancelBody(appointment), { headers: { Accept: accept } });
      assertOk(res, 'Appointment', accept);
      assert.equal(res.json.status, 'cancelled');
    });
  }

  for (const [accept, format] of [[fhirJson, fhirJson], [fhirJson, fhirXml], [fhirXml, fhirJson], [fhirXml, fhirXml]] as const) {
    it(`C9 Accept ${accept} and _format=${format}: _format wins`, async () => {
      const { appointment } = await bookOne(p(), '17');
      const res = await cancel(p(), cancelBody(appointment), { headers: { Accept: accept }, query: `?_format=${encodeURIComponent(format)}` });
      assertOk(res, 'Appointment', formatOf(format));
      assert.equal(extensionOf(res.json, cancellationReasonUrl).valueString, 'double booked');
    });
  }

  for (const bodyFormat of ['json', 'xml'] as const) {
    for (const format of [fhirJson, fhirXml]) {
      it(`C10 a ${bodyFormat} request body, _format=${format}: 200 in the _format`, async () => {
        const { appointment } = await bookOne(p(), '1');
        const res = await cancel(p(), cancelBody(appointment), { bodyFormat, headers: { Accept: fhirJson }, query: `?_format=${encodeURIComponent(format)}` });
        assertOk(res, 'Appointment', format);
        assertCancelledCopy(res.json, appointment, 'double booked');
      });
    }
  }

  for (const reason of ['Test cancellation reason 1', 'test reason for cancel 2']) {
    it(`C11 the reason "${reason}" is returned and stored as sent`, async () => {
      const { appointment } = await bookOne(p(), '2');
      const res = await cancel(p(), cancelBody(appointment, reason));
      assert.equal(extensionOf(res.json, cancellationReasonUrl).valueString, reason);
      assert.equal((await appointmentRow(p(), appointment.id)).cancellation_reason, reason);
    });
  }

  for (const [what, extension] of [
    ['an empty url', { url: '', valueString: 'Too busy' }],
    ['no url', { valueString: 'Too busy' }],
    ['a misspelt url', { url: 'http://fhir.nhs.uk/StructuraeDefinition/extension-gpconnect-appointment-cancellation-reason-1-010', valueString: 'Too busy' }],
  ] as const) {
    it(`C12 the reason extension with ${what} ⇒ 422 INVALID_RESOURCE`, async () => {
      const { appointment } = await bookOne(p(), '3');
      const body = cancelBody(appointment);
      body.extension = [...body.extension.filter((e: any) => e.url !== cancellationReasonUrl), extension];
      assertOutcome(await cancel(p(), body), 422, 'INVALID_RESOURCE');
      assert.equal((await appointmentRow(p(), appointment.id)).status, 'booked');
    });
  }

  for (const [what, reason] of [['""', ''], ['no value', null], ['blanks', '   ']] as const) {
    it(`C13/C21 the reason extension with ${what} ⇒ 422 INVALID_PARAMETER (no-store); the slot still held`, async () => {
      const { appointment, slots } = await bookOne(p(), '4');
      assertOutcome(await cancel(p(), cancelBody(appointment, reason)), 422, 'INVALID_PARAMETER');
      assert.equal((await appointmentRow(p(), appointment.id)).status, 'booked');
      assert.equal((await slotState(p(), slots[0].id)).status, 'busy');
    });
  }

  it('C13 (XML) an empty reason in an XML body ⇒ 422 INVALID_PARAMETER', async () => {
    const { appointment } = await bookOne(p(), '4');
    assertOutcome(await cancel(p(), cancelBody(appointment, ''), { bodyFormat: 'xml' }), 422, 'INVALID_PARAMETER');
  });

  it('cancel page: no cancellation reason at all ⇒ 422 INVALID_RESOURCE', async () => {
    const { appointment } = await bookOne(p(), '5');
    const body = cancelBody(appointment);
    body.extension = body.extension.filter((e: any) => e.url !== cancellationReasonUrl);
    assertOutcome(await cancel(p(), body), 422, 'INVALID_RESOURCE');
  });

  it('C14 If-Match W/"<booking versionId>" ⇒ 200', async () => {
    const { appointment } = await bookOne(p(), '6');
    const res = await cancel(p(), cancelBody(appointment), { headers: { 'If-Match': `W/"${appointment.meta.versionId}"` } });
    assertOk(res, 'Appointment');
    assert.equal(res.json.status, 'cancelled');
  });

  it('C15 If-Match W/"invalidEtag" ⇒ 409 FHIR_CONSTRAINT_VIOLATION; nothing stored, the slot still held', async () => {
    const { appointment, slots } = await bookOne(p(), '7');
    assertOutcome(await cancel(p(), cancelBody(appointment), { headers: { 'If-Match': 'W/"invalidEtag"' } }), 409, 'FHIR_CONSTRAINT_VIOLATION');
    assert.equal((await appointmentRow(p(), appointment.id)).status, 'booked');
    assert.equal((await slotState(p(), slots[0].id)).status, 'busy');
  });

  it('C16 Prefer return=representation: 200 with the cancelled Appointment and a body', async () => {
    const { appointment } = await bookOne(p(), '8');
    const res = await cancel(p(), cancelBody(appointment), { headers: { Prefer: 'return=representation' } });
    assertOk(res, 'Appointment');
    assert.ok(res.text.length > 0);
    assertCancelledCopy(res.json, appointment, 'double booked');
  });

  it('C17 Prefer return=minimal: 200, an empty body without a FHIR Content-Type; cancelled and the slot freed', async () => {
    const { appointment, slots } = await bookOne(p(), '13');
    const res = await cancel(p(), cancelBody(appointment), { headers: { Prefer: 'return=minimal' } });
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
    assert.doesNotMatch(String(res.headers['content-type'] ?? ''), /fhir/);
    assertNoStore(res);
    const row = await appointmentRow(p(), appointment.id);
    assert.equal(row.status, 'cancelled');
    assert.equal(res.headers.etag, `W/"${row.version}"`);
    assert.equal((await slotState(p(), slots[0].id)).status, 'free');
  });

  for (const patientId of ['1', '2']) {
    it(`C18 patient${patientId}: the cancelled appointment has a new versionId`, async () => {
      const { appointment } = await bookOne(p(), patientId);
      const a = (await cancel(p(), cancelBody(appointment))).json;
      assert.notEqual(a.meta.versionId, appointment.meta.versionId);
      assert.equal(String((await appointmentRow(p(), appointment.id)).version), a.meta.versionId);
    });
  }

  it('C20 a successful cancel is not cached (no-store)', async () => {
    const { appointment } = await bookOne(p(), '16');
    assertOk(await cancel(p(), cancelBody(appointment)), 'Appointment');
  });

  it('C22 the cancel body re-sent with the update (amend) interaction after cancelling ⇒ 422 INVALID_RESOURCE, not 409', async () => {
    const { appointment } = await bookOne(p(), '17');
    const body = cancelBody(appointment);
    assert.equal((await cancel(p(), body)).status, 200);
    assertOutcome(await amend(p(), body), 422, 'INVALID_RESOURCE');
    // Even naming the current version: a cancelled appointment cannot be amended.
    const version = (await appointmentRow(p(), appointment.id)).version;
    assertOutcome(await amend(p(), { ...body, description: 'x' }, { headers: { 'If-Match': `W/"${version}"` } }), 422, 'INVALID_RESOURCE');
    assert.equal((await appointmentRow(p(), appointment.id)).version, version);
  });

  it('cancelling a cancelled appointment ⇒ 422 INVALID_RESOURCE, and its slot is not freed twice', async () => {
    const { appointment, slots } = await bookOne(p(), '1');
    assert.equal((await cancel(p(), cancelBody(appointment))).status, 200);
    const freed = await slotState(p(), slots[0].id);
    const cancelled = (await readAppointment(p(), appointment.id)).json;
    assertOutcome(await cancel(p(), cancelBody(appointment, 'again')), 422, 'INVALID_RESOURCE');
    assertOutcome(await cancel(p(), { ...cancelled }), 422, 'INVALID_RESOURCE');
    assert.deepEqual(await slotState(p(), slots[0].id), freed);
    assert.equal((await appointmentRow(p(), appointment.id)).cancellation_reason, 'double booked');
  });

  it('a second appointment in the freed slot is not touched when the first is cancelled again', async () => {
    const { appointment, slots } = await bookOne(p(), '2');
    assert.equal((await cancel(p(), cancelBody(appointment))).status, 200);
    const found = await searchFreeSlots(p());
    const rebooked = await book(p(), bookingBody(found, found.slots.find((s) => s.id === slots[0].id), '3'));
    assert.equal(rebooked.status, 201);
    assertOutcome(await cancel(p(), cancelBody(appointment)), 422, 'INVALID_RESOURCE');
    assert.deepEqual(await slotState(p(), slots[0].id).then((s) => [s.status, s.live]), ['busy', 1]);
  });

  it('C25/C26 a day-2 appointment cancelled with "Test-Cancel-Reason": C1\'s checks, serviceCategory and serviceType kept', async () => {
    const { appointment } = await bookOne(p(), '1', { fromDay: 2, days: 1 });
    const a = (await cancel(p(), cancelBody(appointment, 'Test-Cancel-Reason'))).json;
    assertCancelledCopy(a, appointment, 'Test-Cancel-Reason');
    assert.ok(a.serviceCategory?.text, '[SC]');
    assert.deepEqual(a.serviceCategory, appointment.serviceCategory);
  });

  it('C27 serviceCategory and serviceType left out of the cancel body ⇒ 200, serviceType still returned', async () => {
    const { appointment } = await bookOne(p(), '1', { fromDay: 2, days: 1 });
    const body = cancelBody(appointment, 'Test-Cancel-Reason');
    delete body.serviceCategory;
    delete body.serviceType;
    const a = (await cancel(p(), body)).json;
    assertCancelledCopy(a, appointment, 'Test-Cancel-Reason');
  });

  it('the derived DeliveryChannel and PractitionerRole extensions left out ⇒ 200, still returned', async () => {
    const { appointment } = await bookOne(p(), '3');
    const body = cancelBody(appointment);
    body.extension = body.extension.filter((e: any) => e.url === bookingOrgExtension || e.url === cancellationReasonUrl);
    assertCancelledCopy((await cancel(p(), body)).json, appointment, 'double booked');
  });

  it('the id in the body is not the URL\'s ⇒ 422 INVALID_RESOURCE; an unknown id ⇒ 404 NO_RECORD_FOUND', async () => {
    const { appointment } = await bookOne(p(), '4');
    assertOutcome(await cancel(p(), cancelBody(appointment), { id: '999999' }), 422, 'INVALID_RESOURCE');
    assertOutcome(await cancel(p(), { ...cancelBody(appointment), id: '999999' }), 404, 'NO_RECORD_FOUND');
    assert.equal((await appointmentRow(p(), appointment.id)).status, 'booked');
  });

  it('cancel page: an appointment that has started ⇒ 422 INVALID_RESOURCE; its slot stays held', async () => {
    const { appointment, slots } = await bookOne(p(), '5');
    await moveAppointment(p(), appointment.id, new Date(Date.now() - 60_000));
    const stored = new Date((await appointmentRow(p(), appointment.id)).start_at);
    const body = cancelBody(appointment);
    body.start = stored.toISOString();
    body.end = new Date(stored.getTime() + 3_600_000).toISOString();
    assertOutcome(await cancel(p(), body), 422, 'INVALID_RESOURCE');
    assert.equal((await slotState(p(), slots[0].id)).status, 'busy');
  });

  it('appointments IG: a sensitive (S-flag) patient\'s appointment ⇒ 404 PATIENT_NOT_FOUND', async () => {
    const { appointment } = await bookOne(p(), '6');
    await whileSensitive(p(), '6', async () => assertOutcome(await cancel(p(), cancelBody(appointment)), 404, 'PATIENT_NOT_FOUND'));
    assert.equal((await appointmentRow(p(), appointment.id)).status, 'booked');
  });
});
