import { addDays } from '../fhir/datetime.ts';
import { GpcError } from '../fhir/errors.ts';
import { isValidNhsNumber } from '../fhir/nhs-number.ts';
import { identifierSystems } from '../fhir/systems.ts';

/**
 * The $gpc.getstructuredrecord request, as read from its Parameters body (structured digest §2–§5).
 * parseStructuredRequest is the one place the body is validated; handlers and area builders only
 * ever see this shape.
 *
 * The operation's parameters are declared once, as data (`getStructuredRecordParameters`, like an
 * OperationDefinition's `parameter` list), and one generic reader (`readParameters`) checks a body
 * against such a table in the order of digest §3. Only what the table cannot say — the forbidden
 * combinations of §4 and the predefined-search exception — is written out here.
 */

export interface Period {
  /** YYYY-MM-DD, inclusive. */
  start?: string;
  end?: string;
}

export interface StructuredRequest {
  nhsNumber: string;
  allergies?: { includeResolved: boolean };
  medication?: { includePrescriptionIssues: boolean; searchFromDate?: string };
  consultations?: { period?: Period; mostRecent?: number };
  /** Each repetition of includeProblems is one status/significance pair (1.6.0). */
  problems?: { status?: 'active' | 'inactive'; significance?: 'major' | 'minor' }[];
  immunisations?: { includeNotGiven: boolean; includeStatus: boolean };
  uncategorised?: { period?: Period };
  investigations?: { period?: Period };
  referrals?: { period?: Period };
  diary?: { searchDate?: string };
  /**
   * Forward compatibility (§18.4): unknown parameters and parts are warnings, not errors. Each is
   * the unrecognised name — `X` for a parameter, `X.P` for a part of a known parameter — which is
   * the issue's diagnostics; its text is `<name> is an unrecognised parameter`.
   */
  warnings: string[];
}

/** "Today" for the date rules, as UK local and UTC calendar dates (YYYY-MM-DD); see digest §5.1. */
export interface Today {
  uk: string;
  utc: string;
}

// ---------------------------------------------------------------------------------------------
// The parameter tables
// ---------------------------------------------------------------------------------------------

/** The FHIR types a parameter or part value may take here; each is read from `value<Type>`. */
type ValueType = 'Identifier' | 'boolean' | 'code' | 'date' | 'Period' | 'positiveInt';

interface ValueRule {
  type: ValueType;
  /** Other `value[x]` keys accepted for the same value (the spec's own examples use them). */
  alsoAccept?: readonly string[];
  /** code: the allowed codes. */
  codes?: readonly string[];
  /** date and Period: `notFuture` ⇒ every date ≤ today; `notPast` ⇒ ≥ today. */
  bound?: 'notFuture' | 'notPast';
  /** Identifier: the one system accepted, and the value check with the error it raises. */
  identifier?: { system: string; isValid: (value: string) => boolean; invalidCode: 'INVALID_NHS_NUMBER' };
}

interface PartDefinition extends ValueRule {
  name: string;
  min: 0 | 1;
  max: 1;
  default?: unknown;
}

interface ParameterDefinition {
  name: string;
  min: 0 | 1;
  max: 1 | '*';
  /** A parameter with a value; one without (`include*`) takes parts only, or nothing at all. */
  value?: ValueRule;
  parts?: readonly PartDefinition[];
  /** Parts of which at most one may be sent (a breach is a conformance failure: INVALID_RESOURCE). */
  exclusiveParts?: readonly (readonly string[])[];
}

interface OperationDefinition {
  name: string;
  parameters: readonly ParameterDefinition[];
  /** `warn` (getstructuredrecord, §18.4) or `reject` (migrate, §19.3) unknown parameters and parts. */
  unknown: 'warn' | 'reject';
}

const nhsNumber: ParameterDefinition = {
  name: 'patientNHSNumber', min: 1, max: 1,
  value: { type: 'Identifier', identifier: { system: identifierSystems.nhsNumber, isValid: isValidNhsNumber, invalidCode: 'INVALID_NHS_NUMBER' } },
};
const searchPeriod = (name: string): PartDefinition => ({ name, type: 'Period', bound: 'notFuture', min: 0, max: 1 });

/** OperationDefinition GPConnect-GetStructuredRecord-Operation-1 (1.17.0, the 1.6.0 set; digest §2). */
export const getStructuredRecordParameters: OperationDefinition = {
  name: '$gpc.getstructuredrecord',
  unknown: 'warn',
  parameters: [
    nhsNumber,
    { name: 'includeAllergies', min: 0, max: 1, parts: [
      { name: 'includeResolvedAllergies', type: 'boolean', min: 1, max: 1 },
    ] },
    { name: 'includeMedication', min: 0, max: 1, parts: [
      { name: 'includePrescriptionIssues', type: 'boolean', min: 0, max: 1, default: true },
      { name: 'medicationSearchFromDate', type: 'date', bound: 'notFuture', min: 0, max: 1 },
    ] },
    { name: 'includeConsultations', min: 0, max: 1, parts: [
      searchPeriod('consultationSearchPeriod'),
      // The predefined searches' own request skeletons write valueInteger.
      { name: 'includeNumberOfMostRecent', type: 'positiveInt', alsoAccept: ['valueInteger'], min: 0, max: 1 },
    ], exclusiveParts: [['consultationSearchPeriod', 'includeNumberOfMostRecent']] },
    { name: 'includeProblems', min: 0, max: '*', parts: [
      { name: 'filterStatus', type: 'code', codes: ['active', 'inactive'], min: 0, max: 1 },
      { name: 'filterSignificance', type: 'code', codes: ['major', 'minor'], min: 0, max: 1 },
    ] },
    { name: 'includeImmunisations', min: 0, max: 1, parts: [
      { name: 'includeNotGiven', type: 'boolean', min: 0, max: 1, default: false },
      { name: 'includeStatus', type: 'boolean', min: 0, max: 1, default: true },
    ] },
    { name: 'includeUncategorisedData', min: 0, max: 1, parts: [searchPeriod('uncategorisedDataSearchPeriod')] },
    { name: 'includeInvestigations', min: 0, max: 1, parts: [searchPeriod('investigationSearchPeriod')] },
    { name: 'includeReferrals', min: 0, max: 1, parts: [searchPeriod('referralSearchPeriod')] },
    { name: 'includeDiaryEntries', min: 0, max: 1, parts: [
      { name: 'diaryEntriesSearchDate', type: 'date', bound: 'notPast', min: 0, max: 1 },
    ] },
  ],
};

/** OperationDefinition GPConnect-MigrateStructuredRecord-Operation-1 (digest §19.3). */
export const migrateStructuredRecordParameters: OperationDefinition = {
  name: '$gpc.migratestructuredrecord',
  unknown: 'reject',
  parameters: [
    nhsNumber,
    { name: 'includeFullRecord', min: 1, max: 1, parts: [
      { name: 'includeSensitiveInformation', type: 'boolean', min: 1, max: 1 },
    ] },
  ],
};

/**
 * Not-permitted combinations (digest §4): when the first parameter is sent, none of these parts
 * may be — their mere presence, whatever the value.
 */
export const notPermittedCombinations: readonly { when: string; forbids: readonly string[] }[] = [
  { when: 'includeConsultations', forbids: [
    'includeMedication.medicationSearchFromDate',
    'includeUncategorisedData.uncategorisedDataSearchPeriod',
    'includeProblems.filterSignificance',
    'includeProblems.filterStatus',
    'includeReferrals.referralSearchPeriod',
    'includeDiaryEntries.diaryEntriesSearchDate',
    'includeImmunisations.includeNotGiven',
    'includeImmunisations.includeStatus',
  ] },
  { when: 'includeProblems', forbids: [
    'includeMedication.medicationSearchFromDate',
    'includeUncategorisedData.uncategorisedDataSearchPeriod',
    'includeReferrals.referralSearchPeriod',
    'includeDiaryEntries.diaryEntriesSearchDate',
    'includeImmunisations.includeNotGiven',
    'includeImmunisations.includeStatus',
  ] },
];

// ---------------------------------------------------------------------------------------------
// The generic reader
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** One occurrence of a known parameter: its value, the parts sent, and the parts with defaults filled in. */
interface ReadParameter {
  value?: unknown;
  sent: Set<string>;
  parts: Record<string, unknown>;
}

interface ReadResult {
  byName: Map<string, ReadParameter[]>;
  warnings: string[];
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const invalidResource = (diagnostics: string) => new GpcError('INVALID_RESOURCE', diagnostics);
const invalidParameter = (diagnostics: string) => new GpcError('INVALID_PARAMETER', diagnostics);
const capitalised = (type: ValueType) => type[0]!.toUpperCase() + type.slice(1);
const valueKeys = (element: Json) => Object.keys(element).filter((k) => /^value[A-Z]/.test(k) || k === 'resource');

/** A value as it may be quoted back in diagnostics: JSON, cut short. */
function quote(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Reads a Parameters body against an operation's table, in the order of digest §3:
 * 3. the body is a Parameters resource (else INVALID_RESOURCE);
 * 4. top level: unknown names (warning or INVALID_PARAMETER), more than max (INVALID_RESOURCE),
 *    fewer than min (INVALID_PARAMETER), then each parameter's own value in table order (a value
 *    parameter's rules; a parts-only parameter carrying a value ⇒ INVALID_PARAMETER);
 * 5. parts, parameter by parameter in request order: unknown parts, duplicates (INVALID_RESOURCE),
 *    each value, missing mandatory parts (INVALID_PARAMETER), exclusive parts (INVALID_RESOURCE).
 */
function readParameters(operation: OperationDefinition, body: unknown, today: Today): ReadResult {
  if (!isObject(body) || body.resourceType !== 'Parameters') throw invalidResource(`The ${operation.name} request body must be a Parameters resource`);
  const entries = body.parameter ?? [];
  if (!Array.isArray(entries)) throw invalidResource('Parameters.parameter must be a list');
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.name !== 'string' || entry.name === '') throw invalidResource('Every Parameters.parameter must be an object with a name');
    if (entry.part !== undefined && (!Array.isArray(entry.part) || !entry.part.every((p) => isObject(p) && typeof p.name === 'string' && p.name !== ''))) {
      throw invalidResource(`${entry.name}: every part must be an object with a name`);
    }
  }
  const params = entries as (Json & { name: string; part?: (Json & { name: string })[] })[];
  const definitions = new Map(operation.parameters.map((d) => [d.name, d]));

  // Step 4: names and cardinality.
  // A Set (in first-seen order): a body may carry tens of thousands of unknown names, and a list
  // searched for each one made such a request take seconds of the event loop.
  const warnings = new Set<string>();
  const unrecognised = (name: string) => {
    if (operation.unknown === 'reject') throw invalidParameter(`${name} is not a parameter of ${operation.name}`);
    warnings.add(name);
  };
  const known: typeof params = [];
  for (const param of params) {
    if (definitions.has(param.name)) known.push(param);
    else unrecognised(param.name);
  }
  for (const def of operation.parameters) {
    const count = known.filter((p) => p.name === def.name).length;
    if (def.max !== '*' && count > def.max) throw invalidResource(`${def.name} may be sent at most once, it was sent ${count} times`);
  }
  for (const def of operation.parameters) {
    if (def.min > 0 && !known.some((p) => p.name === def.name)) throw invalidParameter(`${def.name} is required`);
  }
  const values = new Map<Json, unknown>();
  for (const def of operation.parameters) {
    for (const param of known.filter((p) => p.name === def.name)) {
      if (def.value) {
        if (param.part !== undefined) throw invalidParameter(`${def.name} takes a value${capitalised(def.value.type)}, not parts`);
        values.set(param, readValue(def.name, def.value, param, today));
      } else {
        const keys = valueKeys(param);
        if (keys.length > 0) throw invalidParameter(`${def.name} takes parts only, not ${keys[0]}`);
      }
    }
  }

  // Step 5: parts.
  const byName = new Map<string, ReadParameter[]>();
  for (const param of known) {
    const def = definitions.get(param.name)!;
    const read: ReadParameter = { value: values.get(param), sent: new Set(), parts: {} };
    const partDefs = new Map((def.parts ?? []).map((d) => [d.name, d]));
    const parts = param.part ?? [];
    const knownParts: typeof parts = [];
    for (const part of parts) {
      if (partDefs.has(part.name)) knownParts.push(part);
      else unrecognised(`${def.name}.${part.name}`);
    }
    for (const partDef of partDefs.values()) {
      const count = knownParts.filter((p) => p.name === partDef.name).length;
      if (count > partDef.max) throw invalidResource(`${def.name}.${partDef.name} may be sent at most once, it was sent ${count} times`);
    }
    for (const part of knownParts) {
      const partDef = partDefs.get(part.name)!;
      if (part.part !== undefined) throw invalidParameter(`${def.name}.${part.name} takes a value${capitalised(partDef.type)}, not parts`);
      read.parts[part.name] = readValue(`${def.name}.${part.name}`, partDef, part, today);
      read.sent.add(part.name);
    }
    for (const partDef of partDefs.values()) {
      if (read.sent.has(partDef.name)) continue;
      if (partDef.min > 0) throw invalidParameter(`${def.name}.${partDef.name} is required when ${def.name} is sent`);
      if (partDef.default !== undefined) read.parts[partDef.name] = partDef.default;
    }
    for (const group of def.exclusiveParts ?? []) {
      const sent = group.filter((name) => read.sent.has(name));
      if (sent.length > 1) throw invalidResource(`${def.name}: ${sent.map((n) => `${def.name}.${n}`).join(' and ')} must not both be sent`);
    }
    const sameName = byName.get(def.name);
    if (sameName) sameName.push(read);
    else byName.set(def.name, [read]);
  }
  return { byName, warnings: [...warnings] };
}

/** One value of a parameter or part (`path` names it in diagnostics), checked against its rule. */
function readValue(path: string, rule: ValueRule, element: Json, today: Today): unknown {
  const expected = `value${capitalised(rule.type)}`;
  const accepted = [expected, ...(rule.alsoAccept ?? [])];
  const keys = valueKeys(element);
  if (keys.length === 0) throw invalidParameter(`${path} was sent without a value: it needs a ${expected}`);
  if (keys.length > 1) throw invalidParameter(`${path} must have one value, it has ${keys.join(', ')}`);
  const key = keys[0]!;
  if (!accepted.includes(key)) throw invalidParameter(`${path} must have a ${expected}, not ${key}`);
  const value = element[key];
  const wrong = (why: string) => invalidParameter(`${path}: ${quote(value)} ${why}`);

  switch (rule.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw wrong('is not a boolean (true or false)');
      return value;
    case 'positiveInt':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2_147_483_647) throw wrong('is not a positive integer');
      return value;
    case 'code':
      if (typeof value !== 'string' || !rule.codes!.includes(value)) throw wrong(`is not one of ${rule.codes!.join(', ')}`);
      return value;
    case 'date':
      checkDate(path, value, rule.bound, today);
      return value;
    case 'Period': {
      if (!isObject(value)) throw wrong('is not a Period');
      const { start, end } = value;
      if (start === undefined && end === undefined) throw invalidParameter(`${path} was sent without a start or an end`);
      if (start !== undefined) checkDate(`${path} start`, start, rule.bound, today);
      if (end !== undefined) checkDate(`${path} end`, end, rule.bound, today);
      if (typeof start === 'string' && typeof end === 'string' && start > end) throw invalidParameter(`${path}: start ${start} is after end ${end}`);
      return { ...(start !== undefined && { start }), ...(end !== undefined && { end }) } as Period;
    }
    case 'Identifier': {
      if (!isObject(value)) throw wrong('is not an Identifier');
      const { system, isValid, invalidCode } = rule.identifier!;
      if (value.system !== system) throw new GpcError('INVALID_IDENTIFIER_SYSTEM', `${path}: the identifier system must be ${system}, not ${quote(value.system)}`);
      if (typeof value.value !== 'string' || !isValid(value.value)) throw new GpcError(invalidCode, `${path}: ${quote(value.value)} is not a valid NHS number`);
      return value.value;
    }
  }
}

/**
 * A request date (digest §5.1): a full, real calendar date YYYY-MM-DD with no time or offset, and
 * within its bound. "Today" tolerates the UK/UTC split around midnight: a date that must not be in
 * the future may be up to the later of the two, one that must not be in the past down to the earlier.
 */
function checkDate(path: string, value: unknown, bound: ValueRule['bound'], today: Today): asserts value is string {
  if (!isFullDate(value)) throw invalidParameter(`${path}: ${quote(value)} is not a valid date (YYYY-MM-DD)`);
  if (bound === 'notFuture') {
    const latest = today.uk > today.utc ? today.uk : today.utc;
    if (value > latest) throw invalidParameter(`${path}: ${value} is in the future`);
  } else if (bound === 'notPast') {
    const earliest = today.uk < today.utc ? today.uk : today.utc;
    if (value < earliest) throw invalidParameter(`${path}: ${value} is in the past`);
  }
}

function isFullDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

// ---------------------------------------------------------------------------------------------
// The operations
// ---------------------------------------------------------------------------------------------

/**
 * Validates a $gpc.getstructuredrecord Parameters body (digest §2–§5, §18.4), throwing the
 * GpcError the spec and the official suite expect, and returns the request with defaults applied.
 */
export function parseStructuredRequest(body: unknown, today: Today): StructuredRequest {
  const { byName, warnings } = readParameters(getStructuredRecordParameters, body, today);
  checkCombinations(byName, today);

  const one = (name: string) => byName.get(name)?.[0];
  const period = (name: string, part: string) => {
    const p = one(name);
    return p && { ...(p.parts[part] !== undefined && { period: p.parts[part] as Period }) };
  };
  const request: StructuredRequest = { nhsNumber: one('patientNHSNumber')!.value as string, warnings };
  const allergies = one('includeAllergies');
  if (allergies) request.allergies = { includeResolved: allergies.parts.includeResolvedAllergies as boolean };
  const medication = one('includeMedication');
  if (medication) {
    request.medication = { includePrescriptionIssues: medication.parts.includePrescriptionIssues as boolean };
    if (medication.sent.has('medicationSearchFromDate')) request.medication.searchFromDate = medication.parts.medicationSearchFromDate as string;
  }
  const consultations = one('includeConsultations');
  if (consultations) {
    request.consultations = period('includeConsultations', 'consultationSearchPeriod')!;
    if (consultations.sent.has('includeNumberOfMostRecent')) request.consultations.mostRecent = consultations.parts.includeNumberOfMostRecent as number;
  }
  const problems = byName.get('includeProblems');
  if (problems) {
    request.problems = problems.map((p) => ({
      ...(p.sent.has('filterStatus') && { status: p.parts.filterStatus as 'active' | 'inactive' }),
      ...(p.sent.has('filterSignificance') && { significance: p.parts.filterSignificance as 'major' | 'minor' }),
    }));
  }
  const immunisations = one('includeImmunisations');
  if (immunisations) {
    request.immunisations = { includeNotGiven: immunisations.parts.includeNotGiven as boolean, includeStatus: immunisations.parts.includeStatus as boolean };
  }
  if (one('includeUncategorisedData')) request.uncategorised = period('includeUncategorisedData', 'uncategorisedDataSearchPeriod');
  if (one('includeInvestigations')) request.investigations = period('includeInvestigations', 'investigationSearchPeriod');
  if (one('includeReferrals')) request.referrals = period('includeReferrals', 'referralSearchPeriod');
  const diary = one('includeDiaryEntries');
  if (diary) request.diary = diary.sent.has('diaryEntriesSearchDate') ? { searchDate: diary.parts.diaryEntriesSearchDate as string } : {};
  return request;
}

/** Digest §4: a not-permitted combination ⇒ INVALID_PARAMETER, unless the request is a predefined search. */
function checkCombinations(byName: ReadResult['byName'], today: Today): void {
  const sent = (path: string) => {
    const [name, part] = path.split('.') as [string, string];
    return (byName.get(name) ?? []).some((p) => p.sent.has(part));
  };
  for (const rule of notPermittedCombinations) {
    if (!byName.has(rule.when)) continue;
    const clashes = rule.forbids.filter(sent);
    if (clashes.length === 0) continue;
    if (isPredefinedSearch(byName, today)) return;
    throw invalidParameter(`${clashes.join(', ')} must not be sent with ${rule.when} (not-permitted parameter combination)`);
  }
}

/**
 * The two predefined multi-area searches (`…searchMultiAreaSearches.md`), exempt from §4: the last
 * 3 consultations, problems (no filters), allergies and a year of medications — optionally with
 * immunisations and uncategorised data (no parts). "today() − one year" is 365 or 366 days back.
 */
function isPredefinedSearch(byName: ReadResult['byName'], today: Today): boolean {
  const names = [...byName.keys()].filter((n) => n !== 'patientNHSNumber').sort().join();
  const search1 = ['includeAllergies', 'includeConsultations', 'includeMedication', 'includeProblems'];
  const search2 = [...search1, 'includeImmunisations', 'includeUncategorisedData'].sort();
  if (names !== search1.join() && names !== search2.join()) return false;
  const only = (name: string, parts: string[]) => {
    const params = byName.get(name);
    return params === undefined || (params.length === 1 && [...params[0]!.sent].every((p) => parts.includes(p)));
  };
  const consultations = byName.get('includeConsultations')![0]!;
  const medication = byName.get('includeMedication')![0]!;
  const from = medication.parts.medicationSearchFromDate as string | undefined;
  const earliest = today.uk < today.utc ? today.uk : today.utc;
  const latest = today.uk > today.utc ? today.uk : today.utc;
  return only('includeConsultations', ['includeNumberOfMostRecent']) && consultations.parts.includeNumberOfMostRecent === 3 &&
    only('includeProblems', []) && only('includeImmunisations', []) && only('includeUncategorisedData', []) &&
    only('includeMedication', ['medicationSearchFromDate', 'includePrescriptionIssues']) &&
    from !== undefined && from >= addDays(earliest, -366) && from <= addDays(latest, -365);
}

/**
 * Validates a $gpc.migratestructuredrecord Parameters body (digest §19.3): patientNHSNumber and
 * includeFullRecord{includeSensitiveInformation}, each once; anything else ⇒ INVALID_PARAMETER.
 */
export function parseMigrateRequest(body: unknown): { nhsNumber: string; includeSensitiveInformation: boolean } {
  // No dates among migrate's parameters, so "today" is never consulted.
  const { byName } = readParameters(migrateStructuredRecordParameters, body, { uk: '', utc: '' });
  return {
    nhsNumber: byName.get('patientNHSNumber')![0]!.value as string,
    includeSensitiveInformation: byName.get('includeFullRecord')![0]!.parts.includeSensitiveInformation as boolean,
  };
}
