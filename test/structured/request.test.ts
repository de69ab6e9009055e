import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays } from '../../src/fhir/datetime.ts';
import { GpcError, type SpineErrorCode } from '../../src/fhir/errors.ts';
import { parseMigrateRequest, parseStructuredRequest, type StructuredRequest } from '../../src/structured/request.ts';

/**
 * Unit tests of the $gpc.getstructuredrecord / $gpc.migratestructuredrecord request readers: one
 * test per rule of the structured digest (§2–§5, §18.4, §19.3) and per parameter-validation
 * scenario of the official suite (notes/suite-structured.md; scenario ids A*, M*, P*, C*, I*, U*,
 * V*, R*, Y*, X*, G*), with the bodies the suite sends (its §0 shorthand).
 */

const D0 = '2025-06-15';
const today = { uk: D0, utc: D0 };
const D = (n: number) => addDays(D0, n);
const Y = (n: number) => `${2025 + n}-06-15`;

type P = Record<string, unknown>;
const nhsNumbers = { patient1: '9690937278', patient2: '9690937286', patient3: '9690937294' };
const NHS = (value: string = nhsNumbers.patient1, system = 'https://fhir.nhs.uk/Id/nhs-number'): P =>
  ({ name: 'patientNHSNumber', valueIdentifier: { system, value } });
const NHSwrongname: P = { name: 'invalidNHSNumberParam', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: nhsNumbers.patient1 } };
const part = (name: string, value?: P) => ({ name, ...value });
const param = (name: string, ...parts: P[]): P => (parts.length === 0 ? { name } : { name, part: parts });
const ALG = (b: unknown) => param('includeAllergies', part('includeResolvedAllergies', { valueBoolean: b }));
const ALG0 = param('includeAllergies');
const ALGnull = param('includeAllergies', part('includeResolvedAllergies'));
const MED = (b: boolean) => param('includeMedication', part('includePrescriptionIssues', { valueBoolean: b }));
const MED0 = param('includeMedication');
const MEDD = (d: unknown) => param('includeMedication', part('includePrescriptionIssues', { valueBoolean: false }), part('medicationSearchFromDate', { valueDate: d }));
/** A period: `undefined` bounds are omitted, as the suite omits a C# null. */
const period = (s?: unknown, e?: unknown) => ({ valuePeriod: { ...(s !== undefined && { start: s }), ...(e !== undefined && { end: e }) } });
const CON0 = param('includeConsultations');
const CONP = (s?: unknown, e?: unknown) => param('includeConsultations', part('consultationSearchPeriod', period(s, e)));
const CONN = (n: unknown) => param('includeConsultations', part('includeNumberOfMostRecent', { valuePositiveInt: n }));
const PRB0 = param('includeProblems');
const PRBst = (v: unknown) => param('includeProblems', part('filterStatus', { valueCode: v }));
const PRBsig = (v: unknown) => param('includeProblems', part('filterSignificance', { valueCode: v }));
const PRB = (s: unknown, g: unknown) => param('includeProblems', part('filterStatus', { valueCode: s }), part('filterSignificance', { valueCode: g }));
const IMM0 = param('includeImmunisations');
const IMMstat = param('includeImmunisations', part('includeStatus', { valueBoolean: true }));
const UNC0 = param('includeUncategorisedData');
const UNCP = (s?: unknown, e?: unknown) => param('includeUncategorisedData', part('uncategorisedDataSearchPeriod', period(s, e)));
const INV0 = param('includeInvestigations');
const INVP = (s?: unknown, e?: unknown) => param('includeInvestigations', part('investigationSearchPeriod', period(s, e)));
const REF0 = param('includeReferrals');
const REFP = (s?: unknown, e?: unknown) => param('includeReferrals', part('referralSearchPeriod', period(s, e)));
const DIA0 = param('includeDiaryEntries');
const DIAD = (d: unknown) => param('includeDiaryEntries', part('diaryEntriesSearchDate', { valueDate: d }));
const FULL = (b: unknown) => param('includeFullRecord', part('includeSensitiveInformation', { valueBoolean: b }));

const body = (...parameter: P[]) => ({ resourceType: 'Parameters', parameter });
const parse = (...parameter: P[]) => parseStructuredRequest(body(...parameter), today);

/** The request is refused with `code`, and the diagnostics name `names` (the offending parameter). */
function refused(run: () => unknown, code: SpineErrorCode, ...names: string[]): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof GpcError, `expected a GpcError, got ${String(err)}`);
    assert.equal(err.code, code, err.diagnostics);
    for (const name of names) assert.ok(err.diagnostics.includes(name), `diagnostics "${err.diagnostics}" should name ${name}`);
    return true;
  });
}
const rejects = (parameters: P[], code: SpineErrorCode, ...names: string[]) => refused(() => parse(...parameters), code, ...names);
const accepts = (parameters: P[], expected: Omit<StructuredRequest, 'nhsNumber' | 'warnings'> & { warnings?: string[] }) => {
  const nhs = parameters.find((p) => p.name === 'patientNHSNumber') as { valueIdentifier: { value: string } };
  assert.deepEqual(parse(...parameters), { nhsNumber: nhs.valueIdentifier.value, warnings: [], ...expected });
};

/** Invalid date values of the suite's medication and diary outlines (M16, Y6). */
const invalidDates = ['X2014', 'X2014-02', 'X2015-10-23T11:08:32', 'X2015-10-23T11:08:32+00:00', '', '2014', '2014-02', 'null'];
/** Invalid period rows of the uncategorised / investigations / referrals outlines (U9, V9, R9). */
const invalidPeriods: [string, string][] = [
  ['2014', '2016-01-01'], ['2014-02', '2014-08-20'], ['2015-10-23T11:08:32', '2016-11-01'], ['2015-10-23T11:08:32+00:00', '2019-10-01'],
  ['2014-01-01', '2016'], ['2014-02-01', '2014-08'], ['2015-10-01', '2016-11-23T11:08:32'], ['2014-01-01', '2015-10-23T11:08:32+00:00'],
];

describe('Structured request: the body (digest §3 step 3)', () => {
  it('a body that is not an object ⇒ INVALID_RESOURCE', () => refused(() => parseStructuredRequest('{}', today), 'INVALID_RESOURCE', 'Parameters'));
  it('a resource other than Parameters ⇒ INVALID_RESOURCE', () => refused(() => parseStructuredRequest({ resourceType: 'Patient' }, today), 'INVALID_RESOURCE', 'Parameters'));
  it('Parameters.parameter not a list ⇒ INVALID_RESOURCE', () => refused(() => parseStructuredRequest({ resourceType: 'Parameters', parameter: {} }, today), 'INVALID_RESOURCE', 'parameter'));
  it('a parameter without a name ⇒ INVALID_RESOURCE', () => rejects([NHS(), { valueBoolean: true }], 'INVALID_RESOURCE', 'name'));
  it('a part list that is not a list of named parts ⇒ INVALID_RESOURCE', () => rejects([NHS(), { name: 'includeAllergies', part: [{ valueBoolean: true }] }], 'INVALID_RESOURCE', 'includeAllergies'));
  it('Parameters with no parameter at all ⇒ INVALID_PARAMETER (no patientNHSNumber)', () =>
    refused(() => parseStructuredRequest({ resourceType: 'Parameters' }, today), 'INVALID_PARAMETER', 'patientNHSNumber'));
});

describe('Structured request: patientNHSNumber and top-level cardinality (§3 step 4)', () => {
  it('X1: patientNHSNumber alone ⇒ a request for no clinical area', () => accepts([NHS()], {}));
  it('A16/M14: patientNHSNumber misnamed ⇒ INVALID_PARAMETER', () => rejects([NHSwrongname, ALG(false)], 'INVALID_PARAMETER', 'patientNHSNumber'));
  it('X8: misnamed NHS number plus an unknown parameter with a future period ⇒ INVALID_PARAMETER (the unknown one is never validated)', () =>
    rejects([NHSwrongname, param('unknownConsultations', part('consultationSearchPeriod', period(D(-10), D(5))))], 'INVALID_PARAMETER', 'patientNHSNumber'));
  it('A12/M10: NHS number with a bad check digit ⇒ INVALID_NHS_NUMBER', () => rejects([NHS('1234567891'), ALG(false)], 'INVALID_NHS_NUMBER', 'patientNHSNumber'));
  it('A13/M11: empty NHS number ⇒ INVALID_NHS_NUMBER', () => rejects([NHS(''), MED(false)], 'INVALID_NHS_NUMBER', 'patientNHSNumber'));
  it('NHS number not ten digits ⇒ INVALID_NHS_NUMBER', () => rejects([NHS('969093727')], 'INVALID_NHS_NUMBER', 'patientNHSNumber'));
  it('NHS identifier without a value ⇒ INVALID_NHS_NUMBER', () =>
    rejects([{ name: 'patientNHSNumber', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number' } }], 'INVALID_NHS_NUMBER', 'patientNHSNumber'));
  it('A14/M12/P14/C9/I5/U5/V6/R6: invalid identifier system ⇒ INVALID_IDENTIFIER_SYSTEM', () =>
    rejects([NHS(nhsNumbers.patient1, 'Invalid-System'), ALG(false)], 'INVALID_IDENTIFIER_SYSTEM', 'patientNHSNumber'));
  it('A15/M13/P15/C10/I6/U6/V7/R7: empty identifier system ⇒ INVALID_IDENTIFIER_SYSTEM', () =>
    rejects([NHS(nhsNumbers.patient1, ''), PRB0], 'INVALID_IDENTIFIER_SYSTEM', 'patientNHSNumber'));
  it('NHS identifier without a system ⇒ INVALID_IDENTIFIER_SYSTEM', () =>
    rejects([{ name: 'patientNHSNumber', valueIdentifier: { value: nhsNumbers.patient1 } }], 'INVALID_IDENTIFIER_SYSTEM', 'patientNHSNumber'));
  it('patientNHSNumber with a value other than valueIdentifier ⇒ INVALID_PARAMETER', () =>
    rejects([{ name: 'patientNHSNumber', valueString: nhsNumbers.patient1 }], 'INVALID_PARAMETER', 'patientNHSNumber'));
  it('patientNHSNumber without a value ⇒ INVALID_PARAMETER', () => rejects([{ name: 'patientNHSNumber' }], 'INVALID_PARAMETER', 'patientNHSNumber'));
  it('patientNHSNumber twice ⇒ INVALID_RESOURCE', () => rejects([NHS(), NHS()], 'INVALID_RESOURCE', 'patientNHSNumber'));
  it('a known include* parameter twice ⇒ INVALID_RESOURCE', () => rejects([NHS(), ALG(true), ALG(false)], 'INVALID_RESOURCE', 'includeAllergies'));
  it('a duplicate is refused before a missing patientNHSNumber', () => rejects([MED0, MED0], 'INVALID_RESOURCE', 'includeMedication'));
  it('a top-level include* with a value[x] ⇒ INVALID_PARAMETER', () => rejects([NHS(), { name: 'includeProblems', valueBoolean: true }], 'INVALID_PARAMETER', 'includeProblems'));
  it('the NHS number is checked before a top-level include* value', () =>
    rejects([{ name: 'includeProblems', valueBoolean: true }, NHS('1234567891')], 'INVALID_NHS_NUMBER', 'patientNHSNumber'));
  it('top-level checks come before part checks', () => rejects([ALG0, NHS('')], 'INVALID_NHS_NUMBER', 'patientNHSNumber'));
});

describe('Structured request: unknown parameters and parts are warnings (§18.4)', () => {
  it('A10: a part known elsewhere under includeAllergies ⇒ warning includeAllergies.includePrescriptionIssues', () =>
    accepts([NHS(), param('includeAllergies', part('includePrescriptionIssues', { valueBoolean: false }), part('includeResolvedAllergies', { valueBoolean: false }))],
      { allergies: { includeResolved: false }, warnings: ['includeAllergies.includePrescriptionIssues'] }));
  it('A11: unknown parameter ⇒ one warning, its parts not reported', () =>
    accepts([NHS(), param('inlcudeUnknownAllergies', part('includeResolvedAllergies', { valueBoolean: false }))], { warnings: ['inlcudeUnknownAllergies'] }));
  it('A17: additional timePeriod part ⇒ warning includeAllergies.timePeriod', () =>
    accepts([NHS(), param('includeAllergies', part('timePeriod', period('2023', '2025')), part('includeResolvedAllergies', { valueBoolean: false }))],
      { allergies: { includeResolved: false }, warnings: ['includeAllergies.timePeriod'] }));
  it('A18: start-only timePeriod part ⇒ warning includeAllergies.timePeriod', () =>
    accepts([NHS(), param('includeAllergies', part('timePeriod', period('2023')), part('includeResolvedAllergies', { valueBoolean: false }))],
      { allergies: { includeResolved: false }, warnings: ['includeAllergies.timePeriod'] }));
  it('M9: misnamed medication parameter ⇒ warning includeInvalidMedications', () =>
    accepts([NHS(), param('includeInvalidMedications', part('includePrescriptionIssues', { valueBoolean: false }))], { warnings: ['includeInvalidMedications'] }));
  it('P11: made-up problems part ⇒ warning includeProblems.madeUpProblems', () =>
    accepts([NHS(nhsNumbers.patient2), param('includeProblems', part('madeUpProblems', { valueCode: 'madeUpProblemsValue1' }))],
      { problems: [{}], warnings: ['includeProblems.madeUpProblems'] }));
  it('I9: made-up immunisations part ⇒ warning includeImmunisations.madeUp', () =>
    accepts([NHS(nhsNumbers.patient2), param('includeImmunisations', part('madeUp', { valueString: 'madeUpValue1' }))],
      { immunisations: { includeNotGiven: false, includeStatus: true }, warnings: ['includeImmunisations.madeUp'] }));
  it('C15: consultationSearchPeriod sent as a top-level parameter ⇒ warning, not an error', () =>
    accepts([NHS(nhsNumbers.patient2), { name: 'consultationSearchPeriod' }], { warnings: ['consultationSearchPeriod'] }));
  it('X7: three unknown parameters ⇒ exactly three warnings, in request order', () =>
    accepts([NHS(), param('includeMadeUpParam', part('madeUpPartParam1', { valueString: 'madeUpValue1' }), part('madeUpPartParam2', { valueString: 'madeUpValue2' })),
      { name: 'madeUpImmunizations' }, { name: 'includeConsults' }], { warnings: ['includeMadeUpParam', 'madeUpImmunizations', 'includeConsults'] }));
  it('an unknown parameter sent twice is reported once', () => accepts([NHS(), { name: 'madeUp' }, { name: 'madeUp' }], { warnings: ['madeUp'] }));
  it('an unknown parameter with a value is only a warning', () => accepts([NHS(), { name: 'madeUp', valueDate: 'X2014' }], { warnings: ['madeUp'] }));
});

describe('Structured request: includeAllergies', () => {
  it('A1: includeResolvedAllergies true', () => accepts([NHS(nhsNumbers.patient3), ALG(true)], { allergies: { includeResolved: true } }));
  it('A3: includeResolvedAllergies false', () => accepts([NHS(nhsNumbers.patient3), ALG(false)], { allergies: { includeResolved: false } }));
  it('A9: missing mandatory includeResolvedAllergies ⇒ INVALID_PARAMETER', () => rejects([NHS(), ALG0], 'INVALID_PARAMETER', 'includeAllergies.includeResolvedAllergies'));
  it('X6: includeResolvedAllergies without a value (null boolean) ⇒ INVALID_PARAMETER', () => rejects([NHS(), ALGnull], 'INVALID_PARAMETER', 'includeAllergies.includeResolvedAllergies'));
  it('includeResolvedAllergies valueBoolean null ⇒ INVALID_PARAMETER', () => rejects([NHS(), ALG(null)], 'INVALID_PARAMETER', 'includeAllergies.includeResolvedAllergies'));
  it('includeResolvedAllergies valueBoolean "true" (a string) ⇒ INVALID_PARAMETER', () => rejects([NHS(), ALG('true')], 'INVALID_PARAMETER', 'includeAllergies.includeResolvedAllergies'));
  it('includeResolvedAllergies with the wrong value type ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), param('includeAllergies', part('includeResolvedAllergies', { valueString: 'true' }))], 'INVALID_PARAMETER', 'includeAllergies.includeResolvedAllergies'));
  it('a part with two value[x] ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), param('includeAllergies', part('includeResolvedAllergies', { valueBoolean: true, valueString: 'x' }))], 'INVALID_PARAMETER', 'includeAllergies.includeResolvedAllergies'));
  it('X2: immunisations + allergies with only a rubbish part ⇒ INVALID_PARAMETER (the missing mandatory part beats the warning)', () =>
    rejects([NHS(nhsNumbers.patient2), IMM0, param('includeAllergies', part('RubbishPartParameter', { valueBoolean: true }))], 'INVALID_PARAMETER', 'includeAllergies.includeResolvedAllergies'));
  it('X3: X2 plus includeMedication without parts ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(nhsNumbers.patient2), IMM0, param('includeAllergies', part('RubbishPartParameter', { valueBoolean: true })), MED0], 'INVALID_PARAMETER', 'includeAllergies.includeResolvedAllergies'));
  it('X4: medications fine, allergies without parts ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(nhsNumbers.patient2), IMM0, MED(false), ALG0], 'INVALID_PARAMETER', 'includeAllergies.includeResolvedAllergies'));
  it('X5: allergies fine, medications without parts ⇒ accepted with defaults', () =>
    accepts([NHS(nhsNumbers.patient2), IMM0, ALG(true), MED0],
      { immunisations: { includeNotGiven: false, includeStatus: true }, allergies: { includeResolved: true }, medication: { includePrescriptionIssues: true } }));
});

describe('Structured request: includeMedication', () => {
  it('M1: includePrescriptionIssues true', () => accepts([NHS(nhsNumbers.patient3), MED(true)], { medication: { includePrescriptionIssues: true } }));
  it('M3: includePrescriptionIssues false', () => accepts([NHS(nhsNumbers.patient3), MED(false)], { medication: { includePrescriptionIssues: false } }));
  it('M8: no parts ⇒ includePrescriptionIssues defaults to true, no from-date', () => accepts([NHS(), MED0], { medication: { includePrescriptionIssues: true } }));
  it('M15: medicationSearchFromDate three years back', () =>
    accepts([NHS(nhsNumbers.patient2), MEDD(Y(-3))], { medication: { includePrescriptionIssues: false, searchFromDate: Y(-3) } }));
  it('medicationSearchFromDate today ⇒ accepted', () => accepts([NHS(), MEDD(D0)], { medication: { includePrescriptionIssues: false, searchFromDate: D0 } }));
  for (const v of invalidDates) {
    it(`M16: medicationSearchFromDate ${JSON.stringify(v)} ⇒ INVALID_PARAMETER`, () => rejects([NHS(), MEDD(v)], 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate'));
  }
  it('medicationSearchFromDate null (JSON) ⇒ INVALID_PARAMETER', () => rejects([NHS(), MEDD(null)], 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate'));
  it('medicationSearchFromDate not a calendar date (2023-02-29) ⇒ INVALID_PARAMETER', () => rejects([NHS(), MEDD('2023-02-29')], 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate'));
  it('medicationSearchFromDate as a dateTime 2015-10-23T11:08:32 ⇒ INVALID_PARAMETER', () => rejects([NHS(), MEDD('2015-10-23T11:08:32')], 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate'));
  it('M24: medicationSearchFromDate tomorrow ⇒ INVALID_PARAMETER', () => rejects([NHS(), MEDD(D(1))], 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate'));
  it('M25: includePrescriptionIssues twice ⇒ INVALID_RESOURCE', () =>
    rejects([NHS(nhsNumbers.patient3), param('includeMedication', part('includePrescriptionIssues', { valueBoolean: true }), part('includePrescriptionIssues', { valueBoolean: true }))],
      'INVALID_RESOURCE', 'includeMedication.includePrescriptionIssues'));
  it('includePrescriptionIssues without a value ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), param('includeMedication', part('includePrescriptionIssues'))], 'INVALID_PARAMETER', 'includeMedication.includePrescriptionIssues'));
  it('includePrescriptionIssues as valueDate (the spec example\'s typo) ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), param('includeMedication', part('includePrescriptionIssues', { valueDate: true }))], 'INVALID_PARAMETER', 'includeMedication.includePrescriptionIssues'));
});

describe('Structured request: includeConsultations', () => {
  it('C1: no parts ⇒ all consultations', () => accepts([NHS(nhsNumbers.patient2), CON0], { consultations: {} }));
  it('C2: search period', () => accepts([NHS(nhsNumbers.patient2), CONP(Y(-3), D(-1))], { consultations: { period: { start: Y(-3), end: D(-1) } } }));
  it('C3: most recent 3', () => accepts([NHS(nhsNumbers.patient2), CONN(3)], { consultations: { mostRecent: 3 } }));
  it('C5: start only', () => accepts([NHS(nhsNumbers.patient2), CONP(Y(-3))], { consultations: { period: { start: Y(-3) } } }));
  it('C6: end only', () => accepts([NHS(nhsNumbers.patient2), CONP(undefined, D(-1))], { consultations: { period: { end: D(-1) } } }));
  it('period equal to today ⇒ accepted', () => accepts([NHS(), CONP(D0, D0)], { consultations: { period: { start: D0, end: D0 } } }));
  it('C12: period in the future ⇒ INVALID_PARAMETER', () => rejects([NHS(nhsNumbers.patient2), CONP(D(1), D(1))], 'INVALID_PARAMETER', 'includeConsultations.consultationSearchPeriod'));
  it('end in the future ⇒ INVALID_PARAMETER', () => rejects([NHS(), CONP(D(-1), D(1))], 'INVALID_PARAMETER', 'includeConsultations.consultationSearchPeriod'));
  it('C13: start after end ⇒ INVALID_PARAMETER', () => rejects([NHS(nhsNumbers.patient2), CONP(D(-5), D(-6))], 'INVALID_PARAMETER', 'includeConsultations.consultationSearchPeriod'));
  it('C14: both includeNumberOfMostRecent and consultationSearchPeriod ⇒ INVALID_RESOURCE', () =>
    rejects([NHS(nhsNumbers.patient2), param('includeConsultations', part('includeNumberOfMostRecent', { valuePositiveInt: 4 }), part('consultationSearchPeriod', period(D(-10), D(-5))))],
      'INVALID_RESOURCE', 'includeConsultations.consultationSearchPeriod', 'includeConsultations.includeNumberOfMostRecent'));
  const c16: [unknown, unknown][] = [
    ['StartDate', 'endDate'], ['X2014', '2015-12-01'], ['X2014-02', '2015-12-01'], ['X2015-10-23T11:08:32', '2016-01-12'], ['X2015-10-23T11:08:32+00:00', '2015-10-30'],
    ['', '2019-01-01'], ['2014', '2015-01-01'], ['2014-02', '2016-01-30'], ['null', '2019-11-11'], ['null', 'null'], ['', ''], ['2015-12-01', ''],
    ['2015-12-01', 'X2016-02'], ['2015-12-01', 'X2016-10-23T11:08:32'], ['2015-12-01', 'X2016-10-23T11:08:32+00:00'], ['2015-12-01', '2015'], ['2015-12-01', '2016-02'],
    ['2015-12-01', 'null'], ['2018', '2019'],
  ];
  for (const [s, e] of c16) {
    it(`C16: consultationSearchPeriod ${JSON.stringify(s)}–${JSON.stringify(e)} ⇒ INVALID_PARAMETER`, () =>
      rejects([NHS(), CONP(s, e)], 'INVALID_PARAMETER', 'includeConsultations.consultationSearchPeriod'));
  }
  it('period bound JSON null ⇒ INVALID_PARAMETER', () => rejects([NHS(), CONP(null, D(-1))], 'INVALID_PARAMETER', 'includeConsultations.consultationSearchPeriod'));
  it('period with neither start nor end ⇒ INVALID_PARAMETER', () => rejects([NHS(), CONP()], 'INVALID_PARAMETER', 'includeConsultations.consultationSearchPeriod'));
  it('consultationSearchPeriod not a Period ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), param('includeConsultations', part('consultationSearchPeriod', { valuePeriod: '2014' }))], 'INVALID_PARAMETER', 'includeConsultations.consultationSearchPeriod'));
  for (const n of [0, -1, 1.5, '3', null]) {
    it(`includeNumberOfMostRecent ${JSON.stringify(n)} ⇒ INVALID_PARAMETER`, () => rejects([NHS(), CONN(n)], 'INVALID_PARAMETER', 'includeConsultations.includeNumberOfMostRecent'));
  }
  it('includeNumberOfMostRecent 1 ⇒ accepted', () => accepts([NHS(), CONN(1)], { consultations: { mostRecent: 1 } }));
  it('includeNumberOfMostRecent as valueInteger (the predefined searches\' skeleton) ⇒ accepted', () =>
    accepts([NHS(), param('includeConsultations', part('includeNumberOfMostRecent', { valueInteger: 3 }))], { consultations: { mostRecent: 3 } }));
});

describe('Structured request: includeProblems', () => {
  it('P1: no parts ⇒ one unfiltered repetition', () => accepts([NHS(nhsNumbers.patient2), PRB0], { problems: [{}] }));
  for (const v of ['active', 'inactive'] as const) {
    it(`P3: filterStatus ${v}`, () => accepts([NHS(nhsNumbers.patient2), PRBst(v)], { problems: [{ status: v }] }));
  }
  for (const v of ['major', 'minor'] as const) {
    it(`P4: filterSignificance ${v}`, () => accepts([NHS(nhsNumbers.patient2), PRBsig(v)], { problems: [{ significance: v }] }));
  }
  for (const g of ['major', 'minor'] as const) {
    it(`P5: filterStatus active + filterSignificance ${g}`, () => accepts([NHS(nhsNumbers.patient2), PRB('active', g)], { problems: [{ status: 'active', significance: g }] }));
  }
  it('P6: problems and medication together (no part clash)', () =>
    accepts([NHS(), PRB0, MED(true)], { problems: [{}], medication: { includePrescriptionIssues: true } }));
  it('P7: repeating includeProblems ⇒ one pair per repetition', () =>
    accepts([NHS(nhsNumbers.patient2), PRB('active', 'minor'), PRB('inactive', 'major'), MED(true)],
      { problems: [{ status: 'active', significance: 'minor' }, { status: 'inactive', significance: 'major' }], medication: { includePrescriptionIssues: true } }));
  for (const v of ['resolved', 'recurrence', 'remission', 'null', 'off']) {
    it(`P8: filterStatus ${v} ⇒ INVALID_PARAMETER`, () => rejects([NHS(nhsNumbers.patient2), PRBst(v)], 'INVALID_PARAMETER', 'includeProblems.filterStatus'));
  }
  for (const v of ['HIGH', 'null', 'off']) {
    it(`P9: filterSignificance ${v} ⇒ INVALID_PARAMETER`, () => rejects([NHS(nhsNumbers.patient2), PRBsig(v)], 'INVALID_PARAMETER', 'includeProblems.filterSignificance'));
  }
  for (const [s, g, bad] of [['invalid', 'invalid', 'filterStatus'], ['active', 'low', 'filterSignificance'], ['resolved', 'major', 'filterStatus']]) {
    it(`P10: filterStatus ${s} + filterSignificance ${g} ⇒ INVALID_PARAMETER`, () => rejects([NHS(nhsNumbers.patient2), PRB(s, g)], 'INVALID_PARAMETER', `includeProblems.${bad}`));
  }
  it('filterStatus in another case (Active) ⇒ INVALID_PARAMETER', () => rejects([NHS(), PRBst('Active')], 'INVALID_PARAMETER', 'includeProblems.filterStatus'));
  it('filterStatus twice in one repetition ⇒ INVALID_RESOURCE', () =>
    rejects([NHS(), param('includeProblems', part('filterStatus', { valueCode: 'active' }), part('filterStatus', { valueCode: 'inactive' }))], 'INVALID_RESOURCE', 'includeProblems.filterStatus'));
  it('an invalid filter in the second repetition ⇒ INVALID_PARAMETER', () => rejects([NHS(), PRB0, PRBst('resolved')], 'INVALID_PARAMETER', 'includeProblems.filterStatus'));
});

describe('Structured request: includeImmunisations', () => {
  it('I1: no parts ⇒ includeNotGiven false, includeStatus true', () => accepts([NHS(nhsNumbers.patient3), IMM0], { immunisations: { includeNotGiven: false, includeStatus: true } }));
  it('includeNotGiven true, includeStatus false', () =>
    accepts([NHS(), param('includeImmunisations', part('includeNotGiven', { valueBoolean: true }), part('includeStatus', { valueBoolean: false }))],
      { immunisations: { includeNotGiven: true, includeStatus: false } }));
  it('includeStatus not a boolean ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), param('includeImmunisations', part('includeStatus', { valueBoolean: 'yes' }))], 'INVALID_PARAMETER', 'includeImmunisations.includeStatus'));
});

const periodAreas = [
  { area: 'includeUncategorisedData', partName: 'uncategorisedDataSearchPeriod', key: 'uncategorised', none: UNC0, withPeriod: UNCP, ids: 'U' },
  { area: 'includeInvestigations', partName: 'investigationSearchPeriod', key: 'investigations', none: INV0, withPeriod: INVP, ids: 'V' },
  { area: 'includeReferrals', partName: 'referralSearchPeriod', key: 'referrals', none: REF0, withPeriod: REFP, ids: 'R' },
] as const;
const scenario = { U: { all: 'U1', invalid: 'U9', future: 'U10', today: 'U11', reversed: 'U12' }, V: { all: 'V1', invalid: 'V9', future: 'V10', today: 'V5', reversed: 'V11' },
  R: { all: 'R1', invalid: 'R9', future: 'R10', today: 'R5', reversed: 'R11' } };
for (const { area, partName, key, none, withPeriod, ids } of periodAreas) {
  const s = scenario[ids];
  const path = `${area}.${partName}`;
  describe(`Structured request: ${area}`, () => {
    it(`${s.all}: no parts ⇒ whole area`, () => accepts([NHS(nhsNumbers.patient3), none], { [key]: {} }));
    it(`${s.today}: period equal to today ⇒ accepted`, () => accepts([NHS(nhsNumbers.patient2), withPeriod(D0, D0)], { [key]: { period: { start: D0, end: D0 } } }));
    it('start-only period ⇒ accepted', () => accepts([NHS(), withPeriod(D(-30))], { [key]: { period: { start: D(-30) } } }));
    for (const [start, end] of invalidPeriods) {
      it(`${s.invalid}: ${partName} ${start}–${end} ⇒ INVALID_PARAMETER`, () => rejects([NHS(nhsNumbers.patient2), withPeriod(start, end)], 'INVALID_PARAMETER', path));
    }
    it(`${s.future}: period in the future ⇒ INVALID_PARAMETER`, () => rejects([NHS(nhsNumbers.patient2), withPeriod(D(10), D(15))], 'INVALID_PARAMETER', path));
    it(`${s.reversed}: start after end ⇒ INVALID_PARAMETER`, () => rejects([NHS(nhsNumbers.patient2), withPeriod(D(-10), D(-15))], 'INVALID_PARAMETER', path));
  });
}

describe('Structured request: includeDiaryEntries', () => {
  it('Y1: no parts ⇒ all active entries', () => accepts([NHS(nhsNumbers.patient2), DIA0], { diary: {} }));
  it('Y4 (n=0): search date today ⇒ accepted', () => accepts([NHS(nhsNumbers.patient2), DIAD(Y(0))], { diary: { searchDate: Y(0) } }));
  it('Y4 (n=10): search date ten years ahead ⇒ accepted', () => accepts([NHS(nhsNumbers.patient2), DIAD(Y(10))], { diary: { searchDate: Y(10) } }));
  it('Y5: search date in the past ⇒ INVALID_PARAMETER', () => rejects([NHS(nhsNumbers.patient2), DIAD(D(-20))], 'INVALID_PARAMETER', 'includeDiaryEntries.diaryEntriesSearchDate'));
  it('search date yesterday ⇒ INVALID_PARAMETER', () => rejects([NHS(), DIAD(D(-1))], 'INVALID_PARAMETER', 'includeDiaryEntries.diaryEntriesSearchDate'));
  for (const v of invalidDates) {
    it(`Y6: diaryEntriesSearchDate ${JSON.stringify(v)} ⇒ INVALID_PARAMETER`, () => rejects([NHS(), DIAD(v)], 'INVALID_PARAMETER', 'includeDiaryEntries.diaryEntriesSearchDate'));
  }
});

describe('Structured request: "today" around UK midnight (§5.1)', () => {
  const bst = { uk: D(1), utc: D0 };
  it('a from-date equal to the UK date, a day ahead of UTC, is not in the future', () =>
    assert.equal(parseStructuredRequest(body(NHS(), MEDD(D(1))), bst).medication?.searchFromDate, D(1)));
  it('a period end equal to the UTC date, a day ahead of the UK date, is not in the future', () =>
    assert.deepEqual(parseStructuredRequest(body(NHS(), CONP(undefined, D(1))), { uk: D0, utc: D(1) }).consultations, { period: { end: D(1) } }));
  it('a from-date after both dates is in the future ⇒ INVALID_PARAMETER', () =>
    refused(() => parseStructuredRequest(body(NHS(), MEDD(D(2))), bst), 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate'));
  it('a diary date equal to the UTC date, a day behind the UK date, is not in the past', () =>
    assert.deepEqual(parseStructuredRequest(body(NHS(), DIAD(D0)), bst).diary, { searchDate: D0 }));
  it('a diary date before both dates is in the past ⇒ INVALID_PARAMETER', () =>
    refused(() => parseStructuredRequest(body(NHS(), DIAD(D(-1))), bst), 'INVALID_PARAMETER', 'includeDiaryEntries.diaryEntriesSearchDate'));
});

describe('Structured request: not-permitted combinations (§4)', () => {
  it('X9: many areas without clashing parts ⇒ accepted', () =>
    accepts([NHS(nhsNumbers.patient2), MED(true), ALG(true), CON0, IMM0, UNC0, PRB0], {
      medication: { includePrescriptionIssues: true }, allergies: { includeResolved: true }, consultations: {},
      immunisations: { includeNotGiven: false, includeStatus: true }, uncategorised: {}, problems: [{}],
    }));
  it('X10 (combination 1): consultations + medicationSearchFromDate ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), CON0, MEDD(Y(-3))], 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate', 'includeConsultations'));
  it('X11 (combination 2): consultations + uncategorised period 2014–2015 ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), CON0, UNCP('2014', '2015')], 'INVALID_PARAMETER', 'includeUncategorisedData.uncategorisedDataSearchPeriod'));
  it('consultations + a valid uncategorised period ⇒ INVALID_PARAMETER (the combination itself)', () =>
    rejects([NHS(), CON0, UNCP(D(-30), D(-1))], 'INVALID_PARAMETER', 'includeUncategorisedData.uncategorisedDataSearchPeriod', 'includeConsultations'));
  it('X12 (combination 3): consultations + filterSignificance ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), CON0, PRBsig('major')], 'INVALID_PARAMETER', 'includeProblems.filterSignificance', 'includeConsultations'));
  it('X13 (combination 4): consultations + filterStatus ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), CON0, PRBst('active')], 'INVALID_PARAMETER', 'includeProblems.filterStatus', 'includeConsultations'));
  it('X14 (combination 5): consultations + referral period 2014–2016 ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), CON0, REFP('2014', '2016')], 'INVALID_PARAMETER', 'includeReferrals.referralSearchPeriod'));
  it('consultations + a valid referral period ⇒ INVALID_PARAMETER (the combination itself)', () =>
    rejects([NHS(), CON0, REFP(D(-30), D(-1))], 'INVALID_PARAMETER', 'includeReferrals.referralSearchPeriod', 'includeConsultations'));
  it('X15 (combination 6): consultations + past diary date ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), CON0, DIAD(D(-20))], 'INVALID_PARAMETER', 'includeDiaryEntries.diaryEntriesSearchDate'));
  it('consultations + a valid diary date ⇒ INVALID_PARAMETER (the combination itself)', () =>
    rejects([NHS(), CON0, DIAD(D(1))], 'INVALID_PARAMETER', 'includeDiaryEntries.diaryEntriesSearchDate', 'includeConsultations'));
  it('X16 (combination 8): consultations + includeStatus ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), CON0, IMMstat], 'INVALID_PARAMETER', 'includeImmunisations.includeStatus', 'includeConsultations'));
  it('consultations + includeNotGiven false (presence, whatever the value) ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), CON0, param('includeImmunisations', part('includeNotGiven', { valueBoolean: false }))], 'INVALID_PARAMETER', 'includeImmunisations.includeNotGiven', 'includeConsultations'));
  it('X17 (combination 9): problems + medicationSearchFromDate ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), PRB0, MEDD(Y(-3))], 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate', 'includeProblems'));
  it('X18 (combination 10): problems + uncategorised period 2014–2015 ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), PRB0, UNCP('2014', '2015')], 'INVALID_PARAMETER', 'includeUncategorisedData.uncategorisedDataSearchPeriod'));
  it('X19 (combination 11): problems + referral period 2014–2016 ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), PRB0, REFP('2014', '2016')], 'INVALID_PARAMETER', 'includeReferrals.referralSearchPeriod'));
  it('X20 (combination 12): problems + past diary date ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), PRB0, DIAD(D(-20))], 'INVALID_PARAMETER', 'includeDiaryEntries.diaryEntriesSearchDate'));
  it('problems + a valid diary date ⇒ INVALID_PARAMETER (the combination itself)', () =>
    rejects([NHS(), PRB0, DIAD(D0)], 'INVALID_PARAMETER', 'includeDiaryEntries.diaryEntriesSearchDate', 'includeProblems'));
  it('X21 (combination 14): problems + includeStatus ⇒ INVALID_PARAMETER', () =>
    rejects([NHS(), PRB0, IMMstat], 'INVALID_PARAMETER', 'includeImmunisations.includeStatus', 'includeProblems'));
  it('problems with their own filters and no consultations ⇒ accepted', () =>
    accepts([NHS(), PRB('active', 'major'), MED(true)], { problems: [{ status: 'active', significance: 'major' }], medication: { includePrescriptionIssues: true } }));
  it('X22: consultations + problems, no parts ⇒ accepted', () => accepts([NHS(nhsNumbers.patient2), CON0, PRB0], { consultations: {}, problems: [{}] }));
  it('X23: every area without parts ⇒ accepted', () =>
    accepts([NHS(nhsNumbers.patient2), ALG(true), MED(true), CON0, PRB0, IMM0, UNC0, INV0, REF0], {
      allergies: { includeResolved: true }, medication: { includePrescriptionIssues: true }, consultations: {}, problems: [{}],
      immunisations: { includeNotGiven: false, includeStatus: true }, uncategorised: {}, investigations: {}, referrals: {},
    }));
  it('investigationSearchPeriod is never forbidden', () =>
    accepts([NHS(), CON0, PRB0, INVP(D(-30), D(-1))], { consultations: {}, problems: [{}], investigations: { period: { start: D(-30), end: D(-1) } } }));
  it('consultations with their own parts + problems ⇒ accepted', () => accepts([NHS(), CONN(2), PRB0], { consultations: { mostRecent: 2 }, problems: [{}] }));
  it('a clashing part of an unknown parameter is not a clash', () =>
    accepts([NHS(), CON0, param('includeMeds', part('medicationSearchFromDate', { valueDate: D(-1) }))], { consultations: {}, warnings: ['includeMeds'] }));
});

describe('Structured request: predefined searches are exempt (§4)', () => {
  const lastYear = addDays(D0, -365);
  const search1 = (from = lastYear, n: P = { valueInteger: 3 }) =>
    [NHS(), param('includeConsultations', part('includeNumberOfMostRecent', n)), PRB0, ALG(true), param('includeMedication', part('medicationSearchFromDate', { valueDate: from }))];
  const expected1 = (from = lastYear) => ({ consultations: { mostRecent: 3 }, problems: [{}], allergies: { includeResolved: true }, medication: { includePrescriptionIssues: true, searchFromDate: from } });
  it('pre-defined search 1 (its skeleton, valueInteger 3, allergies with the mandatory part) ⇒ accepted', () => accepts(search1(), expected1()));
  it('pre-defined search 1 with valuePositiveInt and a leap-year 366-day year ⇒ accepted', () =>
    accepts(search1(addDays(D0, -366), { valuePositiveInt: 3 }), expected1(addDays(D0, -366))));
  it('pre-defined search 2 (plus immunisations and uncategorised data) ⇒ accepted', () =>
    accepts([...search1(), IMM0, UNC0], { ...expected1(), immunisations: { includeNotGiven: false, includeStatus: true }, uncategorised: {} }));
  it('search 1 shape with 4 consultations ⇒ INVALID_PARAMETER', () =>
    rejects(search1(lastYear, { valuePositiveInt: 4 }), 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate'));
  it('search 1 shape with two years of medication ⇒ INVALID_PARAMETER', () =>
    rejects(search1(Y(-2)), 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate'));
  it('search 1 shape plus another area ⇒ INVALID_PARAMETER', () =>
    rejects([...search1(), REF0], 'INVALID_PARAMETER', 'includeMedication.medicationSearchFromDate'));
  it('search 2 shape with an immunisation part ⇒ INVALID_PARAMETER', () =>
    rejects([...search1(), IMMstat, UNC0], 'INVALID_PARAMETER', 'includeImmunisations.includeStatus'));
});

describe('Migrate request (§19.3)', () => {
  const migrate = (...parameter: P[]) => parseMigrateRequest(body(...parameter));
  const migrateRejects = (parameters: P[], code: SpineErrorCode, ...names: string[]) => refused(() => migrate(...parameters), code, ...names);
  it('G1: without sensitive information', () => assert.deepEqual(migrate(NHS(nhsNumbers.patient2), FULL(false)), { nhsNumber: nhsNumbers.patient2, includeSensitiveInformation: false }));
  it('G16: with sensitive information', () => assert.deepEqual(migrate(NHS(nhsNumbers.patient2), FULL(true)), { nhsNumber: nhsNumbers.patient2, includeSensitiveInformation: true }));
  it('G4: an extra includeImmunisations ⇒ INVALID_PARAMETER', () => migrateRejects([NHS(nhsNumbers.patient2), FULL(false), IMM0], 'INVALID_PARAMETER', 'includeImmunisations'));
  it('G5: an extra includeMedication ⇒ INVALID_PARAMETER', () => migrateRejects([NHS(nhsNumbers.patient2), FULL(true), MED(false)], 'INVALID_PARAMETER', 'includeMedication'));
  it('an unknown part of includeFullRecord ⇒ INVALID_PARAMETER', () =>
    migrateRejects([NHS(), param('includeFullRecord', part('includeSensitiveInformation', { valueBoolean: true }), part('madeUp', { valueBoolean: true }))], 'INVALID_PARAMETER', 'includeFullRecord.madeUp'));
  it('includeFullRecord missing ⇒ INVALID_PARAMETER', () => migrateRejects([NHS()], 'INVALID_PARAMETER', 'includeFullRecord'));
  it('includeFullRecord without includeSensitiveInformation ⇒ INVALID_PARAMETER', () =>
    migrateRejects([NHS(), param('includeFullRecord')], 'INVALID_PARAMETER', 'includeFullRecord.includeSensitiveInformation'));
  it('includeSensitiveInformation not a boolean ⇒ INVALID_PARAMETER', () => migrateRejects([NHS(), FULL('false')], 'INVALID_PARAMETER', 'includeFullRecord.includeSensitiveInformation'));
  it('includeSensitiveInformation without a value ⇒ INVALID_PARAMETER', () =>
    migrateRejects([NHS(), param('includeFullRecord', part('includeSensitiveInformation'))], 'INVALID_PARAMETER', 'includeFullRecord.includeSensitiveInformation'));
  it('patientNHSNumber missing ⇒ INVALID_PARAMETER', () => migrateRejects([FULL(false)], 'INVALID_PARAMETER', 'patientNHSNumber'));
  it('invalid NHS number ⇒ INVALID_NHS_NUMBER', () => migrateRejects([NHS('1234567891'), FULL(false)], 'INVALID_NHS_NUMBER', 'patientNHSNumber'));
  it('invalid identifier system ⇒ INVALID_IDENTIFIER_SYSTEM', () => migrateRejects([NHS(nhsNumbers.patient2, 'Invalid-System'), FULL(false)], 'INVALID_IDENTIFIER_SYSTEM', 'patientNHSNumber'));
  it('includeFullRecord twice ⇒ INVALID_RESOURCE', () => migrateRejects([NHS(), FULL(false), FULL(true)], 'INVALID_RESOURCE', 'includeFullRecord'));
  it('not a Parameters resource ⇒ INVALID_RESOURCE', () => refused(() => parseMigrateRequest({ resourceType: 'Bundle' }), 'INVALID_RESOURCE', 'Parameters'));
});
