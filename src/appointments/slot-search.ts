import type { BookingParty } from '../domain/diary.ts';
import { searchset, type Resource } from '../fhir/datatypes.ts';
import { addDays, isFhirDate, parseFhirDateTime, ukStartOfDay, withinFhirTime } from '../fhir/datetime.ts';
import { GpcError } from '../fhir/errors.ts';
import { codeSystems, identifierSystems } from '../fhir/systems.ts';
import { locationResource, organizationResource, practitionerResource } from '../foundations/resources.ts';
import type { Handler } from '../http/handler.ts';
import { findLocationsByIds, findOrganizationsByIds, findPractitionersByIds } from '../store/directory.ts';
import { findSchedules, searchFreeSlots } from '../store/diary.ts';
import { scheduleResource, slotResource } from './resources.ts';

const invalidParameter = (diagnostics: string) => new GpcError('INVALID_PARAMETER', diagnostics);

// Search-for-free-slots page: at most two weeks. Counted in whole days like the demonstrator, so a
// midnight-to-midnight fortnight across the autumn clock change (337 hours) is still 14 days.
const maxDays = 14;

/**
 * GET /Slot?start=ge…&end=le…&status=free&_include=Slot:schedule[&_include:recurse=…][&searchFilter=…]:
 * the free slots a consumer may book, with their schedules, the Organization always, and the
 * Practitioners and Locations when asked for.
 */
export const searchFreeSlotsHandler: Handler = async (ctx) => {
  const q = ctx.query;
  const start = readBound(q, 'start', 'ge');
  const end = readBound(q, 'end', 'le');
  const status = q.getAll('status');
  if (status.length === 0) throw new GpcError('BAD_REQUEST', 'The status search parameter is required: status=free');
  if (status.length > 1 || status[0] !== 'free') throw invalidParameter('Only status=free can be searched');
  if (!q.getAll('_include').includes('Slot:schedule')) throw new GpcError('BAD_REQUEST', 'The search must include _include=Slot:schedule');

  const from = start.instant;
  // A date-only end includes that whole day.
  const to = end.dateOnly ? ukStartOfDay(addDays(end.text, 1)) : end.instant;
  // End before start ⇒ 422. A date-only end runs to the end of its day, so `ge<d>T10:00&le<d>` is the
  // rest of day d (valid) while `ge<d+1>&le<d>` ends before it starts (spec §1.1: date-only end = whole day).
  if (end.dateOnly ? to <= from : end.instant < from) throw invalidParameter('The end of the search period is before its start');
  if (Math.floor((end.instant.getTime() - from.getTime()) / 86_400_000) > maxDays) {
    throw invalidParameter(`The search period can be at most ${maxDays} days`);
  }

  const recurse = new Set(q.getAll('_include:recurse'));
  // Any FHIR date or dateTime is a valid bound, up to 9999-12-31T23:59:59-14:00 (year 10000 in UTC):
  // the window is searched within FHIR time, which holds everything stored (and what stores can take).
  const slots = await searchFreeSlots(ctx.db, ctx.practice.odsCode, withinFhirTime(from), withinFhirTime(to), ctx.now, readSearchFilter(q));
  const schedules = await findSchedules(ctx.db, ctx.practice.odsCode, unique(slots.map((s) => s.scheduleId)));
  const practice = ctx.practice.odsCode;

  const locations = await findLocationsByIds(ctx.db, practice, unique(schedules.map((s) => s.locationId)));
  const organizationIds = unique(locations.flatMap((l) => (l.managingOrganizationId ? [l.managingOrganizationId] : [])));
  const entries: Resource[] = [...slots.map(slotResource), ...schedules.map(scheduleResource)];
  if (recurse.has('Schedule:actor:Practitioner')) {
    const ids = unique(schedules.flatMap((s) => (s.practitionerId ? [s.practitionerId] : [])));
    for (const p of await findPractitionersByIds(ctx.db, practice, ids)) entries.push(practitionerResource(p));
  }
  if (recurse.has('Schedule:actor:Location')) for (const l of locations) entries.push(locationResource(l));
  // Known issue (appointments): the Organization is returned whenever there are slots, asked for or not.
  for (const o of await findOrganizationsByIds(ctx.db, practice, organizationIds)) entries.push(organizationResource(o));
  return { resource: searchset(entries) };
};

interface Bound {
  text: string;
  instant: Date;
  dateOnly: boolean;
}

/** start=ge… / end=le…: one value, the right prefix, a full date or a dateTime with its offset. */
function readBound(q: URLSearchParams, name: 'start' | 'end', prefix: 'ge' | 'le'): Bound {
  const values = q.getAll(name);
  if (values.length === 0) throw new GpcError('BAD_REQUEST', `The ${name} search parameter is required`);
  if (values.length > 1) throw invalidParameter(`The ${name} search parameter must be sent once`);
  const value = values[0]!;
  if (!value.startsWith(prefix)) throw invalidParameter(`${name} must have the prefix ${prefix}`);
  const text = value.slice(2);
  // Spec §1.1 (F7/F10): a value that is not a real date or dateTime (years 0001–9999) ⇒ 422, never a
  // rolled-over date; a dateTime needs its seconds and offset (F10).
  if (isFhirDate(text)) return { text, instant: ukStartOfDay(text), dateOnly: true };
  const instant = parseFhirDateTime(text);
  if (instant) return { text, instant, dateOnly: false };
  throw invalidParameter(`${name} must be a date (yyyy-mm-dd) or a dateTime with its offset (yyyy-mm-ddThh:mm:ss+hh:mm)`);
}

/** searchFilter tokens the spec defines; any other system is ignored (spec SHALL). */
function readSearchFilter(q: URLSearchParams): BookingParty {
  const party: BookingParty = { odsCode: undefined, organisationType: undefined };
  for (const token of q.getAll('searchFilter')) {
    const bar = token.indexOf('|');
    if (bar < 0) continue;
    const system = token.slice(0, bar);
    const code = token.slice(bar + 1);
    if (system === identifierSystems.odsOrganizationCode) party.odsCode = code;
    else if (system === codeSystems.organisationType) party.organisationType = code;
  }
  return party;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
