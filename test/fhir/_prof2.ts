import { XMLParser } from 'fast-xml-parser';
import { toFhirXml } from '../../src/fhir/xml.ts';
const xml = toFhirXml({ resourceType: 'Patient', id: '2', name: [{ use: 'official', family: 'GAINES', given: ['JOHN', 'Z'], prefix: ['MR'] }], telecom: [{ system: 'phone', value: '01454587554', use: 'home' }], gender: 'male', birthDate: '1948-04-21', address: [{ use: 'home', line: ['24 GRAMMAR SCHOOL ROAD'], city: 'BRISTOL', postalCode: 'BS20 7HL' }], extension: [{ url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-RegistrationDetails-1', extension: [{ url: 'registrationPeriod', valuePeriod: { start: '1962-07-13T00:00:00+01:00' } }, { url: 'preferredBranchSurgery', valueReference: { reference: 'Location/1' } }] }] });
const base = { ignoreAttributes: false, attributeNamePrefix: '', attributesGroupName: '$', parseTagValue: false, parseAttributeValue: false, trimValues: false, processEntities: false, ignoreDeclaration: true, ignorePiTags: true } as const;
function bench(name: string, f: () => unknown) { for (let i = 0; i < 300; i++) f(); const n = 3000; const t0 = performance.now(); for (let i = 0; i < n; i++) f(); console.log(name, ((performance.now() - t0) / n * 1000).toFixed(1), 'µs'); }
console.log(xml.length);
const variants: Record<string, object> = { base: {}, jPathFalse: { jPath: false }, ignoreAttrTrue: { ignoreAttributes: true }, noGroup: { attributesGroupName: false }, strictFalse: { strictReservedNames: false }};
for (const [k, v] of Object.entries(variants)) { const p = new XMLParser({ ...base, ...v }); bench(k, () => p.parse(xml)); }
const v2: Record<string, object> = { poJ: { preserveOrder: true, jPath: false }, poJstop: { preserveOrder: true, jPath: false, stopNodes: ['..div'] }, poJstopMax: { preserveOrder: true, jPath: false, stopNodes: ['..div'], maxNestedTags: 100, textNodeName: '#text' }, jstop: { jPath: false, stopNodes: ['..div'] } };
for (const [k, v] of Object.entries(v2)) { const p = new XMLParser({ ...base, ...v }); bench(k, () => p.parse(xml)); }
const p = new XMLParser({ ...base, preserveOrder: true, jPath: false, stopNodes: ['..div'] });
console.log(JSON.stringify(p.parse('<a x="1"><b y="2"/><c>t</c><div q="1">x<p>y</p></div></a>')));
