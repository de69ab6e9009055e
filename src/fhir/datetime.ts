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
  const parts: Record<string, string> = {};
  for (const p of ukParts.formatToParts(instant)) parts[p.type] = p.value;
  const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  const offsetMinutes = Math.round((local - Math.floor(instant.getTime() / 1000) * 1000) / 60000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
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
