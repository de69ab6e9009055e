import type { StructuredArea } from './structured-areas.ts';

/** A GP practice this deployment serves, addressed by its ODS code in the service root URL. */
export interface Practice {
  odsCode: string;
  name: string;
  asid: string;
  /** The Organization resource that represents the practice (Patient.managingOrganization). */
  organizationId: string;
  enabled: {
    gpconnect: boolean;
    appointments: boolean;
    structured: boolean;
  };
  /** Access Record Structured areas switched off here (empty: every area on). */
  structuredAreasDisabled: ReadonlySet<StructuredArea>;
}

/** The switches a practice's data controller holds (spec NFR: each off until switched on). */
export type Capability = 'gpconnect' | 'appointments' | 'structured';
