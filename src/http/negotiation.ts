import { GpcError } from '../fhir/errors.ts';

export type FhirFormat = 'json' | 'xml';

export const mediaTypes: Record<FhirFormat, string> = {
  json: 'application/fhir+json;charset=utf-8',
  xml: 'application/fhir+xml;charset=utf-8',
};

// The two formal FHIR types, STU3's `_format` shorthands, and the legacy DSTU2-era and plain types
// that consumers still send (the spec's own examples show application/json+fhir).
const formatOfMediaType: Record<string, FhirFormat> = {
  'application/fhir+json': 'json',
  'application/json+fhir': 'json',
  'application/json': 'json',
  json: 'json',
  'application/fhir+xml': 'xml',
  'application/xml+fhir': 'xml',
  'application/xml': 'xml',
  'text/xml': 'xml',
  xml: 'xml',
};

function bareMediaType(value: string): string {
  return value.split(';')[0]!.trim().toLowerCase();
}

/** The format a request body is in, from its Content-Type; undefined when none was sent. */
export function requestBodyFormat(contentType: string | undefined): FhirFormat | undefined {
  if (contentType === undefined || contentType.trim() === '') return undefined;
  const format = formatOfMediaType[bareMediaType(contentType)];
  if (!format) throw new GpcError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${bareMediaType(contentType)} is not supported: send application/fhir+json or application/fhir+xml`);
  return format;
}

/**
 * The response format (spec: `_format` wins over `Accept`, which wins over the request's
 * Content-Type; JSON when none is given). An unsupported requested format is a 415.
 */
export function responseFormat(formatParam: string | undefined, accept: string | undefined, bodyFormat: FhirFormat | undefined): FhirFormat {
  if (formatParam !== undefined) {
    const format = formatOfMediaType[bareMediaType(formatParam)];
    if (!format) throw new GpcError('UNSUPPORTED_MEDIA_TYPE', `_format ${formatParam} is not supported: use application/fhir+json or application/fhir+xml`);
    return format;
  }
  if (accept !== undefined && accept.trim() !== '') {
    let wildcard = false;
    for (const part of accept.split(',')) {
      const type = bareMediaType(part);
      const format = formatOfMediaType[type];
      if (format) return format;
      if (type === '*/*' || type === 'application/*') wildcard = true;
    }
    if (!wildcard) throw new GpcError('UNSUPPORTED_MEDIA_TYPE', 'Accept names no supported format: use application/fhir+json or application/fhir+xml');
  }
  return bodyFormat ?? 'json';
}
