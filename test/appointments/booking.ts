/**
 * The suite's booking flow for the book and concurrency tests (suite checklist §8.2–8.3): search the
 * free slots the way the suite does (`S14`, `S14nt`, `S2d`), then build DefaultAppointmentBuilder's
 * body from a slot of that bundle and a patient id. Everything is written out here, not taken from src.
 */
import assert from 'node:assert/strict';
import { type GpcRequest, type GpcResponse, type TestProvider } from '../harness/provider.ts';
import { appointmentProfile, assertSearchset, query, sd, systems } from '../harness/assertions.ts';
import { seededAt } from '../harness/stores.ts';

export const orgTypeSystem = 'https://fhir.nhs.uk/STU3/CodeSystem/GPConnect-OrganisationType-1';
export const bookingOrgExtension = `${sd}Extension-GPConnect-BookingOrganisation-1`;
export const deliveryChannelExtension = `${sd}Extension-GPConnect-DeliveryChannel-2`;
export const practitionerRoleExtension = `${sd}Extension-GPConnect-PractitionerRole-1`;

// --- UK calendar dates (the diary's pattern day 1 is the UK date after seeding) ---

const ukDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
export function plusDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
/** The diary's day n (n = 1: the UK date after the test database was seeded). */
export const diaryDay = (n: number) => plusDays(ukDay.format(seededAt), n);

// --- slot search ---

export interface FreeSlots {
  /** Slot entries in bundle order (the suite takes the first). */
  slots: any[];
  /** Schedule entries by id. */
  schedules: Map<string, any>;
}

export interface SearchOptions {
  /** First diary day of the window (default 1, the suite's T0 = UTC midnight tomorrow). */
  fromDay?: number;
  /** Window length in days (default 14, `S14`; `S2d` is 1). */
  days?: number;
  /** With the urgent-care organisation-type searchFilter (default true; false = `S14nt`). */
  orgType?: boolean;
  ods?: string;
}

/** `S14` (or `S14nt`, `S2d`): GET Slot with the suite's parameters; the free slots and their schedules. */
export async function searchFreeSlots(p: TestProvider, options: SearchOptions = {}): Promise<FreeSlots> {
  const from = diaryDay(options.fromDay ?? 1);
  const to = plusDays(from, options.days ?? 14);
  const filters: [string, string][] = [['searchFilter', `${systems.ods}|B82617`]];
  if (options.orgType ?? true) filters.push(['searchFilter', `${orgTypeSystem}|urgent-care`]);
  const res = await p.gpc({
    path: `/Slot?${query(['start', `ge${from}T00:00:00+00:00`], ['end', `le${to}T00:00:00+00:00`], ['status', 'free'], ...filters, ['_include', 'Slot:schedule'])}`,
    interaction: 'searchSlots',
    ods: options.ods,
  });
  const resources = assertSearchset(res);
  const slots = resources.filter((r) => r.resourceType === 'Slot');
  assert.ok(slots.length > 0, 'the slot search found free slots');
  return { slots, schedules: new Map(resources.filter((r) => r.resourceType === 'Schedule').map((s) => [s.id, s])) };
}

// --- the default booking body ---

export interface BodyOptions {
  /** `t`: the contained organisation carries the urgent-care type (default true). */
  orgType?: boolean;
  /** `dc`: a DeliveryChannel-2 extension copied from the first slot. */
  deliveryChannel?: boolean;
  /** `pr`: the suite's fixed R0260 PractitionerRole extension. */
  practitionerRole?: boolean;
}

export const bookingOrganization = (orgType = true): Record<string, any> => ({
  resourceType: 'Organization',
  id: '1',
  meta: { profile: [`${sd}CareConnect-GPC-Organization-1`] },
  identifier: [{ system: systems.ods, value: 'B82617' }],
  ...(orgType ? { type: [{ coding: [{ system: orgTypeSystem, code: 'urgent-care' }], text: 'Urgent Care' }] } : {}),
  name: 'Test Suite Validator',
  telecom: [{ system: 'phone', value: '01823938938', use: 'temp' }],
});

const participation = [{ coding: [{ system: 'http://hl7.org/fhir/encounter-participant-type', code: 'PART', display: 'Participation' }], text: 'Participation' }];

/** The schedule's Location actor reference, copied verbatim (suite §8.2). */
export function locationOf(found: FreeSlots, slot: any): string {
  const schedule = found.schedules.get(String(slot.schedule.reference).replace(/^Schedule\//, ''));
  assert.ok(schedule, `the bundle includes ${slot.schedule.reference}`);
  return schedule.actor.find((a: { reference: string }) => a.reference.includes('Location')).reference;
}

/**
 * BODY(t, dc, pr) (suite §8.3) for `slots` (the first and, for a multi-slot booking, the rest, in order)
 * of the bundle `found`, booked for Patient/`patientId`.
 */
export function bookingBody(found: FreeSlots, slots: any | any[], patientId: string, options: BodyOptions = {}): Record<string, any> {
  const list: any[] = Array.isArray(slots) ? slots : [slots];
  const first = list[0]!;
  const schedule = found.schedules.get(String(first.schedule.reference).replace(/^Schedule\//, ''));
  const extension: Record<string, unknown>[] = [{ url: bookingOrgExtension, valueReference: { reference: '#1' } }];
  if (options.practitionerRole) {
    extension.push({
      url: practitionerRoleExtension,
      valueCodeableConcept: { coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1', code: 'R0260' }], text: 'General Medical Practitioner' },
    });
  }
  if (options.deliveryChannel) {
    const dc = first.extension?.find((e: { url: string }) => e.url === deliveryChannelExtension);
    assert.ok(dc, 'the slot has a DeliveryChannel-2 extension');
    extension.push({ url: deliveryChannelExtension, valueCode: dc.valueCode });
  }
  return {
    resourceType: 'Appointment',
    meta: { profile: [appointmentProfile] },
    contained: [bookingOrganization(options.orgType ?? true)],
    extension,
    status: 'booked',
    ...(schedule?.serviceCategory?.text ? { serviceCategory: { text: schedule.serviceCategory.text } } : {}),
    ...(first.serviceType ? { serviceType: [{ text: first.serviceType[0].text }] } : {}),
    description: 'Default Description',
    start: first.start,
    end: list.at(-1)!.end,
    slot: list.map((s) => ({ reference: `Slot/${s.id}` })),
    created: new Date().toISOString().replace('Z', '+00:00'),
    participant: [
      { type: participation, actor: { reference: `Patient/${patientId}` }, status: 'accepted' },
      { type: participation, actor: { reference: locationOf(found, first) }, status: 'accepted' },
    ],
  };
}

/** POST Appointment (the create interaction) with `body`; `extra` changes the request. */
export function book(p: TestProvider, body: unknown, extra: Partial<GpcRequest> = {}): Promise<GpcResponse> {
  return p.gpc({
    method: 'POST',
    path: '/Appointment',
    interaction: 'bookAppointment',
    body: typeof body === 'string' ? body : (body as Record<string, unknown>),
    ...extra,
  });
}

/** Two slots of one schedule, B starting as A ends, with the same channel and slot type (a valid multi-slot booking). */
export function contiguousPairs(found: FreeSlots): [any, any][] {
  const pairs: [any, any][] = [];
  for (const a of found.slots) {
    const b = found.slots.find((s) =>
      s.schedule.reference === a.schedule.reference && Date.parse(s.start) === Date.parse(a.end) && channelOf(s) === channelOf(a) &&
      s.serviceType?.[0]?.text === a.serviceType?.[0]?.text);
    if (b) pairs.push([a, b]);
  }
  return pairs;
}

/** A run of `n` contiguous slots of one schedule with one channel and slot type, none of them in `avoid`. */
export function contiguousRun(found: FreeSlots, n: number, avoid: Set<string> = new Set()): any[] {
  for (const start of found.slots) {
    const run = [start];
    while (run.length < n) {
      const last = run.at(-1)!;
      const next = found.slots.find((s) =>
        s.schedule.reference === last.schedule.reference && Date.parse(s.start) === Date.parse(last.end) && channelOf(s) === channelOf(last) &&
        s.serviceType?.[0]?.text === last.serviceType?.[0]?.text);
      if (!next) break;
      run.push(next);
    }
    if (run.length === n && run.every((s) => !avoid.has(s.id))) return run;
  }
  assert.fail(`no run of ${n} contiguous free slots`);
}

export const channelOf = (slot: any): string | undefined =>
  slot.extension?.find((e: { url: string }) => e.url === deliveryChannelExtension)?.valueCode;

/** The patients the suite books for ("existing patient" pool, suite §10.2): shareable, not sensitive. */
export const bookablePatients = ['1', '2', '3', '4', '5', '6', '7', '8', '13', '16', '17'] as const;
