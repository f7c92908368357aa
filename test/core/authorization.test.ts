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
