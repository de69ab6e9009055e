import type { Pds, PdsRecord } from '../domain/pds.ts';
import type { Db } from './db.ts';

interface PdsRow { nhs_number: string; prefix: string[]; given: string[]; family: string; gender: string | null; birth_date: string; deceased: string | null; sensitive: boolean; superseded: boolean }

/** The default PDS: the seeded `pds_record` table, standing in for a Spine PDS trace. */
export function storedPds(db: Db): Pds {
  return {
    async trace(nhsNumber: string): Promise<PdsRecord | undefined> {
      const rows = await db.query<PdsRow>('SELECT * FROM pds_record WHERE nhs_number = $1', [nhsNumber]);
      const r = rows[0];
      if (!r) return undefined;
      return {
        nhsNumber: r.nhs_number, prefix: r.prefix, given: r.given, family: r.family, gender: r.gender ?? undefined,
        birthDate: r.birth_date, deceased: r.deceased ?? undefined, sensitive: r.sensitive, superseded: r.superseded,
      };
    },
  };
}

