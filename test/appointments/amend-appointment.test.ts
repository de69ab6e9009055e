import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore } from '../harness/provider.ts';
import { assertAppointment, assertNoStore, assertOk, assertOutcome, fhirJson, fhirXml, formatOf, xmlType } from '../harness/assertions.ts';
import { auditRowsFor } from '../http/_support.ts';
import { bookingOrgExtension, deliveryChannelExtension, practitionerRoleExtension } from './booking.ts';
import {
  absoluteBookingOrgReference, amend, amendBody, appointmentRow, bookOne, cancellationReasonUrl, moveAppointment, roundTrip, whileSensitive, withOffset,
} from './manage.ts';

/**
 * AppointmentAmend.feature (suite checklist §5 M1–M21, §8.4 bodies) and the amend page (spec digest
 * §5): the body is the provider's own Appointment re-sent with description and/or comment changed;
 * any other change, a cancelled or past appointment ⇒ 422 INVALID_RESOURCE; If-Match mismatch ⇒ 409.
 */
describeOnEachStore('Appointment amend', (provider) => {
  const p = () => provider();

  /** Everything but meta and the amended elements is as booked. */
  const assertOnlyChanged = (after: any, before: any, changed: string[]) => {
    const strip = (a: any) => Object.fromEntries(Object.entries(a).filter(([k]) => k !== 'meta' && !changed.includes(k)));
    assert.deepEqual(strip(after), strip(before));
  };

  for (const patientId of ['1', '2', '3']) {
    it(`M1 patient${patientId}: description changed ⇒ 200, the new description, a new version, nothing else changed`, async () => {
      const { appointment } = await bookOne(p(), patientId);
      const res = await amend(p(), amendBody(appointment, { description: 'customDescription' }));
      assertOk(res, 'Appointment');
      const a = assertAppointment(res.json);
      assert.equal(a.description, 'customDescription');
      assert.notEqual(a.meta.versionId, appointment.meta.versionId, 'a new versionId');
      assert.equal(res.headers.etag, `W/"${a.meta.versionId}"`);
      assertOnlyChanged(a, appointment, ['description']);
      const row = await appointmentRow(p(), appointment.id);
      assert.equal(row.description, 'customDescription');
      assert.equal(String(row.version), a.meta.versionId);
    });
  }

  it('M2 an amended appointment keeps its DeliveryChannel and PractitionerRole extensions', async () => {
    const { appointment } = await bookOne(p(), '4');
    const a = assertAppointment((await amend(p(), amendBody(appointment, { comment: 'a comment' }))).json);
    assert.deepEqual(a.extension, appointment.extension);
  });

  it('M3 priority set to 1 ⇒ 422 INVALID_RESOURCE, nothing stored', async () => {
    const { appointment } = await bookOne(p(), '5');
    assertOutcome(await amend(p(), amendBody(appointment, { priority: 1, description: 'changed too' })), 422, 'INVALID_RESOURCE');
    const row = await appointmentRow(p(), appointment.id);
    assert.equal(row.priority, null);
    assert.equal(row.description, 'Default Description');
    assert.equal(row.version, 1);
  });

  for (const format of ['json', 'xml'] as const) {
    it(`M4 _format=${format}: 200, the amended Appointment in ${format}`, async () => {
      const { appointment } = await bookOne(p(), '6');
      const res = await amend(p(), amendBody(appointment, { description: 'customDescription' }), { query: `?_format=${format}` });
      assertOk(res, 'Appointment', format);
      assert.equal(res.json.description, 'customDescription');
    });
  }

  for (const accept of [fhirJson, fhirXml]) {
    it(`M5 Accept ${accept}: 200 in that format`, async () => {
      const { appointment } = await bookOne(p(), '7');
      const res = await amend(p(), amendBody(appointment, { description: 'customDescription' }), { headers: { Accept: accept } });
      assertOk(res, 'Appointment', accept);
      assert.equal(assertAppointment(res.json).description, 'customDescription');
    });
  }

  for (const [accept, format] of [[fhirJson, fhirJson], [fhirJson, fhirXml], [fhirXml, fhirJson], [fhirXml, fhirXml]] as const) {
    it(`M6 an unchanged body (Accept ${accept}, _format=${format}) ⇒ 200 in the _format`, async () => {
      const { appointment } = await bookOne(p(), '8');
      const res = await amend(p(), amendBody(appointment), { headers: { Accept: accept }, query: `?_format=${encodeURIComponent(format)}` });
      assertOk(res, 'Appointment', formatOf(format));
      assertOnlyChanged(assertAppointment(res.json), appointment, []);
    });
  }

  it('an XML request body (the suite\'s XML serialisation of the Appointment) is amended', async () => {
    const { appointment } = await bookOne(p(), '13');
    const res = await amend(p(), amendBody(appointment, { comment: 'sent as XML' }), { bodyFormat: 'xml', headers: { Accept: fhirXml } });
    assertOk(res, 'Appointment', xmlType);
    assert.equal(res.json.comment, 'sent as XML');
    assert.equal((await appointmentRow(p(), appointment.id)).comment, 'sent as XML');
  });

  it('M7 Prefer return=representation: 200 with the Appointment, Content-Type and a body', async () => {
    const { appointment } = await bookOne(p(), '16');
    const res = await amend(p(), amendBody(appointment, { comment: 'customComment' }), { headers: { Prefer: 'return=representation' } });
    assertOk(res, 'Appointment');
    assert.ok(res.text.length > 0);
    assert.equal(res.json.comment, 'customComment');
  });

  it('M8 Prefer return=minimal: 200, an empty body without a FHIR Content-Type (suite §9 Q9), the change stored', async () => {
    const { appointment } = await bookOne(p(), '17');
    const res = await amend(p(), amendBody(appointment, { comment: 'minimal' }), { headers: { Prefer: 'return=minimal' } });
    assert.equal(res.status, 200);
    assert.equal(res.text, '');
    assert.doesNotMatch(String(res.headers['content-type'] ?? ''), /fhir/);
    assertNoStore(res);
    const row = await appointmentRow(p(), appointment.id);
    assert.equal(row.comment, 'minimal');
    assert.equal(res.headers.etag, `W/"${row.version}"`);
  });

  it('M9 If-Match W/"invalidEtag" ⇒ 409 FHIR_CONSTRAINT_VIOLATION, nothing stored', async () => {
    const { appointment } = await bookOne(p(), '1');
    const res = await amend(p(), amendBody(appointment, { comment: 'customComment' }), { headers: { 'If-Match': 'W/"invalidEtag"' } });
    assertOutcome(res, 409, 'FHIR_CONSTRAINT_VIOLATION');
    const row = await appointmentRow(p(), appointment.id);
    assert.equal(row.comment, null);
    assert.equal(row.version, 1);
  });

  it('M10 If-Match W/"<current versionId>" ⇒ 200', async () => {
    const { appointment } = await bookOne(p(), '2');
    const res = await amend(p(), amendBody(appointment, { description: 'customDescription' }), { headers: { 'If-Match': `W/"${appointment.meta.versionId}"` } });
    assertOk(res, 'Appointment');
    assert.equal(res.json.description, 'customDescription');
  });

  it('general API guidance (resource contention): If-Match of the version before the last amend ⇒ 409', async () => {
    const { appointment } = await bookOne(p(), '3');
    const first = await amend(p(), amendBody(appointment, { description: 'first' }), { headers: { 'If-Match': `W/"${appointment.meta.versionId}"` } });
    assert.equal(first.status, 200);
    const second = await amend(p(), amendBody(first.json, { description: 'second' }), { headers: { 'If-Match': `W/"${appointment.meta.versionId}"` } });
    assertOutcome(second, 409, 'FHIR_CONSTRAINT_VIOLATION');
    assert.equal((await appointmentRow(p(), appointment.id)).description, 'first');
    // The strong form of the current version is accepted too.
    assert.equal((await amend(p(), amendBody(first.json, { description: 'third' }), { headers: { 'If-Match': `"${first.json.meta.versionId}"` } })).status, 200);
  });

  it('M11 resourceType InvalidResourceType ⇒ 422 INVALID_RESOURCE', async () => {
    const { appointment } = await bookOne(p(), '4');
    assertOutcome(await amend(p(), amendBody(appointment, { resourceType: 'InvalidResourceType', comment: 'c' })), 422, 'INVALID_RESOURCE');
  });

  for (const status of ['noshow', 'cancelled', 'arrived']) {
    it(`M12/M15 status ${status} ⇒ 422 INVALID_RESOURCE (no-store)`, async () => {
      const { appointment } = await bookOne(p(), '5');
      assertOutcome(await amend(p(), amendBody(appointment, { status })), 422, 'INVALID_RESOURCE');
      assert.equal((await appointmentRow(p(), appointment.id)).status, 'booked');
    });
  }

  it('M14 a successful amend is not cached (no-store)', async () => {
    const { appointment } = await bookOne(p(), '6');
    assertOk(await amend(p(), amendBody(appointment, { description: 'customDescription' })), 'Appointment');
  });

  it('M16 a cancellation-reason extension added ⇒ 422 INVALID_RESOURCE', async () => {
    const { appointment } = await bookOne(p(), '7');
    const body = amendBody(appointment);
    body.extension.push({ url: cancellationReasonUrl, valueString: 'double booked' });
    assertOutcome(await amend(p(), body), 422, 'INVALID_RESOURCE');
    assert.equal((await appointmentRow(p(), appointment.id)).cancellation_reason, null);
  });

  it('M17 description and comment both changed ⇒ 200 with both', async () => {
    const { appointment } = await bookOne(p(), '8');
    const a = assertAppointment((await amend(p(), amendBody(appointment, { description: 'customDescription', comment: 'customComment' }))).json);
    assert.equal(a.description, 'customDescription');
    assert.equal(a.comment, 'customComment');
    assertOnlyChanged(a, appointment, ['description', 'comment']);
  });

  it('a comment left out of the body is removed', async () => {
    const { appointment } = await bookOne(p(), '13', { change: (b) => (b.comment = 'booked with a comment') });
    const a = (await amend(p(), amendBody(appointment, { comment: undefined }))).json;
    assert.equal(a.comment, undefined);
    assert.equal((await appointmentRow(p(), appointment.id)).comment, null);
  });

  it('amend page: description and comment are stored and returned untruncated (beyond the 100/500 character guidance)', async () => {
    const { appointment } = await bookOne(p(), '16');
    const description = 'd'.repeat(150);
    const comment = 'c'.repeat(700);
    const a = (await amend(p(), amendBody(appointment, { description, comment }))).json;
    assert.equal(a.description, description);
    assert.equal(a.comment, comment);
  });

  for (const description of [undefined, '', '   ']) {
    it(`profile: description ${JSON.stringify(description)} (1..1) ⇒ 422 INVALID_RESOURCE`, async () => {
      const { appointment } = await bookOne(p(), '17');
      assertOutcome(await amend(p(), amendBody(appointment, { description })), 422, 'INVALID_RESOURCE');
    });
  }

  it('M18 the booking-organisation reference made absolute ⇒ 422 INVALID_RESOURCE', async () => {
    const { appointment } = await bookOne(p(), '1');
    const body = amendBody(appointment);
    body.extension = [...body.extension.filter((e: any) => e.url !== bookingOrgExtension), { url: bookingOrgExtension, valueReference: { reference: absoluteBookingOrgReference } }];
    assertOutcome(await amend(p(), body), 422, 'INVALID_RESOURCE');
  });

  it('M20 booked with the consumer\'s own serviceCategory/serviceType (ignored); the returned ones re-sent with description and comment changed ⇒ 200', async () => {
    const { appointment } = await bookOne(p(), '1', {
      fromDay: 2, days: 1,
      change: (b) => { b.serviceCategory = { text: 'Test-ServiceCategory' }; b.serviceType = [{ text: 'Test-ServiceType' }]; },
    });
    assert.notEqual(appointment.serviceCategory.text, 'Test-ServiceCategory', 'the provider\'s values, not the consumer\'s');
    const a = assertAppointment((await amend(p(), amendBody(appointment, { description: 'TestChangedDescription', comment: 'TestChangedComment' }))).json);
    assert.equal(a.comment, 'TestChangedComment');
    assert.ok(a.description.includes('TestChangedDescription'));
    assert.deepEqual(a.serviceCategory, appointment.serviceCategory);
  });

  it('M21 serviceCategory and serviceType left out (derived: absent means unchanged) ⇒ 200, still returned', async () => {
    const { appointment } = await bookOne(p(), '1', { fromDay: 2, days: 1 });
    const a = assertAppointment((await amend(p(), amendBody(appointment, { serviceCategory: undefined, serviceType: undefined, description: 'TestChangedDescription', comment: 'TestChangedComment' }))).json);
    assert.equal(a.comment, 'TestChangedComment');
    assert.deepEqual(a.serviceType, appointment.serviceType);
    assert.deepEqual(a.serviceCategory, appointment.serviceCategory);
  });

  it('spec digest §5: the DeliveryChannel and PractitionerRole extensions left out (as in the spec\'s amend example) ⇒ 200, still returned', async () => {
    const { appointment } = await bookOne(p(), '2');
    const body = amendBody(appointment, { description: 'no derived extensions' });
    body.extension = body.extension.filter((e: any) => e.url === bookingOrgExtension);
    const a = assertAppointment((await amend(p(), body)).json);
    assert.deepEqual(a.extension, appointment.extension);
  });

  const changes: [string, (body: any) => void][] = [
    ['serviceType sent with another text', (b) => (b.serviceType = [{ text: 'Something else' }])],
    ['the DeliveryChannel sent with another code', (b) => (b.extension.find((e: any) => e.url === deliveryChannelExtension).valueCode = b.extension.find((e: any) => e.url === deliveryChannelExtension).valueCode === 'Video' ? 'Telephone' : 'Video')],
    ['the PractitionerRole sent with another code', (b) => (b.extension.find((e: any) => e.url === practitionerRoleExtension).valueCodeableConcept.coding[0].code = 'R9999')],
    ['start a minute later', (b) => (b.start = new Date(Date.parse(b.start) + 60_000).toISOString())],
    ['end a minute later', (b) => (b.end = new Date(Date.parse(b.end) + 60_000).toISOString())],
    ['created a day earlier', (b) => (b.created = new Date(Date.parse(b.created) - 86_400_000).toISOString())],
    ['start not a dateTime', (b) => (b.start = 'tomorrow')],
    ['another slot', (b) => (b.slot = [{ reference: 'Slot/1' }])],
    ['a participant\'s status', (b) => (b.participant[0].status = 'declined')],
    ['a participant added', (b) => b.participant.push({ actor: { reference: 'Practitioner/2' }, status: 'accepted' })],
    ['the Patient participant made absolute', (b) => (b.participant[0].actor.reference = `https://test1.supplier.thirdparty.nhs.uk/A11111/STU3/1/GPConnect/${b.participant[0].actor.reference}`)],
    ['the booking organisation\'s name', (b) => (b.contained[0].name = 'Another name')],
    ['an identifier added', (b) => (b.identifier = [{ system: 'https://fhir.nhs.uk/Id/gpconnect-appointment-identifier', value: '1' }])],
    ['appointmentType added', (b) => (b.appointmentType = { text: 'RANDOM TYPE TEXT' })],
    ['minutesDuration added', (b) => (b.minutesDuration = 10)],
    ['an unknown extension added', (b) => b.extension.push({ url: 'https://example.org/ext', valueString: 'x' })],
    ['created left out', (b) => delete b.created],
    ['participant left out', (b) => delete b.participant],
  ];
  for (const [what, change] of changes) {
    it(`amend page: anything but description and comment changed (${what}) ⇒ 422 INVALID_RESOURCE`, async () => {
      const { appointment } = await bookOne(p(), '3');
      const body = amendBody(appointment, { description: 'allowed change' });
      change(body);
      assertOutcome(await amend(p(), body), 422, 'INVALID_RESOURCE');
      const row = await appointmentRow(p(), appointment.id);
      assert.equal(row.version, 1);
      assert.equal(row.description, 'Default Description');
    });
  }

  it('suite §8.4: instants re-formatted (UTC offset, seven fractional digits) and keys reordered are not changes', async () => {
    const { appointment } = await bookOne(p(), '4');
    const body = amendBody(appointment, { description: 'reformatted' });
    body.start = withOffset(appointment.start, 330);
    body.end = withOffset(appointment.end, -300).replace(/(:\d{2})([+-])/, '$1.0000000$2');
    assert.notEqual(body.start, appointment.start, 'the test re-formats start');
    assert.notEqual(body.created, appointment.created, 'the test re-formats created');
    body.contained[0] = Object.fromEntries(Object.entries(body.contained[0]).reverse());
    assertOk(await amend(p(), body), 'Appointment');
  });

  it('the id in the body is not the URL\'s, or is missing ⇒ 422 INVALID_RESOURCE', async () => {
    const { appointment } = await bookOne(p(), '5');
    const other = await bookOne(p(), '5');
    assertOutcome(await amend(p(), amendBody(appointment, { description: 'x' }), { id: other.appointment.id }), 422, 'INVALID_RESOURCE');
    assertOutcome(await amend(p(), amendBody(appointment, { id: undefined }), { id: appointment.id }), 422, 'INVALID_RESOURCE');
    assert.equal((await appointmentRow(p(), other.appointment.id)).version, 1);
  });

  it('an unknown appointment ⇒ 404 NO_RECORD_FOUND', async () => {
    const { appointment } = await bookOne(p(), '6');
    assertOutcome(await amend(p(), amendBody(appointment, { id: '999999' })), 404, 'NO_RECORD_FOUND');
  });

  it('amend page: an appointment that has started ⇒ 422 INVALID_RESOURCE', async () => {
    const { appointment } = await bookOne(p(), '7');
    await moveAppointment(p(), appointment.id, new Date(Date.now() - 60_000));
    const stored = (await appointmentRow(p(), appointment.id)).start_at;
    const body = amendBody(appointment, { description: 'too late' });
    body.start = new Date(stored).toISOString();
    body.end = new Date(new Date(stored).getTime() + 3_600_000).toISOString();
    assertOutcome(await amend(p(), body), 422, 'INVALID_RESOURCE');
    assert.equal((await appointmentRow(p(), appointment.id)).description, 'Default Description');
  });

  it('appointments IG: a sensitive (S-flag) patient\'s appointment ⇒ 404 PATIENT_NOT_FOUND', async () => {
    const { appointment } = await bookOne(p(), '8');
    await whileSensitive(p(), '8', async () => assertOutcome(await amend(p(), amendBody(appointment, { description: 'x' })), 404, 'PATIENT_NOT_FOUND'));
    assert.equal((await appointmentRow(p(), appointment.id)).version, 1);
  });

  it('the amend and its audit row commit together; the row names the patient', async () => {
    const { appointment } = await bookOne(p(), '13');
    const traceId = crypto.randomUUID();
    assert.equal((await amend(p(), amendBody(appointment, { description: 'audited' }), { headers: { 'Ssp-TraceID': traceId } })).status, 200);
    const rows = await auditRowsFor(p(), traceId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.patient_id, '13');
    assert.equal(rows[0]!.http_status, 200);
  });

  it('a second amend builds on the first: the returned Appointment re-sent with another change ⇒ 200, version 3', async () => {
    const { appointment } = await bookOne(p(), '16');
    const first = (await amend(p(), amendBody(appointment, { description: 'one' }))).json;
    const second = await amend(p(), roundTrip({ ...first, comment: 'two' }), { headers: { 'If-Match': `W/"${first.meta.versionId}"` } });
    assertOk(second, 'Appointment');
    assert.equal(second.json.meta.versionId, '3');
    assert.equal(second.json.description, 'one');
    assert.equal(second.json.comment, 'two');
  });
});
