import type { Coded, Coding, Identifier, Note } from '../domain/clinical.ts';
import { structuredExtensions } from '../structured/fhir-urls.ts';
import type { ImportIssues } from './import-issues.ts';
import { bodyProblem } from '../fhir/string-characters.ts';
import { firstInstant, isFhirDate, lastInstant, parseFhirDateTime } from '../fhir/datetime.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** A FHIR resource or element as parsed from JSON: read defensively, every element may be anything. */
export type Fhir = Record<string, any>;

/** One row of a clinical table, keyed by the camelCase column names of src/seed/load-clinical.ts. */
export type Row = Record<string, unknown>;

/**
 * The structured record Bundle being imported, indexed: its top-level resources by `Type/id`, the
 * ended allergies contained in Lists, the Lists with and without ids, and the Patient every clinical
 * resource must be about. Reading it reports what is malformed to `issues`.
 */
export class RecordBundle {
  readonly byKey = new Map<string, Fhir>();
  /** Ended allergies, contained in an "Ended allergies" List (referenced `#id` there). */
  readonly containedAllergies = new Map<string, Fhir>();
  /** Lists without an id: the primary and secondary lists of §8. */
  readonly areaLists: Fhir[] = [];
  /** Lists with an id: the consultation structure (consultation, topic, heading). */
  readonly structureLists: Fhir[] = [];
  readonly resources: Fhir[] = [];
  readonly patientId: string | undefined;

  constructor(bundle: unknown, readonly issues: ImportIssues) {
    const b = bundle as Fhir;
    if (!isObject(b) || b.resourceType !== 'Bundle') {
      issues.add('Bundle', 'resourceType', `must be Bundle${isObject(b) && typeof b.resourceType === 'string' ? `, not ${b.resourceType}` : ''}`);
      return;
    }
    if (!Array.isArray(b.entry)) {
      issues.add('Bundle', 'entry', 'is required');
      return;
    }
    const patients: Fhir[] = [];
    b.entry.forEach((entry: Fhir, i: number) => {
      const r = entry?.resource;
      if (!isObject(r) || typeof r.resourceType !== 'string') {
        issues.add('Bundle', `entry[${i}].resource`, 'is not a resource');
        return;
      }
      const bad = bodyProblem(r);
      if (bad) issues.add('Bundle', `entry[${i}].resource${bad.path ? `.${bad.path}` : ''}`, bad.problem);
      if (r.resourceType === 'List' && r.id === undefined) {
        this.areaLists.push(r);
        this.collectContained(r);
        return;
      }
      if (typeof r.id !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(r.id)) {
        issues.add('Bundle', `entry[${i}].resource`, `${r.resourceType} has no valid id`);
        return;
      }
      const key = keyOf(r);
      if (this.byKey.has(key)) issues.add(key, '', 'appears twice in the Bundle');
      this.byKey.set(key, r);
      this.resources.push(r);
      if (r.resourceType === 'Patient') patients.push(r);
      if (r.resourceType === 'List') {
        this.structureLists.push(r);
        this.collectContained(r);
      }
    });
    // Ended and active allergies are one table keyed by id: an ended allergy sharing an active one's id would be dropped.
    for (const id of this.containedAllergies.keys()) {
      if (this.byKey.has(`AllergyIntolerance/${id}`)) issues.add(`AllergyIntolerance/${id}`, '', 'appears twice in the Bundle (as an active allergy and as an ended allergy contained in a List)');
    }
    if (patients.length !== 1) issues.add('Bundle', 'entry', `must hold exactly one Patient (found ${patients.length})`);
    this.patientId = patients[0]?.id;
  }

  private collectContained(list: Fhir): void {
    for (const c of asArray(list.contained)) {
      if (!isObject(c) || c.resourceType !== 'AllergyIntolerance' || typeof c.id !== 'string') continue;
      // The last of two ended allergies with one id would silently replace the first.
      if (this.containedAllergies.has(c.id)) this.issues.add(`AllergyIntolerance/${c.id}`, '', 'appears twice in the Bundle (two ended allergies contained in Lists)');
      this.containedAllergies.set(c.id, c);
    }
  }

  /** Whether `Type/id` is something a reference may point at: a top-level resource, or an ended allergy. */
  holds(type: string, id: string): boolean {
    return this.byKey.has(`${type}/${id}`) || (type === 'AllergyIntolerance' && this.containedAllergies.has(id));
  }

  ofType(type: string): Fhir[] {
    return this.resources.filter((r) => r.resourceType === type);
  }

  reader(resource: Fhir): ResourceReader {
    return new ResourceReader(this, resource, this.issues);
  }
}

export const keyOf = (r: Fhir): string => `${String(r.resourceType)}/${String(r.id)}`;
export const isObject = (v: unknown): v is Fhir => v !== null && typeof v === 'object' && !Array.isArray(v);
export const asArray = (v: unknown): any[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** `Type/id` of a literal reference, or undefined. */
export function parseReference(value: unknown): { type: string; id: string } | undefined {
  const ref = isObject(value) ? value.reference : undefined;
  if (typeof ref !== 'string') return undefined;
  const m = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref);
  return m ? { type: m[1]!, id: m[2]! } : undefined;
}

/** The extensions of an element with the given url. */
export const extensionsOf = (element: Fhir, url: string): Fhir[] => asArray(element?.extension).filter((e) => isObject(e) && e.url === url);
export const extensionOf = (element: Fhir, url: string): Fhir | undefined => extensionsOf(element, url)[0];

const v3Confidentiality = 'http://hl7.org/fhir/v3/Confidentiality';

/**
 * Reads the elements of one resource into store values, reporting each problem against the
 * resource's `Type/id` and the element's path.
 */
export class ResourceReader {
  readonly key: string;

  constructor(readonly bundle: RecordBundle, readonly resource: Fhir, private readonly issues: ImportIssues) {
    this.key = keyOf(resource);
  }

  problem(element: string, message: string): void {
    this.issues.add(this.key, element, message);
  }

  missing(element: string): undefined {
    this.problem(element, 'is required');
    return undefined;
  }

  /**
   * The id of a reference to one of `types`, which the Bundle must hold. Absent: undefined (an
   * issue when required).
   */
  reference(value: unknown, element: string, types: readonly string[], required = false): string | undefined {
    if (value === undefined || value === null) return required ? this.missing(element) : undefined;
    const ref = parseReference(value);
    if (!ref) {
      // A display-only reference points at nothing the store can hold.
      if (isObject(value) && value.reference === undefined && typeof value.display === 'string' && !required) return undefined;
      this.problem(element, `is not a reference the store can follow (${JSON.stringify((value as Fhir)?.reference ?? value)})`);
      return undefined;
    }
    if (!types.includes(ref.type)) {
      this.problem(element, `refers to ${ref.type}/${ref.id}; the store can hold only ${types.join(' or ')} here`);
      return undefined;
    }
    if (!this.bundle.holds(ref.type, ref.id)) {
      this.problem(element, `refers to ${ref.type}/${ref.id}, which is not in the Bundle`);
      return undefined;
    }
    return ref.id;
  }

  /** A reference to the Bundle's Patient (subject, patient). */
  patient(value: unknown, element: string): void {
    const ref = parseReference(value);
    if (!ref) {
      this.missing(element);
      return;
    }
    if (ref.type !== 'Patient' || ref.id !== this.bundle.patientId) this.problem(element, `refers to ${ref.type}/${ref.id}, not the Bundle's Patient`);
  }

  practitioner(value: unknown, element: string, required = false): string | undefined {
    return this.reference(value, element, ['Practitioner'], required);
  }

  organization(value: unknown, element: string, required = false): string | undefined {
    return this.reference(value, element, ['Organization'], required);
  }

  encounter(value: unknown, element: string): string | undefined {
    return this.reference(value, element, ['Encounter']);
  }

  /**
   * A FHIR dateTime/instant as the store's timestamptz input (partial dates become their first day).
   * The instant must lie in FHIR time (years 0001–9999 UTC, as the export writes it in UK time):
   * 9999-12-31T23:59:59-14:00 is a valid dateTime but year 10000 in the UK, which the export
   * cannot write back.
   */
  instant(value: unknown, element: string, required = false): string | undefined {
    const text = this.dateTime(value, element, required);
    if (text === undefined || text.length <= 10) return text;
    const at = parseFhirDateTime(text, true)!;
    if (at < firstInstant || at > lastInstant) {
      this.problem(element, `${JSON.stringify(value)} lies outside FHIR time (0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z)`);
      return undefined;
    }
    return text;
  }

  /** A FHIR date or dateTime on the calendar, as the store takes it (partial dates become their first day). */
  private dateTime(value: unknown, element: string, required: boolean): string | undefined {
    if (value === undefined || value === null) return required ? this.missing(element) : undefined;
    const text = typeof value === 'string' ? storableDateTime(value) : undefined;
    if (text === undefined) this.problem(element, `is not a FHIR dateTime (${JSON.stringify(value)})`);
    return text;
  }

  /**
   * A FHIR date or dateTime as a date (YYYY-MM-DD): the date as written, so no FHIR-time check
   * (9999-12-31T23:59:59-14:00 is the date 9999-12-31, which the export writes back).
   */
  date(value: unknown, element: string, required = false): string | undefined {
    return this.dateTime(value, element, required)?.slice(0, 10);
  }

  /** One of `allowed` codes. */
  code<T extends string>(value: unknown, element: string, allowed: readonly T[], required = false): T | undefined {
    if (value === undefined || value === null) return required ? this.missing(element) : undefined;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.problem(element, `${JSON.stringify(value)} is not one the store can hold (${allowed.join(', ')})`);
    return undefined;
  }

  string(value: unknown, element: string, required = false): string | undefined {
    if (value === undefined || value === null || value === '') return required ? this.missing(element) : undefined;
    if (typeof value === 'string') return value;
    this.problem(element, 'is not a string');
    return undefined;
  }

  number(value: unknown, element: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    this.problem(element, 'is not a number');
    return undefined;
  }

  /** A count the store keeps as an integer column (days of supply, repeats): a whole number from 0 to 2^31 − 1. */
  count(value: unknown, element: string): number | undefined {
    const n = this.number(value, element);
    if (n === undefined || (Number.isInteger(n) && n >= 0 && n <= 2_147_483_647)) return n;
    this.problem(element, `${n} is not a whole number from 0 to 2147483647`);
    return undefined;
  }

  /** A CodeableConcept as the store's Coded (SNOMED description ids from either sctdescid extension). */
  coded(value: unknown, element: string, required = false): Coded | undefined {
    if (value === undefined || value === null) return required ? this.missing(element) : undefined;
    if (!isObject(value)) {
      this.problem(element, 'is not a CodeableConcept');
      return undefined;
    }
    const out: Coded = {};
    const codings: Coding[] = [];
    asArray(value.coding).forEach((c: Fhir, i: number) => {
      if (!isObject(c) || typeof c.system !== 'string' || typeof c.code !== 'string') {
        this.problem(`${element}.coding[${i}]`, 'needs a system and a code');
        return;
      }
      const coding: Coding = { system: c.system, code: c.code };
      if (typeof c.display === 'string') coding.display = c.display;
      const desc = extensionOf(c, structuredExtensions.codingSctDescId) ?? extensionOf(c, structuredExtensions.codingSctDescIdUk);
      const id = desc && extensionOf(desc, 'descriptionId')?.valueId;
      const term = desc && extensionOf(desc, 'descriptionDisplay')?.valueString;
      if (typeof id === 'string') coding.descriptionId = id;
      if (typeof term === 'string') coding.descriptionDisplay = term;
      codings.push(coding);
    });
    if (codings.length > 0) out.coding = codings;
    if (typeof value.text === 'string') out.text = value.text;
    if (!out.coding && !out.text && required) return this.missing(element);
    return out;
  }

  /** Annotations as the store's notes; authors must be Practitioners of the Bundle. */
  notes(value: unknown, element: string): Note[] {
    const out: Note[] = [];
    asArray(value).forEach((n: Fhir, i: number) => {
      const text = this.string(n?.text, `${element}[${i}].text`, true);
      if (text === undefined) return;
      const note: Note = { text };
      if (n.time !== undefined) {
        const time = this.instant(n.time, `${element}[${i}].time`);
        // Kept as written: the builders echo a note's time unchanged.
        if (time) note.time = n.time as string;
      }
      const author = this.practitioner(n.authorReference, `${element}[${i}].authorReference`);
      if (author) note.authorId = author;
      out.push(note);
    });
    return out;
  }

  identifiers(): Identifier[] {
    const out: Identifier[] = [];
    asArray(this.resource.identifier).forEach((i: Fhir, n: number) => {
      if (isObject(i) && typeof i.system === 'string' && typeof i.value === 'string') out.push({ system: i.system, value: i.value });
      else this.problem(`identifier[${n}]`, 'needs a system and a value');
    });
    return out;
  }

  /**
   * Whether the item is marked confidential: a meta.security label of restricted or very restricted
   * confidentiality. (This provider's own exports never write one: they withhold instead.)
   */
  confidential(): boolean {
    return asArray(this.resource.meta?.security).some((s: Fhir) => s?.system === v3Confidentiality && (s.code === 'R' || s.code === 'V'));
  }

  /** The columns every clinical item row has. */
  item(patientId: string): Row {
    return { id: this.resource.id, patientId, identifiers: this.identifiers(), confidential: this.confidential() };
  }
}

/**
 * A FHIR date (yyyy, yyyy-mm, yyyy-mm-dd) or dateTime with its offset that names a real day and
 * time ("2020-02-30" and "T25:00" do not), with a partial date as its first day; else undefined.
 */
function storableDateTime(value: string): string | undefined {
  if (value.length > 10) return parseFhirDateTime(value, true) ? value : undefined;
  const day = `${value}-01-01`.slice(0, 10);
  return /^\d{4}(-\d{2}){0,2}$/.test(value) && isFhirDate(day) ? day : undefined;
}
