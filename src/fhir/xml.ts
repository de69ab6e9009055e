/**
 * FHIR STU3 JSON <-> XML conversion (http://hl7.org/fhir/STU3/xml.html), driven by the
 * generated element table in ./stu3-elements.ts (element order, cardinality, type, xml attributes).
 * Elements not in the table are converted generically: JSON -> XML keeps their key order (after the known
 * elements); XML -> JSON makes a single occurrence a scalar/object unless the name is in the "always array" set.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { STU3_OPEN_TYPES, STU3_TYPES } from './stu3-elements.ts';

/** Longest XmlSyntaxError message, in UTF-16 code units (plus an ellipsis). */
const MAX_MESSAGE = 300;

/** Malformed XML, forbidden constructs (DOCTYPE, entities, over-deep nesting) or XML that is not a FHIR resource. */
export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
  constructor(message: string) {
    // Messages quote the input (a tag name, a value, the validator's list of unclosed tags), and they end up in the
    // 400 response and the log: cap them, or 1 MB of `<a>` becomes a 2.8 MB message.
    super(message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE).replace(/[\ud800-\udbff]$/, '')}…` : message);
  }
}

type Json = Record<string, unknown>;

const FHIR_NS = 'http://hl7.org/fhir';
const XHTML_NS = 'http://www.w3.org/1999/xhtml';
const MAX_DEPTH = 100;

// ---------------------------------------------------------------------------------------------
// Type table
// ---------------------------------------------------------------------------------------------

const PRIM = 0, COMPLEX = 1, RES = 2, XHTML = 3;
type Kind = typeof PRIM | typeof COMPLEX | typeof RES | typeof XHTML;
/** JSON representation of a primitive: boolean, integer, decimal or string. */
type PrimKind = 'b' | 'i' | 'd' | 's';
const PRIM_KINDS: Record<string, PrimKind> = { boolean: 'b', integer: 'i', unsignedInt: 'i', positiveInt: 'i', decimal: 'd' };

interface El { order: number; array: boolean; attr: boolean; kind: Kind; prim: PrimKind; type: string }
interface TypeInfo { name: string; els: Map<string, El>; size: number; resource: boolean }

const infos = new Map<string, TypeInfo | null>();
const TOKEN = /^([A-Za-z]+)(\[x\])?(@?)(\*?):(.+)$/;

function typeInfo(name: string): TypeInfo | undefined {
  let ti = infos.get(name);
  if (ti === undefined) {
    ti = Object.hasOwn(STU3_TYPES, name) ? compile(name, STU3_TYPES[name]) : null;
    infos.set(name, ti);
  }
  return ti ?? undefined;
}

function compile(name: string, spec: string): TypeInfo | null {
  if (spec.startsWith('=')) return typeInfo(spec.slice(1)) ?? null;
  const toks = spec.split(' ');
  const ti: TypeInfo = { name, els: new Map(), size: 0, resource: name === 'Resource' };
  if (toks[0].startsWith('^')) {
    const base = typeInfo(toks.shift()!.slice(1));
    if (base) { for (const [k, v] of base.els) ti.els.set(k, v); ti.size = base.size; ti.resource = base.resource; }
  }
  for (const tok of toks) {
    const m = TOKEN.exec(tok);
    if (!m) continue;
    const [, el, choice, attr, star, typeSpec] = m;
    const types = typeSpec === '*' ? STU3_OPEN_TYPES : typeSpec === '.' ? [`${name}.${el}`] : typeSpec.split(',');
    const order = ti.size++;
    for (const t of types) {
      const kind: Kind = t === 'Resource' ? RES : t === 'xhtml' ? XHTML : t[0] >= 'a' && t[0] <= 'z' ? PRIM : COMPLEX;
      ti.els.set(choice ? el + t[0].toUpperCase() + t.slice(1) : el, {
        order, array: star === '*', attr: attr === '@', kind, prim: PRIM_KINDS[t] ?? 's', type: t,
      });
    }
  }
  return ti;
}

const ELEMENT = typeInfo('Element')!;
/** Fallback for objects of unknown type: id attribute, extension, modifierExtension. */
const GENERIC = typeInfo('BackboneElement')!;
/** Fallback for resource types not in the table. */
const DOMAIN_RESOURCE = typeInfo('DomainResource')!;

function resourceInfo(resourceType: string): TypeInfo | undefined {
  const ti = typeInfo(resourceType);
  if (ti) return ti.resource ? ti : undefined;
  return /^[A-Z][A-Za-z]*$/.test(resourceType) ? DOMAIN_RESOURCE : undefined;
}

let alwaysArray: Set<string> | undefined;
/** Names treated as arrays when an element is not in the table (hand list + names that are arrays wherever they occur). */
function isAlwaysArray(name: string): boolean {
  if (!alwaysArray) {
    alwaysArray = new Set(['identifier', 'name', 'given', 'prefix', 'suffix', 'telecom', 'address', 'line', 'extension',
      'modifierExtension', 'coding', 'contained', 'parameter', 'part', 'participant', 'slot', 'entry', 'link', 'profile',
      'issue', 'contact', 'communication', 'generalPractitioner', 'reasonCode', 'category', 'note', 'performer', 'basedOn',
      'partOf', 'reasonReference', 'specialty', 'serviceType']);
    const single = new Set<string>();
    const multi = new Set<string>();
    for (const t of Object.keys(STU3_TYPES)) {
      for (const [k, el] of typeInfo(t)?.els ?? []) (el.array ? multi : single).add(k);
    }
    for (const k of multi) if (!single.has(k)) alwaysArray.add(k);
  }
  return alwaysArray.has(name);
}

// ---------------------------------------------------------------------------------------------
// JSON -> XML
// ---------------------------------------------------------------------------------------------

const ATTR_SPECIAL = /[&<>"\u0000-\u001f\ufffe\uffff]/;
const ATTR_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' };
function escAttr(s: string): string {
  // Characters not allowed in XML 1.0 are dropped; whitespace is char-referenced so it survives attribute normalisation.
  return ATTR_SPECIAL.test(s) ? s.replace(/[&<>"\u0000-\u001f\ufffe\uffff]/g, (c) => ATTR_ESC[c] ?? '') : s;
}
function escText(s: string): string {
  return s.replace(/[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => ATTR_ESC[c] ?? '');
}

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Serialise a FHIR JSON resource as FHIR XML (UTF-8 declaration, default namespace http://hl7.org/fhir). */
export function toFhirXml(resource: Record<string, unknown>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${writeResource(resource, 0, ` xmlns="${FHIR_NS}"`)}`;
}

function writeResource(r: Json, depth: number, extraAttrs = ''): string {
  const rt = r.resourceType;
  const ti = typeof rt === 'string' ? resourceInfo(rt) : undefined;
  if (!ti) throw new TypeError(`toFhirXml: not a FHIR resource (resourceType ${JSON.stringify(rt)})`);
  return writeObject(rt as string, r, ti, depth, extraAttrs);
}

function writeObject(tag: string, obj: Json, ti: TypeInfo, depth: number, extraAttrs = ''): string {
  if (depth > MAX_DEPTH) throw new RangeError('toFhirXml: nesting too deep');
  // Collect element names (a primitive's `_name` shares the slot of `name`), then sort into FHIR order.
  const names: { name: string; order: number }[] = [];
  const seen = new Set<string>();
  let unknown = 0;
  for (const key of Object.keys(obj)) {
    if (key === 'resourceType' || key === 'fhir_comments' || key === '_fhir_comments') continue;
    const name = key.charCodeAt(0) === 95 ? key.slice(1) : key;
    if (seen.has(name)) continue;
    seen.add(name);
    const el = ti.els.get(name);
    if (!el && !XML_NAME.test(name)) continue; // cannot be represented as an XML element name
    names.push({ name, order: el ? el.order : 1e6 + unknown++ });
  }
  if (names.length > 1) names.sort((a, b) => a.order - b.order);
  let attrs = extraAttrs;
  let body = '';
  for (const { name } of names) {
    const el = ti.els.get(name);
    const v = obj[name];
    if (el?.attr) {
      if (v !== undefined && v !== null && typeof v !== 'object') attrs += ` ${name}="${escAttr(String(v))}"`;
      continue;
    }
    const e = obj['_' + name];
    if (Array.isArray(v) || Array.isArray(e)) {
      const va = Array.isArray(v) ? v : v === undefined ? [] : [v];
      const ea = Array.isArray(e) ? e : e === undefined ? [] : [e];
      for (let i = 0, n = Math.max(va.length, ea.length); i < n; i++) body += writeOne(name, el, va[i], ea[i], depth);
    } else {
      body += writeOne(name, el, v, e, depth);
    }
  }
  return body ? `<${tag}${attrs}>${body}</${tag}>` : `<${tag}${attrs}/>`;
}

function writeOne(name: string, el: El | undefined, v: unknown, e: unknown, depth: number): string {
  if (v !== null && typeof v === 'object') {
    const o = v as Json;
    if (el ? el.kind === RES : typeof o.resourceType === 'string') return `<${name}>${writeResource(o, depth + 1)}</${name}>`;
    return writeObject(name, o, el?.kind === COMPLEX ? typeInfo(el.type) ?? GENERIC : GENERIC, depth + 1);
  }
  if (el?.kind === XHTML) return typeof v === 'string' ? xhtmlOut(v) : '';
  const value = v === undefined || v === null ? '' : ` value="${escAttr(String(v))}"`;
  if (e !== null && typeof e === 'object' && !Array.isArray(e)) return writeObject(name, e as Json, ELEMENT, depth + 1, value);
  return value ? `<${name}${value}/>` : '';
}

const DIV_START = /^<div((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/;
const divParser = new XMLParser({
  preserveOrder: true, ignoreAttributes: true, processEntities: false, parseTagValue: false, trimValues: false,
  stopNodes: ['div'], maxNestedTags: MAX_DEPTH,
});

/** Narrative.div: pass well-formed XHTML through (adding the XHTML namespace if missing); otherwise emit it as escaped text. */
function xhtmlOut(div: string): string {
  const d = div.trim();
  const m = DIV_START.exec(d);
  if (m && !FORBIDDEN_DECL.test(d) && !CTRL.test(d) && !hasBadRef(d) && XMLValidator.validate(d) === true) {
    let single = false;
    try {
      const top = divParser.parse(d) as unknown[];
      single = top.length === 1 && typeof top[0] === 'object' && top[0] !== null && 'div' in top[0];
    } catch { /* not well-formed */ }
    if (single) return /\sxmlns\s*=/.test(m[1]) ? d : `<div xmlns="${XHTML_NS}"${d.slice(4)}`;
  }
  return `<div xmlns="${XHTML_NS}">${escText(div)}</div>`;
}

// ---------------------------------------------------------------------------------------------
// XML -> JSON
// ---------------------------------------------------------------------------------------------

const FORBIDDEN_DECL = /<!DOCTYPE|<!ENTITY/i;
const CTRL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
/** An `&` that does not start one of the five predefined entity references or a character reference. */
const BAD_REF = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/g;

/**
 * Whether `s` has a bad `&` (see BAD_REF) outside comments and CDATA sections, where `&` is literal.
 *
 * One left-to-right pass, linear in the length of `s`: this runs on request bodies before XMLValidator.
 * (It used to strip `/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g` and test again, but the lazy regex rescans
 * to the end of the input for every opener that has no closer, so `&x` followed by 1 MB of `<!--` took
 * over a minute and blocked the event loop.) The result is that of the old strip-and-test:
 * - sections are recognised as that regex did (first closer after the opener, so `<!-->` does not close itself);
 * - an opener without a closer is ordinary text, and once one `<!--` (or `<![CDATA[`) has no closer, no later
 *   one can have one either, so that kind is not searched for again;
 * - the only difference: an `&` split by a section (`&am<!---->p;`) now counts as bad, as it is for XML;
 *   stripping used to join it into `&amp;` (the validator then rejected it when it was in text).
 */
function hasBadRef(s: string): boolean {
  BAD_REF.lastIndex = 0;
  let bad = BAD_REF.exec(s)?.index ?? -1; // first bad `&` at or after `at`
  if (bad < 0) return false; // the usual case: a single regex scan
  let at = 0; // where scanning resumes; never inside a comment or CDATA section
  let comments = true, cdata = true; // false once an opener of that kind has been found without a closer
  for (;;) {
    const open = s.indexOf('<!', at);
    if (open < 0 || open > bad) return true; // the bad `&` comes before any further section
    let end = -1;
    if (comments && s.startsWith('<!--', open)) {
      end = s.indexOf('-->', open + 4);
      if (end < 0) comments = false; else end += 3;
    } else if (cdata && s.startsWith('<![CDATA[', open)) {
      end = s.indexOf(']]>', open + 9);
      if (end < 0) cdata = false; else end += 3;
    }
    if (end < 0) { at = open + 2; continue; } // `<!` that does not start a (closed) section
    at = end;
    if (bad < at) { // the bad `&` was inside this section: find the next one after it
      BAD_REF.lastIndex = at;
      const m = BAD_REF.exec(s);
      if (!m) return false;
      bad = m.index;
    }
  }
}

const parser = new XMLParser({
  preserveOrder: true, jPath: false, ignoreAttributes: false, attributeNamePrefix: '', textNodeName: '#text',
  parseTagValue: false, parseAttributeValue: false, trimValues: false, processEntities: false,
  ignoreDeclaration: true, ignorePiTags: true, stopNodes: ['..div'], maxNestedTags: MAX_DEPTH,
});

/** A node of fast-xml-parser's preserveOrder output: { [tagName]: children, ':@'?: attributes } or { '#text': text }. */
type PNode = Record<string, unknown>;
type Attrs = Record<string, string>;
/** One XML element: its attributes and child nodes. */
interface Item { attrs: Attrs | undefined; kids: PNode[] }

function tagOf(n: PNode): string {
  for (const k in n) if (k !== ':@') return k;
  return '';
}
function itemOf(n: PNode, tag: string): Item {
  return { attrs: n[':@'] as Attrs | undefined, kids: (n[tag] as PNode[] | undefined) ?? [] };
}
function noText(n: PNode): void {
  if (!/^\s*$/.test(String(n['#text']))) throw new XmlSyntaxError('Text content is not allowed in FHIR elements');
}

/** Parse FHIR XML into a FHIR JSON object (with resourceType). Throws XmlSyntaxError on anything else. */
export function fromFhirXml(xml: string): Record<string, unknown> {
  if (typeof xml !== 'string') throw new XmlSyntaxError('XML input must be a string');
  if (xml.charCodeAt(0) === 0xfeff) xml = xml.slice(1);
  if (FORBIDDEN_DECL.test(xml)) throw new XmlSyntaxError('DOCTYPE and ENTITY declarations are not allowed');
  if (CTRL.test(xml)) throw new XmlSyntaxError('XML contains characters not allowed in XML 1.0');
  if (hasBadRef(xml)) throw new XmlSyntaxError('XML contains an undefined entity reference or a bare "&"');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new XmlSyntaxError(`Malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  if (!/^\s*$/.test(xml.slice(xml.lastIndexOf('>') + 1))) throw new XmlSyntaxError('Malformed XML: text after the root element');
  let doc: PNode[];
  try {
    doc = parser.parse(xml) as PNode[];
  } catch (err) {
    throw new XmlSyntaxError(`Malformed XML: ${(err as Error).message}`);
  }
  let root: Item | undefined;
  let rootName = '';
  for (const n of doc) {
    const tag = tagOf(n);
    if (tag === '#text') { noText(n); continue; }
    if (root) throw new XmlSyntaxError('XML document must have exactly one root element');
    root = itemOf(n, tag);
    rootName = tag;
  }
  if (!root) throw new XmlSyntaxError('XML document has no root element');
  const colon = rootName.indexOf(':');
  prefix = '';
  if (colon >= 0) {
    prefix = rootName.slice(0, colon + 1);
    if (root.attrs?.[`xmlns:${prefix.slice(0, -1)}`] !== FHIR_NS) throw new XmlSyntaxError(`Root element <${rootName}> is not in the FHIR namespace ${FHIR_NS}`);
    rootName = rootName.slice(colon + 1);
  } else if (root.attrs?.xmlns !== FHIR_NS) {
    throw new XmlSyntaxError(`Root element <${rootName}> is not in the FHIR namespace ${FHIR_NS}`);
  }
  try {
    return readResource(rootName, root);
  } finally {
    prefix = '';
  }
}

/** Namespace prefix bound to the FHIR namespace on the root element ('' when it is the default namespace). */
let prefix = '';

function readResource(name: string, item: Item): Json {
  const ti = resourceInfo(name);
  if (!ti) throw new XmlSyntaxError(`<${name}> is not a FHIR resource type`);
  const out: Json = { resourceType: name };
  readChildren(out, item, ti);
  return out;
}

function elementName(key: string): string {
  if (prefix) {
    if (key.startsWith(prefix)) return key.slice(prefix.length);
    if (key === 'div') return key;
  } else if (!key.includes(':')) {
    return key;
  }
  throw new XmlSyntaxError(`Element <${key}> is not in the FHIR namespace`);
}

/** Child elements grouped by (unprefixed) name, in document order. */
function groupKids(kids: PNode[]): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const n of kids) {
    const tag = tagOf(n);
    if (tag === '#text') { noText(n); continue; }
    const name = elementName(tag);
    const item = itemOf(n, tag);
    const g = groups.get(name);
    if (g) g.push(item); else groups.set(name, [item]);
  }
  return groups;
}

function readChildren(out: Json, item: Item, ti: TypeInfo): void {
  const attrs = item.attrs;
  if (attrs) {
    for (const a in attrs) {
      if (a === 'xmlns') {
        if (!prefix && attrs[a] !== FHIR_NS) throw new XmlSyntaxError(`Element in namespace ${attrs[a]} where FHIR was expected`);
      } else if (ti.els.get(a)?.attr || (ti === GENERIC && a === 'url')) {
        out[a] = decodeAttr(attrs[a]);
      }
    }
  }
  if (item.kids.length === 0) return;
  for (const [name, items] of groupKids(item.kids)) {
    const el = ti.els.get(name);
    if (!el) { readUnknown(out, name, items); continue; }
    if (el.attr) throw new XmlSyntaxError(`${ti.name}.${name} must be an XML attribute, not an element`);
    if (!el.array && items.length > 1) throw new XmlSyntaxError(`Element <${name}> may occur only once in ${ti.name}`);
    let vals: unknown[];
    switch (el.kind) {
      case PRIM:
        readPrimitives(out, name, items, el.prim, el.array);
        continue;
      case COMPLEX: {
        const cti = typeInfo(el.type) ?? GENERIC;
        vals = items.map((it) => { const o: Json = {}; readChildren(o, it, cti); return o; });
        break;
      }
      case RES:
        vals = items.map(readWrapped);
        break;
      default:
        vals = items.map(readDiv);
    }
    out[name] = el.array ? vals : vals[0];
  }
}

function readPrimitives(out: Json, name: string, items: Item[], prim: PrimKind, array: boolean): void {
  const vals: unknown[] = [];
  const exts: unknown[] = [];
  let hasVal = false, hasExt = false;
  for (const it of items) {
    const raw = it.attrs?.value;
    let ext: Json | null = null;
    if (it.kids.length || it.attrs?.id !== undefined) {
      const o: Json = {};
      readChildren(o, it, ELEMENT);
      for (const k in o) if (k !== 'id' && k !== 'extension') throw new XmlSyntaxError(`Unexpected <${k}> in primitive element <${name}>`);
      if (o.id !== undefined || o.extension !== undefined) ext = o;
    } else if (it.attrs?.xmlns !== undefined && !prefix && it.attrs.xmlns !== FHIR_NS) {
      throw new XmlSyntaxError(`Element in namespace ${it.attrs.xmlns} where FHIR was expected`);
    }
    if (raw === undefined && !ext) throw new XmlSyntaxError(`Primitive element <${name}> has neither a value nor extensions`);
    vals.push(raw === undefined ? null : primValue(name, decodeAttr(raw), prim));
    exts.push(ext);
    hasVal ||= raw !== undefined;
    hasExt ||= ext !== null;
  }
  if (hasVal) out[name] = array ? vals : vals[0];
  if (hasExt) out['_' + name] = array ? exts : exts[0];
}

function primValue(name: string, s: string, prim: PrimKind): string | number | boolean {
  switch (prim) {
    case 'b':
      if (s === 'true' || s === 'false') return s === 'true';
      break;
    case 'i':
      if (/^[+-]?[0-9]+$/.test(s) && Number.isSafeInteger(Number(s))) return Number(s);
      break;
    case 'd':
      if (/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s) && Number.isFinite(Number(s))) return Number(s);
      break;
    default:
      return s;
  }
  throw new XmlSyntaxError(`Invalid ${prim === 'b' ? 'boolean' : prim === 'i' ? 'integer' : 'decimal'} value "${s}" in <${name}>`);
}

/** <resource><Patient>..</Patient></resource> */
function readWrapped(item: Item): Json {
  const groups = groupKids(item.kids);
  const [name, items] = groups.size === 1 ? [...groups][0] : ['', []];
  if (items.length !== 1) throw new XmlSyntaxError('A resource container must hold exactly one resource');
  return readResource(name, items[0]);
}

function readDiv(item: Item): string {
  const attrs = item.attrs;
  if (attrs?.xmlns !== XHTML_NS) throw new XmlSyntaxError(`Narrative <div> must be in the XHTML namespace ${XHTML_NS}`);
  let s = '<div';
  for (const a in attrs) s += ` ${a}="${attrs[a].replace(/"/g, '&quot;')}"`; // raw (still escaped) values
  const text = item.kids.length === 1 ? item.kids[0]['#text'] : undefined;
  return `${s}>${typeof text === 'string' ? text : ''}</div>`;
}

/** Element not in the table: primitive if it has a value attribute, wrapped resource if it holds one capitalised element, else complex. */
function readUnknown(out: Json, name: string, items: Item[]): void {
  const first = items[0];
  const array = items.length > 1 || isAlwaysArray(name);
  if (first.attrs?.value !== undefined) {
    readPrimitives(out, name, items, 's', array);
    return;
  }
  const kids = first.kids.filter((n) => tagOf(n) !== '#text');
  const vals = kids.length === 1 && /^[A-Z]/.test(elementName(tagOf(kids[0])))
    ? items.map(readWrapped)
    : items.map((it) => { const o: Json = {}; readChildren(o, it, GENERIC); return o; });
  out[name] = array ? vals : vals[0];
}

const REF = /&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** Attribute-value normalisation (XML 1.0 §3.3.3) and character/entity reference decoding. */
function decodeAttr(s: string): string {
  if (/[\t\n\r]/.test(s)) s = s.replace(/\r\n|[\t\n\r]/g, ' ');
  if (!s.includes('&')) return s;
  return s.replace(REF, (_m, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref];
    const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) throw new XmlSyntaxError(`Character reference &${ref}; is not allowed in XML`);
    return String.fromCodePoint(cp);
  });
}
