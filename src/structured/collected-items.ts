import type {
  Allergy, Immunisation, Medication, MedicationRequest, MedicationStatement, Observation, ProcedureRequest, Referral,
} from '../domain/clinical.ts';
import type { ListItem, SecondaryListCode } from './lists.ts';

/**
 * The clinical items gathered for an area that pulls in other areas' items (consultations, and
 * the items a problems request links to), by id so each is built once, with the secondary Lists
 * they go in.
 */
export class CollectedItems {
  readonly statements = new Map<string, { statement: MedicationStatement; plan: MedicationRequest }>();
  readonly orders = new Map<string, MedicationRequest>();
  readonly medications = new Map<string, Medication>();
  readonly activeAllergies = new Map<string, Allergy>();
  readonly endedAllergies = new Map<string, Allergy>();
  readonly immunisations = new Map<string, Immunisation>();
  readonly observations = new Map<string, Observation>();
  readonly referrals = new Map<string, Referral>();
  readonly diary = new Map<string, ProcedureRequest>();
  readonly secondary = new Map<SecondaryListCode, ListItem[]>();
  /** Secondary lists (and the Ended allergies list) that would have held a withheld item. */
  readonly withheld = new Set<string>();

  addSecondary(code: SecondaryListCode, item: ListItem): void {
    const entries = this.secondary.get(code) ?? [];
    const key = JSON.stringify(item);
    if (!entries.some((e) => JSON.stringify(e) === key)) entries.push(item);
    this.secondary.set(code, entries);
  }
}
