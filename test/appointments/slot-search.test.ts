import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { describeOnEachStore, otherPractice, practice, type GpcResponse, type TestProvider } from '../harness/provider.ts';
import { assertFormat, assertOutcome, assertSearchset, fhirMediaTypes, formatOf, identifier, query, sd, systems } from '../harness/assertions.ts';
import { seededAt } from '../harness/stores.ts';

/**
 * SearchForFreeSlots.feature (suite checklist §1 F1–F29, step checks §7.1–7.3, data §10.1) and the
 * spec digest §1 (parameters, bundle contents per include, Slot/Schedule content, searchFilter matching).
 *
 * Expected slots are worked out here from seed/appointments.json (the rolling pattern: pattern day 1 is
 * the UK date after seeding, the cycle repeats every `diaryCycleDays`) and the spec's matching table,
 * independently of the provider's SQL.
 */

// --- systems and profiles, written out ---

const odsSystem = systems.ods;
const orgTypeSystem = 'https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1';
const deliveryChannel2 = `${sd}Extension-GPConnect-DeliveryChannel-2`;
const deliveryChannel1 = `${sd}Extension-GPConnect-DeliveryChannel-1`;
const practitionerRoleExt = `${sd}Extension-GPConnect-PractitionerRole-1`;
const profile = {
  Slot: `${sd}GPConnect-Slot-1`,
  Schedule: `${sd}GPConnect-Schedule-1`,
  Practitioner: `${sd}CareConnect-GPC-Practitioner-1`,
  Location: `${sd}CareConnect-GPC-Location-1`,
  Organization: `${sd}CareConnect-GPC-Organization-1`,
} as const;
const practitionerIdentifierSystems = [systems.sdsUserId, systems.sdsRoleProfileId, 'https://fhir.hl7.org.uk/Id/gmp-number'];

// --- UK calendar arithmetic, written out (not imported from src) ---

const ukParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
/** An instant as UK local time with its offset: yyyy-mm-ddThh:mm:ss+hh:mm. */
function ukLocal(instant: Date): string {
  const p = Object.fromEntries(ukParts.formatToParts(instant).map((x) => [x.type, x.value]));
  const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  const minutes = Math.round((wall - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
  const offset = `${minutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}${offset}`;
}
const ukDateOf = (instant: Date) => ukLocal(instant).slice(0, 10);
function plusDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
/** The instant of a UK wall-clock time (hh:mm[:ss]) on a UK date. */
function ukInstant(date: string, time: string): Date {
  const [h, mi, s = 0] = time.split(':').map(Number) as [number, number, number?];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, h, mi, s);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const shown = ukLocal(new Date(guess));
    const shownWall = Date.parse(shown.slice(0, 19) + 'Z');
    guess += wall - shownWall;
  }
  return new Date(guess);
}
/** yyyy-mm-ddThh:mm:ss+hh:mm for a UK wall-clock time. */
const at = (date: string, time: string) => ukLocal(ukInstant(date, time));
const ukDateTimeFormat = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;

/** The diary's day n: n = 1 is pattern day 1, the UK date after the test database was seeded. */
const seededDate = ukDateOf(seededAt);
const day = (n: number) => plusDays(seededDate, n);

// --- the seeded diary, from the seed file ---

interface Pattern {
  practice: string; scheduleId: string; day: number; from: string; slotMinutes: number; slotCount: number;
  gpConnectBookable: boolean; serviceType: string; deliveryChannel: string; bookableOdsCodes: string[]; bookableOrganisationTypes: string[];
}
const seed = JSON.parse(readFileSync(new URL('../../seed/appointments.json', import.meta.url), 'utf8')) as {
  schedules: { practice: string; id: string; practitionerId: string; locationId: string; serviceCategory: string; practitionerRole: { code: string; display: string } }[];
  slotPatterns: Pattern[];
  diaryCycleDays: number;
};
/** What the consumer tells about itself in searchFilter. */
interface Party { ods?: string; type?: string }

/** Spec §1.4 matching table: bookable, and each non-empty restriction list names what the party sent. */
function offered(p: Pattern, party: Party): boolean {
  if (!p.gpConnectBookable) return false;
  const odsOk = p.bookableOdsCodes.length === 0 || (party.ods !== undefined && p.bookableOdsCodes.includes(party.ods));
  const typeOk = p.bookableOrganisationTypes.length === 0 || (party.type !== undefined && p.bookableOrganisationTypes.includes(party.type));
  return odsOk && typeOk;
}

interface ExpectedSlot { key: string; start: Date; end: Date; pattern: Pattern }
/** Every slot of day n of `ods`'s diary (bookable or not, any restriction). */
function diarySlots(n: number, ods: string = practice.ods): ExpectedSlot[] {
  const patternDay = ((n - 1) % seed.diaryCycleDays) + 1;
  const date = day(n);
  const out: ExpectedSlot[] = [];
  for (const p of seed.slotPatterns) {
    if (p.practice !== ods || p.day !== patternDay) continue;
    const first = ukInstant(date, p.from);
    for (let i = 0; i < p.slotCount; i++) {
      const start = new Date(first.getTime() + i * p.slotMinutes * 60_000);
      const end = new Date(start.getTime() + p.slotMinutes * 60_000);
      out.push({ key: slotKey(p.scheduleId, ukLocal(start), ukLocal(end)), start, end, pattern: p });
    }
  }
  return out;
}
const slotKey = (scheduleId: string, start: string, end: string) => `Schedule/${scheduleId} ${start}–${end}`;
/** The keys of the slots `party` should be offered, wholly inside [from, to], on diary days `days`. */
function expectedKeys(days: number[], party: Party, from: Date, to: Date, ods: string = practice.ods): string[] {
  return days
    .flatMap((n) => diarySlots(n, ods))
    .filter((s) => offered(s.pattern, party) && s.start >= from && s.end <= to)
    .map((s) => s.key)
    .sort();
}
const keysOf = (slots: any[]) => slots.map((s) => slotKey(s.schedule.reference.slice('Schedule/'.length), s.start, s.end)).sort();

// --- requests ---

type Pair = [string, string];
const ods = (code: string): Pair => ['searchFilter', `${odsSystem}|${code}`];
const orgType = (code: string): Pair => ['searchFilter', `${orgTypeSystem}|${code}`];
const includeSchedule: Pair = ['_include', 'Slot:schedule'];
const recursePractitioner: Pair = ['_include:recurse', 'Schedule:actor:Practitioner'];
const recurseLocation: Pair = ['_include:recurse', 'Schedule:actor:Location'];
const recurseManagingOrganization: Pair = ['_include:recurse', 'Location:managingOrganization'];
/** The suite's default consumer: ORG1 B82617 as urgent care. */
const suiteFilter: Pair[] = [ods('B82617'), orgType('urgent-care')];

/** start, end, status=free and _include=Slot:schedule (the required parameters). */
const window = (start: string, end: string, ...rest: Pair[]): Pair[] => [['start', `ge${start}`], ['end', `le${end}`], ['status', 'free'], includeSchedule, ...rest];
/** The suite's T0: UTC midnight today plus one day, written in UK local time. */
const utcMidnight = (plus: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + plus));
};
/** REQ(N): T0 to T0 + N days, with the suite's ODS + urgent-care filters. */
const req = (days: number, ...rest: Pair[]): Pair[] => window(ukLocal(utcMidnight(1)), ukLocal(utcMidnight(1 + days)), ...suiteFilter, ...rest);

// --- the bundle check ---

interface Expect {
  practitioners?: boolean;
  locations?: boolean;
  /** The Organization every non-empty bundle carries (the Locations' managing organisation). */
  organizationId?: string;
  organizationOds?: string;
  /** Every Slot must lie wholly inside [from, to]. */
  from?: Date;
  to?: Date;
}

interface SlotBundle { all: any[]; slots: any[]; schedules: any[]; practitioners: any[]; locations: any[]; organizations: any[] }

/**
 * A free-slot searchset and every content rule of spec §1.2–1.3 and suite §7.1–7.3: exactly the resource
 * types the includes ask for (Organization always when there are slots, nothing when there are none),
 * no duplicates, nothing unrelated, references resolvable, exact profiles, UK-local timestamps.
 */
function assertSlotBundle(res: GpcResponse, expect: Expect = {}): SlotBundle {
  const all = assertSearchset(res);
  const byType = (t: string) => all.filter((r) => r.resourceType === t);
  const b: SlotBundle = {
    all, slots: byType('Slot'), schedules: byType('Schedule'), practitioners: byType('Practitioner'), locations: byType('Location'), organizations: byType('Organization'),
  };
  // No duplicates; no fullUrl (spec SHOULD NOT).
  const ids = all.map((r) => `${r.resourceType}/${r.id}`);
  assert.equal(new Set(ids).size, ids.length, `duplicate entries: ${ids.join(', ')}`);
  for (const e of res.json.entry ?? []) assert.equal(e.fullUrl, undefined, 'no fullUrl');

  if (b.slots.length === 0) {
    assert.deepEqual(ids, [], 'no slots ⇒ an empty bundle (no Schedule, Organization, …)');
    return b;
  }
  const types = [...new Set(all.map((r) => r.resourceType))].sort();
  const wanted = ['Organization', 'Schedule', 'Slot', ...(expect.practitioners ? ['Practitioner'] : []), ...(expect.locations ? ['Location'] : [])].sort();
  assert.deepEqual(types, wanted, 'exactly the resource types the includes ask for');

  // Slots (suite §7.1, spec §1.3).
  let previous = '';
  for (const s of b.slots) {
    assert.ok(s.id, '[SlotId]');
    assert.equal(s.status, 'free', '[SlotFree]');
    assert.deepEqual(s.meta?.profile, [profile.Slot], '[SlotMeta]');
    assert.ok(s.meta.versionId, 'Slot meta.versionId');
    assert.ok((s.identifier ?? []).length <= 1, '[SlotIdent]');
    assert.equal(s.specialty, undefined, '[SlotNotInUse]');
    assert.equal(s.comment, undefined, 'no Slot comment (F29)');
    const channels = (s.extension ?? []).filter((e: any) => e.url === deliveryChannel2);
    assert.equal(channels.length, 1, 'one DeliveryChannel-2 extension');
    assert.ok(['In-person', 'Telephone', 'Video'].includes(channels[0].valueCode), `DeliveryChannel-2 valueCode: ${JSON.stringify(channels[0])}`);
    assert.ok(Array.isArray(s.serviceType) && typeof s.serviceType[0]?.text === 'string' && s.serviceType[0].text !== '', 'serviceType[0].text (spec SHALL)');
    assert.match(s.schedule?.reference ?? '', /^Schedule\/[^/]+$/);
    assert.ok(b.schedules.some((sch) => `Schedule/${sch.id}` === s.schedule.reference), `[SlotSched] ${s.schedule.reference} in the bundle`);
    for (const t of [s.start, s.end]) {
      assert.match(t, ukDateTimeFormat, `UK local timestamp without Z or millis: ${t}`);
      assert.equal(t, ukLocal(new Date(t)), `the UK offset for that instant: ${t}`);
    }
    assert.ok(Date.parse(s.start) < Date.parse(s.end), 'start before end');
    if (expect.from) assert.ok(Date.parse(s.start) >= expect.from.getTime(), `slot starts inside the window: ${s.start}`);
    if (expect.to) assert.ok(Date.parse(s.end) <= expect.to.getTime(), `slot ends inside the window: ${s.end}`);
    // Suite §10.1: the suite books the first slot, so the earliest comes first.
    assert.ok(previous === '' || Date.parse(previous) <= Date.parse(s.start), 'slots in start order');
    previous = s.start;
  }

  // Schedules (suite §7.2): exactly the ones the slots reference.
  assert.deepEqual(b.schedules.map((s) => `Schedule/${s.id}`).sort(), [...new Set(b.slots.map((s) => s.schedule.reference))].sort(), 'only the referenced Schedules');
  const locationRefs = new Set<string>();
  const practitionerRefs = new Set<string>();
  for (const s of b.schedules) {
    assert.ok(s.id, '[SchedId]');
    assert.deepEqual(s.meta?.profile, [profile.Schedule], '[SchedMeta]');
    assert.ok(s.meta.versionId, 'Schedule meta.versionId');
    assert.ok((s.identifier ?? []).length <= 1, '[SchedIdent]');
    for (const i of s.identifier ?? []) assert.ok(i.value, '[SchedIdent] value');
    const roles = (s.extension ?? []).filter((e: any) => e.url === practitionerRoleExt);
    assert.equal(roles.length, 1, '[SchedExt] exactly one PractitionerRole-1');
    const coding = roles[0].valueCodeableConcept?.coding?.[0];
    assert.ok(coding?.system && coding.code && coding.display, 'PractitionerRole coding with system, code, display');
    assert.equal((s.extension ?? []).filter((e: any) => e.url === deliveryChannel1).length, 0, '[SchedExt] no DeliveryChannel-1');
    assert.equal(s.serviceType, undefined, '[SchedST] no serviceType (profile 0..0)');
    assert.equal(s.specialty, undefined, '[SchedNotInUse]');
    assert.equal(s.comment, undefined, 'no Schedule comment (F29)');
    assert.ok(Array.isArray(s.actor), 'actor');
    for (const a of s.actor) assert.match(a.reference ?? '', /^(Location|Practitioner)\/[^/]+$/, 'every actor a relative Location/Practitioner reference');
    const locs = s.actor.filter((a: any) => a.reference.startsWith('Location/'));
    assert.equal(locs.length, 1, 'a Location actor (spec: the surgery where the appointment happens)');
    locationRefs.add(locs[0].reference);
    for (const a of s.actor) if (a.reference.startsWith('Practitioner/')) practitionerRefs.add(a.reference);
    if (s.planningHorizon !== undefined) {
      assert.match(s.planningHorizon.start, ukDateTimeFormat, '[SchedPH] start');
      if (s.planningHorizon.end !== undefined) assert.match(s.planningHorizon.end, ukDateTimeFormat, 'planningHorizon.end');
    }
  }

  // Practitioners: exactly the Schedules' practitioner actors, when asked for (suite §7.3).
  if (expect.practitioners) {
    assert.deepEqual(b.practitioners.map((p) => `Practitioner/${p.id}`).sort(), [...practitionerRefs].sort(), 'exactly the Schedules\' Practitioners');
    for (const p of b.practitioners) {
      assert.deepEqual(p.meta?.profile, [profile.Practitioner], '[PracMeta]');
      assert.ok((p.identifier ?? []).filter((i: any) => i.system === systems.sdsUserId).length <= 1, '[PracSdsUser]');
      for (const i of p.identifier ?? []) assert.ok(practitionerIdentifierSystems.includes(i.system), `[PracIdentFixed] ${i.system}`);
      assert.equal(p.name?.length, 1, '[PracName]');
      assert.ok(p.name[0].family, '[PracName] family');
      for (const k of ['photo', 'qualification', 'birthDate']) assert.equal(p[k], undefined, `[PracExcl] ${k}`);
    }
  }
  // Locations: exactly the Schedules' locations, when asked for; [SchedLoc] resolves then.
  if (expect.locations) {
    assert.deepEqual(b.locations.map((l) => `Location/${l.id}`).sort(), [...locationRefs].sort(), 'exactly the Schedules\' Locations');
    for (const l of b.locations) {
      assert.deepEqual(l.meta?.profile, [profile.Location], '[LocMeta]');
      assert.ok(l.name, '[LocName]');
      assert.ok(l.address, '[LocAddr]');
      for (const i of l.identifier ?? []) assert.ok(i.system, '[LocIdent] system');
      assert.ok((l.identifier ?? []).filter((i: any) => i.system === systems.odsSite).length <= 1, '[LocIdent] ≤1 site code');
      assert.match(l.managingOrganization?.reference ?? '', /^Organization\/[^/]+$/, '[LocMO]');
      assert.ok(b.organizations.some((o) => `Organization/${o.id}` === l.managingOrganization.reference), 'the managing Organization is in the bundle');
    }
  }
  // Organization: always, exactly the managing organisation (known issue), never another.
  assert.equal(b.organizations.length, 1, 'exactly one Organization');
  const [org] = b.organizations;
  assert.deepEqual(org.meta?.profile, [profile.Organization], '[OrgValid] profile');
  assert.ok((org.identifier ?? []).filter((i: any) => i.system === odsSystem).length <= 1, '[OrgValid] ≤1 ODS code');
  for (const i of org.identifier ?? []) assert.ok(i.system && i.value !== undefined, '[OrgValid] identifier');
  if (expect.organizationId !== undefined) assert.equal(org.id, expect.organizationId);
  if (expect.organizationOds !== undefined) {
    assert.deepEqual((org.identifier ?? []).filter((i: any) => i.system === odsSystem).map((i: any) => i.value), [expect.organizationOds]);
  }
  return b;
}

/** B82617's own Organization (Organization/7, ODS B82617), which manages Locations 16 and 17. */
const practiceOrg = { organizationId: '7', organizationOds: 'B82617' } as const;

describeOnEachStore('Appointments: search for free slots', (provider) => {
  const search = (pairs: Pair[], options: { ods?: string; headers?: Record<string, string | undefined>; prefix?: Pair[] } = {}) =>
    provider().gpc({ path: `/Slot?${query(...(options.prefix ?? []), ...pairs)}`, interaction: 'searchSlots', ods: options.ods, headers: options.headers });

  // --- F1, F2, F21: the length of the window ---

  for (const days of [8, 0, 14]) {
    it(`F1 a ${days}-day window from T0 is a 200 searchset`, async () => {
      const res = await search(req(days));
      const b = assertSlotBundle(res, { ...practiceOrg, from: utcMidnight(1), to: utcMidnight(1 + days) });
      const diaryDays = Array.from({ length: days + 2 }, (_, i) => i);
      assert.deepEqual(keysOf(b.slots), expectedKeys(diaryDays, { ods: 'B82617', type: 'urgent-care' }, utcMidnight(1), utcMidnight(1 + days)));
      if (days > 0) assert.ok(b.slots.length > 0, 'slots in the window');
    });
  }

  for (const days of [15, 31, -1]) {
    it(`F2 a ${days}-day window is 422 INVALID_PARAMETER (more than 14 days, or end before start)`, async () => {
      assertOutcome(await search(req(days)), 422, 'INVALID_PARAMETER');
    });
  }

  it('F21 a 30-day window is 422 INVALID_PARAMETER with Cache-Control no-store', async () => {
    assertOutcome(await search(req(30)), 422, 'INVALID_PARAMETER');
  });

  it('14 whole days of dates (ge day 1, le day 15) is allowed; 15 (le day 16) is 422 INVALID_PARAMETER', async () => {
    assertSlotBundle(await search(window(day(1), day(15), ...suiteFilter)), practiceOrg);
    assertOutcome(await search(window(day(1), day(16), ...suiteFilter)), 422, 'INVALID_PARAMETER');
  });

  it('a date-only end the day before a date-only start is 422 INVALID_PARAMETER (−1 day as dates)', async () => {
    assertOutcome(await search(window(day(5), day(4), ...suiteFilter)), 422, 'INVALID_PARAMETER');
  });

  it('a date-only end the day before a dateTime start at midnight is 422 INVALID_PARAMETER', async () => {
    assertOutcome(await search(window(at(day(5), '00:00:00'), day(4), ...suiteFilter)), 422, 'INVALID_PARAMETER');
  });

  it('an end one second before the start is 422 INVALID_PARAMETER', async () => {
    assertOutcome(await search(window(at(day(2), '10:00:00'), at(day(2), '09:59:59'), ...suiteFilter)), 422, 'INVALID_PARAMETER');
  });

  // --- F3, F7: required parameters and their values ---

  const without = (pairs: Pair[], ...names: string[]) => pairs.filter(([k]) => !names.includes(k));
  for (const names of [['start', 'end'], ['start'], ['status'], ['end']]) {
    it(`F3 missing ${names.join(' and ')} is 400 BAD_REQUEST`, async () => {
      assertOutcome(await search(without(req(3), ...names)), 400, 'BAD_REQUEST');
    });
  }

  it('missing _include=Slot:schedule is 400 BAD_REQUEST (spec SHALL be sent; demonstrator 400)', async () => {
    assertOutcome(await search(without(req(3), '_include')), 400, 'BAD_REQUEST');
  });

  for (const [name, value] of [['start', 'invalidStartDate'], ['start', ''], ['end', 'invalidEnddate'], ['end', ''], ['status', 'busy']] as const) {
    it(`F7 ${name}=${value} is 422 INVALID_PARAMETER`, async () => {
      // As the suite does it: the parameter removed and re-added at the end of the query.
      assertOutcome(await search([...without(req(3), name), [name, value]]), 422, 'INVALID_PARAMETER');
    });
  }

  it('status=free sent twice with status=busy is 422 INVALID_PARAMETER (status SHALL be free)', async () => {
    assertOutcome(await search([...req(3), ['status', 'busy']]), 422, 'INVALID_PARAMETER');
  });

  it('start sent twice is 422 INVALID_PARAMETER (start once)', async () => {
    assertOutcome(await search([...req(3), ['start', `ge${day(2)}`]]), 422, 'INVALID_PARAMETER');
  });

  // --- F4–F6: prefixes ---

  /** TODAY(3, sp, ep): UTC midnight today to three days later, with the given prefixes. */
  const today = (sp: string, ep: string, ...rest: Pair[]): Pair[] => [
    ['start', `${sp}${ukLocal(utcMidnight(0))}`], ['end', `${ep}${ukLocal(utcMidnight(3))}`], ['status', 'free'], includeSchedule, ...rest,
  ];

  it('F4 ge/le with unknown searchFilter systems among the known ones is 200 (unknown systems ignored)', async () => {
    const res = await search(today('ge', 'le',
      ['searchFilter', 'FilterCategory-7|OtherConsumerCategory'], ['searchFilter', 'https://fhir.nhs.uk/Id/otherIdentifier|otherID'],
      ...suiteFilter, ['searchFilter', 'TypeCategory|OtherTypeCategory']));
    const b = assertSlotBundle(res, practiceOrg);
    const plain = assertSlotBundle(await search(today('ge', 'le', ...suiteFilter)), practiceOrg);
    assert.deepEqual(keysOf(b.slots), keysOf(plain.slots), 'the same slots as without the unknown filters');
    assert.ok(b.slots.length > 0);
  });

  for (const [sp, ep] of [['lt', 'gt'], ['gt', 'gt'], ['lt', 'lt'], ['le', 'ge'], ['eq', 'eq'], ['gt', 'lt'], ['ne', 'ne'], ['gt', 'ne'], ['ne', 'lt'], ['ge', 'ne'], ['ne', 'le'], ['', '']]) {
    it(`F5/F6 start=${sp || '(no prefix)'}… end=${ep || '(no prefix)'}… is 422 INVALID_PARAMETER`, async () => {
      assertOutcome(await search(today(sp, ep, ...suiteFilter)), 422, 'INVALID_PARAMETER');
    });
  }

  // --- F8, F22–F25: searchFilter ---

  it('F8 REQ(3) plus searchFilter TypeCategory|OtherTypeCategory is 200 with the same slots', async () => {
    const b = assertSlotBundle(await search(req(3, ['searchFilter', 'TypeCategory|OtherTypeCategory'])), practiceOrg);
    assert.deepEqual(keysOf(b.slots), keysOf(assertSlotBundle(await search(req(3)), practiceOrg).slots));
  });

  const fortnight = (...filters: Pair[]) => today('ge', 'le', ...filters).map(([k, v]): Pair => (k === 'end' ? ['end', `le${ukLocal(utcMidnight(14))}`] : [k, v]));
  const types = ['urgent-care', 'gp-practice', 'oncology'];
  const codes = ['A20047', 'B81016', 'M85015', 'RNR01'];
  const combinations: [string, Pair[], Party][] = [
    ['F24 no ODS code and no organisation type', [], {}],
    ...types.map((t): [string, Pair[], Party] => [`F22 organisation type ${t}`, [orgType(t)], { type: t }]),
    ...codes.map((c): [string, Pair[], Party] => [`F23 ODS code ${c}`, [ods(c)], { ods: c }]),
    ...types.flatMap((t) => codes.map((c): [string, Pair[], Party] => [`F25 organisation type ${t} and ODS code ${c}`, [orgType(t), ods(c)], { ods: c, type: t }])),
  ];
  for (const [title, filters, party] of combinations) {
    it(`${title}: 200, slots > 0, exactly the unrestricted slots plus those the filter unlocks`, async () => {
      const from = utcMidnight(0);
      const to = utcMidnight(14);
      const b = assertSlotBundle(await search(fortnight(...filters)), { ...practiceOrg, from, to });
      assert.ok(b.slots.length > 0, 'Slot count > 0');
      const now = new Date();
      const expected = expectedKeys(Array.from({ length: 16 }, (_, i) => i), party, now > from ? now : from, to);
      assert.deepEqual(keysOf(b.slots), expected);
    });
  }

  // Spec §1.4 with the restricted slots of pattern day 1 (schedule 2, 17:00–18:00).
  const day1Evening = (...filters: Pair[]) => window(at(day(1), '17:00:00'), at(day(1), '18:00:00'), ...filters);
  const restricted = (...times: string[]) => times.map((t) => slotKey('2', at(day(1), t), at(day(1), plusMinutes(t, 10)))).sort();
  const plusMinutes = (t: string, m: number) => {
    const [h, mi] = t.split(':').map(Number) as [number, number];
    const total = h * 60 + mi + m;
    return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}:00`;
  };
  const filterCases: [string, Pair[], string[]][] = [
    ['no searchFilter ⇒ no restricted slot', [], []],
    ['ODS B82617 only ⇒ the ODS-restricted slots without a type restriction', [ods('B82617')], restricted('17:00', '17:30')],
    ['urgent-care only ⇒ the type-restricted slots without an ODS restriction', [orgType('urgent-care')], restricted('17:10')],
    ['gp-practice only ⇒ the gp-practice slot without an ODS restriction', [orgType('gp-practice')], restricted('17:40')],
    ['ODS B82617 and urgent-care ⇒ every slot whose restrictions both match', suiteFilter, restricted('17:00', '17:10', '17:20', '17:30')],
    ['ODS B82617 and gp-practice ⇒ every slot whose restrictions both match', [ods('B82617'), orgType('gp-practice')], restricted('17:00', '17:30', '17:40', '17:50')],
    ['another ODS code (A20047) and urgent-care ⇒ only the urgent-care slot without an ODS restriction', [ods('A20047'), orgType('urgent-care')], restricted('17:10')],
    ['an unknown type (oncology) with ODS B82617 ⇒ as ODS B82617 only', [orgType('oncology'), ods('B82617')], restricted('17:00', '17:30')],
    ['unknown systems with the urgent-care code ⇒ ignored, as no filter', [['searchFilter', 'https://example.org/type|urgent-care'], ['searchFilter', 'https://example.org/ods|B82617']], []],
    ['a searchFilter without a system bar ⇒ ignored', [['searchFilter', 'urgent-care']], []],
  ];
  for (const [title, filters, expected] of filterCases) {
    it(`searchFilter on pattern day 1 17:00–18:00: ${title}`, async () => {
      const b = assertSlotBundle(await search(day1Evening(...filters)), practiceOrg);
      assert.deepEqual(keysOf(b.slots), expected);
    });
  }

  it('slots not GP Connect bookable are never returned (09:00–09:40 on day 2)', async () => {
    assert.equal(assertSlotBundle(await search(window(at(day(2), '09:00:00'), at(day(2), '09:40:00'), ...suiteFilter))).all.length, 0);
    const b = assertSlotBundle(await search(window(at(day(2), '09:00:00'), at(day(2), '09:50:00'), ...suiteFilter)), practiceOrg);
    assert.deepEqual(b.slots.map((s) => s.start), [at(day(2), '09:40:00'), at(day(2), '09:40:00'), at(day(2), '09:40:00')]);
  });

  // --- F9, F10: date formats ---

  const nowLocal = () => ukLocal(new Date());
  const formats: [string, (d: Date) => string][] = [
    ['yyyy-MM-dd', (d) => ukLocal(d).slice(0, 10)],
    ['yyyy-MM-ddTHH:mm:sszzz', (d) => ukLocal(d)],
  ];
  for (const [fs, startOf] of formats) {
    for (const [fe, endOf] of formats) {
      it(`F9 start as ${fs} and end as ${fe} (now to now + 3 days) is 200`, async () => {
        const now = new Date();
        const later = new Date(now.getTime() + 3 * 86_400_000);
        const res = await search(window(startOf(now), endOf(later), ...suiteFilter, ['searchFilter', 'TypeCategory|OtherTypeCategory']));
        const b = assertSlotBundle(res, practiceOrg);
        assert.ok(b.slots.length > 0);
      });
    }
  }

  const noOffset = (s: string) => s.slice(0, 19);
  for (const [title, start, end] of [
    ['no offset on either', noOffset(nowLocal()), noOffset(ukLocal(new Date(Date.now() + 3 * 86_400_000)))],
    ['…ssZ (local time + literal Z) and no offset', `${noOffset(nowLocal())}Z`, noOffset(ukLocal(new Date(Date.now() + 3 * 86_400_000)))],
    ['no offset and …ssZ', noOffset(nowLocal()), `${noOffset(ukLocal(new Date(Date.now() + 3 * 86_400_000)))}Z`],
    ['yyyy and yyyy-MM', nowLocal().slice(0, 4), ukLocal(new Date(Date.now() + 3 * 86_400_000)).slice(0, 7)],
    ['yyyy-MM and yyyy', nowLocal().slice(0, 7), ukLocal(new Date(Date.now() + 3 * 86_400_000)).slice(0, 4)],
    ['hh:mm without seconds', `${day(1)}T09:00+00:00`, `${day(2)}T09:00+00:00`],
    ['an impossible calendar date (day 30 of February)', '2031-02-27', '2031-02-30'],
    ['an impossible month (13)', '2031-12-30', '2031-13-01'],
    ['an impossible hour (24:00:00)', `${day(1)}T10:00:00+00:00`, `${day(1)}T24:00:00+00:00`],
    ['an impossible offset (+25:00)', `${day(1)}T10:00:00+25:00`, `${day(1)}T12:00:00+00:00`],
  ] as const) {
    it(`F10 invalid dates (${title}) are 422 INVALID_PARAMETER`, async () => {
      assertOutcome(await search(window(start, end, ...suiteFilter)), 422, 'INVALID_PARAMETER');
    });
  }

  it('any valid offset is read as its instant (+00:00 and +01:00 for the same UK wall time give different windows)', async () => {
    // 10:00 UK local on day 2, written with the UK offset and as UTC with Z and +00:00 (REC: accept Z on input).
    const start = ukInstant(day(2), '10:00');
    const end = ukInstant(day(2), '11:00');
    const utc = (d: Date) => d.toISOString().replace('.000Z', '+00:00');
    const asUk = assertSlotBundle(await search(window(ukLocal(start), ukLocal(end), ...suiteFilter)), practiceOrg);
    const asUtc = assertSlotBundle(await search(window(utc(start), utc(end), ...suiteFilter)), practiceOrg);
    const asZ = assertSlotBundle(await search(window(start.toISOString().replace('.000', ''), end.toISOString().replace('.000', ''), ...suiteFilter)), practiceOrg);
    assert.deepEqual(keysOf(asUtc.slots), keysOf(asUk.slots));
    assert.deepEqual(keysOf(asZ.slots), keysOf(asUk.slots));
    assert.deepEqual(keysOf(asUk.slots), expectedKeys([2], { ods: 'B82617', type: 'urgent-care' }, start, end));
    // One hour later in UTC terms: shifted by an hour.
    const shifted = (d: Date) => ukLocal(new Date(d.getTime() + 3_600_000));
    const later = assertSlotBundle(await search(window(shifted(start), shifted(end), ...suiteFilter)), practiceOrg);
    assert.deepEqual(keysOf(later.slots), expectedKeys([2], { ods: 'B82617', type: 'urgent-care' }, new Date(start.getTime() + 3_600_000), new Date(end.getTime() + 3_600_000)));
  });

  // --- window semantics ---

  it('a date-only end includes that whole day, and a date-only start begins at 00:00 UK time', async () => {
    const b = assertSlotBundle(await search(window(day(2), day(2), ...suiteFilter)), practiceOrg);
    assert.deepEqual(keysOf(b.slots), expectedKeys([2], { ods: 'B82617', type: 'urgent-care' }, ukInstant(day(2), '00:00'), ukInstant(day(3), '00:00')));
    assert.equal(b.slots.length, 132, 'schedules 1, 2 and 12: 44 bookable slots each');
  });

  it('a dateTime start with a date-only end on the same day is the rest of that day', async () => {
    const b = assertSlotBundle(await search(window(at(day(2), '15:00:00'), day(2), ...suiteFilter)), practiceOrg);
    assert.deepEqual(keysOf(b.slots), expectedKeys([2], { ods: 'B82617', type: 'urgent-care' }, ukInstant(day(2), '15:00'), ukInstant(day(3), '00:00')));
    assert.ok(b.slots.length > 0);
  });

  it('slots must lie wholly inside the window: none starting before start or ending after end (pattern day 8)', async () => {
    // Day 8: schedule 1 only, 09:40–14:30 every 10 min, 14:30–16:50 every 10 min, and one 70-minute slot 16:50–18:00.
    const from = ukInstant(day(8), '09:45');
    const to = ukInstant(day(8), '17:30');
    const b = assertSlotBundle(await search(window(ukLocal(from), ukLocal(to), ...suiteFilter)), { ...practiceOrg, from, to });
    assert.deepEqual(keysOf(b.slots), expectedKeys([8], {}, from, to));
    assert.equal(b.slots[0].start, at(day(8), '09:50:00'), 'the 09:40 slot started before the window');
    assert.ok(!b.slots.some((s) => s.start === at(day(8), '16:50:00')), 'the 16:50–18:00 slot ends after the window');
    const whole = assertSlotBundle(await search(window(at(day(8), '16:50:00'), at(day(8), '18:00:00'), ...suiteFilter)), practiceOrg);
    assert.deepEqual(keysOf(whole.slots), [slotKey('1', at(day(8), '16:50:00'), at(day(8), '18:00:00'))]);
  });

  it('start == end (F1 0 days) at a slot boundary returns no slot and an empty bundle', async () => {
    const b = assertSlotBundle(await search(window(at(day(2), '10:00:00'), at(day(2), '10:00:00'), ...suiteFilter)));
    assert.equal(b.all.length, 0);
  });

  it('a window with no free slots (the seeding day itself) is an empty searchset: no Schedule, no Organization', async () => {
    const res = await search(window(day(0), day(0), ...suiteFilter, recursePractitioner, recurseLocation, recurseManagingOrganization));
    assertSlotBundle(res);
    assert.deepEqual(assertSearchset(res), []);
  });

  it('a window in the past is allowed (200, no error)', async () => {
    const b = assertSlotBundle(await search(window('2020-01-01', '2020-01-14', ...suiteFilter)));
    assert.equal(b.all.length, 0);
  });

  // --- includes (spec §1.2 table; F15–F18, F27–F29) ---

  const includeCases: [string, Pair[], Expect][] = [
    ['_include=Slot:schedule only ⇒ Slot, Schedule, Organization', [], {}],
    ['+ Schedule:actor:Practitioner ⇒ + Practitioner (F16, F17: no Location)', [recursePractitioner], { practitioners: true }],
    ['+ Schedule:actor:Location ⇒ + Location (F16, F18: no Practitioner)', [recurseLocation], { locations: true }],
    ['+ both actor includes ⇒ + Practitioner and Location', [recursePractitioner, recurseLocation], { practitioners: true, locations: true }],
    ['+ Location:managingOrganization only ⇒ no change', [recurseManagingOrganization], {}],
    ['F15 + all three ⇒ Slot, Schedule, Practitioner, Location, Organization', [recursePractitioner, recurseLocation, recurseManagingOrganization], { practitioners: true, locations: true }],
  ];
  for (const [title, includes, expect] of includeCases) {
    it(`includes on day 2: ${title}`, async () => {
      const b = assertSlotBundle(await search(window(day(2), day(2), ...suiteFilter, ...includes)), { ...practiceOrg, ...expect });
      assert.deepEqual(b.schedules.map((s) => s.id).sort(), ['1', '12', '2']);
      if (expect.practitioners) assert.deepEqual(b.practitioners.map((p) => p.id).sort(), ['1', '2']);
      if (expect.locations) assert.deepEqual(b.locations.map((l) => l.id).sort(), ['16', '17']);
      assert.equal(b.all.length, 132 + 3 + 1 + (expect.practitioners ? 2 : 0) + (expect.locations ? 2 : 0));
    });
  }

  it('includes on day 7 (schedule 1 only): only Schedule 1, Practitioner 1, Location 16 and Organization 7', async () => {
    const b = assertSlotBundle(await search(window(day(7), day(7), ...suiteFilter, recursePractitioner, recurseLocation)), { ...practiceOrg, practitioners: true, locations: true });
    assert.deepEqual(b.all.filter((r) => r.resourceType !== 'Slot').map((r) => `${r.resourceType}/${r.id}`).sort(), ['Location/16', 'Organization/7', 'Practitioner/1', 'Schedule/1']);
    assert.equal(b.slots.length, 44);
  });

  it('Schedule content: actor Location/16|17 and Practitioner, PractitionerRole from the session, serviceCategory.text, planningHorizon (F27)', async () => {
    const b = assertSlotBundle(await search(req(2, recurseLocation)), { ...practiceOrg, locations: true });
    assert.ok(b.schedules.length >= 1);
    for (const s of b.schedules) {
      const seeded = seed.schedules.find((x) => x.practice === practice.ods && x.id === s.id)!;
      assert.deepEqual(s.actor.map((a: any) => a.reference).sort(), [`Location/${seeded.locationId}`, `Practitioner/${seeded.practitionerId}`].sort());
      assert.deepEqual(s.extension, [{
        url: practitionerRoleExt,
        valueCodeableConcept: { coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1', code: seeded.practitionerRole.code, display: seeded.practitionerRole.display }] },
      }]);
      assert.equal(s.serviceCategory?.text, seeded.serviceCategory, 'F27 serviceCategory.text');
      assert.ok(s.planningHorizon?.start, '[SchedPH]');
    }
  });

  it('Slot content: DeliveryChannel-2 valueCode and serviceType.text from the pattern, exact UK start/end (F11, F28, F29)', async () => {
    const b = assertSlotBundle(await search(req(2, recurseLocation, ['searchFilter', 'FilterCategory-7|OtherConsumerCategory'])), { ...practiceOrg, locations: true });
    assert.ok(b.slots.length > 0);
    const byKey = new Map([1, 2, 3].flatMap((n) => diarySlots(n)).map((s) => [s.key, s.pattern]));
    for (const s of b.slots) {
      const pattern = byKey.get(keysOf([s])[0]!);
      assert.ok(pattern, `a slot of the seeded diary: ${keysOf([s])[0]}`);
      assert.deepEqual(s.extension, [{ url: deliveryChannel2, valueCode: pattern.deliveryChannel }]);
      assert.deepEqual(s.serviceType, [{ text: pattern.serviceType }]);
    }
  });

  it('the day-1 17:00 restricted slot is written in UK local time with the UK offset', async () => {
    const b = assertSlotBundle(await search(day1Evening(ods('B82617'))), practiceOrg);
    assert.equal(b.slots[0].start, at(day(1), '17:00:00'));
    assert.equal(b.slots[0].end, at(day(1), '17:10:00'));
  });

  // --- F12–F14: formats ---

  for (const type of fhirMediaTypes) {
    it(`F12 Accept: ${type} gives the bundle in that format, with the same content`, async () => {
      const res = await search(req(3), { headers: { Accept: type } });
      assertFormat(res, type, 'Bundle');
      assertSlotBundle(res, practiceOrg);
      assert.deepEqual(res.json, (await search(req(3))).json);
    });
    it(`F13 _format=${type} (before the other parameters) gives that format, with the same content`, async () => {
      const res = await search(req(3), { prefix: [['_format', type]] });
      assertFormat(res, type, 'Bundle');
      assertSlotBundle(res, practiceOrg);
      assert.deepEqual(res.json, (await search(req(3))).json);
    });
    for (const accept of fhirMediaTypes) {
      it(`F14 Accept: ${accept} with _format=${type} answers in ${formatOf(type)}`, async () => {
        const res = await search(req(3), { prefix: [['_format', type]], headers: { Accept: accept } });
        assertFormat(res, type, 'Bundle');
        assertSlotBundle(res, practiceOrg);
      });
    }
  }

  it('an error is in the format _format asks for (XML OperationOutcome)', async () => {
    assertOutcome(await search(req(15), { prefix: [['_format', 'application/fhir+xml']] }), 422, 'INVALID_PARAMETER', 'application/fhir+xml');
  });

  it('F20 a successful search is Cache-Control no-store', async () => {
    assertSlotBundle(await search(req(3)), practiceOrg);
  });

  // --- diary state ---

  it('a slot made busy is no longer offered, and is offered again when freed', async () => {
    const db = provider().db;
    const target = ukInstant(day(3), '10:00');
    const key = slotKey('12', ukLocal(target), ukLocal(new Date(target.getTime() + 600_000)));
    const q = () => search(window(at(day(3), '10:00:00'), at(day(3), '10:10:00'), ...suiteFilter));
    assert.ok(keysOf(assertSlotBundle(await q(), practiceOrg).slots).includes(key));
    await db.query(`UPDATE slot SET status = 'busy' WHERE practice = 'B82617' AND schedule_id = '12' AND start_at = $1`, [target]);
    try {
      const b = assertSlotBundle(await q(), practiceOrg);
      assert.ok(!keysOf(b.slots).includes(key));
      assert.equal(b.slots.length, 2);
    } finally {
      await db.query(`UPDATE slot SET status = 'free' WHERE practice = 'B82617' AND schedule_id = '12' AND start_at = $1`, [target]);
    }
    assert.ok(keysOf(assertSlotBundle(await q(), practiceOrg).slots).includes(key));
  });

  // --- isolation ---

  it('at GPC002 the same window returns only GPC002\'s slots, its Schedule 1 at Location 1, and its own Organization/1', async () => {
    const res = await search(window(day(2), day(2), ...suiteFilter, recursePractitioner, recurseLocation, recurseManagingOrganization), { ods: otherPractice.ods });
    const b = assertSlotBundle(res, { practitioners: true, locations: true, organizationId: '1', organizationOds: 'GPC002' });
    assert.deepEqual(keysOf(b.slots), expectedKeys([2], {}, ukInstant(day(2), '00:00'), ukInstant(day(3), '00:00'), otherPractice.ods));
    assert.equal(b.slots.length, 12);
    assert.deepEqual(b.all.filter((r) => r.resourceType !== 'Slot').map((r) => `${r.resourceType}/${r.id}`).sort(), ['Location/1', 'Organization/1', 'Practitioner/1', 'Schedule/1']);
    assert.equal(b.locations[0].name, 'Ryedale Test Practice Main Site');
    assert.deepEqual(b.practitioners[0].identifier.filter((i: any) => i.system === systems.sdsUserId).map((i: any) => i.value), ['G55555555']);
    for (const s of b.slots) assert.deepEqual(s.serviceType, [{ text: 'General GP appointment' }]);
    // And B82617's answer for that day has none of GPC002's.
    const atA = assertSlotBundle(await search(window(day(2), day(2), ...suiteFilter)), practiceOrg);
    assert.ok(!atA.slots.some((s) => s.serviceType[0].text === 'General GP appointment'));
  });
});

describeOnEachStore('Appointments: search for free slots with the capability switched off', (provider) => {
  const slotSearch = () => provider().gpc({ path: `/Slot?${query(...req(3))}`, interaction: 'searchSlots' });
  /** Polls until the practice cache (re-read every 2 s) has the change: up to 6 s. */
  async function until(status: number): Promise<GpcResponse> {
    const deadline = Date.now() + 6000;
    for (;;) {
      const res = await slotSearch();
      if (res.status === status || Date.now() > deadline) return res;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const setAppointments = (db: TestProvider['db'], on: boolean) =>
    db.query('UPDATE practice SET appointments_enabled = $1 WHERE ods_code = $2', [on, practice.ods]);

  it('appointments disabled at B82617 ⇒ 403 ACCESS_DENIED for Slot search, while Foundations still answers; re-enabled ⇒ 200', async () => {
    const db = provider().db;
    assertSlotBundle(await slotSearch(), practiceOrg);
    await setAppointments(db, false);
    try {
      assertOutcome(await until(403), 403, 'ACCESS_DENIED');
      const org = await provider().gpc({ path: `/Organization?${query(identifier(odsSystem, 'B82617'))}`, interaction: 'searchOrganization' });
      assert.equal(assertSearchset(org, 1)[0].id, '7');
      // The other practice is not affected.
      const other = await provider().gpc({ path: `/Slot?${query(...window(day(2), day(2)))}`, interaction: 'searchSlots', ods: otherPractice.ods });
      assertSlotBundle(other, { organizationId: '1', organizationOds: 'GPC002' });
    } finally {
      await setAppointments(db, true);
    }
    assertSlotBundle(await until(200), practiceOrg);
  });
});

describeOnEachStore('Appointments: search for free slots in a large diary', (provider) => {
  const schedules = 50;
  it(`a one-week search with all includes is still exact with a year of diary for ${schedules} more schedules`, async () => {
    const db = provider().db;
    // 50 schedules alternating between Practitioners 1–4 and Locations 16/17; a year of hourly slots,
    // 08:00–16:00 (8 a day), every fourth busy and one a day not GP Connect bookable.
    await db.query(
      `INSERT INTO schedule (practice, id, practitioner_id, location_id, service_category, practitioner_role, planning_horizon_start)
       SELECT 'B82617', 'bulk' || n, ((n % 4) + 1)::text, CASE WHEN n % 2 = 0 THEN '16' ELSE '17' END, 'Bulk session',
         '{"code":"R0260","display":"General Medical Practitioner"}'::jsonb, now()
       FROM generate_series(1, $1::int) AS n`,
      [schedules],
    );
    await db.query(
      `INSERT INTO slot (practice, schedule_id, start_at, end_at, status, service_type, delivery_channel, gpc_bookable)
       SELECT 'B82617', 'bulk' || s, (d::date + time '08:00' + make_interval(hours => n)) AT TIME ZONE 'Europe/London',
         (d::date + time '08:00' + make_interval(hours => n + 1)) AT TIME ZONE 'Europe/London',
         CASE WHEN n % 4 = 3 THEN 'busy' ELSE 'free' END, 'Bulk appointment', 'Telephone', n % 8 <> 5
       FROM generate_series(1, $1::int) AS s,
         generate_series($2::date, $2::date + 364, interval '1 day') AS d,
         generate_series(0, 7) AS n`,
      [schedules, day(1)],
    );
    const res = await provider().gpc({
      path: `/Slot?${query(...window(day(1), day(7), ...suiteFilter, recursePractitioner, recurseLocation, recurseManagingOrganization))}`,
      interaction: 'searchSlots',
    });
    const b = assertSlotBundle(res, { ...practiceOrg, practitioners: true, locations: true, from: ukInstant(day(1), '00:00'), to: ukInstant(day(8), '00:00') });
    const seeded = expectedKeys([1, 2, 3, 4, 5, 6, 7], { ods: 'B82617', type: 'urgent-care' }, ukInstant(day(1), '00:00'), ukInstant(day(8), '00:00'));
    const bulk = b.slots.filter((s) => s.schedule.reference.startsWith('Schedule/bulk'));
    assert.deepEqual(keysOf(b.slots.filter((s) => !s.schedule.reference.startsWith('Schedule/bulk'))), seeded);
    // Per schedule and day: 8 slots, minus 2 busy (n = 3, 7), minus 1 not bookable (n = 5) ⇒ 5.
    assert.equal(bulk.length, schedules * 7 * 5);
    assert.equal(b.schedules.length, 3 + schedules);
    assert.deepEqual(b.practitioners.map((p) => p.id).sort(), ['1', '2', '3', '4']);
    assert.deepEqual(b.locations.map((l) => l.id).sort(), ['16', '17']);
  });
});
