/**
 * What amend and cancel share: finding and locking the appointment a PUT /Appointment/{id} names,
 * the state rules that refuse a change (cancelled, past, If-Match), and the comparison of the
 * incoming Appointment with the stored one.
 *
 * Spec (amend, cancel pages): consumers read the appointment and change it in place, so the body
 * is the provider's own Appointment with one change. Amend may change only description and comment;
 * cancel only the status (to cancelled) and the added cancellation-reason extension. Anything else
 * that differs is 422 INVALID_RESOURCE.
 */
import type { Appointment } from '../domain/appointment.ts';
import { parseFhirDateTime } from '../fhir/datetime.ts';
import { GpcError } from '../fhir/errors.ts';
import { extensions } from '../fhir/systems.ts';
import { isLogicalId } from '../foundations/identifier-search.ts';
import type { HandlerContext } from '../http/handler.ts';
import { findAppointment } from '../store/appointments.ts';
import type { Db } from '../store/db.ts';
import { findPatient } from '../store/patients.ts';
import { appointmentResource } from './resources.ts';

type Json = Record<string, unknown>;

export const invalidResource = (diagnostics: string) => new GpcError('INVALID_RESOURCE', diagnostics);

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The checks that need no database: the body is an Appointment whose id is the URL's
 * (FHIR update; DEMO refuses a mismatch). Returns the body.
 */
export function readUpdateBody(ctx: HandlerContext): Json {
  const id = ctx.params.id!;
  if (!isLogicalId(id)) throw new GpcError('NO_RECORD_FOUND', `No appointment with logical id ${id.slice(0, 64)}`);
  const body = ctx.body;
  // Suite M11: "resourceType":"InvalidResourceType" ⇒ 422 INVALID_RESOURCE.
  if (!isObject(body) || body.resourceType !== 'Appointment') throw invalidResource('The request body must be an Appointment resource');
  if (body.id !== id) throw invalidResource(`The Appointment's id must be the id in the URL (${id})`);
  return body;
}

/**
 * Inside the write's transaction: the appointment, locked until commit so concurrent amends and
 * cancels of it take turns and each sees the other's result. Refuses, in this order:
 * unknown ⇒ 404 NO_RECORD_FOUND; a sensitive patient's ⇒ 404 PATIENT_NOT_FOUND (appointments IG);
 * cancelled ⇒ 422 INVALID_RESOURCE (checked before If-Match: suite C22 re-sends a stale body and
 * expects INVALID_RESOURCE, not a conflict); started already ⇒ 422 INVALID_RESOURCE (spec: only
 * future appointments can be amended or cancelled); If-Match naming another version ⇒ 409
 * FHIR_CONSTRAINT_VIOLATION (suite M9, C15). Without If-Match the change goes ahead (suite: most
 * requests send none); meta.versionId in the body is never used for this (suite §9 Q4).
 */
export async function lockForChange(ctx: HandlerContext, tx: Db, action: 'amended' | 'cancelled'): Promise<Appointment> {
  const id = ctx.params.id!;
  const appointment = await findAppointment(tx, ctx.practice.odsCode, id, true);
  if (!appointment) throw new GpcError('NO_RECORD_FOUND', `No appointment with logical id ${id}`);
  const patient = await findPatient(tx, ctx.practice.odsCode, appointment.patientId);
  if (!patient || patient.sensitive) throw new GpcError('PATIENT_NOT_FOUND', 'The patient of this appointment was not found');
  ctx.audit.patientId = patient.id;
  ctx.audit.appointmentId = appointment.id;
  if (appointment.status === 'cancelled') throw invalidResource(`Appointment/${id} is cancelled and cannot be ${action}`);
  if (appointment.start < ctx.now) throw invalidResource(`Appointment/${id} has started or is in the past and cannot be ${action}`);
  const wanted = ifMatchVersion(ctx.headers['if-match']);
  if (wanted !== undefined && wanted !== '*' && wanted !== String(appointment.version)) {
    throw new GpcError('FHIR_CONSTRAINT_VIOLATION', `If-Match does not name the current version (${appointment.version}) of Appointment/${id}`);
  }
  return appointment;
}

/** The version an If-Match header names: W/"3" or "3" ⇒ '3', * ⇒ '*'; anything else is kept as sent (and matches no version). */
export function ifMatchVersion(header: string | string[] | undefined): string | undefined {
  const value = (Array.isArray(header) ? header.join(',') : header)?.trim();
  if (value === undefined || value === '') return undefined;
  const m = /^(?:W\/)?"([^"]*)"$/.exec(value);
  return m ? m[1] : value;
}

export interface ChangeRules {
  /** Top-level elements this interaction may change (amend: description, comment; cancel: status). */
  mutable: readonly string[];
  /** Extension URLs this interaction adds (cancel: the cancellation reason), left out of the comparison. */
  addedExtensions: readonly string[];
}

// Elements the provider derives from the diary (schedule and slot). Spec digest §5: consumers
// built on older examples leave them out, so absent means unchanged; sent, they must be as given.
const derivedElements = new Set(['serviceCategory', 'serviceType']);
const derivedExtensions = new Set<string>([extensions.deliveryChannel, extensions.practitionerRole]);
// Suite §8.4: the .NET client re-formats instants (another offset, fractional seconds): compared as instants.
const instantElements = new Set(['start', 'end', 'created']);
// meta is the server's (the version is checked through If-Match only); id was checked against the URL.
const neverCompared = new Set(['meta', 'id']);

/**
 * The top-level elements of `incoming` that differ from the stored appointment as this provider
 * returns it (appointmentResource), apart from those `rules` allow to change. Empty when the
 * change is allowed.
 */
export function changedElements(incoming: Json, stored: Appointment, rules: ChangeRules): string[] {
  const current = appointmentResource(stored) as Json;
  const changed: string[] = [];
  const keys = new Set([...Object.keys(current), ...Object.keys(incoming)]);
  for (const key of keys) {
    if (neverCompared.has(key) || rules.mutable.includes(key)) continue;
    const sent = incoming[key];
    const held = current[key];
    if (key === 'extension') {
      if (!sameExtensions(sent, held, rules)) changed.push(key);
    } else if (derivedElements.has(key) && sent === undefined) {
      continue;
    } else if (instantElements.has(key)) {
      if (instantSeconds(sent) === undefined || instantSeconds(sent) !== instantSeconds(held)) changed.push(key);
    } else if (canonical(sent) !== canonical(held)) {
      changed.push(key);
    }
  }
  return changed;
}

/**
 * The extensions, in any order: the stored ones, less a derived one the consumer left out, must be
 * exactly the sent ones less those this interaction adds (suite M16: a cancellation reason added on
 * amend is a change; M18/C23: an absolute booking-organisation reference is a change).
 */
function sameExtensions(sent: unknown, held: unknown, rules: ChangeRules): boolean {
  const sentList = sent === undefined ? [] : sent;
  if (!Array.isArray(sentList) || !sentList.every(isObject)) return false;
  const heldList = (Array.isArray(held) ? held : []) as Json[];
  const kept = sentList.filter((e) => !rules.addedExtensions.includes(e.url as string));
  const sentUrls = new Set(kept.map((e) => e.url));
  const expected = heldList.filter((e) => !(derivedExtensions.has(e.url as string) && !sentUrls.has(e.url)));
  return sameMultiset(kept.map(canonical), expected.map(canonical));
}

function sameMultiset(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

/**
 * A dateTime with its offset as whole seconds since the epoch. Seconds, because the provider
 * writes instants to the second (created is stored finer than it is shown). A time that is not
 * real (2031-02-30, T24:00) is no instant, rather than the one Date.parse would roll it over to.
 */
function instantSeconds(value: unknown): number | undefined {
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  const instant = typeof value === 'string' ? parseFhirDateTime(value) : undefined;
  return instant === undefined ? undefined : Math.floor(instant.getTime() / 1000);
}

/** JSON with object keys sorted, so key order (jsonb, XML) does not count as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v,
  ) ?? 'undefined';
}
