/**
 * GP Connect writes instants in UK local time with the offset (+00:00 GMT, +01:00 BST), to the
 * second, never with Z or milliseconds (appointments pages; the suite parses them that way).
 *
 * FHIR dates and dateTimes have four-digit years, 0001–9999. Nothing here goes through Date.UTC or
 * new Date(y, m, d): both read the years 0–99 as 1900–1999 (Date.UTC(50, 0, 1) is 1950).
 */
const ukParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
  hourCycle: 'h23',
});

/** Milliseconds since the epoch of a UTC calendar time, any year (overflowing fields roll over, as in Date.UTC). */
function utcTime(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

/** The first instant of FHIR time, 0001-01-01T00:00:00Z. */
export const firstInstant = new Date(utcTime(1, 1, 1));
/**
 * The last millisecond of FHIR time, 9999-12-31T23:59:59.999Z (UK local time is GMT then, so it is
 * also the last instant of the UK day 9999-12-31). No FHIR instant lies outside these, and the
 * embedded store cannot take one that does (PGlite sends years past 9999 as `+010000-…`).
 */
export const lastInstant = new Date(utcTime(10_000, 1, 1) - 1);

/**
 * `instant` held within FHIR time: a search bound past 9999-12-31 (the day after an end date of
 * 9999-12-31, or 9999-12-31T23:59:59-14:00) becomes the last millisecond of 9999, one before year
 * 0001 the first instant of 0001. Nothing stored lies outside, so a search finds the same things.
 */
export function withinFhirTime(instant: Date): Date {
  if (instant < firstInstant) return firstInstant;
  if (instant > lastInstant) return lastInstant;
  return instant;
}

export function ukDateTime(instant: Date): string {
  const seconds = Math.floor(instant.getTime() / 1000);
  const offset = ukOffsetMinutes(seconds);
  const local = new Date((seconds + offset * 60) * 1000);
  const abs = Math.abs(offset);
  return `${year(local.getUTCFullYear())}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:` +
    `${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));
/** Four digits for FHIR's years (0099, not 99); outside 0000–9999 the ISO expanded form (+010000), as toISOString writes it. */
const year = (y: number) => (y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : `${y < 0 ? '-' : '+'}${String(Math.abs(y)).padStart(6, '0')}`);

// London kept local mean time (−00:01:15) until 1 December 1847 (00:00 LMT, 00:01:15 UTC). An offset
// in seconds cannot be written as ±hh:mm, so instants before then are written in GMT, +00:00, and
// every instant reads back as itself. (From the whole UTC hour after the change: offsets are cached
// per hour. Intl also writes the years before 1 AD without their era, so it must not be asked.)
const gmtSince = utcTime(1847, 12, 1, 1) / 1000;

/**
 * The UK offset at an instant, asked of the time-zone database once per UTC hour: UK clocks only
 * ever change on a whole UTC hour. (A slot search formats thousands of instants; Intl is slow.)
 */
const offsetByHour = new Map<number, number>();
function ukOffsetMinutes(epochSeconds: number): number {
  if (epochSeconds < gmtSince) return 0;
  const hour = Math.floor(epochSeconds / 3600);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const parts: Record<string, string> = {};
    for (const p of ukParts.formatToParts(new Date(hour * 3_600_000))) parts[p.type] = p.value;
    const local = utcTime(+parts.year!, +parts.month!, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
    offset = Math.round((local - hour * 3_600_000) / 60_000);
    if (offsetByHour.size > 100_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

/** The UK calendar date of an instant, YYYY-MM-DD. */
export function ukDate(instant: Date): string {
  return ukDateTime(instant).slice(0, 10);
}

const fhirDate = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A FHIR date yyyy-mm-dd naming a real day of the years 0001–9999 (no 2031-02-30, no year 0000). */
export function isFhirDate(text: string): boolean {
  const m = fhirDate.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1) return false;
  const date = new Date(utcTime(y, mo, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

// FHIR dateTime with a time: hours 00–23, minutes and seconds 00–59, offset Z or ±hh:mm up to 14:00.
const fhirDateTime = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-](0\d|1[0-3]):[0-5]\d|[+-]14:00)$/;

/**
 * The instant of a FHIR dateTime with its time and offset (yyyy-mm-ddThh:mm:ss[.fff](Z|±hh:mm)),
 * or undefined when the text is not one or names no real time: Date.parse alone rolls 2031-02-30
 * over to 2 March and takes T24:00. `secondsOptional` also takes yyyy-mm-ddThh:mm±hh:mm.
 */
export function parseFhirDateTime(text: string, secondsOptional = false): Date | undefined {
  const m = fhirDateTime.exec(text);
  if (!m || !isFhirDate(m[1]!) || (m[3] === undefined && !secondsOptional)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/**
 * The instant a UK calendar date (YYYY-MM-DD) begins, UK local time. A day after 9999-12-31 (the
 * exclusive end of a period ending on 9999-12-31, addDays('9999-12-31', 1)) is held at the last
 * instant of FHIR time (see withinFhirTime): stores cannot take year 10000.
 */
export function ukStartOfDay(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = utcTime(y, m, d);
  // Clocks change at 01:00 UTC, so the offset at UTC midnight is the offset at UK midnight.
  const start = new Date(utcMidnight - ukOffsetMinutes(utcMidnight / 1000) * 60_000);
  return start > lastInstant ? lastInstant : start;
}

/** The UK calendar date `days` after `date` (YYYY-MM-DD; the day after 9999-12-31 is 10000-01-01). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const next = new Date(utcTime(y, m, d + days));
  const nextYear = next.getUTCFullYear();
  return `${nextYear >= 0 ? String(nextYear).padStart(4, '0') : year(nextYear)}-${pad(next.getUTCMonth() + 1)}-${pad(next.getUTCDate())}`;
}
