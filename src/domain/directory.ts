/** A practice's directory: the organisations, sites and staff its resources refer to. */

export interface Address {
  use?: string;
  lines: string[];
  city?: string;
  district?: string;
  postalCode?: string;
  country?: string;
}

export interface ContactPoint {
  system: string;
  value: string;
  use?: string;
}

export interface Organization {
  id: string;
  odsCode: string | undefined;
  name: string;
  telecom: ContactPoint[];
  address: Address | undefined;
  version: number;
}

export interface Location {
  id: string;
  name: string;
  siteOdsCode: string | undefined;
  status: string;
  address: Address | undefined;
  telecom: ContactPoint[];
  managingOrganizationId: string | undefined;
  version: number;
}

export interface Language {
  code: string;
  display: string;
}

export interface Practitioner {
  id: string;
  sdsUserId: string;
  sdsRoleProfileIds: string[];
  prefix: string[];
  given: string[];
  family: string;
  gender: string | undefined;
  languages: Language[];
  version: number;
}
