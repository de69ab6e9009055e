import { gzipSync } from 'node:zlib';
import type { FastifyReply } from 'fastify';
import { toFhirXml } from '../fhir/xml.ts';
import { mediaTypes, type FhirFormat } from './negotiation.ts';

/** Writes a FHIR response: the body in the negotiated format, no-store on everything (spec, suite). */
export function sendFhir(
  reply: FastifyReply,
  format: FhirFormat,
  status: number,
  resource: Record<string, unknown> | undefined,
  headers: Record<string, string> = {},
  acceptEncoding?: string,
): FastifyReply {
  reply.code(status).header('cache-control', 'no-store');
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  if (resource === undefined) return reply.send();
  const etag = weakEtag(resource);
  if (etag) reply.header('etag', etag);
  const text = serialize(resource, format);
  reply.header('content-type', mediaTypes[format]);
  // Spec: Accept-Encoding gzip SHALL be honoured.
  if (acceptEncoding !== undefined && /\bgzip\b/.test(acceptEncoding)) {
    return reply.header('content-encoding', 'gzip').header('vary', 'Accept-Encoding').send(gzipSync(text));
  }
  return reply.send(text);
}

/** Spec: every returned resource has an ETag of W/"<meta.versionId>" (searchsets and outcomes have none). */
function weakEtag(resource: Record<string, unknown>): string | undefined {
  if (resource.resourceType === 'Bundle' || resource.resourceType === 'OperationOutcome') return undefined;
  const versionId = (resource.meta as { versionId?: string } | undefined)?.versionId;
  return versionId === undefined ? undefined : `W/"${versionId}"`;
}

/**
 * Resources a handler returns again and again (the CapabilityStatement) are frozen: their bytes
 * are worked out once per format. Everything else is serialised per response.
 */
const serialized = new WeakMap<object, Partial<Record<FhirFormat, string>>>();

function serialize(resource: Record<string, unknown>, format: FhirFormat): string {
  const frozen = Object.isFrozen(resource);
  const cached = frozen ? serialized.get(resource)?.[format] : undefined;
  if (cached !== undefined) return cached;
  const text = format === 'xml' ? toFhirXml(resource) : JSON.stringify(resource);
  if (frozen) serialized.set(resource, { ...serialized.get(resource), [format]: text });
  return text;
}
