/**
 * MCP authorization on the Google topologies (issue 13): every Google topology is internet-facing, so
 * synthesis is refused without an authorization; the explicit opt-out is a warning and a summary cell;
 * bad issuers and audiences are refused with the usual message. Refusals throw before any resource is
 * rendered (cheap); one small stack is synthesized for the opt-out.
 */
import { McpAuthorization, UNAUTHENTICATED_SUMMARY } from '../../lib/core/authorization';
import { AvailabilityTier } from '../../lib/core/tiers';
import { McpCertificate } from '../../lib/gcp/certificate';
import { ActiveActiveMcpService } from '../../lib/gcp/topologies/active-active';
import { ActivePassiveMcpService } from '../../lib/gcp/topologies/active-passive';
import { MultiRegionMcpService } from '../../lib/gcp/topologies/multi-region';
import { McpServiceProps } from '../../lib/gcp/topologies/props';
import { envOf, errorOf, only, server, summaryOf, synthJson, templatesByRegion, testStack } from './support';

const domain = { managedZone: 'example-com', zoneName: 'example.com', recordName: 'mcp' };
const certificate = McpCertificate.existing({ global: ['projects/p/global/sslCertificates/mcp'], 'us-east1': ['c1'], 'us-central1': ['c2'] });
const common: McpServiceProps = { server, capacity: { baseline: 3 }, certificate, domain, cache: false };
const ISSUER = 'https://auth.example.com/realms/mcp';

/** Each topology, built with `extra` props (an authorization or none). */
const topologies: [string, (s: never, extra: Partial<McpServiceProps>) => void][] = [
  ['active-active', (s, extra) => new ActiveActiveMcpService(s, 'Mcp', { ...common, region: 'us-east1', ...extra })],
  ['active-passive', (s, extra) => new ActivePassiveMcpService(s, 'Mcp', {
    ...common, domain, primaryRegion: 'us-east1', standbyRegion: 'us-central1', tier: AvailabilityTier.STANDARD,
    overrides: { dnsHealthCheck: { failureThreshold: 1 } }, ...extra,
  })],
  ['multi-region', (s, extra) => new MultiRegionMcpService(s, 'Mcp', { ...common, regions: ['us-east1', 'europe-west1'], ...extra })],
];

describe.each(topologies)('%s (internet-facing)', (_name, build) => {
  test('refuses to synthesize without an authorization, naming both ways out', () => {
    expect(errorOf((s) => build(s as never, {}))).toMatch(
      /test\/Mcp: .*\n {2}- authorization: got undefined; allowed: McpAuthorization\.oauth\(\{ issuer \}\) for an internet-facing service .*, or McpAuthorization\.allowUnauthenticated\(\) to opt out explicitly/);
  });

  test('refuses an http issuer', () => {
    expect(errorOf((s) => build(s as never, { authorization: McpAuthorization.oauth({ issuer: 'http://auth.example.com/realms/mcp' }) })))
      .toMatch(/authorization\.issuer: got "http:\/\/auth\.example\.com\/realms\/mcp"; allowed: an https URL \(RFC 8414 section 2/);
  });

  test('refuses an audience that does not name the service (another host, or another path)', () => {
    const other = errorOf((s) => build(s as never, { authorization: McpAuthorization.oauth({ issuer: ISSUER, audience: 'https://other.example.com/mcp' }) }));
    expect(other).toMatch(/authorization\.audience: got "https:\/\/other\.example\.com\/mcp"; allowed: the service's resource URL, https:\/\/mcp\.example\.com\/mcp or https:\/\/mcp\.example\.com \(RFC 8707/);
    const path = errorOf((s) => build(s as never, { authorization: McpAuthorization.oauth({ issuer: ISSUER, audience: 'https://mcp.example.com/mcp/' }) }));
    expect(path).toMatch(/authorization\.audience: got "https:\/\/mcp\.example\.com\/mcp\/"; allowed: the service's resource URL/);
  });

  test('refuses Google\'s own issuers: their tokens never carry the service\'s URL in "aud"', () => {
    const platform = errorOf((s) => build(s as never, { authorization: McpAuthorization.oauth({ issuer: 'https://securetoken.google.com/my-project' }) }));
    expect(platform).toMatch(/authorization\.issuer: got "https:\/\/securetoken\.google\.com\/my-project"; allowed: an OIDC provider that issues JWT access tokens whose "aud" is the service's resource URL https:\/\/mcp\.example\.com\/mcp .*Identity Platform ID tokens carry the project ID in "aud"/);
    const signIn = errorOf((s) => build(s as never, { authorization: McpAuthorization.oauth({ issuer: 'https://accounts.google.com' }) }));
    expect(signIn).toMatch(/authorization\.issuer: got "https:\/\/accounts\.google\.com"; allowed: .*Google ID tokens carry the OAuth client ID in "aud"/);
  });
});

describe('the explicit opt-out', () => {
  // GIVEN an active-active service that opts out, with a reason (one small stack, no cache)
  const { stack } = testStack();
  const svc = new ActiveActiveMcpService(stack, 'Mcp', {
    ...common, region: 'us-east1', authorization: McpAuthorization.allowUnauthenticated('internal demo, no data'),
  });
  const t = synthJson(stack);

  test('is a synth warning naming the reason, and the summary says "unauthenticated (opt-out)"', () => {
    const warnings = svc.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(
      /^authorization: McpAuthorization\.allowUnauthenticated\(\) \(internal demo, no data\): the internet-facing MCP endpoint checks no token/)]));
    expect(summaryOf(t).authorization).toBe(UNAUTHENTICATED_SUMMARY);
  });

  test('renders no MCP_AUTH_* variable (the server checks no token) and the uptime check expects an initialize result', () => {
    const { script } = templatesByRegion(t)['us-east1'];
    expect(script).not.toMatch(/MCP_AUTH_|MCP_RESOURCE_METADATA_URL/);
    expect(envOf(script, 'MCP_AUTH_ISSUER')).toBeUndefined();
    const check = only(t, 'google_monitoring_uptime_check_config');
    expect(check.http_check.accepted_response_status_codes).toEqual([{ status_class: 'STATUS_CLASS_2XX' }]);
    expect(check.content_matchers).toEqual([{ content: '"protocolVersion"', matcher: 'CONTAINS_STRING' }]);
  });
});
