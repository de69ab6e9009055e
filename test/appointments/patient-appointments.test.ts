import assert from 'node:assert/strict';
import { it } from 'node:test';
import { auditClaims, encodeUnsignedJwt } from '../../src/consumer/audit-token.ts';
import { describeOnEachStore, type TestProvider } from '../harness/provider.ts';
import { assertAppointment, assertFormat, assertOutcome, assertSearchset, fhirJson, fhirXml, formatOf, query } from '../harness/assertions.ts';
import { auditRowsFor } from '../http/_support.ts';
import { bookOne, cancel, cancelBody, moveAppointment, utcDate } from './manage.ts';

/**
 * AppointmentRetrieve.feature (suite checklist §4 A1–A21, checks §7.4) and the retrieve page (spec
 * digest §4): exactly one start=ge{date} and one start=le{date}, whole dates, nothing before today,
 * every appointment of the patient starting in those days, cancelled ones included.
 */

// UK calendar dates, written out here.
const ukDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const ukDate = (instant: Date | string) => ukDay.format(new Date(instant));
const plusDays = (date: string, days: number) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
};
/** The instant a UK calendar day begins. */
const ukMidnight = (date: string) => {
  for (const offset of ['+00:00', '+01:00']) {
    const t = new Date(`${date}T00:00:00${offset}`);
    if (ukDate(t) === date && ukDate(new Date(t.getTime() - 1)) !== date) return t;
  }
  assert.fail(`no UK midnight for ${date}`);
};

const retrieve = (p: TestProvider, patientId: string, q: string, headers?: Record<string, string | undefined>) =>
  p.gpc({ path: `/Patient/${patientId}/Appointment?${q}`, interaction: 'searchPatientAppointments', headers });
/** URLQ(N) (suite §4): start=ge<UTC today>&start=le<UTC today + N>. */
const urlq = (n: number) => query(['start', `ge${utcDate()}`], ['start', `le${utcDate(n)}`]);
const ids = (resources: any[]) => resources.map((r) => r.id).sort();

describeOnEachStore('Retrieve a patient\'s appointments', (provider) => {
  const p = () => provider();

  it('A1 patientNoAppointments, today..+1 ⇒ 200, an empty searchset', async () => {
    assertSearchset(await retrieve(p(), '20', urlq(1)), 0);
  });

  for (const [patientId, n] of [['4', 1], ['5', 3], ['6', 2]] as const) {
    it(`A3 patient${patientId} with ${n} booking(s) ⇒ all ${n}, each a valid future Appointment`, async () => {
      const booked = [];
      for (let i = 0; i < n; i++) booked.push((await bookOne(p(), patientId)).appointment);
      const found = assertSearchset(await retrieve(p(), patientId, urlq(14)), n, 'Appointment');
      assert.deepEqual(ids(found), ids(booked));
      for (const a of found) {
        assertAppointment(a);
        assert.ok(a.start.slice(0, 10) >= utcDate(), '[Future]');
        assert.deepEqual(a, booked.find((b) => b.id === a.id), 'each as the booking returned it');
      }
      const starts = found.map((a) => Date.parse(a.start));
      assert.deepEqual(starts, [...starts].sort((x, y) => x - y), 'in time order');
    });
  }

  for (const id of ['null', 'dd', '999', 'x'.repeat(65)]) {
    it(`A4 an unknown patient id (${id.slice(0, 10)}) ⇒ 404 PATIENT_NOT_FOUND`, async () => {
      assertOutcome(await retrieve(p(), id, query(['start', 'ge2030-03-30'], ['start', 'le2030-04-30'])), 404, 'PATIENT_NOT_FOUND');
    });
  }

  it('appointments IG: a sensitive (S-flag) patient ⇒ 404 PATIENT_NOT_FOUND', async () => {
    assertOutcome(await retrieve(p(), '9', urlq(14)), 404, 'PATIENT_NOT_FOUND');
  });

  for (const [accept, format] of [[fhirJson, fhirJson], [fhirJson, fhirXml], [fhirXml, fhirJson], [fhirXml, fhirXml]] as const) {
    it(`A5 Accept ${accept} and _format=${format}: a searchset in the _format, with the booking`, async () => {
      const { appointment } = await bookOne(p(), '7');
      const q = `${query(['start', `ge${ukDate(new Date())}`], ['start', `le${plusDays(ukDate(new Date()), 14)}`])}&_format=${encodeURIComponent(format)}`;
      const res = await retrieve(p(), '7', q, { Accept: accept });
      assertFormat(res, formatOf(format), 'Bundle');
      const found = assertSearchset(res, undefined, 'Appointment');
      assert.ok(found.some((a) => a.id === appointment.id));
      for (const a of found) assertAppointment(a);
    });
  }

  for (const accept of [fhirJson, fhirXml]) {
    it(`A6 Accept ${accept}: a searchset in that format`, async () => {
      await bookOne(p(), '8');
      const res = await retrieve(p(), '8', urlq(14), { Accept: accept });
      assertFormat(res, accept, 'Bundle');
      assert.ok(assertSearchset(res).length >= 1);
    });
  }

  // A8: one bound a whole date, the other in a format the retrieve page forbids.
  const now = new Date();
  const local = (d: Date, fmt: string) => {
    const iso = new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString();
    return { yyyy: iso.slice(0, 4), 'yyyy-MM': iso.slice(0, 7), 'yyyy-MM-ddTHH:mm:ss': iso.slice(0, 19), 'yyyy-MM-ddTHH:mm:ssZ': `${iso.slice(0, 19)}Z`, 'yyyy-MM-ddTHH:mm:ss+01:00': `${iso.slice(0, 19)}+01:00` }[fmt]!;
  };
  const later = new Date(now.getTime() + 14 * 86_400_000);
  for (const fmt of ['yyyy', 'yyyy-MM', 'yyyy-MM-ddTHH:mm:ss', 'yyyy-MM-ddTHH:mm:ssZ', 'yyyy-MM-ddTHH:mm:ss+01:00']) {
    it(`A8 a start bound as ${fmt} ⇒ 422 INVALID_PARAMETER (either bound)`, async () => {
      assertOutcome(await retrieve(p(), '4', query(['start', `ge${ukDate(now)}`], ['start', `le${local(later, fmt)}`])), 422, 'INVALID_PARAMETER');
      assertOutcome(await retrieve(p(), '4', query(['start', `ge${local(now, fmt)}`], ['start', `le${ukDate(later)}`])), 422, 'INVALID_PARAMETER');
    });
  }

  it('a date that is no calendar day (2030-02-30) ⇒ 422 INVALID_PARAMETER', async () => {
    assertOutcome(await retrieve(p(), '4', query(['start', 'ge2030-02-01'], ['start', 'le2030-02-30'])), 422, 'INVALID_PARAMETER');
  });

  for (const [ge, le] of [['ge', 'lt'], ['ge', 'gt'], ['ge', 'eq'], ['ge', 'ge'], ['lt', 'le'], ['gt', 'le'], ['eqs', 'le'], ['le', 'le'], ['random123', 'random123']]) {
    it(`A9 prefixes ${ge}/${le} ⇒ 422 INVALID_PARAMETER`, async () => {
      const q = query(['start', `${ge}${ukDate(now)}`], ['start', `${le}${ukDate(later)}`]);
      assertOutcome(await retrieve(p(), '5', q), 422, 'INVALID_PARAMETER');
    });
  }

  for (const only of ['le2030-03-03', 'ge2030-03-03']) {
    it(`A10 a single start parameter (${only}) ⇒ 422 INVALID_PARAMETER`, async () => {
      assertOutcome(await retrieve(p(), '5', query(['start', only])), 422, 'INVALID_PARAMETER');
    });
  }

  it('no start parameter, or three ⇒ 422 INVALID_PARAMETER', async () => {
    assertOutcome(await retrieve(p(), '5', '_sort=date'), 422, 'INVALID_PARAMETER');
    assertOutcome(await retrieve(p(), '5', query(['start', 'ge2030-03-03'], ['start', 'le2030-03-05'], ['start', 'le2030-03-06'])), 422, 'INVALID_PARAMETER');
  });

  for (const [a, b] of [['2010-02-03', '2010-03-03'], ['2010-03-03', '2030-03-30']]) {
    it(`A11 dates without prefixes in the past (${a}, ${b}) ⇒ 422 INVALID_PARAMETER`, async () => {
      assertOutcome(await retrieve(p(), '3', query(['start', a], ['start', b])), 422, 'INVALID_PARAMETER');
    });
  }

  it('retrieve page: a range starting yesterday ⇒ 422 INVALID_PARAMETER; one starting today ⇒ 200', async () => {
    const today = ukDate(new Date());
    assertOutcome(await retrieve(p(), '3', query(['start', `ge${plusDays(utcDate(), -1)}`], ['start', `le${today}`])), 422, 'INVALID_PARAMETER');
    assertSearchset(await retrieve(p(), '3', query(['start', `ge${today}`], ['start', `le${today}`])));
  });

  it('A12 le before ge ⇒ 422 INVALID_PARAMETER; le equal to ge ⇒ 200', async () => {
    assertOutcome(await retrieve(p(), '2', query(['start', 'ge2030-03-03'], ['start', 'le2030-01-01'])), 422, 'INVALID_PARAMETER');
    assertSearchset(await retrieve(p(), '2', query(['start', 'ge2030-03-03'], ['start', 'le2030-03-03'])), 0);
  });

  it('the le bound may come first', async () => {
    const { appointment } = await bookOne(p(), '13');
    const day = ukDate(appointment.start);
    const found = assertSearchset(await retrieve(p(), '13', query(['start', `le${day}`], ['start', `ge${day}`])), 1);
    assert.equal(found[0].id, appointment.id);
  });

  it('A13/A19 every returned Appointment has readable participants and a valid booking organisation', async () => {
    await bookOne(p(), '16');
    for (const a of assertSearchset(await retrieve(p(), '16', urlq(14)), 1)) {
      assertAppointment(a);
      for (const { actor } of a.participant) {
        const [type, id] = actor.reference.split('/');
        const interaction = ({ Patient: 'readPatient', Location: 'readLocation', Practitioner: 'readPractitioner' } as const)[type as 'Patient'];
        assert.equal((await p().gpc({ path: `/${type}/${id}`, interaction })).json.resourceType, type);
      }
    }
  });

  for (const scope of ['organization/*.write', 'patient/*.write']) {
    it(`A14 JWT scope ${scope} ⇒ 400 BAD_REQUEST`, async () => {
      assertOutcome(await p().gpc({ path: `/Patient/1/Appointment?${urlq(14)}`, interaction: 'searchPatientAppointments', claims: { requested_scope: scope } }), 400, 'BAD_REQUEST');
    });
  }

  it('A15 an additional parameter (_sort=date) is ignored', async () => {
    assertSearchset(await retrieve(p(), '5', `${query(['start', 'ge2030-03-03'], ['start', 'le2030-03-30'])}&_sort=date`));
  });

  it('A17 a retrieve is not cached (no-store; assertSearchset checks it)', async () => {
    assertSearchset(await retrieve(p(), '1', urlq(1)));
  });

  it('A18 the organisation-search interaction id with a trailing space ⇒ 400 BAD_REQUEST', async () => {
    const res = await retrieve(p(), '4', urlq(14), { 'Ssp-InteractionID': 'urn:nhs:names:services:gpconnect:fhir:rest:search:organization-1 ' });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('the days are inclusive and UK-local: an appointment on day D is found by ge=D&le=D, not by ranges ending before or starting after D', async () => {
    const { appointment } = await bookOne(p(), '17');
    const day = ukDate(appointment.start);
    assert.equal(assertSearchset(await retrieve(p(), '17', query(['start', `ge${day}`], ['start', `le${day}`])), 1)[0].id, appointment.id);
    assertSearchset(await retrieve(p(), '17', query(['start', `ge${plusDays(day, 1)}`], ['start', `le${plusDays(day, 3)}`])), 0);
    if (plusDays(day, -1) >= ukDate(new Date())) {
      assertSearchset(await retrieve(p(), '17', query(['start', `ge${ukDate(new Date())}`], ['start', `le${plusDays(day, -1)}`])), 0);
    }
  });

  it('retrieve page: cancelled appointments are returned too, as cancelled', async () => {
    const { appointment } = await bookOne(p(), '2');
    assert.equal((await cancel(p(), cancelBody(appointment))).status, 200);
    const found = assertSearchset(await retrieve(p(), '2', urlq(14))).find((a) => a.id === appointment.id);
    assert.ok(found, 'the cancelled appointment is returned');
    assert.equal(assertAppointment(found).status, 'cancelled');
  });

  it('only this patient\'s appointments', async () => {
    const mine = await bookOne(p(), '3');
    const theirs = await bookOne(p(), '1');
    const found = assertSearchset(await retrieve(p(), '3', urlq(14)));
    assert.ok(found.some((a) => a.id === mine.appointment.id));
    assert.ok(!found.some((a) => a.id === theirs.appointment.id));
    for (const a of found) assert.ok(a.participant.some((x: any) => x.actor.reference === 'Patient/3'));
  });

  it('retrieve page: today\'s appointments are all returned, even one that has already started; none from yesterday', async () => {
    const started = await bookOne(p(), '6');
    const yesterday = await bookOne(p(), '6');
    const todayStart = ukMidnight(ukDate(new Date()));
    // Started a second after UK midnight today (unless the test runs in that very second).
    await moveAppointment(p(), started.appointment.id, new Date(Math.min(todayStart.getTime() + 1000, Date.now() - 1)));
    await moveAppointment(p(), yesterday.appointment.id, new Date(todayStart.getTime() - 60_000));
    const today = ukDate(new Date());
    const found = assertSearchset(await retrieve(p(), '6', query(['start', `ge${utcDate()}`], ['start', `le${today}`])));
    assert.ok(found.some((a) => a.id === started.appointment.id), 'the appointment that started today');
    assert.ok(!found.some((a) => a.id === yesterday.appointment.id), 'not yesterday\'s, even when ge is the UTC date');
  });

  it('the audit row of a retrieve names the patient', async () => {
    const traceId = crypto.randomUUID();
    assertSearchset(await retrieve(p(), '4', urlq(1), { 'Ssp-TraceID': traceId }));
    const rows = await auditRowsFor(p(), traceId);
    assert.equal(rows[0]?.patient_id, '4');
  });
});

/**
 * Suite §9 Q5: the suite sends the UTC date as today. Between 00:00 and 01:00 BST that is the UK's
 * yesterday, and must still count as today. A provider whose clock reads 00:30 BST.
 */
const clockEdge = new Date('2031-07-15T23:30:00Z'); // 2031-07-16 00:30 BST
describeOnEachStore('Retrieve a patient\'s appointments at 00:30 BST', (provider) => {
  const at = (q: string) => provider().gpc({
    path: `/Patient/1/Appointment?${q}`,
    interaction: 'searchPatientAppointments',
    // The audit JWT is checked against the provider's clock.
    authorization: `Bearer ${encodeUnsignedJwt(auditClaims({ scope: 'patient/*.read', iat: Math.floor(clockEdge.getTime() / 1000) }))}`,
  });

  it('ge of the UTC date (the UK\'s yesterday) is accepted as today', async () => {
    assertSearchset(await at(query(['start', 'ge2031-07-15'], ['start', 'le2031-07-20'])));
  });
  it('ge of the UK date is accepted', async () => {
    assertSearchset(await at(query(['start', 'ge2031-07-16'], ['start', 'le2031-07-20'])));
  });
  it('ge of the day before the UTC date ⇒ 422 INVALID_PARAMETER', async () => {
    assertOutcome(await at(query(['start', 'ge2031-07-14'], ['start', 'le2031-07-20'])), 422, 'INVALID_PARAMETER');
  });
}, { clock: () => clockEdge });

