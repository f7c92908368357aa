import {
  AuthorizationMode, McpAuthEnv, McpAuthorization, ResolvedAuthorization, UNAUTHENTICATED_SUMMARY,
  protectedResourceMetadataUrl, resolveServiceAuthorization,
} from '../../lib/core/authorization';
import { McpHaValidationError, Validator } from '../../lib/core/errors';

const SERVICE = { serviceName: 'mcp.example.com', mcpPath: '/mcp', internetFacing: true };
const COGNITO = McpAuthorization.cognitoIssuer('us-east-1', 'us-east-1_AbCdEf123');
const ENTRA_TENANT = '11111111-2222-3333-4444-555555555555';

/** Resolves and throws like a construct would, at path App/Stack/Mcp. */
function resolve(auth: McpAuthorization | undefined, context: Partial<typeof SERVICE> & { serviceName?: string } = {}): ResolvedAuthorization | undefined {
  const v = new Validator({ constructPath: 'App/Stack/Mcp' });
  const r = resolveServiceAuthorization(v, auth, { ...SERVICE, ...context });
  v.throwIfInvalid();
  return r;
}

function problems(auth: McpAuthorization | undefined, context: Partial<typeof SERVICE> & { serviceName?: string } = {}): string {
  try {
    resolve(auth, context);
  } catch (e) {
    expect(e).toBeInstanceOf(McpHaValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

describe('McpAuthorization.oauth', () => {
  test('derives the audience from the service name and MCP path and renders the server environment', () => {
    // GIVEN a Cognito issuer and the defaults
    const r = resolve(McpAuthorization.oauth({ issuer: COGNITO }))!;
    // THEN the audience is the service's resource URL and the metadata URL is its RFC 9728 path-suffixed form
    expect(r.mode).toBe(AuthorizationMode.OAUTH);
    expect(r.audience).toBe('https://mcp.example.com/mcp');
    expect(r.resourceMetadataUrl).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
    expect(r.environment()).toEqual({
      [McpAuthEnv.ISSUER]: COGNITO,
      [McpAuthEnv.AUDIENCE]: 'https://mcp.example.com/mcp',
      [McpAuthEnv.SCOPES_READ]: 'mcp:read',
      [McpAuthEnv.SCOPES_WRITE]: 'mcp:write',
      [McpAuthEnv.RESOURCE_METADATA_URL]: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
      [McpAuthEnv.JWKS_CACHE_MAX_AGE_SECONDS]: '600',
      [McpAuthEnv.JWKS_COOLDOWN_SECONDS]: '30',
      [McpAuthEnv.CLOCK_SKEW_SECONDS]: '30',
      [McpAuthEnv.ALGORITHMS]: 'RS256,PS256,ES256,EdDSA',
    });
    expect(r.summary).toBe('cognito-idp.us-east-1.amazonaws.com');
    expect(r.warnings).toEqual([]);
    expect(r.scopesSupported).toEqual(['mcp:read', 'mcp:write']);
  });

  test('honours every configured value, including an origin-only audience', () => {
    const r = resolve(McpAuthorization.oauth({
      issuer: 'https://tenant.auth0.com/',
      audience: 'https://MCP.example.com',
      readScopes: ['https://mcp.example.com/mcp/read'],
      writeScopes: ['https://mcp.example.com/mcp/read', 'https://mcp.example.com/mcp/write'],
      jwksCacheMaxAgeSeconds: 3600, jwksCooldownSeconds: 10, clockSkewSeconds: 0, algorithms: ['ES384'],
    }))!;
    const env = r.environment();
    expect(env[McpAuthEnv.ISSUER]).toBe('https://tenant.auth0.com/'); // the trailing slash Auth0's metadata has is kept
    expect(env[McpAuthEnv.AUDIENCE]).toBe('https://MCP.example.com');
    expect(env[McpAuthEnv.RESOURCE_METADATA_URL]).toBe('https://mcp.example.com/.well-known/oauth-protected-resource');
    expect(env[McpAuthEnv.SCOPES_WRITE]).toBe('https://mcp.example.com/mcp/read https://mcp.example.com/mcp/write');
    expect(env[McpAuthEnv.JWKS_CACHE_MAX_AGE_SECONDS]).toBe('3600');
    expect(env[McpAuthEnv.JWKS_COOLDOWN_SECONDS]).toBe('10');
    expect(env[McpAuthEnv.CLOCK_SKEW_SECONDS]).toBe('0');
    expect(env[McpAuthEnv.ALGORITHMS]).toBe('ES384');
    expect(r.scopesSupported).toEqual(['https://mcp.example.com/mcp/read', 'https://mcp.example.com/mcp/write']);
  });

  test('a zone-apex service gets the apex as its resource', () => {
    const r = resolve(McpAuthorization.oauth({ issuer: 'https://accounts.google.com' }), { serviceName: 'example.com', mcpPath: '/v1/mcp' })!;
    expect(r.audience).toBe('https://example.com/v1/mcp');
    expect(r.resourceMetadataUrl).toBe('https://example.com/.well-known/oauth-protected-resource/v1/mcp');
  });

  test.each([
    ['http issuer', { issuer: 'http://idp.example.com' }, /authorization\.issuer: got "http:\/\/idp\.example\.com"; allowed: an https URL \(RFC 8414 section 2/],
    ['not a URL', { issuer: 'idp.example.com' }, /authorization\.issuer: got "idp\.example\.com"; allowed: an absolute https URL/],
    ['empty', { issuer: '' }, /authorization\.issuer: got ""; allowed: the https URL/],
    ['query', { issuer: 'https://idp.example.com/?tenant=1' }, /authorization\.issuer: got "https:\/\/idp\.example\.com\/\?tenant=1"; allowed: an issuer without query or fragment/],
    ['fragment', { issuer: 'https://idp.example.com/#x' }, /allowed: an issuer without query or fragment/],
    ['metadata URL instead of issuer', { issuer: 'https://idp.example.com/.well-known/openid-configuration' }, /allowed: the issuer itself, not its metadata document URL/],
    ['credentials in the URL', { issuer: 'https://user:pw@idp.example.com' }, /allowed: an issuer without credentials in the URL/],
    ['Cognito with a trailing slash', { issuer: `${COGNITO}/` },
      /authorization\.issuer: got "https:\/\/cognito-idp\.us-east-1\.amazonaws\.com\/us-east-1_AbCdEf123\/"; allowed: exactly the issuer in the provider's metadata, https:\/\/cognito-idp\.<region>\.amazonaws\.com\/<userPoolId>, no trailing slash \(RFC 8414 section 3\.3/],
    ['Cognito pool of another region', { issuer: McpAuthorization.cognitoIssuer('eu-west-1', 'us-east-1_AbCdEf123') }, /allowed: a user pool ID of the issuer's region \(eu-west-1_\.\.\.\)/],
    ['Entra ID v1.0 without its trailing slash', { issuer: McpAuthorization.entraIdIssuer(ENTRA_TENANT).slice(0, -1) },
      /got "https:\/\/sts\.windows\.net\/11111111-2222-3333-4444-555555555555"; allowed: exactly the issuer in the provider's metadata, https:\/\/sts\.windows\.net\/<tenantId>\/ \(McpAuthorization\.entraIdIssuer\(tenantId\)\)/],
    ['Entra ID v2.0 (its tokens carry the client id in aud)', { issuer: `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0` },
      /got "https:\/\/login\.microsoftonline\.com\/11111111-2222-3333-4444-555555555555\/v2\.0"; allowed: the issuer of Entra ID v1\.0 access tokens, https:\/\/sts\.windows\.net\/11111111-2222-3333-4444-555555555555\/ \(McpAuthorization\.entraIdIssuer\(tenantId\)\): v2\.0 access tokens carry the API's client id in "aud"/],
    ['Entra ID v1.0 endpoint instead of its issuer', { issuer: `https://login.microsoftonline.com/${ENTRA_TENANT}/` },
      /allowed: the issuer of Entra ID v1\.0 access tokens, https:\/\/sts\.windows\.net\/11111111-2222-3333-4444-555555555555\//],
    ['Google with a trailing slash', { issuer: 'https://accounts.google.com/' }, /got "https:\/\/accounts\.google\.com\/"; allowed: exactly the issuer in the provider's metadata, https:\/\/accounts\.google\.com, no trailing slash/],
    ['audience of another service', { issuer: COGNITO, audience: 'https://other.example.com/mcp' },
      /authorization\.audience: got "https:\/\/other\.example\.com\/mcp"; allowed: the service's resource URL, https:\/\/mcp\.example\.com\/mcp or https:\/\/mcp\.example\.com \(RFC 8707/],
    ['audience with another path', { issuer: COGNITO, audience: 'https://mcp.example.com/api' }, /authorization\.audience: got "https:\/\/mcp\.example\.com\/api"; allowed: the service's resource URL/],
    ['http audience', { issuer: COGNITO, audience: 'http://mcp.example.com/mcp' }, /authorization\.audience: got "http:\/\/mcp\.example\.com\/mcp"; allowed: the service's resource URL/],
    ['audience not a URL', { issuer: COGNITO, audience: 'api://mcp' }, /authorization\.audience: got "api:\/\/mcp"; allowed: the service's resource URL/],
    ['empty read scopes', { issuer: COGNITO, readScopes: [] }, /authorization\.readScopes: got \[\]; allowed: at least one scope/],
    ['scope with a space', { issuer: COGNITO, writeScopes: ['mcp write'] }, /authorization\.writeScopes\[0\]: got "mcp write"; allowed: an RFC 6749 section 3\.3 scope-token/],
    ['alg none', { issuer: COGNITO, algorithms: ['none'] }, /authorization\.algorithms\[0\]: got "none"; allowed: an asymmetric JWS algorithm .*"none" and HMAC \("HS\*"\) are never accepted/],
    ['HS256', { issuer: COGNITO, algorithms: ['RS256', 'HS256'] }, /authorization\.algorithms\[1\]: got "HS256"; allowed: an asymmetric JWS algorithm/],
    ['no algorithm', { issuer: COGNITO, algorithms: [] }, /authorization\.algorithms: got \[\]; allowed: at least one of RS256/],
    ['JWKS cache too short', { issuer: COGNITO, jwksCacheMaxAgeSeconds: 5 }, /authorization\.jwksCacheMaxAgeSeconds: got 5; allowed: an integer from 60 to 86400/],
    ['cooldown not below the cache age', { issuer: COGNITO, jwksCacheMaxAgeSeconds: 60, jwksCooldownSeconds: 60 }, /authorization\.jwksCooldownSeconds: got 60; allowed: less than jwksCacheMaxAgeSeconds \(60\)/],
    ['clock skew too large', { issuer: COGNITO, clockSkewSeconds: 600 }, /authorization\.clockSkewSeconds: got 600; allowed: an integer from 0 to 300 \(RFC 7519 4\.1\.4/],
  ])('refuses %s, naming the path, the prop, the value and what is allowed', (_name, options, message) => {
    const msg = problems(McpAuthorization.oauth(options));
    expect(msg).toMatch(/^App\/Stack\/Mcp: /);
    expect(msg).toMatch(message);
  });

  test('collects every problem at once', () => {
    const msg = problems(McpAuthorization.oauth({ issuer: 'http://x/', audience: 'https://y/mcp', algorithms: ['HS256'] }));
    expect(msg).toMatch(/3 invalid settings/);
  });

  test('without a domain, the audience must be given; given, it is taken as is', () => {
    expect(problems(McpAuthorization.oauth({ issuer: COGNITO }), { serviceName: undefined }))
      .toMatch(/authorization\.audience: got undefined; allowed: a resource URL \(https:\/\/<service name><mcpPath>\); it is derived from `domain`/);
    const r = resolve(McpAuthorization.oauth({ issuer: COGNITO, audience: 'https://internal.example.net/mcp' }), { serviceName: undefined })!;
    expect(r.audience).toBe('https://internal.example.net/mcp');
  });

  test('Entra ID: entraIdIssuer gives the v1.0 issuer, the one whose tokens can carry the service URL in aud, and it resolves', () => {
    // v1.0 access tokens: iss https://sts.windows.net/<tenant>/, aud the Application ID URI requested (the resource URL);
    // v2.0 tokens always carry the client id in aud (access-token-claims-reference), which the audience rule refuses.
    const issuer = McpAuthorization.entraIdIssuer(ENTRA_TENANT.toUpperCase());
    expect(issuer).toBe(`https://sts.windows.net/${ENTRA_TENANT}/`);
    const r = resolve(McpAuthorization.oauth({ issuer }))!;
    expect(r.environment()[McpAuthEnv.ISSUER]).toBe(issuer);
    expect(r.environment()[McpAuthEnv.AUDIENCE]).toBe('https://mcp.example.com/mcp');
  });

  test.each([['a domain name', 'contoso.onmicrosoft.com'], ['empty', ''], ['a GUID with a path', `${ENTRA_TENANT}/v2.0`]])(
    'Entra ID: entraIdIssuer refuses %s instead of a tenant GUID', (_name, tenant) => {
      expect(() => McpAuthorization.entraIdIssuer(tenant)).toThrow(McpHaValidationError);
      expect(() => McpAuthorization.entraIdIssuer(tenant))
        .toThrow(`McpAuthorization.entraIdIssuer: 1 invalid setting\n  - tenantId: got ${JSON.stringify(tenant)}; allowed: the directory (tenant) id, a GUID`);
    });

  test('skips unresolved tokens', () => {
    const r = resolve(McpAuthorization.oauth({ issuer: '${Token[TOKEN.12]}', audience: '${Token[TOKEN.13]}' }))!;
    expect(r.environment()[McpAuthEnv.ISSUER]).toBe('${Token[TOKEN.12]}');
  });
});

describe('internet-facing services must choose', () => {
  test('no authorization on an internet-facing service is refused, naming both choices', () => {
    const msg = problems(undefined);
    expect(msg).toMatch(/App\/Stack\/Mcp: 1 invalid setting/);
    expect(msg).toMatch(/authorization: got undefined; allowed: McpAuthorization\.oauth\(\{ issuer \}\) for an internet-facing service .*or McpAuthorization\.allowUnauthenticated\(\) to opt out explicitly/);
  });

  test('the explicit opt-out is accepted with a warning, renders no auth environment, and shows in the summary', () => {
    const r = resolve(McpAuthorization.allowUnauthenticated('public demo'))!;
    expect(r.mode).toBe(AuthorizationMode.UNAUTHENTICATED);
    expect(r.environment()).toEqual({});
    expect(r.summary).toBe(UNAUTHENTICATED_SUMMARY);
    expect(r.summary).toBe('unauthenticated (opt-out)');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/allowUnauthenticated\(\) \(public demo\): the internet-facing MCP endpoint checks no token/);
  });

  test('a private service without authorization is unauthenticated, without a warning', () => {
    const r = resolve(undefined, { internetFacing: false })!;
    expect(r.mode).toBe(AuthorizationMode.UNAUTHENTICATED);
    expect(r.warnings).toEqual([]);
    expect(r.summary).toBe('unauthenticated (opt-out)');
  });
});

test('protectedResourceMetadataUrl inserts the well-known path before the resource path (RFC 9728 3.1)', () => {
  expect(protectedResourceMetadataUrl('https://mcp.example.com/mcp')).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
  expect(protectedResourceMetadataUrl('https://mcp.example.com/mcp/')).toBe('https://mcp.example.com/.well-known/oauth-protected-resource/mcp');
  expect(protectedResourceMetadataUrl('https://mcp.example.com')).toBe('https://mcp.example.com/.well-known/oauth-protected-resource');
  expect(protectedResourceMetadataUrl('https://mcp.example.com:8443/')).toBe('https://mcp.example.com:8443/.well-known/oauth-protected-resource');
});

/** Every problem line (`prop: got value; allowed: ...`) a resolution records, without throwing. */
function problemLines(auth: McpAuthorization, context: { serviceName?: string; mcpPath?: string; internetFacing?: boolean } = {}): string[] {
  const v = new Validator();
  resolveServiceAuthorization(v, auth, { ...SERVICE, ...context });
  return v.problems.map((p) => new McpHaValidationError([p]).message.split('\n  - ')[1]);
}

const ALGS = 'RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519';

describe('authorization refusals, each with its exact message (issue 16 mutation survivors)', () => {
  test('BUG FIX: oauth() without options (an untyped caller) is refused for its missing issuer, never turned into the opt-out', () => {
    // Before the fix it resolved as unauthenticated, with the allowUnauthenticated() warning: authentication silently off.
    const v = new Validator();
    const r = resolveServiceAuthorization(v, McpAuthorization.oauth(undefined as never), SERVICE);
    expect(v.problems.map((p) => `${p.prop}: ${String(p.value)}; ${p.allowed}`))
      .toEqual(['authorization.issuer: undefined; the https URL of the authorization server\'s issuer']);
    expect(r!.mode).toBe(AuthorizationMode.OAUTH);
    expect(r!.warnings).toEqual([]);
  });

  test('BUG FIX: a JWKS cache age given as a token does not make a valid cooldown invalid; resolved, the relation still holds', () => {
    const token = -1.8881545897087626e289; // a CDK numeric token (Token.asNumber)
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, jwksCacheMaxAgeSeconds: token }))).toEqual([]);
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, jwksCacheMaxAgeSeconds: 600, jwksCooldownSeconds: 600 }))).toEqual([
      'authorization.jwksCooldownSeconds: got 600; allowed: less than jwksCacheMaxAgeSeconds (600): otherwise a rotated key is picked up only when the cache expires',
    ]);
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, jwksCacheMaxAgeSeconds: 600, jwksCooldownSeconds: 599 }))).toEqual([]);
  });

  test('a cache age or cooldown that is not a number is reported once, by its range, not compared with the other', () => {
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, jwksCacheMaxAgeSeconds: NaN }))).toEqual([
      'authorization.jwksCacheMaxAgeSeconds: got NaN; allowed: an integer from 60 to 86400',
    ]);
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, jwksCooldownSeconds: Infinity }))).toEqual([
      'authorization.jwksCooldownSeconds: got Infinity; allowed: an integer from 1 to 3600',
    ]);
  });

  test('an issuer that is not a string is refused as a missing issuer', () => {
    expect(problemLines(McpAuthorization.oauth({ issuer: undefined as never }))).toEqual([
      'authorization.issuer: got undefined; allowed: the https URL of the authorization server\'s issuer',
    ]);
  });

  test('an issuer with an empty query ("?" and nothing after) is refused: RFC 8414 issuers have no query component', () => {
    expect(problemLines(McpAuthorization.oauth({ issuer: 'https://idp.example.com/?' }))).toEqual([
      'authorization.issuer: got "https://idp.example.com/?"; allowed: an issuer without query or fragment (RFC 8414 section 2)',
    ]);
  });

  test('the metadata document URL is refused under the issuer prop', () => {
    expect(problemLines(McpAuthorization.oauth({ issuer: 'https://idp.example.com/.well-known/openid-configuration' }))).toEqual([
      'authorization.issuer: got "https://idp.example.com/.well-known/openid-configuration"; allowed: the issuer itself, not its metadata document URL (drop "/.well-known/...")',
    ]);
  });

  test.each([
    ['a user name alone', 'https://user@idp.example.com'],
    ['a password alone', 'https://:secret@idp.example.com'],
    ['both', 'https://user:secret@idp.example.com'],
  ])('credentials in the issuer are refused: %s', (_name, issuer) => {
    expect(problemLines(McpAuthorization.oauth({ issuer }))).toEqual([
      `authorization.issuer: got ${JSON.stringify(issuer)}; allowed: an issuer without credentials in the URL`,
    ]);
  });

  test('Entra ID v2.0: the whole way out, down to the app registration settings', () => {
    const issuer = `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`;
    expect(problemLines(McpAuthorization.oauth({ issuer }))).toEqual([
      `authorization.issuer: got ${JSON.stringify(issuer)}; allowed: the issuer of Entra ID v1.0 access tokens, https://sts.windows.net/${ENTRA_TENANT}/ `
      + '(McpAuthorization.entraIdIssuer(tenantId)): v2.0 access tokens carry the API\'s client id in "aud", never the service\'s resource URL that the servers check, '
      + 'so every call would be refused (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference); '
      + 'keep the app registration\'s accessTokenAcceptedVersion at 1 (or null) and its Application ID URI equal to the audience',
    ]);
  });

  test('entraIdIssuer refuses a tenant that is not a string, even one that reads as a GUID', () => {
    expect(() => McpAuthorization.entraIdIssuer([ENTRA_TENANT] as never)).toThrow(
      `McpAuthorization.entraIdIssuer: 1 invalid setting\n  - tenantId: got ["${ENTRA_TENANT}"]; allowed: the directory (tenant) id, a GUID`);
  });

  test('a Cognito pool of another region is refused under the issuer prop', () => {
    const issuer = McpAuthorization.cognitoIssuer('eu-west-1', 'us-east-1_AbCdEf123');
    expect(problemLines(McpAuthorization.oauth({ issuer }))).toEqual([
      `authorization.issuer: got ${JSON.stringify(issuer)}; allowed: a user pool ID of the issuer's region (eu-west-1_...)`,
    ]);
  });

  test('the Cognito region rule applies to Cognito\'s own host only', () => {
    // Hosts that merely contain the Cognito name are other issuers: no region is read from them.
    expect(problemLines(McpAuthorization.oauth({ issuer: 'https://my-cognito-idp.eu-west-1.amazonaws.com/us-east-1_AbCdEf123' }))).toEqual([]);
    expect(problemLines(McpAuthorization.oauth({ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com.example.net/us-east-1_AbCdEf123' }))).toEqual([]);
  });

  test('a Cognito issuer with an extra path segment is refused once, by its shape (no pool is read from a later segment)', () => {
    const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/tenant/us-east-1_AbCdEf123';
    expect(problemLines(McpAuthorization.oauth({ issuer }))).toEqual([
      `authorization.issuer: got ${JSON.stringify(issuer)}; allowed: exactly the issuer in the provider's metadata, `
      + 'https://cognito-idp.<region>.amazonaws.com/<userPoolId>, no trailing slash (RFC 8414 section 3.3: a mismatch refuses every token)',
    ]);
  });

  test('an explicit audience equal to the service\'s resource URL is accepted, in any host case', () => {
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, audience: 'https://mcp.example.com/mcp' }))).toEqual([]);
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, audience: 'https://MCP.Example.com/mcp' }))).toEqual([]);
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, audience: 'https://mcp.example.com/v1/mcp' }), { mcpPath: '/v1/mcp' })).toEqual([]);
  });

  test.each([
    ['a trailing slash after the host (not the same string as the origin)', 'https://mcp.example.com/'],
    ['a query', 'https://mcp.example.com/mcp?tenant=1'],
    ['a fragment', 'https://mcp.example.com/mcp#x'],
  ])('an audience of this service with %s is refused', (_name, audience) => {
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, audience }))).toContain(
      `authorization.audience: got ${JSON.stringify(audience)}; allowed: the service's resource URL, https://mcp.example.com/mcp or https://mcp.example.com (RFC 8707: the token's audience names this server)`,
    );
  });

  test('without a service name, an audience with a query or over http is refused with the RFC 8707 form', () => {
    for (const audience of ['https://internal.example.net/mcp?x=1', 'http://internal.example.net/mcp']) {
      expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, audience }), { serviceName: undefined })).toEqual([
        `authorization.audience: got ${JSON.stringify(audience)}; allowed: an https URL without query or fragment (RFC 8707 section 2)`,
      ]);
    }
  });

  test('without a service name or an audience, the missing audience is reported and nothing is invented for the other checks', () => {
    const v = new Validator();
    const r = resolveServiceAuthorization(v, McpAuthorization.oauth({ issuer: COGNITO }), { ...SERVICE, serviceName: undefined });
    expect(v.problems.map((p) => p.prop)).toEqual(['authorization.audience']);
    expect(r!.audience).toBe('');
  });

  test('a scope that is not a string is refused, even one that would read as a scope-token', () => {
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, readScopes: [42 as never] }))).toEqual([
      'authorization.readScopes[0]: got 42; allowed: an RFC 6749 section 3.3 scope-token: printable ASCII without spaces, quotes or backslashes',
    ]);
  });

  test('the algorithm messages list every asymmetric algorithm, comma-separated', () => {
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, algorithms: [] }))).toEqual([
      `authorization.algorithms: got []; allowed: at least one of ${ALGS}`,
    ]);
    expect(problemLines(McpAuthorization.oauth({ issuer: COGNITO, algorithms: ['HS256'] }))).toEqual([
      `authorization.algorithms[0]: got "HS256"; allowed: an asymmetric JWS algorithm (${ALGS}); "none" and HMAC ("HS*") are never accepted`,
    ]);
  });
});
