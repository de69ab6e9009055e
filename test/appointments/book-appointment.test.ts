import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeOnEachStore, otherPractice, type GpcResponse, type TestProvider } from '../harness/provider.ts';
import { assertAppointment, assertFormat, assertNoStore, assertOutcome, fhirJson, fhirXml, formatOf, query, systems } from '../harness/assertions.ts';
import {
  book, bookingBody, bookingOrgExtension, channelOf, contiguousPairs, deliveryChannelExtension, practitionerRoleExtension, searchFreeSlots,
  type BodyOptions, type FreeSlots, type SearchOptions,
} from './booking.ts';

/**
 * AppointmentBook.feature (suite checklist §2 B1–B43, checks §7.4–7.5, default body §8.2–8.3, quirks §9)
 * and the spec digest §2 (request rules, processing, errors, response).
 *
 * Every test searches the free slots again and books the first one, as the suite does: a slot an
 * earlier test booked is no longer offered, so each booking takes a slot no other test has taken.
 * A refused booking must leave its slot free, and each refusal test checks that it did.
 */

const interactionCreate = 'urn:nhs:names:services:gpconnect:fhir:rest:create:appointment-1';
const roleSystem = 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1';

interface Booking {
  found: FreeSlots;
  slot: any;
  body: Record<string, any>;
}

/** The suite's booking flow: S14 (or the variant `options` asks for), first free slot, BODY(t, dc, pr) for Patient/`patientId`. */
async function firstFree(p: TestProvider, patientId = '1', options: BodyOptions & SearchOptions = {}): Promise<Booking> {
  const found = await searchFreeSlots(p, options);
  const slot = found.slots[0];
  return { found, slot, body: bookingBody(found, slot, patientId, options) };
}

/** 201 Created with no-store and an Appointment in `format` that passes the §7.4 checks. */
function assertCreated(res: GpcResponse, format = fhirJson): any {
  assert.equal(res.status, 201, `${res.status} ${res.text.slice(0, 400)}`);
  assertNoStore(res);
  assertFormat(res, format, 'Appointment');
  return assertAppointment(res.json);
}

/** The slot's row: its status and how many live appointment_slot rows hold it. */
async function slotState(p: TestProvider, slotId: string, ods = 'B82617'): Promise<{ status: string; live: number }> {
  const rows = await p.db.query<{ status: string; live: number }>(
    `SELECT status, (SELECT count(*) FROM appointment_slot a WHERE a.practice = s.practice AND a.slot_id = s.id AND a.active)::int AS live
     FROM slot s WHERE s.practice = $1 AND s.id = $2`,
    [ods, slotId],
  );
  assert.equal(rows.length, 1, `Slot/${slotId} exists at ${ods}`);
  return rows[0]!;
}
async function assertFree(p: TestProvider, slotIds: string[]): Promise<void> {
  for (const id of slotIds) assert.deepEqual(await slotState(p, id), { status: 'free', live: 0 }, `Slot/${id} is still free`);
}
async function assertBooked(p: TestProvider, slotIds: string[]): Promise<void> {
  for (const id of slotIds) assert.deepEqual(await slotState(p, id), { status: 'busy', live: 1 }, `Slot/${id} is held by exactly one appointment`);
}

const ext = (a: any, url: string) => (a.extension ?? []).filter((e: { url: string }) => e.url === url);

/** [PartRes]: every participant reference reads back as that resource type (fresh read requests, Accept JSON). */
async function assertParticipantsResolve(p: TestProvider, a: any): Promise<void> {
  const reads = { Patient: 'readPatient', Location: 'readLocation', Practitioner: 'readPractitioner' } as const;
  for (const participant of a.participant) {
    const reference: string = participant.actor.reference;
    const type = reference.split('/')[0] as keyof typeof reads;
    const res = await p.gpc({ path: `/${reference}`, interaction: reads[type] });
    assert.equal(res.status, 200, `${reference} reads back: ${res.text.slice(0, 200)}`);
    assert.equal(res.json.resourceType, type);
  }
}

/** FHIR XML for a JSON resource whose keys are already in STU3 element order (the builder's are). */
function toXml(resource: Record<string, any>): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const element = (name: string, value: any): string => {
    if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
    if (value === null || typeof value !== 'object') return `<${name} value="${esc(String(value))}"/>`;
    if (name === 'contained') return `<contained>${resourceXml(value)}</contained>`;
    const { url, ...rest } = value;
    const isExtension = name === 'extension' || name === 'modifierExtension';
    const children = Object.entries(isExtension ? rest : value).map(([k, v]) => element(k, v)).join('');
    return `<${name}${isExtension ? ` url="${esc(url)}"` : ''}>${children}</${name}>`;
  };
  const resourceXml = (r: Record<string, any>, ns = '') => {
    const { resourceType, ...rest } = r;
    return `<${resourceType}${ns}>${Object.entries(rest).map(([k, v]) => element(k, v)).join('')}</${resourceType}>`;
  };
  return `<?xml version="1.0" encoding="utf-8"?>\n${resourceXml(resource, ' xmlns="http://hl7.org/fhir"')}`;
}

/** The schedules of the seeded diary (seed/appointments.json), written out: location and practitioner role. */
const seededSchedules: Record<string, { location: string; practitioner: string; role: string }> = {
  1: { location: 'Location/16', practitioner: 'Practitioner/1', role: 'R0260' },
  2: { location: 'Location/17', practitioner: 'Practitioner/2', role: 'R1480' },
  12: { location: 'Location/16', practitioner: 'Practitioner/1', role: 'R0260' },
};

/** A slot row found or made with SQL, as the fields a booking body copies. */
interface SlotRow { id: string; schedule_id: string; start_at: Date; end_at: Date }
const offsetForm = (d: Date) => d.toISOString().replace(/\.000Z$/, '+00:00');
/** `body` moved onto slots found with SQL (start, end, slot and Location participant follow). */
function onSlots(body: Record<string, any>, rows: SlotRow[]): Record<string, any> {
  const location = seededSchedules[rows[0]!.schedule_id]!.location;
  return {
    ...body,
    start: offsetForm(rows[0]!.start_at),
    end: offsetForm(rows.at(-1)!.end_at),
    slot: rows.map((r) => ({ reference: `Slot/${r.id}` })),
    participant: body.participant.map((p: any) => (p.actor.reference.startsWith('Location/') ? { ...p, actor: { reference: location } } : p)),
  };
}
async function freeSlotWhere(p: TestProvider, condition: string): Promise<SlotRow> {
  const rows = await p.db.query<SlotRow>(
    `SELECT id, schedule_id, start_at, end_at FROM slot
     WHERE practice = 'B82617' AND status = 'free' AND start_at > now() AND ${condition} ORDER BY start_at, id LIMIT 1`,
  );
  assert.ok(rows[0], `a free slot where ${condition}`);
  return rows[0];
}
/** A new free slot of schedule 1 (Location/16) starting `interval` from now (SQL, so it can be in the past). */
async function makeSlot(p: TestProvider, interval: string): Promise<SlotRow> {
  const rows = await p.db.query<SlotRow>(
    `INSERT INTO slot (practice, schedule_id, start_at, end_at, service_type, delivery_channel)
     VALUES ('B82617', '1', date_trunc('minute', now()) + $1::interval, date_trunc('minute', now()) + $1::interval + interval '10 minutes',
       'Clinical oncology', 'In-person')
     RETURNING id, schedule_id, start_at, end_at`,
    [interval],
  );
  return rows[0]!;
}

describeOnEachStore('Appointments: book an appointment (POST Appointment)', (provider) => {
  const p = () => provider();

  // --- success and the returned Appointment ---

  it('B1 B17 B27 B37 §2.4: 201 with Location …/Appointment/{id}/_history/{vid}, ETag, no-store, and the Appointment built from the slot and schedule', async () => {
    const { found, slot, body } = await firstFree(p());
    const res = await book(p(), body);
    const a = assertCreated(res);
    assert.equal(res.headers.location, `${p().origin}/B82617/STU3/1/gpconnect/Appointment/${a.id}/_history/${a.meta.versionId}`);
    assert.equal(res.headers.etag, `W/"${a.meta.versionId}"`);
    assert.ok(res.headers['last-modified'], 'Last-Modified');

    const schedule = found.schedules.get(slot.schedule.reference.slice('Schedule/'.length));
    const scheduleId = schedule.id as string;
    assert.equal(a.status, 'booked');
    assert.equal(a.start, slot.start, 'start is the slot start, UK local');
    assert.equal(a.end, slot.end, 'end is the slot end, UK local');
    assert.deepEqual(a.slot, [{ reference: `Slot/${slot.id}` }]);
    assert.equal(a.description, 'Default Description');
    assert.equal(a.comment, undefined, 'B37 no comment when none was sent');
    assert.equal(Math.floor(Date.parse(a.created) / 1000), Math.floor(Date.parse(body.created) / 1000), 'created as sent (to the second)');
    assert.deepEqual(a.serviceType, [{ text: slot.serviceType[0].text }], 'serviceType.text is the slot type');
    assert.deepEqual(a.serviceCategory, { text: schedule.serviceCategory.text }, 'serviceCategory.text is the schedule type');
    assert.equal(ext(a, deliveryChannelExtension)[0].valueCode, channelOf(slot), 'DeliveryChannel-2 is the slot channel');
    const role = ext(schedule, practitionerRoleExtension)[0].valueCodeableConcept.coding[0];
    assert.deepEqual(ext(a, practitionerRoleExtension)[0].valueCodeableConcept.coding[0], { system: roleSystem, code: role.code, display: role.display });
    assert.equal(role.code, seededSchedules[scheduleId]!.role);
    assert.deepEqual(a.contained, body.contained, 'the booking organisation is echoed as sent');
    const actors = a.participant.map((x: any) => x.actor.reference);
    assert.ok(actors.includes('Patient/1') && actors.includes(seededSchedules[scheduleId]!.location), `participants ${actors}`);
    await assertParticipantsResolve(p(), a);
    await assertBooked(p(), [slot.id]);
  });

  it('B11 B12 §2.1: participants as sent (type, status); the schedule practitioner is recorded when none was sent, once when it was', async () => {
    const first = await firstFree(p(), '2');
    const a = assertCreated(await book(p(), first.body));
    const scheduleId = first.slot.schedule.reference.slice('Schedule/'.length);
    const byActor = new Map(a.participant.map((x: any) => [x.actor.reference, x]));
    for (const sent of first.body.participant) assert.deepEqual(byActor.get(sent.actor.reference), sent, 'participant echoed as sent');
    assert.equal(a.participant.filter((x: any) => x.actor.reference.startsWith('Practitioner/')).length, 1);
    assert.ok(byActor.has(seededSchedules[scheduleId]!.practitioner), 'the schedule practitioner');

    const second = await firstFree(p(), '3');
    const practitioner = seededSchedules[second.slot.schedule.reference.slice('Schedule/'.length)]!.practitioner;
    second.body.participant.push({ actor: { reference: practitioner }, status: 'accepted' });
    const b = assertCreated(await book(p(), second.body));
    assert.deepEqual(b.participant.filter((x: any) => x.actor.reference.startsWith('Practitioner/')), [{ actor: { reference: practitioner }, status: 'accepted' }]);
    await assertParticipantsResolve(p(), b);
  });

  it('R3 digest §2.2: the booking organisation is the body’s, not the JWT requesting organisation’s', async () => {
    const { body } = await firstFree(p());
    const x12345 = { resourceType: 'Organization', identifier: [{ system: systems.ods, value: 'X12345' }], name: 'GP Connect Assurance' };
    const a = assertCreated(await book(p(), body, { claims: { requesting_organization: x12345 } }));
    assert.equal(a.contained[0].identifier[0].value, 'B82617');
    assert.deepEqual(a.contained, body.contained);
  });

  for (const orgType of [false, true]) {
    for (const deliveryChannel of [false, true]) {
      for (const practitionerRole of [false, true]) {
        const scenario = !orgType && !deliveryChannel && !practitionerRole ? 'B2 B4' : orgType && deliveryChannel && practitionerRole ? 'B2 B3' : 'B2';
        it(`${scenario} optional elements: org type ${orgType}, DeliveryChannel ${deliveryChannel}, PractitionerRole ${practitionerRole} ⇒ 201, one of each extension from the diary`, async () => {
          // Without an org type the suite searches without the org-type filter too (S14nt).
          const { found, slot, body } = await firstFree(p(), '4', { orgType, deliveryChannel, practitionerRole });
          assert.equal(ext(body, deliveryChannelExtension).length, deliveryChannel ? 1 : 0);
          assert.equal(ext(body, practitionerRoleExtension).length, practitionerRole ? 1 : 0);
          const a = assertCreated(await book(p(), body));
          assert.deepEqual(a.contained, body.contained, 'the organisation as sent, with or without its type');
          assert.equal(ext(a, deliveryChannelExtension)[0].valueCode, channelOf(slot));
          const schedule = found.schedules.get(slot.schedule.reference.slice('Schedule/'.length));
          assert.equal(ext(a, practitionerRoleExtension)[0].valueCodeableConcept.coding[0].code, ext(schedule, practitionerRoleExtension)[0].valueCodeableConcept.coding[0].code);
        });
      }
    }
  }

  const texts: { scenario: string; description?: string; comment?: string }[] = [
    { scenario: 'B31 with a description', description: 'customDescription' },
    { scenario: 'B35 with a description and a comment', description: 'customDescription', comment: 'CustomComment' },
    { scenario: 'B36 with a comment', comment: 'CustomComment' },
  ];
  for (const t of texts) {
    it(`${t.scenario} ⇒ 201, returned exactly as sent`, async () => {
      const { body } = await firstFree(p(), '5');
      if (t.description) body.description = t.description;
      if (t.comment) body.comment = t.comment;
      const a = assertCreated(await book(p(), body));
      assert.equal(a.description, t.description ?? 'Default Description');
      assert.equal(a.comment, t.comment, t.comment ? 'comment as sent' : 'no comment');
    });
  }

  const serviceFields: { scenario: string; change: (body: Record<string, any>) => void }[] = [
    { scenario: 'B39 B40 serviceCategory/serviceType copied from the schedule and slot', change: () => {} },
    { scenario: 'B41 B42 serviceCategory/serviceType of the consumer’s own are ignored', change: (b) => Object.assign(b, { serviceCategory: { text: 'Test-ServiceCategory' }, serviceType: [{ text: 'Test-ServiceType' }] }) },
    { scenario: 'B43 serviceCategory/serviceType left out (backwards compatibility)', change: (b) => { delete b.serviceCategory; delete b.serviceType; } },
  ];
  for (const s of serviceFields) {
    it(`${s.scenario} ⇒ 201 with the diary’s serviceCategory.text and serviceType.text`, async () => {
      // BOOK2d(patient1, ORG1): the slots of day +2, JWT organisation B82617.
      const { found, slot, body } = await firstFree(p(), '1', { fromDay: 2, days: 1 });
      assert.ok(body.serviceCategory && body.serviceType, 'the suite body carries both');
      s.change(body);
      const jwtOrg = { resourceType: 'Organization', identifier: [{ system: systems.ods, value: 'B82617' }], name: 'GP Connect Assurance' };
      const a = assertCreated(await book(p(), body, { claims: { requesting_organization: jwtOrg } }));
      const schedule = found.schedules.get(slot.schedule.reference.slice('Schedule/'.length));
      assert.deepEqual(a.serviceCategory, { text: schedule.serviceCategory.text });
      assert.deepEqual(a.serviceType, [{ text: slot.serviceType[0].text }]);
    });
  }

  // --- formats and Prefer ---

  const formats: { scenario: string; body: 'json' | 'xml'; accept?: string; format?: string }[] = [
    ...[fhirJson, fhirXml].map((accept) => ({ scenario: 'B8 Accept', body: 'json' as const, accept })),
    ...[fhirJson, fhirXml].flatMap((accept) => [fhirJson, fhirXml].map((format) => ({ scenario: 'B6 Accept and _format', body: 'json' as const, accept, format }))),
    ...(['json', 'xml'] as const).flatMap((body) => [fhirJson, fhirXml].map((format) => ({ scenario: 'B7 request body and _format', body, format }))),
  ];
  for (const f of formats) {
    const expected = f.format ?? f.accept ?? fhirJson;
    it(`${f.scenario}: ${f.body} body, Accept ${f.accept ?? '(default)'}, _format ${f.format ?? '(none)'} ⇒ 201 in ${formatOf(expected)}`, async () => {
      const { slot, body } = await firstFree(p(), '6');
      const res = await book(p(), f.body === 'xml' ? toXml(body) : body, {
        path: f.format ? `/Appointment?${query(['_format', f.format])}` : '/Appointment',
        headers: { ...(f.accept ? { Accept: f.accept } : {}), ...(f.body === 'xml' ? { 'Content-Type': 'application/fhir+xml; charset=utf-8' } : {}) },
      });
      const a = assertCreated(res, expected);
      assert.deepEqual(a.slot, [{ reference: `Slot/${slot.id}` }]);
      assert.equal(a.start, slot.start);
      assert.deepEqual(a.contained, body.contained, 'the booking organisation survives the format round trip');
      assert.deepEqual(a.participant.slice(0, 2), body.participant);
    });
  }

  it('B9 Prefer: return=representation ⇒ 201 with the Appointment, Content-Type and a body', async () => {
    const { body } = await firstFree(p(), '7');
    const res = await book(p(), body, { headers: { Prefer: 'return=representation' } });
    assertCreated(res);
    assert.notEqual(res.headers['content-length'], '0');
  });

  it('B10 §9 Q9 Prefer: return=minimal ⇒ 201, empty body without a FHIR Content-Type, Location and ETag, and the slot booked', async () => {
    const { slot, body } = await firstFree(p(), '7');
    const res = await book(p(), body, { headers: { Prefer: 'return=minimal' } });
    assert.equal(res.status, 201, res.text.slice(0, 300));
    assert.equal(res.text, '');
    assert.doesNotMatch(String(res.headers['content-type'] ?? ''), /fhir/, 'no FHIR Content-Type on an empty body');
    assertNoStore(res);
    const location = /\/B82617\/STU3\/1\/gpconnect\/Appointment\/([^/]+)\/_history\/([^/]+)$/.exec(String(res.headers.location));
    assert.ok(location, `Location ${res.headers.location}`);
    assert.equal(res.headers.etag, `W/"${location[2]}"`);
    await assertBooked(p(), [slot.id]);
  });

  // --- the diary after a booking ---

  it('§8.2 a booked slot leaves the free-slot search at once, and nothing else does', async () => {
    const before = await searchFreeSlots(p());
    const slot = before.slots[0];
    assertCreated(await book(p(), bookingBody(before, slot, '8')));
    const after = await searchFreeSlots(p());
    assert.deepEqual(after.slots.map((s) => s.id), before.slots.filter((s) => s.id !== slot.id).map((s) => s.id));
  });

  it('B32 §2.3 a slot already booked ⇒ 409 DUPLICATE_REJECTED, for another patient and for the same one; the first booking keeps it', async () => {
    const found = await searchFreeSlots(p());
    const slot = found.slots[0];
    const first = assertCreated(await book(p(), bookingBody(found, slot, '1')));
    // The same stored bundle: no new search.
    for (const patient of ['2', '1']) {
      assertOutcome(await book(p(), bookingBody(found, slot, patient)), 409, 'DUPLICATE_REJECTED');
    }
    await assertBooked(p(), [slot.id]);
    const holders = await p().db.query<{ appointment_id: string }>(
      `SELECT appointment_id FROM appointment_slot WHERE practice = 'B82617' AND slot_id = $1`, [slot.id]);
    assert.deepEqual(holders.map((h) => h.appointment_id), [first.id], 'no appointment row was added for the refused bookings');
  });

  it('§2.1 multiple contiguous slots of one schedule ⇒ 201, one appointment from the first start to the last end, both slots taken', async () => {
    const found = await searchFreeSlots(p());
    const [a, b] = contiguousPairs(found)[0]!;
    const res = await book(p(), bookingBody(found, [a, b], '3'));
    const appointment = assertCreated(res);
    assert.deepEqual(appointment.slot, [{ reference: `Slot/${a.id}` }, { reference: `Slot/${b.id}` }]);
    assert.equal(appointment.start, a.start);
    assert.equal(appointment.end, b.end);
    await assertBooked(p(), [a.id, b.id]);
    const after = await searchFreeSlots(p());
    assert.ok(!after.slots.some((s) => s.id === a.id || s.id === b.id), 'neither slot is offered any more');
  });

  it('§2.1 past appointments: a slot that started yesterday ⇒ 422 INVALID_RESOURCE (the same slot in the future books)', async () => {
    const { body } = await firstFree(p(), '4');
    const future = await makeSlot(p(), '20 days');
    assertCreated(await book(p(), onSlots(body, [future])));
    const past = await makeSlot(p(), '-1 day');
    assertOutcome(await book(p(), onSlots(body, [past])), 422, 'INVALID_RESOURCE');
    await assertFree(p(), [past.id]);
  });

  // --- refusals: 422 INVALID_RESOURCE, the slot left free ---

  type Mutation = (b: Booking, p: TestProvider) => Promise<{ body: Record<string, any> | string; slots?: string[] }> | { body: Record<string, any> | string; slots?: string[] };
  const withBody = (change: (body: Record<string, any>, b: Booking) => void): Mutation => (b) => {
    change(b.body, b);
    return { body: b.body };
  };
  const participantsWithout = (prefix: string) => withBody((body) => {
    body.participant = body.participant.filter((x: any) => !x.actor.reference.startsWith(prefix));
  });
  const absoluteSlot = 'https://test1.supplier.thirdparty.nhs.uk/A11111/STU3/1/GPConnect/Slot/#12345';

  const invalid: { scenario: string; mutate: Mutation }[] = [
    { scenario: 'B13 Patient participant removed', mutate: participantsWithout('Patient/') },
    { scenario: 'B13 Location participant removed', mutate: participantsWithout('Location/') },
    { scenario: 'B14 all participants removed', mutate: withBody((body) => delete body.participant) },
    { scenario: 'B15 an unknown element (invalidField)', mutate: withBody((body) => (body.invalidField = 'Assurance Testing')) },
    ...['Slot/45555g55555', 'Slot/45555555##', 'Slot/hello', absoluteSlot].map((reference) => ({
      scenario: `B16 slot reference ${reference}`,
      mutate: withBody((body) => (body.slot = [{ reference }])),
    })),
    { scenario: '§2.1 the same slot referenced twice', mutate: withBody((body) => body.slot.push({ ...body.slot[0] })) },
    { scenario: 'B18 start missing', mutate: withBody((body) => delete body.start) },
    { scenario: 'B19 end missing', mutate: withBody((body) => delete body.end) },
    { scenario: 'B20 status missing', mutate: withBody((body) => delete body.status) },
    { scenario: 'B21 B28 slot missing', mutate: withBody((body) => delete body.slot) },
    { scenario: 'B22 identifier without a value', mutate: withBody((body) => (body.identifier = [{ system: 'https://fhir.nhs.uk/Id/gpconnect-appointment-identifier' }])) },
    { scenario: 'B23 participant status removed', mutate: withBody((body) => body.participant.forEach((x: any) => delete x.status)) },
    { scenario: 'B24 resourceType InvalidResourceType', mutate: withBody((body) => (body.resourceType = 'InvalidResourceType')) },
    { scenario: 'B25 an empty Appointment', mutate: () => ({ body: { resourceType: 'Appointment' } }) },
    { scenario: 'B29 booking organisation without name', mutate: withBody((body) => delete body.contained[0].name) },
    { scenario: 'B30 booking organisation without telecom', mutate: withBody((body) => delete body.contained[0].telecom) },
    { scenario: 'B33 reason', mutate: withBody((body) => (body.reason = [{ coding: [{ system: 'http://snomed.info/sct', code: '17436001', display: 'Medical consultation with outpatient' }], text: 'Medical consultation with outpatient' }])) },
    { scenario: 'B34 specialty', mutate: withBody((body) => (body.specialty = [{ coding: [{ system: 'http://hl7.org/fhir/stu3/valueset-c80-practice-codes', code: '394802001', display: 'General medicine' }] }])) },
    {
      scenario: 'B38 absolute booking organisation reference',
      mutate: withBody((body) => {
        body.extension = body.extension.filter((e: any) => e.url !== bookingOrgExtension);
        body.extension.push({ url: bookingOrgExtension, valueReference: { reference: 'https://test1.supplier.thirdparty.nhs.uk/A11111/STU3/1/GPConnect/#1' } });
      }),
    },
    { scenario: '§2.1 BookingOrganisation extension missing', mutate: withBody((body) => (body.extension = [])) },
    { scenario: '§2.1 booking organisation without its ODS code', mutate: withBody((body) => delete body.contained[0].identifier) },
    { scenario: '§2.1 appointmentType (profile 0..0)', mutate: withBody((body) => (body.appointmentType = { text: 'Routine' })) },
    { scenario: '§2.1 description missing (profile 1..1)', mutate: withBody((body) => delete body.description) },
    { scenario: '§2.1 status other than booked', mutate: withBody((body) => (body.status = 'proposed')) },
    { scenario: '§2.1 absolute Patient reference', mutate: withBody((body) => (body.participant[0].actor.reference = 'https://test1.supplier.thirdparty.nhs.uk/A11111/STU3/1/GPConnect/Patient/1')) },
    {
      scenario: '§2.1 Location participant not the schedule’s',
      mutate: withBody((body) => {
        const location = body.participant[1];
        location.actor.reference = location.actor.reference === 'Location/17' ? 'Location/16' : 'Location/17';
      }),
    },
    { scenario: '§2.3 start not the slot start', mutate: withBody((body) => (body.start = new Date(Date.parse(body.start) + 60_000).toISOString().replace('.000Z', '+00:00'))) },
    { scenario: '§2.3 end not the slot end', mutate: withBody((body) => (body.end = new Date(Date.parse(body.end) + 60_000).toISOString().replace('.000Z', '+00:00'))) },
    {
      scenario: '§2.3 non-contiguous slots of one schedule',
      mutate: ({ found, slot }) => {
        const later = found.slots.find((s) => s.schedule.reference === slot.schedule.reference && Date.parse(s.start) > Date.parse(slot.end) && channelOf(s) === channelOf(slot));
        assert.ok(later, 'a later slot of the same schedule');
        return { body: bookingBody(found, [slot, later], '1'), slots: [slot.id, later.id] };
      },
    },
    {
      scenario: '§2.3 contiguous slots of two schedules',
      mutate: ({ found, slot }) => {
        const next = found.slots.find((s) => s.schedule.reference !== slot.schedule.reference && Date.parse(s.start) === Date.parse(slot.end) &&
          seededSchedules[s.schedule.reference.slice(9)]?.location === seededSchedules[slot.schedule.reference.slice(9)]?.location);
        assert.ok(next, 'a slot of another schedule at the same location starting as the first ends');
        return { body: bookingBody(found, [slot, next], '1'), slots: [slot.id, next.id] };
      },
    },
    {
      scenario: '§2.3 contiguous slots of one schedule with different delivery channels',
      mutate: ({ found }) => {
        const pair = found.slots.flatMap((a) => found.slots.filter((b) => b.schedule.reference === a.schedule.reference && Date.parse(b.start) === Date.parse(a.end) && channelOf(b) !== channelOf(a)).map((b) => [a, b]))[0];
        assert.ok(pair, 'two contiguous slots with different channels');
        return { body: bookingBody(found, pair, '1'), slots: pair.map((s: any) => s.id) };
      },
    },
    {
      scenario: '§1.4 a slot not bookable through GP Connect',
      mutate: async ({ body }, provider) => {
        const row = await freeSlotWhere(provider, 'NOT gpc_bookable');
        return { body: onSlots(body, [row]), slots: [row.id] };
      },
    },
    {
      scenario: '§1.4 a slot offered only to another organisation type (booking org urgent-care)',
      mutate: async ({ body }, provider) => {
        const row = await freeSlotWhere(provider, `gpc_bookable AND bookable_org_types = '{gp-practice}' AND cardinality(bookable_ods_codes) = 0`);
        return { body: onSlots(body, [row]), slots: [row.id] };
      },
    },
    {
      scenario: '§1.4 a slot offered only to another organisation (booking org X12345)',
      mutate: async ({ body }, provider) => {
        const row = await freeSlotWhere(provider, `gpc_bookable AND bookable_ods_codes = '{B82617}' AND cardinality(bookable_org_types) = 0`);
        body.contained[0].identifier[0].value = 'X12345';
        return { body: onSlots(body, [row]), slots: [row.id] };
      },
    },
  ];
  for (const row of invalid) {
    it(`${row.scenario} ⇒ 422 INVALID_RESOURCE, no-store, the slot left free`, async () => {
      const booking = await firstFree(p(), '1');
      const { body, slots } = await row.mutate(booking, p());
      const res = await book(p(), body);
      assertOutcome(res, 422, 'INVALID_RESOURCE');
      await assertFree(p(), slots ?? [booking.slot.id]);
    });
  }

  // --- patients, scope, practices ---

  const patients: { scenario: string; id: string; status: number; code: string }[] = [
    { scenario: 'digest §2.3 a patient unknown at the practice', id: '999', status: 422, code: 'INVALID_RESOURCE' },
    { scenario: 'Appointments IG a sensitive patient (patient9)', id: '9', status: 404, code: 'PATIENT_NOT_FOUND' },
    { scenario: 'Appointments IG a sensitive patient (patient10)', id: '10', status: 404, code: 'PATIENT_NOT_FOUND' },
  ];
  for (const row of patients) {
    it(`${row.scenario} ⇒ ${row.status} ${row.code}, the slot left free`, async () => {
      const { slot, body } = await firstFree(p(), row.id);
      assertOutcome(await book(p(), body), row.status, row.code);
      await assertFree(p(), [slot.id]);
    });
  }

  for (const scope of ['patient/*.read', 'organization/*.read']) {
    it(`cross-cutting §5 JWT requested_scope ${scope} ⇒ 400 BAD_REQUEST, the slot left free`, async () => {
      const { slot, body } = await firstFree(p());
      assertOutcome(await book(p(), body, { claims: { requested_scope: scope } }), 400, 'BAD_REQUEST');
      await assertFree(p(), [slot.id]);
    });
  }

  it('B5 an invalid URL (appointmentqq/!) ⇒ a refusal as an OperationOutcome', async () => {
    const { body } = await firstFree(p());
    const res = await book(p(), body, { path: '/appointmentqq/!' });
    assert.notEqual(res.status, 200);
    assertOutcome(res, [400, 404]);
  });

  it('B26 the CapabilityStatement offers Appointment create', async () => {
    const res = await p().gpc({ path: '/metadata', interaction: 'metadata' });
    assert.equal(res.status, 200);
    const appointment = res.json.rest[0].resource.find((r: { type: string }) => r.type === 'Appointment');
    assert.ok(appointment?.interaction?.some((i: { code: string }) => i.code === 'create'));
  });

  it('practice isolation: a B82617 slot booked at GPC002 ⇒ 422 INVALID_RESOURCE and stays free (GPC002’s own slot books)', async () => {
    const ours = await searchFreeSlots(p());
    const theirs = await searchFreeSlots(p(), { ods: otherPractice.ods });
    const own = bookingBody(theirs, theirs.slots[0], '1');
    assert.ok(!theirs.slots.some((s) => s.id === ours.slots[0].id), 'slot ids differ between practices');
    const foreign = { ...own, start: ours.slots[0].start, end: ours.slots[0].end, slot: [{ reference: `Slot/${ours.slots[0].id}` }] };
    assertOutcome(await book(p(), foreign, { ods: otherPractice.ods }), 422, 'INVALID_RESOURCE');
    await assertFree(p(), [ours.slots[0].id]);
    const a = assertCreated(await book(p(), own, { ods: otherPractice.ods }));
    assertOutcome(await book(p(), own, { ods: otherPractice.ods }), 409, 'DUPLICATE_REJECTED');
    assert.deepEqual(await slotState(p(), theirs.slots[0].id, otherPractice.ods), { status: 'busy', live: 1 });
    assert.equal(a.contained[0].identifier[0].value, 'B82617');
  });

  it('a booking whose comment or description holds U+0000 ⇒ 400 BAD_REQUEST (FHIR strings may not hold it), and the slot stays free', async () => {
    const { slot, body } = await firstFree(p());
    for (const element of ['comment', 'description']) {
      const res = await book(p(), { ...body, [element]: 'Please call first\u0000' });
      assertOutcome(res, 400, 'BAD_REQUEST');
      assert.match(res.json.issue[0].diagnostics, new RegExp(`${element} holds the control character U\\+0000`));
    }
    await assertFree(p(), [slot.id]);
  });

  it('cross-cutting §8 every booking leaves one audit row with the patient and the appointment, in the same commit', async () => {
    const { body } = await firstFree(p(), '2');
    const traceId = crypto.randomUUID();
    const a = assertCreated(await book(p(), body, { headers: { 'Ssp-TraceID': traceId } }));
    const rows = await p().db.query<Record<string, unknown>>(
      'SELECT practice, interaction_id, patient_id, appointment_id, http_status, error_code FROM audit_event WHERE trace_id = $1', [traceId]);
    assert.deepEqual(rows, [{ practice: 'B82617', interaction_id: interactionCreate, patient_id: '2', appointment_id: a.id, http_status: 201, error_code: null }]);
    const stored = await p().db.query<{ patient_id: string }>(`SELECT patient_id FROM appointment WHERE practice = 'B82617' AND id = $1`, [a.id]);
    assert.deepEqual(stored, [{ patient_id: '2' }]);
  });

  it('cross-cutting §8 a refused booking (409) is audited with the same detail: its patient and the error code', async () => {
    const found = await searchFreeSlots(p());
    assertCreated(await book(p(), bookingBody(found, found.slots[0], '1')));
    const traceId = crypto.randomUUID();
    assertOutcome(await book(p(), bookingBody(found, found.slots[0], '2'), { headers: { 'Ssp-TraceID': traceId } }), 409, 'DUPLICATE_REJECTED');
    const rows = await p().db.query<Record<string, unknown>>(
      'SELECT patient_id, http_status, error_code FROM audit_event WHERE trace_id = $1', [traceId]);
    assert.deepEqual(rows, [{ patient_id: '2', http_status: 409, error_code: 'DUPLICATE_REJECTED' }]);
  });
});
