import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore } from '../harness/provider.ts';
import { assertAppointment, assertNoStore, assertOk, assertOutcome, fhirJson, fhirXml, formatOf, jsonType, xmlType } from '../harness/assertions.ts';
import { auditRowsFor } from '../http/_support.ts';
import { deliveryChannelExtension, practitionerRoleExtension } from './booking.ts';
import { bookOne, cancel, cancelBody, extensionOf, moveAppointment, readAppointment, whileSensitive } from './manage.ts';

/**
 * AppointmentRead.feature (suite checklist §3 R1–R12, checks §7.4) and the read page (spec digest
 * §3): any future appointment of the practice; unknown ids 404; a past one is an error.
 */
describeOnEachStore('Appointment read', (provider) => {
  const p = () => provider();
  const read = (id: string, extra = '', headers?: Record<string, string | undefined>) => readAppointment(p(), id, extra, headers);
  /** [Future]: the start date, in its own offset, is not before the UTC date today. */
  const assertFuture = (a: any) => assert.ok(a.start.slice(0, 10) >= new Date().toISOString().slice(0, 10), `[Future] ${a.start}`);

  for (const patientId of ['1', '2', '3']) {
    it(`R1 patient${patientId}'s booked appointment reads back as booked: 200, the same Appointment`, async () => {
      const { appointment } = await bookOne(p(), patientId);
      const res = await read(appointment.id);
      assertOk(res, 'Appointment');
      const a = assertAppointment(res.json);
      assertFuture(a);
      assert.equal(a.id, appointment.id);
      assert.equal(a.status, 'booked');
      assert.deepEqual(a, appointment, 'the read is the booking response');
      assert.ok(a.participant.some((x: any) => x.actor.reference === `Patient/${patientId}`));
    });
  }

  it('R2 (suite §9 Q2) an appointment booked without DeliveryChannel/PractitionerRole reads back with both, from the slot and schedule', async () => {
    const { appointment, slots, found } = await bookOne(p(), '1');
    const a = assertAppointment((await read(appointment.id)).json);
    assert.equal(extensionOf(a, deliveryChannelExtension).valueCode, slots[0].extension.find((e: any) => e.url === deliveryChannelExtension).valueCode);
    const schedule = found.schedules.get(slots[0].schedule.reference.replace('Schedule/', ''));
    const scheduleRole = extensionOf(schedule, practitionerRoleExtension).valueCodeableConcept.coding[0].code;
    assert.equal(extensionOf(a, practitionerRoleExtension).valueCodeableConcept.coding[0].code, scheduleRole);
  });

  it('R3 booked under another JWT organisation (X12345): the contained booking organisation is still B82617', async () => {
    const claims = { requesting_organization: { resourceType: 'Organization', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'X12345' }], name: 'GP Connect Assurance' } };
    const { appointment } = await bookOne(p(), '1', { claims });
    const a = assertAppointment((await read(appointment.id)).json);
    for (const org of a.contained) assert.equal(org.identifier[0].value, 'B82617');
  });

  for (const id of ['Invalid4321', '8888888888', '555555']) {
    it(`R4/R9 an unknown appointment id (${id}) ⇒ 404 NO_RECORD_FOUND, JSON`, async () => {
      await bookOne(p(), '1');
      assertOutcome(await read(id), 404, 'NO_RECORD_FOUND');
    });
  }

  it('R4 no id (GET Appointment/) ⇒ 404 NO_RECORD_FOUND', async () => {
    assertOutcome(await read(''), 404, 'NO_RECORD_FOUND');
  });

  it('an id FHIR cannot have (65 characters, SQL, underscore) ⇒ 404 NO_RECORD_FOUND', async () => {
    for (const id of ['1'.repeat(65), encodeURIComponent("1' OR '1'='1"), '1_0']) assertOutcome(await read(id), 404, 'NO_RECORD_FOUND');
  });

  for (const format of ['json', 'xml'] as const) {
    it(`R5 _format=${format}: 200, the Appointment in ${format}`, async () => {
      const { appointment } = await bookOne(p(), '2');
      const res = await read(appointment.id, `?_format=${encodeURIComponent(format === 'json' ? fhirJson : fhirXml)}`);
      assertOk(res, 'Appointment', format);
      assert.deepEqual(assertAppointment(res.json), appointment, 'the same Appointment whatever the format');
    });
  }

  for (const [accept, format] of [[fhirJson, fhirJson], [fhirJson, fhirXml], [fhirXml, fhirJson], [fhirXml, fhirXml]] as const) {
    it(`R6 Accept ${accept} and _format=${format}: _format wins`, async () => {
      const { appointment } = await bookOne(p(), '3');
      const res = await read(appointment.id, `?_format=${encodeURIComponent(format)}`, { Accept: accept });
      assertOk(res, 'Appointment', formatOf(format));
      assert.equal(res.json.id, appointment.id);
    });
  }

  for (const accept of [fhirJson, fhirXml]) {
    it(`R7 mandatory elements (Accept ${accept}): ETag W/"<versionId>", readable participants, booking organisation`, async () => {
      const { appointment } = await bookOne(p(), '1');
      const res = await read(appointment.id, '', { Accept: accept });
      assertOk(res, 'Appointment', accept);
      const a = assertAppointment(res.json);
      assert.equal(res.headers.etag, `W/"${a.meta.versionId}"`, '[ETag]');
      assert.equal(res.headers['content-type'], accept === fhirXml ? xmlType : jsonType);
      // [PartRes]: every participant resolves through the Foundations reads.
      for (const { actor } of a.participant) {
        const [type, id] = actor.reference.split('/');
        const interaction = ({ Patient: 'readPatient', Location: 'readLocation', Practitioner: 'readPractitioner' } as const)[type as 'Patient'];
        const r = await p().gpc({ path: `/${type}/${id}`, interaction });
        assertOk(r, type!);
      }
    });
  }

  it('R8 a read is not cached (Cache-Control no-store)', async () => {
    const { appointment } = await bookOne(p(), '2');
    const res = await read(appointment.id);
    assert.equal(res.status, 200);
    assertNoStore(res);
  });

  it('R11/R12 a day-2 booking reads back with the schedule\'s serviceCategory.text and the slot\'s serviceType.text', async () => {
    const { appointment, slots, found } = await bookOne(p(), '1', { fromDay: 2, days: 1 });
    const a = assertAppointment((await read(appointment.id)).json);
    const schedule = found.schedules.get(slots[0].schedule.reference.replace('Schedule/', ''));
    assert.ok(schedule.serviceCategory?.text, 'the day-2 schedule has a serviceCategory');
    assert.equal(a.serviceCategory?.text, schedule.serviceCategory.text, '[SC]');
    assert.deepEqual(a.serviceType, [{ text: slots[0].serviceType[0].text }], '[ST]');
  });

  it('read page: an appointment that has started (start before now) ⇒ 422 INVALID_RESOURCE', async () => {
    const { appointment } = await bookOne(p(), '4');
    await moveAppointment(p(), appointment.id, new Date(Date.now() - 60_000));
    assertOutcome(await read(appointment.id), 422, 'INVALID_RESOURCE');
  });

  it('read page: an appointment later today (start after now) is still read', async () => {
    const { appointment } = await bookOne(p(), '4');
    await moveAppointment(p(), appointment.id, new Date(Date.now() + 120_000));
    assertOk(await read(appointment.id), 'Appointment');
  });

  it('a cancelled future appointment reads back cancelled, with its reason and the new version', async () => {
    const { appointment } = await bookOne(p(), '5');
    assert.equal((await cancel(p(), cancelBody(appointment, 'Patient unwell'))).status, 200);
    const res = await read(appointment.id);
    const a = assertAppointment(res.json);
    assert.equal(a.status, 'cancelled');
    assert.equal(extensionOf(a, 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-AppointmentCancellationReason-1').valueString, 'Patient unwell');
    assert.notEqual(a.meta.versionId, appointment.meta.versionId);
    assert.equal(res.headers.etag, `W/"${a.meta.versionId}"`);
  });

  it('appointments IG: a sensitive (S-flag) patient\'s appointment ⇒ 404 PATIENT_NOT_FOUND', async () => {
    const { appointment } = await bookOne(p(), '7');
    await whileSensitive(p(), '7', async () => assertOutcome(await read(appointment.id), 404, 'PATIENT_NOT_FOUND'));
    assertOk(await read(appointment.id), 'Appointment');
  });

  it('another practice cannot read this practice\'s appointment', async () => {
    const { appointment } = await bookOne(p(), '1');
    const res = await p().gpc({ path: `/Appointment/${appointment.id}`, interaction: 'readAppointment', ods: 'GPC002' });
    assert.ok([403, 404].includes(res.status), `status ${res.status}`);
    assert.equal(res.json.resourceType, 'OperationOutcome');
  });

  it('the audit row of a read names the appointment\'s patient', async () => {
    const { appointment } = await bookOne(p(), '6');
    const traceId = crypto.randomUUID();
    assert.equal((await read(appointment.id, '', { 'Ssp-TraceID': traceId })).status, 200);
    const rows = await auditRowsFor(p(), traceId);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.patient_id, '6');
    assert.equal(rows[0]!.appointment_id, appointment.id);
  });
});
