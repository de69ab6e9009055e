/**
 * The clinical areas of Access Record Structured that a practice may switch off (spec
 * "Configuration for supported clinical areas"; structured digest §18.3), by the name the command
 * line and the store use, each with the request parameter that asks for it. The parameter is what
 * the disabled-area warning names ("includeImmunisations has been disabled").
 *
 * Documents are not listed: this provider does not export them at all (digest §18.5).
 */
export const structuredAreaParameters = {
  allergies: 'includeAllergies',
  medication: 'includeMedication',
  consultations: 'includeConsultations',
  problems: 'includeProblems',
  immunisations: 'includeImmunisations',
  uncategorised: 'includeUncategorisedData',
  investigations: 'includeInvestigations',
  referrals: 'includeReferrals',
  diary: 'includeDiaryEntries',
} as const;

export type StructuredArea = keyof typeof structuredAreaParameters;

export const structuredAreas = Object.keys(structuredAreaParameters) as StructuredArea[];

export function isStructuredArea(name: string): name is StructuredArea {
  return Object.hasOwn(structuredAreaParameters, name);
}

/**
 * How the spec names each area where it tells a consumer a linked item was left out because its
 * area is off ("Immunisations items have been disabled", structured digest §18.3).
 */
export const structuredAreaLabels: Record<StructuredArea, string> = {
  allergies: 'Allergies',
  medication: 'Medications',
  consultations: 'Consultations',
  problems: 'Problems',
  immunisations: 'Immunisations',
  uncategorised: 'Uncategorised data',
  investigations: 'Investigations',
  referrals: 'Referrals',
  diary: 'Diary entries',
};

/** The warning text the spec gives for a requested area the practice has switched off. */
export function areaDisabledText(parameter: string): string {
  return `${parameter} has been disabled`;
}
