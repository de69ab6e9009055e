import { decodeJwt, decodeProtectedHeader } from 'jose';
import { GpcError } from '../fhir/errors.ts';
import { identifierSystems } from '../fhir/systems.ts';
import { bodyProblem } from '../fhir/string-characters.ts';

/** Who is asking, as the audit JWT says: what the audit trail records. */
export interface RequestingParties {
  organizationOds: string | undefined;
  practitioner: string | undefined;
  device: string | undefined;
  scope: string;
  reason: string;
}

export interface JwtRules {
  /** The scope the interaction requires, e.g. 'patient/*.read'. */
  scope: string;
  /** Reasons for request this interaction accepts ('directcare'; 'migration' for migrate). */
  reasons: readonly string[];
  /** 1.6 migrate: the requesting practitioner is only a SHOULD (suite: absent ⇒ 200). */
  practitionerOptional?: boolean;
  now: number; // seconds
}

// Spec: exp SHALL be iat + 300. Suite: iat up to 200 s ahead is accepted (clock skew); we allow 600 as the demonstrator does.
const lifetimeSeconds = 300;
const futureIatLeewaySeconds = 600;

const bad = (diagnostics: string) => new GpcError('BAD_REQUEST', diagnostics);

/**
 * Decodes and checks the unsigned audit JWT claim by claim (cross-organisation audit and
 * provenance page). A missing or malformed claim is 400 BAD_REQUEST; a claim that is present
 * but not a valid FHIR resource of the right type is 422 INVALID_RESOURCE, as the suite expects.
 */
export function checkAuditJwt(authorization: string | undefined, rules: JwtRules): RequestingParties {
  if (authorization === undefined || authorization.trim() === '') throw bad('The Authorization header is missing');
  const match = /^Bearer (\S+)$/.exec(authorization.trim());
  if (!match) throw bad('The Authorization header must be "Bearer" followed by the audit JWT');
  const token = match[1]!;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[2] !== '') throw bad('The audit JWT must be unsigned: header.payload. with an empty signature');

  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
    claims = decodeJwt(token) as Record<string, unknown>;
  } catch {
    throw bad('The audit JWT is not base64url-encoded JSON');
  }
  if (header.alg !== 'none') throw bad('The audit JWT header alg must be "none"');
  if (header.typ !== undefined && header.typ !== 'JWT') throw bad('The audit JWT header typ must be "JWT"');

  const required = ['iss', 'sub', 'aud', 'exp', 'iat', 'reason_for_request', 'requested_scope', 'requesting_device', 'requesting_organization'];
  if (!rules.practitionerOptional) required.push('requesting_practitioner');
  for (const claim of required) {
    if (claims[claim] === undefined || claims[claim] === null || claims[claim] === '') throw bad(`The audit JWT ${claim} claim is missing`);
  }
  for (const claim of ['iss', 'sub', 'reason_for_request', 'requested_scope']) {
    if (typeof claims[claim] !== 'string') throw bad(`The audit JWT ${claim} claim must be a string`);
  }
  if (typeof claims.aud !== 'string' && !Array.isArray(claims.aud)) throw bad('The audit JWT aud claim must be a string');

  const { exp, iat } = claims;
  if (!Number.isInteger(exp) || !Number.isInteger(iat)) throw bad('The audit JWT exp and iat claims must be whole numbers of seconds');
  if ((exp as number) - (iat as number) !== lifetimeSeconds) throw bad(`The audit JWT exp claim must be exactly ${lifetimeSeconds} seconds after iat`);
  if ((exp as number) <= rules.now) throw bad('The audit JWT has expired');
  if ((iat as number) > rules.now + futureIatLeewaySeconds) throw bad('The audit JWT iat claim is in the future');

  const reason = claims.reason_for_request as string;
  if (!rules.reasons.includes(reason)) throw bad(`The audit JWT reason_for_request must be ${rules.reasons.join(' or ')}`);

  const scope = claims.requested_scope as string;
  checkScope(scope, rules.scope);

  const device = fhirClaim(claims.requesting_device, 'requesting_device', 'Device', deviceElements);
  const organization = fhirClaim(claims.requesting_organization, 'requesting_organization', 'Organization', organizationElements);
  const practitioner =
    claims.requesting_practitioner === undefined && rules.practitionerOptional
      ? {}
      : fhirClaim(claims.requesting_practitioner, 'requesting_practitioner', 'Practitioner', practitionerElements);

  const organizationOds = identifierValue(organization, [identifierSystems.odsOrganizationCode, identifierSystems.odsOrganizationCodeLegacy]);
  if (organizationOds === undefined) throw bad('The audit JWT requesting_organization must carry an ODS code identifier');
  if (practitioner.id !== undefined && practitioner.id !== claims.sub) throw bad('The audit JWT sub claim must equal requesting_practitioner.id');

  return {
    organizationOds,
    practitioner: identifierValue(practitioner, [identifierSystems.sdsUserId]) ?? (practitioner.id as string | undefined),
    device: firstIdentifierValue(device),
    scope,
    reason,
  };
}

/**
 * requested_scope: the resource scope first (`patient/*.read`), then optionally the 1.6
 * confidentiality token (`conf/N` or `conf/R`). Spec says providers MAY enforce it; the suite does.
 */
function checkScope(scope: string, required: string): void {
  const [resourceScope, ...rest] = scope.trim().split(/\s+/);
  if (resourceScope !== required || rest.some((token) => token !== 'conf/N' && token !== 'conf/R')) {
    throw bad(`The audit JWT requested_scope must be ${required} for this interaction`);
  }
}

// STU3 elements of the three resources the JWT carries; anything else makes the claim an invalid resource.
const common = ['resourceType', 'id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension', 'identifier'];
const deviceElements = new Set([...common, 'udi', 'status', 'type', 'lotNumber', 'manufacturer', 'manufactureDate', 'expirationDate', 'model', 'version', 'patient', 'owner', 'contact', 'location', 'url', 'note', 'safety']);
const organizationElements = new Set([...common, 'active', 'type', 'name', 'alias', 'telecom', 'address', 'partOf', 'contact', 'endpoint']);
const practitionerElements = new Set([...common, 'active', 'name', 'telecom', 'address', 'gender', 'birthDate', 'photo', 'qualification', 'communication']);

function fhirClaim(value: unknown, claim: string, resourceType: string, elements: Set<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`The audit JWT ${claim} claim must be a FHIR ${resourceType}`);
  const resource = value as Record<string, unknown>;
  if (resource.resourceType !== resourceType) {
    throw new GpcError('INVALID_RESOURCE', `The audit JWT ${claim} claim must be a ${resourceType} resource`);
  }
  const unknown = Object.keys(resource).find((key) => !elements.has(key) && !(key.startsWith('_') && elements.has(key.slice(1))));
  if (unknown !== undefined) throw new GpcError('INVALID_RESOURCE', `The audit JWT ${claim} claim has an element ${resourceType} does not define: ${unknown}`);
  if (resource.identifier !== undefined && !Array.isArray(resource.identifier)) {
    throw new GpcError('INVALID_RESOURCE', `The audit JWT ${claim} identifier must be an array`);
  }
  const text = bodyProblem(resource);
  if (text) throw new GpcError('INVALID_RESOURCE', `The audit JWT ${claim} claim ${text.path} ${text.problem}`);
  return resource;
}

type Identifier = { system?: unknown; value?: unknown };

function identifierValue(resource: Record<string, unknown>, systems: string[]): string | undefined {
  const identifiers = (resource.identifier ?? []) as Identifier[];
  const found = identifiers.find((id) => typeof id === 'object' && id !== null && systems.includes(id.system as string) && typeof id.value === 'string');
  return found?.value as string | undefined;
}

function firstIdentifierValue(resource: Record<string, unknown>): string | undefined {
  const first = ((resource.identifier ?? []) as Identifier[])[0];
  return typeof first?.value === 'string' ? first.value : undefined;
}
