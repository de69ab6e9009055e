/**
 * Builds the unsigned audit JWT a GP Connect consumer sends (cross-organisation audit and
 * provenance page). Used by `gpc request`, the benchmark and the tests.
 */
export interface AuditTokenOptions {
  scope: string;
  /** Seconds since the epoch; defaults to now. */
  iat?: number;
  reason?: string;
  requestingOrganizationOds?: string;
  /** Claims to replace or (with undefined) remove, applied last. */
  overrides?: Record<string, unknown>;
}

export function auditClaims(options: AuditTokenOptions): Record<string, unknown> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: 'https://consumer.example.nhs.uk/',
    sub: '1',
    aud: 'https://authorize.fhir.nhs.net/token/',
    exp: iat + 300,
    iat,
    reason_for_request: options.reason ?? 'directcare',
    requested_scope: options.scope,
    requesting_device: {
      resourceType: 'Device',
      identifier: [{ system: 'https://consumer.example.nhs.uk/Id/device-identifier', value: 'gpc-cli' }],
      model: 'gpconnect-provider gpc',
      version: '0.1.0',
    },
    requesting_organization: {
      resourceType: 'Organization',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: options.requestingOrganizationOds ?? 'GPCC001' }],
      name: 'Consumer Test Organisation',
    },
    requesting_practitioner: {
      resourceType: 'Practitioner',
      id: '1',
      identifier: [
        { system: 'https://fhir.nhs.uk/Id/sds-user-id', value: 'G13579135' },
        { system: 'https://fhir.nhs.uk/Id/sds-role-profile-id', value: '111111111' },
      ],
      name: [{ family: 'Consumer', given: ['Test'], prefix: ['Dr'] }],
    },
  };
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined) delete claims[key];
    else claims[key] = value;
  }
  return claims;
}

export function encodeUnsignedJwt(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'none', typ: 'JWT' }): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(claims)}.`;
}

export function auditToken(options: AuditTokenOptions): string {
  return encodeUnsignedJwt(auditClaims(options));
}
