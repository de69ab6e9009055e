import { GpcError } from '../fhir/errors.ts';

/** The Spine Security Proxy headers every GP Connect request carries. */
export interface SspHeaders {
  traceId: string;
  fromAsid: string;
  toAsid: string;
  interactionId: string;
}

type HeaderBag = Record<string, string | string[] | undefined>;

function single(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the Ssp-* headers as sent, for the audit trail, before any of them is checked. */
export function readSspHeaders(headers: HeaderBag): Partial<SspHeaders> {
  return {
    traceId: single(headers, 'Ssp-TraceID'),
    fromAsid: single(headers, 'Ssp-From'),
    toAsid: single(headers, 'Ssp-To'),
    interactionId: single(headers, 'Ssp-InteractionID'),
  };
}

/**
 * Spec (security guidance): the provider SHALL check every Ssp-* header is present, and only
 * accept requests addressed (Ssp-To) to its own ASID. Any failure is 400 BAD_REQUEST.
 */
export function checkSspHeaders(ssp: Partial<SspHeaders>, practiceAsid: string): SspHeaders {
  const names: [keyof SspHeaders, string][] = [
    ['traceId', 'Ssp-TraceID'],
    ['fromAsid', 'Ssp-From'],
    ['toAsid', 'Ssp-To'],
    ['interactionId', 'Ssp-InteractionID'],
  ];
  for (const [key, header] of names) {
    if (ssp[key] === undefined || ssp[key]!.trim() === '') throw new GpcError('BAD_REQUEST', `The ${header} header is missing or empty`);
  }
  if (ssp.toAsid !== practiceAsid) {
    throw new GpcError('BAD_REQUEST', `Ssp-To ${ssp.toAsid} is not the ASID of this practice's GP Connect endpoint`);
  }
  return ssp as SspHeaders;
}
