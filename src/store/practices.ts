import type { Capability, Practice } from '../domain/practice.ts';
import type { Db } from './db.ts';

interface PracticeRow {
  ods_code: string;
  name: string;
  asid: string;
  organization_id: string;
  gpconnect_enabled: boolean;
  appointments_enabled: boolean;
  structured_enabled: boolean;
}

export async function listPractices(db: Db): Promise<Practice[]> {
  const rows = await db.query<PracticeRow>('SELECT * FROM practice ORDER BY ods_code');
  return rows.map((row) => ({
    odsCode: row.ods_code,
    name: row.name,
    asid: row.asid,
    organizationId: row.organization_id,
    enabled: { gpconnect: row.gpconnect_enabled, appointments: row.appointments_enabled, structured: row.structured_enabled },
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
