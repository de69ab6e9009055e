import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { toFhirXml, fromFhirXml } from '../../src/fhir/xml.ts';
const p: any = { resourceType: 'Patient', id: '2', meta: { versionId: '1', profile: ['https://fhir.nhs.uk/STU3/StructureDefinition/CareConnect-GPC-Patient-1'] },
  text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>a &amp; b</p></div>' },
  extension: [{ url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-RegistrationDetails-1', extension: [
    { url: 'registrationPeriod', valuePeriod: { start: '1962-07-13T00:00:00+01:00' } },
    { url: 'preferredBranchSurgery', valueReference: { reference: 'Location/1' } }] }],
  identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9690937286' }], active: true,
  name: [{ use: 'official', family: 'GAINES', given: ['JOHN', 'Z'], prefix: ['MR'] }], telecom: [{ system: 'phone', value: '01454587554', use: 'home' }],
  gender: 'male', birthDate: '1948-04-21', address: [{ use: 'home', line: ['24 GRAMMAR SCHOOL ROAD'], city: 'BRISTOL', postalCode: 'BS20 7HL' }],
  communication: [{ extension: [{ url: 'interpreterRequired', valueBoolean: false }], language: { text: 'en' }, preferred: true }],
  generalPractitioner: [{ reference: 'Practitioner/1' }], managingOrganization: { reference: 'Organization/7' } };
const xml = toFhirXml(p);
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', attributesGroupName: '$', textNodeName: '#text',
  parseTagValue: false, parseAttributeValue: false, trimValues: false, processEntities: false,
  ignoreDeclaration: true, ignorePiTags: true, stopNodes: ['..div'], maxNestedTags: 100 });
const parser2 = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', attributesGroupName: '$', textNodeName: '#text',
  parseTagValue: false, parseAttributeValue: false, trimValues: false, processEntities: false,
  ignoreDeclaration: true, ignorePiTags: true, maxNestedTags: 100 });
const parser3 = new XMLParser({ ignoreAttributes: false, preserveOrder: true, parseTagValue: false, parseAttributeValue: false, trimValues: false, processEntities: false });
function bench(name: string, f: () => unknown) { for (let i = 0; i < 300; i++) f(); const n = 3000; const t0 = performance.now(); for (let i = 0; i < n; i++) f(); console.log(name, ((performance.now() - t0) / n * 1000).toFixed(1), 'µs'); }
console.log(xml.length);
bench('validate', () => XMLValidator.validate(xml));
bench('parse', () => parser.parse(xml));
bench('parse nostop', () => parser2.parse(xml));
bench('parse preserveOrder', () => parser3.parse(xml));
bench('fromFhirXml', () => fromFhirXml(xml));
bench('toFhirXml', () => toFhirXml(p));
bench('regex', () => /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(xml) || /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.test(xml));
