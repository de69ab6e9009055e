import type { BookingParty, Coded, DeliveryChannel, Schedule, Slot } from '../domain/diary.ts';
import type { Db } from './db.ts';

interface ScheduleRow {
  id: string; identifier: string | null; practitioner_id: string | null; location_id: string; service_category: string | null;
  practitioner_role: Coded; planning_horizon_start: Date; planning_horizon_end: Date | null; version: number;
}
interface SlotRow {
  id: string; schedule_id: string; start_at: Date; end_at: Date; status: 'free' | 'busy'; service_type: string;
  delivery_channel: DeliveryChannel; gpc_bookable: boolean; bookable_ods_codes: string[]; bookable_org_types: string[]; version: number;
}

const toSchedule = (r: ScheduleRow): Schedule => ({
  id: r.id, identifier: r.identifier ?? undefined, practitionerId: r.practitioner_id ?? undefined, locationId: r.location_id,
  serviceCategory: r.service_category ?? undefined, practitionerRole: r.practitioner_role,
  planningHorizonStart: r.planning_horizon_start, planningHorizonEnd: r.planning_horizon_end ?? undefined, version: r.version,
});
const toSlot = (r: SlotRow): Slot => ({
  id: r.id, scheduleId: r.schedule_id, start: r.start_at, end: r.end_at, status: r.status, serviceType: r.service_type,
  deliveryChannel: r.delivery_channel, gpcBookable: r.gpc_bookable, bookableOdsCodes: r.bookable_ods_codes,
  bookableOrgTypes: r.bookable_org_types, version: r.version,
});

const slotColumns = 'id, schedule_id, start_at, end_at, status, service_type, delivery_channel, gpc_bookable, bookable_ods_codes, bookable_org_types, version';

export async function findSchedules(db: Db, practice: string, ids: string[]): Promise<Schedule[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<ScheduleRow>(
    `SELECT id, identifier, practitioner_id, location_id, service_category, practitioner_role, planning_horizon_start,
       planning_horizon_end, version FROM schedule WHERE practice = $1 AND id = ANY($2::text[]) ORDER BY id`,
    [practice, ids],
  );
  return rows.map(toSchedule);
}

/**
 * Free, GP Connect bookable slots lying wholly inside [from, to] that `party` may be offered
 * (domain/diary.ts isOfferedTo, done here in SQL so the index does the work), not yet started.
 */
export async function searchFreeSlots(db: Db, practice: string, from: Date, to: Date, notBefore: Date, party: BookingParty): Promise<Slot[]> {
  const rows = await db.query<SlotRow>(
    `SELECT ${slotColumns} FROM slot
     WHERE practice = $1 AND status = 'free' AND gpc_bookable AND start_at >= $2 AND end_at <= $3 AND start_at >= $4
       AND (cardinality(bookable_ods_codes) = 0 OR $5::text = ANY(bookable_ods_codes))
       AND (cardinality(bookable_org_types) = 0 OR $6::text = ANY(bookable_org_types))
     ORDER BY start_at, schedule_id, id`,
    [practice, from, to, notBefore, party.odsCode ?? null, party.organisationType ?? null],
  );
  return rows.map(toSlot);
}

/** The slots with these ids (FOR UPDATE inside a booking or cancellation transaction). */
export async function findSlots(db: Db, practice: string, ids: string[], forUpdate = false): Promise<Slot[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<SlotRow>(
    `SELECT ${slotColumns} FROM slot WHERE practice = $1 AND id = ANY($2::text[]) ORDER BY start_at, id${forUpdate ? ' FOR UPDATE' : ''}`,
    [practice, ids],
  );
  return rows.map(toSlot);
}

/**
 * Marks the slots busy if, and only if, every one of them is still free. Returns how many it
 * took: fewer than asked means another booking got there first.
 */
export async function takeSlots(db: Db, practice: string, ids: string[]): Promise<number> {
  const rows = await db.query(
    `UPDATE slot SET status = 'busy', version = version + 1
     WHERE practice = $1 AND id = ANY($2::text[]) AND status = 'free' RETURNING id`,
    [practice, ids],
  );
  return rows.length;
}

/**
 * Gives slots back to the diary (a cancelled appointment's, after its links were made inactive).
 * Only busy slots no live booking holds are freed, so a slot is freed once however often this runs
 * and never while another appointment holds it. Returns how many it freed.
 */
export async function releaseSlots(db: Db, practice: string, ids: string[]): Promise<number> {
  const rows = await db.query(
    `UPDATE slot SET status = 'free', version = version + 1
     WHERE practice = $1 AND id = ANY($2::text[]) AND status = 'busy'
       AND NOT EXISTS (SELECT 1 FROM appointment_slot l WHERE l.practice = slot.practice AND l.slot_id = slot.id AND l.active)
     RETURNING id`,
    [practice, ids],
  );
  return rows.length;
}

/**
 * Generates each practice's rolling diary from its slot pattern for every day after the one
 * already generated up to `through` (a UK calendar date). Day d after the anchor date uses
 * pattern day ((d - 1) mod cycle) + 1, so the pattern repeats for as long as the diary runs.
 * Slot times are UK local time. Returns the number of slots created.
 */
export async function extendDiary(db: Db, through: string, practice?: string): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ n: number }>(
      `WITH state AS (
         SELECT * FROM diary_state WHERE ($2::text IS NULL OR practice = $2) AND generated_through < $1::date FOR UPDATE
       ), days AS (
         SELECT s.practice, d::date AS day, (((d::date - s.anchor_date) - 1) % s.cycle_days) + 1 AS pattern_day
         FROM state s, generate_series(s.generated_through + 1, $1::date, interval '1 day') AS d
         WHERE d::date > s.anchor_date
       ), created AS (
         INSERT INTO slot (practice, schedule_id, start_at, end_at, service_type, delivery_channel, gpc_bookable,
           bookable_ods_codes, bookable_org_types)
         SELECT p.practice, p.schedule_id,
           (days.day + p.start_time + make_interval(mins => p.slot_minutes * n)) AT TIME ZONE 'Europe/London',
           (days.day + p.start_time + make_interval(mins => p.slot_minutes * (n + 1))) AT TIME ZONE 'Europe/London',
           p.service_type, p.delivery_channel, p.gpc_bookable, p.bookable_ods_codes, p.bookable_org_types
         FROM days
         JOIN slot_pattern p ON p.practice = days.practice AND p.day = days.pattern_day
         CROSS JOIN LATERAL generate_series(0, p.slot_count - 1) AS n
         ORDER BY days.day, p.start_time, p.schedule_id, n
         RETURNING 1
       ), moved AS (
         UPDATE diary_state SET generated_through = $1::date WHERE practice IN (SELECT practice FROM state) RETURNING 1
       )
       SELECT (SELECT count(*) FROM created)::int AS n`,
      [through, practice ?? null],
    );
    return rows[0]!.n;
  });
}
