import type { Coded, Coding, Note } from '../domain/clinical.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { structuredCodeSystems, structuredExtensions } from './fhir-urls.ts';

/**
 * A stored coded value as a FHIR CodeableConcept. SNOMED codings carry their description id (and
 * its term, when it differs from the display) in the sctdescid extension; profiles disagree on
 * which one — the fhir.nhs.uk one (the default: allergies, medications, observations) or the
 * fhir.hl7.org.uk one (conditions, referrals, procedure requests) — so the caller says.
 */
export function codeableConcept(c: Coded, descriptionExtension: string = structuredExtensions.codingSctDescId): Resource {
  const out: Resource = {};
  if (c.coding && c.coding.length > 0) out.coding = c.coding.map((coding) => fhirCoding(coding, descriptionExtension));
  if (c.text) out.text = c.text;
  return out;
}

function fhirCoding(c: Coding, descriptionExtension: string): Resource {
  const out: Resource = {};
  if (c.system === structuredCodeSystems.snomed && c.descriptionId) {
    const parts: Resource[] = [{ url: 'descriptionId', valueId: c.descriptionId }];
    if (c.descriptionDisplay && c.descriptionDisplay !== c.display) parts.push({ url: 'descriptionDisplay', valueString: c.descriptionDisplay });
    out.extension = [{ url: descriptionExtension, extension: parts }];
  }
  out.system = c.system;
  out.code = c.code;
  if (c.display) out.display = c.display;
  return out;
}

/** A stored note as an Annotation; its author, when known, a Practitioner of the practice directory. */
export function annotation(n: Note): Resource {
  const out: Resource = {};
  if (n.authorId) out.authorReference = { reference: `Practitioner/${n.authorId}` };
  if (n.time) out.time = n.time;
  out.text = n.text;
  return out;
}
