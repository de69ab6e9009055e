import type { Capability, Practice } from '../domain/practice.ts';
import { isStructuredArea, structuredAreas, type StructuredArea } from '../domain/structured-areas.ts';
import type { Db } from './db.ts';

interface PracticeRow {
  ods_code: string;
  name: string;
  asid: string;
  organization_id: string;
  gpconnect_enabled: boolean;
  appointments_enabled: boolean;
  structured_enabled: boolean;
  structured_areas_disabled: string[];
}

export async function listPractices(db: Db): Promise<Practice[]> {
  const rows = await db.query<PracticeRow>('SELECT * FROM practice ORDER BY ods_code');
  return rows.map((row) => ({
    odsCode: row.ods_code,
    name: row.name,
    asid: row.asid,
    organizationId: row.organization_id,
    enabled: { gpconnect: row.gpconnect_enabled, appointments: row.appointments_enabled, structured: row.structured_enabled },
    structuredAreasDisabled: new Set(row.structured_areas_disabled.filter(isStructuredArea)),
  }));
}

/** Switches one capability and records who did it, in one transaction (spec: enablement is audited). */
export async function setEnabled(db: Db, odsCode: string, capability: Capability, enabled: boolean, changedBy: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const updated = await tx.query(`UPDATE practice SET ${capability}_enabled = $2 WHERE ods_code = $1 RETURNING ods_code`, [odsCode, enabled]);
    if (updated.length === 0) return false;
    await tx.query('INSERT INTO enablement_change (practice, capability, enabled, changed_by) VALUES ($1, $2, $3, $4)', [odsCode, capability, enabled, changedBy]);
    return true;
  });
}

/**
 * Switches one Access Record Structured clinical area on or off for a practice, recorded in
 * enablement_change as capability `structured:<area>` alongside the capability switches. False
 * when there is no such practice. An unknown area is refused rather than stored, so a typo can
 * never look like a switch that worked.
 */
export async function setStructuredAreaEnabled(db: Db, odsCode: string, area: StructuredArea, enabled: boolean, changedBy: string): Promise<boolean> {
  if (!isStructuredArea(area)) throw new RangeError(`Unknown structured area "${String(area)}": one of ${structuredAreas.join(', ')}`);
  return db.transaction(async (tx) => {
    // Removing first keeps each area at most once whichever way it is switched, however often.
    const updated = await tx.query(
      `UPDATE practice
          SET structured_areas_disabled = CASE WHEN $2 THEN array_remove(structured_areas_disabled, $3)
                                               ELSE array_append(array_remove(structured_areas_disabled, $3), $3) END
        WHERE ods_code = $1 RETURNING ods_code`,
      [odsCode, enabled, area],
    );
    if (updated.length === 0) return false;
    await tx.query('INSERT INTO enablement_change (practice, capability, enabled, changed_by) VALUES ($1, $2, $3, $4)', [odsCode, `structured:${area}`, enabled, changedBy]);
    return true;
  });
}

/**
 * Practices are read on every request, so they are held in memory and re-read at most every
 * `maxAgeMs`: a switch flipped from another process (CLI, second instance) takes effect within that.
 */
export class PracticeDirectory {
  private practices = new Map<string, Practice>();
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(private readonly db: Db, private readonly maxAgeMs = 2000) {}

  async find(odsCode: string): Promise<Practice | undefined> {
    if (Date.now() - this.loadedAt > this.maxAgeMs) await this.reload();
    return this.practices.get(odsCode);
  }

  async all(): Promise<Practice[]> {
    if (Date.now() - this.loadedAt > this.maxAgeMs) await this.reload();
    return [...this.practices.values()];
  }

  reload(): Promise<void> {
    this.loading ??= listPractices(this.db)
      .then((list) => {
        this.practices = new Map(list.map((p) => [p.odsCode, p]));
        this.loadedAt = Date.now();
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
