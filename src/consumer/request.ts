import { auditToken } from './audit-token.ts';

/** What `gpc request` needs to send one well-formed GP Connect request. */
export interface ConsumerRequest {
  /** Service root, e.g. http://127.0.0.1:8080/B82617/STU3/1/gpconnect */
  root: string;
  method: string;
  path: string;
  interactionId: string;
  scope: string;
  toAsid: string;
  fromAsid: string;
  format: 'json' | 'xml';
  body?: string;
}

export interface ConsumerResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** Sends the request with fresh Ssp-* headers and a fresh audit JWT, as a consumer system would. */
export async function sendConsumerRequest(r: ConsumerRequest): Promise<ConsumerResponse> {
  const type = r.format === 'xml' ? 'application/fhir+xml' : 'application/fhir+json';
  const headers: Record<string, string> = {
    'Ssp-TraceID': crypto.randomUUID(),
    'Ssp-From': r.fromAsid,
    'Ssp-To': r.toAsid,
    'Ssp-InteractionID': r.interactionId,
    Authorization: `Bearer ${auditToken({ scope: r.scope })}`,
    Accept: type,
  };
  if (r.body !== undefined) headers['Content-Type'] = `${type};charset=utf-8`;
  const response = await fetch(r.root + r.path, { method: r.method, headers, body: r.body });
  return { status: response.status, headers: response.headers, body: await response.text() };
}
