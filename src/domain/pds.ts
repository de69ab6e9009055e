/** What a PDS (Personal Demographics Service) trace returns for an NHS number. */
export interface PdsRecord {
  nhsNumber: string;
  prefix: string[];
  given: string[];
  family: string;
  gender: string | undefined;
  birthDate: string;
  deceased: string | undefined;
  sensitive: boolean;
  /** The NHS number is superseded or flagged invalid on PDS. */
  superseded: boolean;
}

/**
 * The PDS trace behind `$gpc.registerpatient`. The default implementation reads the seeded stub
 * table; a supplier plugs in its Spine PDS client here. A trace that cannot be done throws
 * PdsUnavailableError (the spec's 500 case).
 */
export interface Pds {
  trace(nhsNumber: string): Promise<PdsRecord | undefined>;
}

export class PdsUnavailableError extends Error {}
