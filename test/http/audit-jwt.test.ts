/**
 * The audit JWT (cross-cutting §5; suite JWT.feature, all against GET /metadata with scope
 * organization/*.read; plus the per-interaction scope rules of the Register/Patient/Practitioner features).
 */
import { it } from 'node:test';
import { encodeUnsignedJwt, auditClaims } from '../../src/consumer/audit-token.ts';
import { describeOnEachStore, scopes } from '../harness/provider.ts';
import { assertOk, assertOutcome, identifier, query, systems } from '../harness/assertions.ts';
import { registerBody, registrable } from './_support.ts';

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** The suite's default JWT, verbatim in shape (suite-foundations §8.2): iat now − 2 s, device system not a URL. */
function suiteDefaultClaims(scope = 'organization/*.read'): Record<string, unknown> {
  const iat = now() - 2;
  return {
    iss: 'https://ConsumerSystemURL',
    sub: '1',
    aud: 'https://authorize.fhir.nhs.net/token/',
    exp: iat + 300,
    iat,
    reason_for_request: 'directcare',
    requesting_device: { resourceType: 'Device', identifier: [{ system: 'GPConnectTestSystem', value: 'Client' }], model: 'v1', version: '1.1' },
    requesting_organization: { resourceType: 'Organization', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'GPCA0001' }], name: 'GP Connect Assurance' },
    requesting_practitioner: {
      resourceType: 'Practitioner',
      id: '1',
      identifier: [
        { system: 'https://fhir.nhs.uk/Id/sds-user-id', value: 'GCASDS0001' },
        { system: 'https://fhir.nhs.uk/Id/sds-role-profile-id', value: '112233445566' },
        { system: 'https://consumersupplier.com/Id/user-guid', value: '98ed4f78-814d-4266-8d5b-cde742f3093c' },
      ],
      name: [{ family: 'AssurancePractitioner', given: ['AssuranceTest'], prefix: ['Mr'] }],
    },
    requested_scope: scope,
  };
}

const defaultPractitioner = (identifier: unknown[]) => ({
  resourceType: 'Practitioner',
  id: '1',
  identifier,
  name: [{ family: 'AssurancePractitioner', given: ['AssuranceTest'], prefix: ['Mr'] }],
});

describeOnEachStore('Audit JWT (JWT.feature)', (provider) => {
  const metadata = (claims: Record<string, unknown>) => provider().gpc({ path: '/metadata', interaction: 'metadata', claims });
  const withAuthorization = (authorization: string) => provider().gpc({ path: '/metadata', interaction: 'metadata', authorization });

  // --- token form ---

  it("the suite's default JWT (device identifier system not a URL, no device id) is accepted", async () => {
    assertOk(await withAuthorization(`Bearer ${encodeUnsignedJwt(suiteDefaultClaims())}`), 'CapabilityStatement');
  });

  it('a token that is raw JSON, not base64url-encoded, is refused with 400 BAD_REQUEST', async () => {
    const claims = suiteDefaultClaims();
    assertOutcome(await withAuthorization(`Bearer {"alg":"none","typ":"JWT"}.${JSON.stringify(claims)}.`), 400, 'BAD_REQUEST');
  });

  it('a token whose payload is base64url of text that is not JSON is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await withAuthorization(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64('not json at all')}.`), 400, 'BAD_REQUEST');
  });

  it('a token whose claims are a JSON array, not an object, is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await withAuthorization(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64([1, 2])}.`), 400, 'BAD_REQUEST');
  });

  it('a header alg other than "none" is refused with 400 BAD_REQUEST', async () => {
    const token = encodeUnsignedJwt(suiteDefaultClaims(), { alg: 'HS256', typ: 'JWT' });
    assertOutcome(await withAuthorization(`Bearer ${token}`), 400, 'BAD_REQUEST');
  });

  it('a token with a non-empty signature part is refused with 400 BAD_REQUEST', async () => {
    const token = encodeUnsignedJwt(suiteDefaultClaims());
    assertOutcome(await withAuthorization(`Bearer ${token}c2lnbmF0dXJl`), 400, 'BAD_REQUEST');
  });

  it('a token without the trailing dot (two parts) is refused with 400 BAD_REQUEST', async () => {
    const token = encodeUnsignedJwt(suiteDefaultClaims());
    assertOutcome(await withAuthorization(`Bearer ${token.slice(0, -1)}`), 400, 'BAD_REQUEST');
  });

  it('a missing Authorization header is refused with 400 BAD_REQUEST', async () => {
    const res = await provider().gpc({ path: '/metadata', interaction: 'metadata', headers: { Authorization: undefined } });
    assertOutcome(res, 400, 'BAD_REQUEST');
  });

  it('an Authorization header that is not a Bearer token is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await withAuthorization('Basic dXNlcjpwYXNz'), 400, 'BAD_REQUEST');
  });

  // --- missing claims (JWT.feature 2, 3, 7, 9, 10, 11, 14, 18; organisation by the spec) ---

  for (const [claim, scenario] of [
    ['iss', 'Requesting System URL - missing'],
    ['exp', 'Expiry Time - missing'],
    ['iat', 'Creation Time - missing'],
    ['reason_for_request', 'Reason For Request - missing'],
    ['aud', 'Authorization Server Token URL - missing'],
    ['requesting_device', 'Requesting Device - missing'],
    ['requesting_practitioner', 'Requesting Identity - missing'],
    ['requested_scope', 'Requested Scope - missing'],
    ['requesting_organization', 'Requesting Organization - missing (spec)'],
    ['sub', 'User id - missing (spec)'],
  ] as const) {
    it(`${claim} missing is refused with 400 BAD_REQUEST (${scenario})`, async () => {
      assertOutcome(await metadata({ [claim]: undefined }), 400, 'BAD_REQUEST');
    });
  }

  it('a claim that is null is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await metadata({ requesting_device: null }), 400, 'BAD_REQUEST');
  });

  // --- exp and iat ---

  for (const [label, lifetime] of [['exp 301 seconds after iat', 301], ['exp 299 seconds after iat', 299], ['exp before iat', -1]] as const) {
    it(`${label} is refused with 400 BAD_REQUEST`, async () => {
      const iat = now();
      assertOutcome(await metadata({ iat, exp: iat + lifetime }), 400, 'BAD_REQUEST');
    });
  }

  it('exp and iat as strings, not numbers, are refused with 400 BAD_REQUEST', async () => {
    const iat = now();
    assertOutcome(await metadata({ iat: String(iat), exp: String(iat + 300) }), 400, 'BAD_REQUEST');
  });

  it('iat 200 seconds in the future (exp = iat + 300) is accepted (suite issue #188)', async () => {
    const iat = now() + 200;
    assertOk(await metadata({ iat, exp: iat + 300 }), 'CapabilityStatement');
  });

  it('iat now and exp = iat + 300 is accepted (Everything normal)', async () => {
    const iat = now();
    assertOk(await metadata({ iat, exp: iat + 300 }), 'CapabilityStatement');
  });

  it('an expired token (consumer clock slow by 600 s) is refused with 400 BAD_REQUEST', async () => {
    const iat = now() - 600;
    assertOutcome(await metadata({ iat, exp: iat + 300 }), 400, 'BAD_REQUEST');
  });

  // --- reason, sub ---

  it('reason_for_request other than directcare is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await metadata({ reason_for_request: 'secondaryuses' }), 400, 'BAD_REQUEST');
  });

  it('sub not equal to requesting_practitioner.id is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await metadata({ sub: '2' }), 400, 'BAD_REQUEST');
  });

  // --- resource claims: 422 when present but not a valid FHIR resource ---

  it('a requesting_device with an element Device does not define is refused with 422 INVALID_RESOURCE', async () => {
    const device = { ...(suiteDefaultClaims().requesting_device as object), invalidField: 'Assurance Testing' };
    assertOutcome(await metadata({ requesting_device: device }), 422, 'INVALID_RESOURCE');
  });

  for (const claim of ['requesting_device', 'requesting_practitioner', 'requesting_organization'] as const) {
    it(`a ${claim} with resourceType InvalidResourceType is refused with 422 INVALID_RESOURCE`, async () => {
      const resource = { ...(suiteDefaultClaims()[claim] as object), resourceType: 'InvalidResourceType' };
      assertOutcome(await metadata({ [claim]: resource }), 422, 'INVALID_RESOURCE');
    });
  }

  it('a requesting_practitioner given as a JSON string, not an object, is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await metadata({ requesting_practitioner: JSON.stringify(suiteDefaultClaims().requesting_practitioner) }), 400, 'BAD_REQUEST');
  });

  it('practitioner identifiers sds-user-id UNK and sds-role-profile-id UNK are accepted (Requesting Identity - UNK value)', async () => {
    const practitioner = defaultPractitioner([
      { system: 'https://fhir.nhs.uk/Id/sds-user-id', value: 'UNK' },
      { system: 'https://fhir.nhs.uk/Id/sds-role-profile-id', value: 'UNK' },
      { system: 'https://consumersupplier.com/Id/user-guid', value: '98ed4f78-814d-4266-8d5b-cde742f3093c' },
    ]);
    assertOk(await metadata({ requesting_practitioner: practitioner }), 'CapabilityStatement');
  });

  it('a practitioner with only an SDS user id (no role profile, no user guid) is accepted', async () => {
    const practitioner = defaultPractitioner([{ system: 'https://fhir.nhs.uk/Id/sds-user-id', value: 'GCASDS0001' }]);
    assertOk(await metadata({ requesting_practitioner: practitioner }), 'CapabilityStatement');
  });

  it('an organisation identified by the legacy http://fhir.nhs.net ODS system is accepted (RC5 backward compatibility)', async () => {
    const organization = { resourceType: 'Organization', identifier: [{ system: 'http://fhir.nhs.net/Id/ods-organization-code', value: 'GPCA0001' }], name: 'GP Connect Assurance' };
    assertOk(await metadata({ requesting_organization: organization }), 'CapabilityStatement');
  });

  it('an organisation without an ODS code identifier is refused with 400 BAD_REQUEST', async () => {
    const organization = { resourceType: 'Organization', identifier: [{ system: 'https://example.org/id', value: 'X' }], name: 'No ODS' };
    assertOutcome(await metadata({ requesting_organization: organization }), 400, 'BAD_REQUEST');
  });

  // --- requested_scope per interaction ---

  it('requested_scope "badScope" on /metadata is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await metadata({ requested_scope: 'badScope' }), 400, 'BAD_REQUEST');
  });

  it('requested_scope patient/*.read on /metadata (needs organization/*.read) is refused with 400 BAD_REQUEST', async () => {
    assertOutcome(await metadata({ requested_scope: 'patient/*.read' }), 400, 'BAD_REQUEST');
  });

  it('requested_scope with the 1.6 conf/N token after the resource scope is accepted', async () => {
    assertOk(await metadata({ requested_scope: 'organization/*.read conf/N' }), 'CapabilityStatement');
  });

  for (const scope of ['patient/*.read', 'organization/*.read', 'patient/*.write conf/X']) {
    it(`requested_scope ${scope} on register patient (needs patient/*.write) is refused with 400 BAD_REQUEST`, async () => {
      const res = await provider().gpc({
        method: 'POST', path: '/Patient/$gpc.registerpatient', interaction: 'registerPatient', claims: { requested_scope: scope }, body: registerBody(registrable.toole),
      });
      assertOutcome(res, 400, 'BAD_REQUEST');
    });
  }

  for (const scope of ['patient/*.write', 'organization/*.read']) {
    it(`requested_scope ${scope} on patient read (needs patient/*.read) is refused with 400 BAD_REQUEST`, async () => {
      assertOutcome(await provider().gpc({ path: '/Patient/1', interaction: 'readPatient', claims: { requested_scope: scope } }), 400, 'BAD_REQUEST');
    });
  }

  for (const scope of ['patient/*.read', 'organization/*.write']) {
    it(`requested_scope ${scope} on practitioner search (needs organization/*.read) is refused with 400 BAD_REQUEST`, async () => {
      const res = await provider().gpc({
        path: `/Practitioner?${query(identifier(systems.sdsUserId, 'G13579135'))}`, interaction: 'searchPractitioner', claims: { requested_scope: scope },
      });
      assertOutcome(res, 400, 'BAD_REQUEST');
    });
  }

  it('the scope the spec pairs with each interaction is accepted on that interaction (patient read)', async () => {
    const res = await provider().gpc({ path: '/Patient/1', interaction: 'readPatient', authorization: `Bearer ${encodeUnsignedJwt(auditClaims({ scope: scopes.readPatient }))}` });
    assertOk(res, 'Patient');
  });
});
