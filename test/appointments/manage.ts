/**
 * The read / retrieve / amend / cancel tests' shared steps (suite checklist §3–6, §8.4): book an
 * appointment through the real POST /Appointment (a fresh free-slot search, the suite's default body
 * from its first slot, so every test gets its own slot), re-send the provider's own Appointment the
 * way the suite's .NET client does, and look at the rows left behind.
 */
import assert from 'node:assert/strict';
import { toFhirXml } from '../../src/fhir/xml.ts';
import { practice, type GpcResponse, type TestProvider } from '../harness/provider.ts';
import { sd } from '../harness/assertions.ts';
import { book, bookingBody, searchFreeSlots, type BodyOptions, type FreeSlots, type SearchOptions } from './booking.ts';

export const cancellationReasonUrl = `${sd}Extension-GPConnect-AppointmentCancellationReason-1`;
export const absoluteBookingOrgReference = 'https://test1.supplier.thirdparty.nhs.uk/A11111/STU3/1/GPConnect/#1';

export interface Booked {
  /** The 201 body: what STORE keeps (suite §0). */
  appointment: any;
  /** The slot(s) booked, as the search returned them. */
  slots: any[];
  found: FreeSlots;
  patientId: string;
}

/**
 * BOOK(x) (suite §0): search free slots (S14, or S2d with `fromDay: 2, days: 1`), book the first one
 * (or `slots` contiguous ones) for Patient/`patientId` with BODY(t, dc, pr), and require a 201.
 */
export async function bookOne(
  p: TestProvider,
  patientId = '1',
  options: SearchOptions & BodyOptions & { slots?: number; change?: (body: any) => void; claims?: Record<string, unknown> } = {},
): Promise<Booked> {
  const found = await searchFreeSlots(p, options);
  let slots = [found.slots[0]];
  if ((options.slots ?? 1) > 1) {
    const first = found.slots.find((a) => runFrom(found, a, options.slots!).length === options.slots);
    assert.ok(first, `${options.slots} contiguous free slots`);
    slots = runFrom(found, first, options.slots!);
  }
  const body = bookingBody(found, slots, patientId, options);
  options.change?.(body);
  const res = await book(p, body, options.claims ? { claims: options.claims } : {});
  assert.equal(res.status, 201, res.text.slice(0, 400));
  return { appointment: res.json, slots, found, patientId };
}

function runFrom(found: FreeSlots, first: any, n: number): any[] {
  const run = [first];
  while (run.length < n) {
    const last = run.at(-1);
    const next = found.slots.find((s) => s.schedule.reference === last.schedule.reference && Date.parse(s.start) === Date.parse(last.end)
      && s.extension?.[0]?.valueCode === last.extension?.[0]?.valueCode && s.serviceType?.[0]?.text === last.serviceType?.[0]?.text);
    if (!next) break;
    run.push(next);
  }
  return run;
}

/** `instant` written with another UTC offset (`minutes` east), e.g. 2024-05-01T15:30:00+05:30. */
export function withOffset(instant: string, minutes: number): string {
  const local = new Date(Date.parse(instant) + minutes * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(minutes);
  return `${local}${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * The Appointment as the suite's client sends it back (§8.4): parsed and re-serialised by .NET, so
 * instants come back in another form — here start/end in UTC with +00:00 and created with seven
 * fractional digits — while every element the provider returned is kept.
 */
export function roundTrip(appointment: any): any {
  const copy = structuredClone(appointment);
  const utc = (value: string) => new Date(value).toISOString().replace('.000Z', '+00:00');
  copy.start = utc(copy.start);
  copy.end = utc(copy.end);
  copy.created = new Date(copy.created).toISOString().replace(/\.\d{3}Z$/, '.0000000+00:00');
  return copy;
}

/**
 * CANCEL(r) (suite §6): the stored Appointment with status cancelled and the reason extension
 * appended last (null: the extension without a value, as .NET may serialise an empty one).
 */
export function cancelBody(appointment: any, reason: string | null = 'double booked'): any {
  const body = roundTrip(appointment);
  body.status = 'cancelled';
  body.extension = [...body.extension, reason === null ? { url: cancellationReasonUrl } : { url: cancellationReasonUrl, valueString: reason }];
  return body;
}

/** The amend body: the stored Appointment with `changes` applied (undefined removes an element). */
export function amendBody(appointment: any, changes: Record<string, unknown> = {}): any {
  const body = roundTrip(appointment);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete body[key];
    else body[key] = value;
  }
  return body;
}

export interface PutOptions {
  /** The request body's format (default json). */
  bodyFormat?: 'json' | 'xml';
  headers?: Record<string, string | undefined>;
  /** Appended to the path, e.g. ?_format=xml */
  query?: string;
  /** The id in the URL (default the body's). */
  id?: string;
}

/** PUT Appointment/{id} with the amend (update) or cancel interaction. */
export function put(p: TestProvider, interaction: 'amendAppointment' | 'cancelAppointment', body: any, options: PutOptions = {}): Promise<GpcResponse> {
  const xml = options.bodyFormat === 'xml';
  return p.gpc({
    method: 'PUT',
    path: `/Appointment/${options.id ?? body.id}${options.query ?? ''}`,
    interaction,
    body: xml ? toFhirXml(body) : body,
    headers: { ...(xml ? { 'Content-Type': 'application/fhir+xml;charset=utf-8' } : {}), ...options.headers },
  });
}

export const amend = (p: TestProvider, body: any, options?: PutOptions) => put(p, 'amendAppointment', body, options);
export const cancel = (p: TestProvider, body: any, options?: PutOptions) => put(p, 'cancelAppointment', body, options);

export const readAppointment = (p: TestProvider, id: string, extra = '', headers?: Record<string, string | undefined>) =>
  p.gpc({ path: `/Appointment/${id}${extra}`, interaction: 'readAppointment', headers });

// --- rows left behind ---

export interface AppointmentRow {
  status: string;
  description: string;
  comment: string | null;
  priority: number | null;
  cancellation_reason: string | null;
  version: number;
  start_at: Date;
}

export async function appointmentRow(p: TestProvider, id: string): Promise<AppointmentRow> {
  const [row] = await p.db.query<AppointmentRow>(
    'SELECT status, description, comment, priority, cancellation_reason, version, start_at FROM appointment WHERE practice = $1 AND id = $2',
    [practice.ods, id],
  );
  assert.ok(row, `appointment ${id} is stored`);
  return row;
}

export interface SlotState {
  status: string;
  version: number;
  /** Live (active) appointment links to the slot. */
  live: number;
}

export async function slotState(p: TestProvider, slotId: string): Promise<SlotState> {
  const [row] = await p.db.query<{ status: string; version: number; live: number | string }>(
    `SELECT s.status, s.version, (SELECT count(*) FROM appointment_slot l WHERE l.practice = s.practice AND l.slot_id = s.id AND l.active) AS live
     FROM slot s WHERE s.practice = $1 AND s.id = $2`,
    [practice.ods, slotId],
  );
  assert.ok(row, `slot ${slotId} exists`);
  return { status: row.status, version: row.version, live: Number(row.live) };
}

/** Moves a booked appointment's start to `start` (and its end an hour later): past appointments cannot be booked. */
export async function moveAppointment(p: TestProvider, id: string, start: Date): Promise<void> {
  await p.db.query('UPDATE appointment SET start_at = $3, end_at = $4 WHERE practice = $1 AND id = $2', [practice.ods, id, start, new Date(start.getTime() + 3_600_000)]);
}

/** Runs `work` with Patient/`id` flagged sensitive (PDS S-flag), then clears the flag. */
export async function whileSensitive<T>(p: TestProvider, id: string, work: () => Promise<T>): Promise<T> {
  await p.db.query('UPDATE patient SET sensitive = true WHERE practice = $1 AND id = $2', [practice.ods, id]);
  try {
    return await work();
  } finally {
    await p.db.query('UPDATE patient SET sensitive = false WHERE practice = $1 AND id = $2', [practice.ods, id]);
  }
}

/** The extension of `resource` with this url (asserting there is exactly one). */
export function extensionOf(resource: any, url: string): any {
  const found = (resource.extension ?? []).filter((e: { url: string }) => e.url === url);
  assert.equal(found.length, 1, `exactly one ${url} extension`);
  return found[0];
}

/** A UTC calendar date, yyyy-mm-dd, `days` after today (the suite's URLQ dates). */
export const utcDate = (days = 0) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
