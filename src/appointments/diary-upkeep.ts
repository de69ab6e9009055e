import { ukDate } from '../fhir/datetime.ts';
import type { Db } from '../store/db.ts';
import { extendDiary } from '../store/diary.ts';

/** The UK calendar date `days` after `now`. */
export function ukDateAfter(now: Date, days: number): string {
  return ukDate(new Date(now.getTime() + days * 86_400_000));
}

/** Generates every practice's diary up to `days` days ahead of today. Returns the slots created. */
export function extendDiaryAhead(db: Db, now: Date, days: number): Promise<number> {
  return extendDiary(db, ukDateAfter(now, days));
}

/**
 * Keeps the rolling diary `days` ahead while the server runs (checked hourly), so a long-running
 * provider always has free slots in the weeks ahead. Returns a function that stops it.
 */
export function keepDiaryAhead(db: Db, clock: () => Date, days: number, onError: (err: unknown) => void): () => void {
  const timer = setInterval(() => void extendDiaryAhead(db, clock(), days).catch(onError), 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}
