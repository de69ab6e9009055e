import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { fromFhirXml, toFhirXml, XmlSyntaxError } from '../../src/fhir/xml.ts';

const FHIR = 'xmlns="http://hl7.org/fhir"';
const DIV = '<div xmlns="http://www.w3.org/1999/xhtml"><p>John <b>GAINES</b> &amp; co &lt;3</p><div class="x">nested</div></div>';

function roundTrip(resource: Record<string, unknown>): string {
  const xml = toFhirXml(resource);
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>'));
  assert.deepEqual(fromFhirXml(xml), resource);
  return xml;
}

/** Asserts that the given substrings occur in this order. */
function assertOrder(xml: string, ...parts: string[]): void {
  let at = -1;
  for (const p of parts) {
    const i = xml.indexOf(p, at + 1);
    assert.ok(i > at, `expected ${p} after position ${at} in ${xml}`);
    at = i;
  }
}

const gpcPatient = (): Record<string, unknown> => ({
  resourceType: 'Patient',
  id: '2',
  meta: { versionId: '1521806400000', profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Patient-1'] },
  text: { status: 'generated', div: DIV },
  extension: [
    {
      url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-RegistrationDetails-1',
      extension: [
        { url: 'registrationPeriod', valuePeriod: { start: '1962-07-13T00:00:00+01:00' } },
        {
          url: 'registrationType',
          valueCodeableConcept: { coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-RegistrationType-1', code: 'R', display: 'Regular' }] },
        },
        { url: 'preferredBranchSurgery', valueReference: { reference: 'Location/1', display: 'The Trevelyan Practice' } },
      ],
    },
    {
      url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSNumberVerificationStatus-1',
      valueCodeableConcept: { coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-NHSNumberVerificationStatus-1', code: '01' }] },
    },
  ],
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9690937286' }],
  active: true,
  name: [
    { use: 'official', family: 'GAINES', given: ['JOHN', 'Zachary'], prefix: ['MR'], _given: [null, { id: 'g2', extension: [{ url: 'http://example.org/x', valueString: 'nick' }] }] },
    { use: 'usual', text: 'Johnny "J" <Gaines> & co\nline two\ttab ü €' },
  ],
  telecom: [{ system: 'phone', value: '01454587554', use: 'home', rank: 1 }],
  gender: 'male',
  birthDate: '1948-04-21',
  deceasedBoolean: false,
  address: [{ use: 'home', type: 'physical', line: ['24 GRAMMAR SCHOOL ROAD'], city: 'BRISTOL', postalCode: 'BS20 7HL' }],
  multipleBirthBoolean: false,
  communication: [
    {
      extension: [
        { url: 'interpreterRequired', valueBoolean: false },
        { url: 'modeOfCommunication', valueCodeableConcept: { text: 'Spoken' } },
      ],
      language: { coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-HumanLanguage-1', code: 'en', display: 'English' }] },
      preferred: true,
    },
  ],
  generalPractitioner: [{ reference: 'Practitioner/1' }],
  managingOrganization: { reference: 'Organization/7' },
});

test('GP Connect Patient with nested extensions round-trips, in FHIR element order', () => {
  const p = gpcPatient();
  // The NHSCommunication extension is a complex extension on Patient.communication
  (p.extension as unknown[]).push({
    url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSCommunication-1',
    extension: [
      { url: 'language', valueCodeableConcept: { coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-HumanLanguage-1', code: 'de' }] } },
      { url: 'preferred', valueBoolean: false },
      { url: 'interpreterRequired', valueBoolean: true },
    ],
  });
  const xml = roundTrip(p);
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?><Patient xmlns="http:\/\/hl7\.org\/fhir"><id value="2"\/>/);
  assert.ok(xml.includes('<extension url="registrationPeriod"><valuePeriod><start value="1962-07-13T00:00:00+01:00"/></valuePeriod></extension>'));
  assert.ok(xml.includes('<valueBoolean value="true"/>'));
  assert.ok(xml.includes(`<text><status value="generated"/>${DIV}</text>`), 'narrative div passed through literally');
  assert.ok(xml.includes('<given id="g2" value="Zachary"><extension url="http://example.org/x"><valueString value="nick"/></extension></given>')
    || xml.includes('<given value="Zachary" id="g2"><extension url="http://example.org/x"><valueString value="nick"/></extension></given>'));
  assert.ok(xml.includes('<text value="Johnny &quot;J&quot; &lt;Gaines&gt; &amp; co&#10;line two&#9;tab ü €"/>'));
  assertOrder(xml, '<id ', '<meta>', '<text>', '<extension ', '<identifier>', '<active ', '<name>', '<telecom>', '<gender ',
    '<birthDate ', '<deceasedBoolean ', '<address>', '<multipleBirthBoolean ', '<communication>', '<generalPractitioner>', '<managingOrganization>');
});

test('JSON keys in arbitrary order are written in FHIR order; unknown keys last', () => {
  const xml = toFhirXml({
    zzUnknown: { bar: 'x' },
    gender: 'female',
    name: [{ given: ['A'], family: 'B', use: 'official' }],
    identifier: [{ value: '1', system: 's' }],
    resourceType: 'Patient',
    active: false,
    meta: { lastUpdated: '2020-01-01T00:00:00Z' },
    id: 'x',
  });
  assertOrder(xml, '<id ', '<meta>', '<identifier><system value="s"/><value value="1"/></identifier>', '<active value="false"/>',
    '<name><use value="official"/><family value="B"/><given value="A"/></name>', '<gender ', '<zzUnknown><bar value="x"/></zzUnknown>');
  assert.deepEqual(fromFhirXml(xml).zzUnknown, { bar: 'x' });
});

test('searchset Bundle round-trips', () => {
  const bundle = {
    resourceType: 'Bundle',
    id: 'b1',
    meta: { lastUpdated: '2024-01-02T03:04:05+00:00' },
    type: 'searchset',
    total: 2,
    link: [{ relation: 'self', url: 'https://gpc.example/Patient?identifier=x' }],
    entry: [
      { fullUrl: 'https://gpc.example/Patient/2', resource: gpcPatient(), search: { mode: 'match', score: 0.75 } },
      {
        fullUrl: 'https://gpc.example/Organization/7',
        resource: { resourceType: 'Organization', id: '7', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'A20047' }], name: 'TEST ORG' },
        search: { mode: 'include' },
      },
    ],
  };
  const xml = roundTrip(bundle);
  assert.ok(xml.includes('<entry><fullUrl value="https://gpc.example/Patient/2"/><resource><Patient><id value="2"/>'));
  assert.ok(xml.includes('<total value="2"/>'));
  assertOrder(xml, '<type ', '<total ', '<link>', '<entry>');
});

test('OperationOutcome round-trips', () => {
  roundTrip({
    resourceType: 'OperationOutcome',
    meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1'] },
    issue: [
      {
        severity: 'error',
        code: 'invalid',
        details: { coding: [{ system: 'https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1', code: 'INVALID_RESOURCE', display: 'Submitted resource is not valid.' }] },
        diagnostics: 'Element <foo> & "bar" is not allowed',
        location: ['Patient.name[0]'],
      },
    ],
  });
});

test('Parameters with a nested Patient resource and parts round-trips', () => {
  const params = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'registerPatient', resource: gpcPatient() },
      { name: 'patientNHSNumber', valueIdentifier: { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9690937286' } },
      {
        name: 'includeAllergies',
        part: [
          { name: 'includeResolvedAllergies', valueBoolean: true },
          { name: 'note', valueString: 'a < b' },
          { name: 'count', valueInteger: 3 },
          { name: 'weight', valueDecimal: 70.25 },
        ],
      },
    ],
  };
  const xml = roundTrip(params);
  assert.ok(xml.includes('<parameter><name value="registerPatient"/><resource><Patient><id value="2"/>'));
  assert.ok(xml.includes('<part><name value="includeResolvedAllergies"/><valueBoolean value="true"/></part>'));
});

test('Appointment with contained Organization round-trips', () => {
  const xml = roundTrip({
    resourceType: 'Appointment',
    id: '148',
    meta: { versionId: '1', profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-Appointment-1'] },
    contained: [
      {
        resourceType: 'Organization',
        id: '1',
        meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Organization-1'] },
        identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'A1' }],
        name: 'Booking org',
        telecom: [{ system: 'phone', value: '012345' }],
      },
    ],
    extension: [{ url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-BookingOrganisation-1', valueReference: { reference: '#1' } }],
    status: 'booked',
    priority: 0,
    description: 'GP Connect test appointment',
    start: '2024-05-01T10:00:00+01:00',
    end: '2024-05-01T10:10:00+01:00',
    minutesDuration: 10,
    slot: [{ reference: 'Slot/4' }, { reference: 'Slot/5' }],
    created: '2024-04-01T09:00:00+01:00',
    comment: 'Free text',
    participant: [
      { actor: { reference: 'Patient/2' }, status: 'accepted' },
      { type: [{ text: 'Practitioner' }], actor: { reference: 'Practitioner/1' }, status: 'accepted' },
      { actor: { reference: 'Location/1' }, status: 'accepted' },
    ],
  });
  assert.ok(xml.includes('<contained><Organization><id value="1"/>'));
  assertOrder(xml, '<contained>', '<extension ', '<status ', '<priority value="0"/>', '<description ', '<start ', '<end ',
    '<minutesDuration value="10"/>', '<slot>', '<created ', '<comment ', '<participant>');
});

test('clinical resources with datatypes (Dosage, Timing, Quantity, Annotation, Range) round-trip', () => {
  roundTrip({
    resourceType: 'MedicationRequest',
    id: 'mr1',
    identifier: [{ system: 'https://example.org', value: 'x' }],
    status: 'active',
    intent: 'plan',
    medicationReference: { reference: 'Medication/1' },
    subject: { reference: 'Patient/2' },
    authoredOn: '2024-01-01',
    note: [{ authorReference: { reference: 'Practitioner/1' }, time: '2024-01-01T00:00:00Z', text: 'Take with food' }],
    dosageInstruction: [
      {
        sequence: 1,
        text: 'One tablet twice a day',
        timing: { repeat: { boundsPeriod: { start: '2024-01-01' }, frequency: 2, period: 1.5, periodUnit: 'd', dayOfWeek: ['mon'], when: ['MORN'] } },
        asNeededBoolean: false,
        doseQuantity: { value: 1, unit: 'tablet', system: 'http://snomed.info/sct', code: '428673006' },
      },
    ],
    dispenseRequest: { validityPeriod: { start: '2024-01-01' }, numberOfRepeatsAllowed: 3, quantity: { value: 56, unit: 'tablet' }, expectedSupplyDuration: { value: 28, unit: 'day', system: 'http://unitsofmeasure.org', code: 'd' } },
  });
  roundTrip({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://snomed.info/sct', code: '27113001', display: 'Body weight' }] },
    valueQuantity: { value: 72.5, comparator: '<', unit: 'kg' },
    referenceRange: [{ low: { value: 50 }, high: { value: 100 }, age: { low: { value: 18 }, high: { value: 65 } } }],
    component: [{ code: { text: 'x' }, valueString: 'y' }],
  });
});

test('XML in FHIR order parses to the expected JSON shapes and JSON types', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Patient xmlns="http://hl7.org/fhir">
  <id value="9"/>
  <meta><profile value="https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Patient-1"/></meta>
  <text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">Hi &amp; <b>bye</b></div></text>
  <extension url="https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSCommunication-1">
    <extension url="interpreterRequired"><valueBoolean value="true"/></extension>
  </extension>
  <identifier>
    <system value="https://fhir.nhs.uk/Id/nhs-number"/>
    <value value="9690937286"/>
  </identifier>
  <active value="false"/>
  <name>
    <family value="O&apos;Brien &amp; &#x41;&#66;"/>
    <given id="g" value="Ann&#10;Marie"><extension url="http://example.org/e"><valueInteger value="-4"/></extension></given>
  </name>
  <telecom><system value="phone"/><value value="0123"/><rank value="2"/></telecom>
  <deceasedDateTime value="2020-01-01"/>
  <address><line value="1 Road"/></address>
  <multipleBirthInteger value="2"/>
  <communication><language><text value="English"/></language><preferred value="true"/></communication>
  <generalPractitioner><reference value="Practitioner/1"/></generalPractitioner>
</Patient>`;
  assert.deepEqual(fromFhirXml(xml), {
    resourceType: 'Patient',
    id: '9',
    meta: { profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Patient-1'] },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Hi &amp; <b>bye</b></div>' },
    extension: [{ url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSCommunication-1', extension: [{ url: 'interpreterRequired', valueBoolean: true }] }],
    identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9690937286' }],
    active: false,
    name: [{ family: "O'Brien & AB", given: ['Ann\nMarie'], _given: [{ id: 'g', extension: [{ url: 'http://example.org/e', valueInteger: -4 }] }] }],
    telecom: [{ system: 'phone', value: '0123', rank: 2 }],
    deceasedDateTime: '2020-01-01',
    address: [{ line: ['1 Road'] }],
    multipleBirthInteger: 2,
    communication: [{ language: { text: 'English' }, preferred: true }],
    generalPractitioner: [{ reference: 'Practitioner/1' }],
  });
});

test('Slot, Schedule and a searchset with a response outcome parse with numbers and booleans', () => {
  const xml = `<Bundle xmlns="http://hl7.org/fhir"><type value="batch-response"/><total value="1"/>
    <entry><resource><Slot><schedule><reference value="Schedule/1"/></schedule><status value="free"/><start value="2024-01-01T09:00:00Z"/><end value="2024-01-01T09:10:00Z"/><overbooked value="false"/></Slot></resource>
      <response><status value="200 OK"/><outcome><OperationOutcome><issue><severity value="information"/><code value="informational"/></issue></OperationOutcome></outcome></response></entry>
  </Bundle>`;
  assert.deepEqual(fromFhirXml(xml), {
    resourceType: 'Bundle',
    type: 'batch-response',
    total: 1,
    entry: [{
      resource: { resourceType: 'Slot', schedule: { reference: 'Schedule/1' }, status: 'free', start: '2024-01-01T09:00:00Z', end: '2024-01-01T09:10:00Z', overbooked: false },
      response: { status: '200 OK', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational' }] } },
    }],
  });
});

test('a FHIR namespace prefix on the root is accepted', () => {
  const json = fromFhirXml('<f:Organization xmlns:f="http://hl7.org/fhir"><f:id value="1"/><f:name value="X"/><f:active value="true"/></f:Organization>');
  assert.deepEqual(json, { resourceType: 'Organization', id: '1', name: 'X', active: true });
});

test('an invalid narrative div in JSON is emitted as escaped text, so the XML stays well-formed', () => {
  const xml = toFhirXml({ resourceType: 'Patient', text: { status: 'generated', div: '<div>oops</text><active value="false"/>' } });
  assert.ok(xml.includes('<div xmlns="http://www.w3.org/1999/xhtml">&lt;div&gt;oops&lt;/text&gt;&lt;active value="false"/&gt;</div>'));
  assert.equal(fromFhirXml(xml).active, undefined);
  // a div without the namespace gets it added
  assert.ok(toFhirXml({ resourceType: 'Patient', text: { status: 'generated', div: '<div><p>x</p></div>' } })
    .includes('<div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div>'));
});

test('comments, CDATA in the narrative, entity/char references and unknown resources are handled', () => {
  const json = fromFhirXml(`<?xml version="1.0" encoding="UTF-8"?>
<!-- leading comment -->
<Patient ${FHIR} xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><!-- a & b -->
  <text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml" title='say "hi"'><![CDATA[ 1 < 2 & 3 ]]></div></text>
  <gender value="male"/>
  <birthDate value="2000-01-01"/>
  <address><text value="line1&#xA;line2&#x9;&#x1F600;"/></address>
</Patient>`);
  assert.deepEqual(json, {
    resourceType: 'Patient',
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml" title="say &quot;hi&quot;"><![CDATA[ 1 < 2 & 3 ]]></div>' },
    gender: 'male',
    birthDate: '2000-01-01',
    address: [{ text: 'line1\nline2\t\u{1F600}' }],
  });
  roundTrip(json);
  // a resource type outside the table falls back to DomainResource + generic rules
  const vs = fromFhirXml(`<ValueSet ${FHIR}><id value="v"/><url value="https://x/ValueSet/v"/><status value="draft"/><compose><include><system value="https://x"/></include></compose></ValueSet>`);
  assert.deepEqual(vs, { resourceType: 'ValueSet', id: 'v', url: 'https://x/ValueSet/v', status: 'draft', compose: { include: { system: 'https://x' } } });
  roundTrip(vs);
});

test('malformed or non-FHIR XML throws XmlSyntaxError', () => {
  const bad: Record<string, string> = {
    malformed: `<Patient ${FHIR}><id value="1"></Patient>`,
    truncated: `<Patient ${FHIR}><id value="1"/>`,
    notXml: '{"resourceType":"Patient"}',
    empty: '',
    doctype: `<?xml version="1.0"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Patient ${FHIR}><id value="&xxe;"/></Patient>`,
    undefinedEntity: `<Patient ${FHIR}><id value="&nbsp;"/></Patient>`,
    wrongNamespace: '<Patient xmlns="http://hl7.org/fhir/wrong"><id value="1"/></Patient>',
    noNamespace: '<Patient><id value="1"/></Patient>',
    nestedWrongNamespace: `<Bundle ${FHIR}><type value="x"/><entry><resource><Patient xmlns="urn:other"/></resource></entry></Bundle>`,
    notAResource: `<Identifier ${FHIR}><value value="1"/></Identifier>`,
    twoRoots: `<Patient ${FHIR}/><Patient ${FHIR}/>`,
    badBoolean: `<Patient ${FHIR}><active value="yes"/></Patient>`,
    badInteger: `<Appointment ${FHIR}><minutesDuration value="1.5"/></Appointment>`,
    repeatedSingle: `<Patient ${FHIR}><gender value="male"/><gender value="female"/></Patient>`,
    textContent: `<Patient ${FHIR}><gender>male</gender></Patient>`,
    emptyPrimitive: `<Patient ${FHIR}><gender/></Patient>`,
    idAsElementInDatatype: `<Patient ${FHIR}><name><id value="x"/></name></Patient>`,
    divWithoutNamespace: `<Patient ${FHIR}><text><status value="generated"/><div>x</div></text></Patient>`,
    twoResourcesInContainer: `<Patient ${FHIR}><contained><Organization/><Location/></contained></Patient>`,
    controlChar: `<Patient ${FHIR}><gender value="\u0001"/></Patient>`,
    tooDeep: `<Patient ${FHIR}>${'<extension url="x">'.repeat(200)}${'</extension>'.repeat(200)}</Patient>`,
    veryDeep: `<Patient ${FHIR}>${'<extension url="x">'.repeat(100000)}${'</extension>'.repeat(100000)}</Patient>`,
    protoPollution: `<Patient ${FHIR}><__proto__ value="x"/></Patient>`,
    textAfterRoot: `<Patient ${FHIR}/>junk`,
    forbiddenCharRef: `<Patient ${FHIR}><gender value="&#1;"/></Patient>`,
    foreignElement: `<Patient ${FHIR}><x:foo xmlns:x="urn:x"/></Patient>`,
  };
  for (const [name, xml] of Object.entries(bad)) {
    assert.throws(() => fromFhirXml(xml), XmlSyntaxError, name);
  }
});

test('an `&` is literal only inside comments and CDATA sections', () => {
  const ok = (body: string) => fromFhirXml(`<Patient ${FHIR}>${body}<gender value="male"/></Patient>`);
  const entityError = /undefined entity reference/;
  assert.deepEqual(ok('<!-- a & b --><!-- &nbsp; -->'), { resourceType: 'Patient', gender: 'male' });
  assert.deepEqual(ok('<!-- <![CDATA[ --> <!-- ]]> & -->'), { resourceType: 'Patient', gender: 'male' });
  assert.throws(() => ok('<!-- a --> & <!-- b -->'), entityError);
  assert.deepEqual(ok('<!--> & -->'), { resourceType: 'Patient', gender: 'male' }, '`<!-->` does not close the comment it opens');
  assert.throws(() => ok('<!-- & -- >'), entityError, 'a comment without a closer is not a comment');
  assert.throws(() => ok('<![CDATA[ x ]]> &x; <!-- -->'), entityError);
  assert.throws(() => ok('&am<!-- -->p;'), entityError, 'a reference split by a comment');
  assert.throws(() => ok('<!-- x <!-- y & -->'.repeat(3) + '<!-- & '), entityError);
});

// -------------------------------------------------------------------------------------------------------------
// Pathological request bodies of 1 MiB (the default body limit) must fail fast. fromFhirXml runs in a worker
// thread here: a call that blocks the main thread would also block node:test's timer, so the `timeout` option
// (the hang guard) could not fire.
// -------------------------------------------------------------------------------------------------------------

const MiB = 1024 * 1024;
const APPOINTMENT = `<Appointment ${FHIR}>`;
/** `unit` repeated to fill 1 MiB, after `head`. */
const fill = (head: string, unit: string, tail = '') => head + unit.repeat(Math.floor((MiB - head.length - tail.length) / unit.length)) + tail;
const XHTML_DIV = '<text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">';

const WORKER_SOURCE = `
import { parentPort, workerData } from 'node:worker_threads';
(await import(workerData.tsx)).register();
const xml = await import(workerData.xml);
parentPort.on('message', ({ id, fn, arg }) => {
  try {
    const out = xml[fn](arg);
    parentPort.postMessage({ id, out: typeof out === 'string' ? out : JSON.stringify(out) });
  } catch (err) {
    parentPort.postMessage({ id, err: { name: err.name, message: err.message } });
  }
});`;

type WorkerReply = { id: number; out?: string; err?: { name: string; message: string } };
let worker: Worker | undefined;
let lastId = 0;
const pending = new Map<number, (r: WorkerReply) => void>();

/** Calls fromFhirXml or toFhirXml in a worker; the worker is terminated if the test ends (times out) before the reply. */
function inWorker(fn: 'fromFhirXml' | 'toFhirXml', arg: unknown, signal: AbortSignal): Promise<WorkerReply> {
  if (!worker) {
    const w = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER_SOURCE)}`), {
      workerData: { tsx: import.meta.resolve('tsx/esm/api'), xml: new URL('../../src/fhir/xml.ts', import.meta.url).href },
    });
    w.on('message', (r: WorkerReply) => {
      pending.get(r.id)?.(r);
      pending.delete(r.id);
      if (pending.size === 0) w.unref(); // an idle worker must not keep the test process alive
    });
    w.on('error', (err) => { for (const done of pending.values()) done({ id: 0, err: { name: 'WorkerError', message: String(err) } }); });
    worker = w;
  }
  const w = worker;
  const id = ++lastId;
  w.ref();
  signal.addEventListener('abort', () => {
    if (pending.delete(id) && worker === w) { worker = undefined; void w.terminate(); } // still busy with this call
  });
  return new Promise((resolve) => { pending.set(id, resolve); w.postMessage({ id, fn, arg }); });
}

const pathological: Record<string, { xml: () => string; message?: RegExp }> = {
  // the fuzzer's find: each unclosed `<!--` sent the comment-stripping regex to the end of the input (72 s)
  '`&x` then unclosed comments': { xml: () => fill(`${APPOINTMENT}&x`, '<!--'), message: /undefined entity reference/ },
  '`&x` then unclosed CDATA sections': { xml: () => fill(`${APPOINTMENT}&x`, '<![CDATA['), message: /undefined entity reference/ },
  'unclosed comments then `&x`': { xml: () => fill(APPOINTMENT, '<!--', '&x'), message: /undefined entity reference/ },
  'unclosed CDATA sections then `&x`': { xml: () => fill(APPOINTMENT, '<![CDATA[', '&x'), message: /undefined entity reference/ },
  'closed comments and CDATA holding `&`, then unclosed ones': { xml: () => fill(APPOINTMENT, '<![CDATA[&]]><!--&-->', '<!--<![CDATA[') },
  'unclosed comments': { xml: () => fill(APPOINTMENT, '<!--'), message: /Unclosed tag 'Appointment'/ },
  'unclosed CDATA sections': { xml: () => fill(APPOINTMENT, '<![CDATA[') },
  'unclosed processing instructions': { xml: () => fill(APPOINTMENT, '<?') },
  'many `<!` then `&x`': { xml: () => fill(APPOINTMENT, '<!x', '&x'), message: /undefined entity reference/ },
  'many unclosed tags': { xml: () => fill(APPOINTMENT, '<a>') },
  'many `<`': { xml: () => fill(APPOINTMENT, '<') },
  'deeply nested tags': { xml: () => fill(APPOINTMENT, '<extension url="x">') },
  'deeply nested closed tags': {
    xml: () => {
      const open = '<extension url="x">', close = '</extension>', end = '</Appointment>';
      const n = Math.floor((MiB - APPOINTMENT.length - end.length) / (open.length + close.length));
      return `${APPOINTMENT}${open.repeat(n)}${close.repeat(n)}${end}`;
    },
    message: /Maximum nested tags exceeded/,
  },
  'an unclosed 1 MiB attribute value': { xml: () => fill(`${APPOINTMENT}<id value="`, 'x'), message: /open quote/ },
  'a closed 1 MiB attribute value': { xml: () => fill(`${APPOINTMENT}<id value="`, 'x', '"/>') },
  'many attributes': { xml: () => fill('<Appointment xmlns="http://hl7.org/fhir"', ' a="b"') },
  'many `&`': { xml: () => fill(APPOINTMENT, '&'), message: /undefined entity reference/ },
  'many `&#`': { xml: () => fill(APPOINTMENT, '&#'), message: /undefined entity reference/ },
  'many valid references': { xml: () => fill(APPOINTMENT, '&amp;') },
  'a narrative div holding unclosed divs': { xml: () => fill(APPOINTMENT + XHTML_DIV, '<div>') },
  'a narrative div holding unclosed comments': { xml: () => fill(APPOINTMENT + XHTML_DIV, '<!--') },
  'many repeated elements': { xml: () => fill(APPOINTMENT, '<status value="x"/>', '</Appointment>'), message: /may occur only once/ },
};

for (const [name, { xml, message }] of Object.entries(pathological)) {
  test(`1 MiB of XML with ${name} is rejected quickly`, { timeout: 5000 }, async (t) => {
    const input = xml();
    assert.ok(input.length > MiB - 50 && input.length <= MiB, String(input.length));
    const { err } = await inWorker('fromFhirXml', input, t.signal);
    assert.equal(err?.name, 'XmlSyntaxError', JSON.stringify(err ?? 'no error'));
    if (message) assert.match(err.message, message);
    assert.ok(err.message.length <= 301, `message of ${err.message.length} chars`); // capped: it is echoed in the 400 response
  });
}

test('a 1 MiB narrative div in JSON with `&x` then unclosed comments is written as escaped text quickly', { timeout: 5000 }, async (t) => {
  const div = fill('<div>&x', '<!--');
  const { out, err } = await inWorker('toFhirXml', { resourceType: 'Patient', text: { status: 'generated', div } }, t.signal);
  assert.equal(err, undefined);
  assert.ok(out?.includes('<div xmlns="http://www.w3.org/1999/xhtml">&lt;div&gt;&amp;x&lt;!--&lt;!--'));
});

test('performance: a typical Patient converts both ways well under 1 ms', (t) => {
  const p = gpcPatient();
  const xml = toFhirXml(p);
  for (let i = 0; i < 200; i++) fromFhirXml(toFhirXml(p)); // warm up
  const n = 2000;
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) toFhirXml(p);
  const toMs = Number(process.hrtime.bigint() - t0) / 1e6 / n;
  t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fromFhirXml(xml);
  const fromMs = Number(process.hrtime.bigint() - t0) / 1e6 / n;
  const msg = `Patient (${xml.length} chars of XML): toFhirXml ${(toMs * 1000).toFixed(1)} µs, fromFhirXml ${(fromMs * 1000).toFixed(1)} µs per call`;
  t.diagnostic(msg);
  console.log(msg);
});
