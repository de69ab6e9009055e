/**
 * GP Connect writes instants in UK local time with the offset (+00:00 GMT, +01:00 BST), to the
 * second, never with Z or milliseconds (appointments pages; the suite parses them that way).
 */
const ukParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
  hourCycle: 'h23',
});

export function ukDateTime(instant: Date): string {
  const seconds = Math.floor(instant.getTime() / 1000);
  const offset = ukOffsetMinutes(seconds);
  const local = new Date((seconds + offset * 60) * 1000);
  const abs = Math.abs(offset);
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:` +
    `${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

/**
 * The UK offset at an instant, asked of the time-zone database once per UTC hour: UK clocks only
 * ever change on a whole UTC hour. (A slot search formats thousands of instants; Intl is slow.)
 */
const offsetByHour = new Map<number, number>();
function ukOffsetMinutes(epochSeconds: number): number {
  const hour = Math.floor(epochSeconds / 3600);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const parts: Record<string, string> = {};
    for (const p of ukParts.formatToParts(new Date(hour * 3_600_000))) parts[p.type] = p.value;
    const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
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

/** The instant a UK calendar date (YYYY-MM-DD) begins, UK local time. */
export function ukStartOfDay(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const utcMidnight = new Date(Date.UTC(y, m - 1, d));
  // Clocks change at 01:00 UTC, so the offset at UTC midnight is the offset at UK midnight.
  const offset = ukDateTime(utcMidnight).slice(19);
  const minutes = (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  return new Date(utcMidnight.getTime() - minutes * 60_000);
}

/** The UK calendar date `days` after `date` (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
