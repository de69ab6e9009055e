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

/** A request that cannot be sent as given (bad method, root or body): nothing was sent. */
export class InvalidConsumerRequest extends Error {}

/** An HTTP method token (RFC 9110 §5.6.2). */
const methodToken = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Sends the request with fresh Ssp-* headers and a fresh audit JWT, as a consumer system would.
 * Throws InvalidConsumerRequest for a request that cannot be sent, and an Error with a one-line
 * message when the provider cannot be reached.
 */
export async function sendConsumerRequest(r: ConsumerRequest): Promise<ConsumerResponse> {
  if (!methodToken.test(r.method)) throw new InvalidConsumerRequest(`"${r.method}" is not an HTTP method`);
  if (['CONNECT', 'TRACE', 'TRACK'].includes(r.method.toUpperCase())) throw new InvalidConsumerRequest(`${r.method} requests cannot be sent`);
  if (r.body !== undefined && (r.method === 'GET' || r.method === 'HEAD')) {
    throw new InvalidConsumerRequest(`a ${r.method} request cannot have a body`);
  }
  let url: URL;
  try {
    url = new URL(r.root + r.path);
  } catch {
    throw new InvalidConsumerRequest(`"${r.root}${r.path}" is not a URL (check --root)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidConsumerRequest(`the service root must be an http or https URL, not ${url.protocol}`);
  }
  if (url.username || url.password) throw new InvalidConsumerRequest('the service root must not hold a user name or password');
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
  let response: Response;
  try {
    response = await fetch(url, { method: r.method, headers, body: r.body });
  } catch (err) {
    const cause = (err as { cause?: { message?: string; code?: string } }).cause;
    const reason = cause?.message || cause?.code || (err as Error).message;
    throw new Error(`cannot reach ${url.origin}: ${reason.split('\n')[0]}`);
  }
  return { status: response.status, headers: response.headers, body: await response.text() };
}
