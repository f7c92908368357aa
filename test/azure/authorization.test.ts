/**
 * MCP authorization on the Azure topologies (issue 13): every gateway is internet-facing,
 * so a topology refuses to synthesize without an authorization unless the user opts out
 * explicitly; the opt-out is a synth warning, renders no MCP_AUTH_* variable, makes the
 * MCP probe expect a 200 again, and shows in the summary. Refusals are matched by message.
 * (The rendered environment with an issuer is asserted on the shared stacks in
 * active-active.test.ts and failover-topologies.test.ts.)
 */
import { AnnotationMetadataEntryType } from 'cdktf';
import { AzureActiveActiveMcpService } from '../../lib/azure/topologies/active-active';
import { AzureActivePassiveMcpService } from '../../lib/azure/topologies/active-passive';
import { AzureMultiRegionMcpService } from '../../lib/azure/topologies/multi-region';
import { McpAuthorization, McpAuthEnv } from '../../lib/core/authorization';
import { McpHaValidationError } from '../../lib/core/errors';
import { SERVER, SSH_KEY, TENANT, VAULT_CERT, only, stack, synth } from './support';
import { bootScripts, containerEnv } from './semantics';

const base = {
  server: SERVER, capacity: { baseline: 3 }, certificate: VAULT_CERT, domain: { zoneName: 'example.com', recordName: 'mcp' },
  namePrefix: 'acme', sshPublicKey: SSH_KEY,
};

function refused(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(McpHaValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

const aa = (extra: Record<string, unknown>) => refused(() => new AzureActiveActiveMcpService(stack(), 'Svc', { ...base, region: 'westeurope', ...extra }));
const oauth = (o: Partial<Parameters<typeof McpAuthorization.oauth>[0]>) => McpAuthorization.oauth({ issuer: McpAuthorization.entraIdIssuer(TENANT), ...o });

describe('refusals', () => {
  test.each([
    ['active-active', () => new AzureActiveActiveMcpService(stack(), 'Svc', { ...base, region: 'westeurope' })],
    ['active-passive', () => new AzureActivePassiveMcpService(stack(), 'Svc', { ...base, primaryRegion: 'westeurope', standbyRegion: 'northeurope' })],
    ['multi-region', () => new AzureMultiRegionMcpService(stack(), 'Svc', { ...base, regions: ['westeurope', 'northeurope'] })],
  ])('%s: no authorization on an internet-facing service', (_name, build) => {
    const m = refused(build);
    expect(m).toMatch(/^test\/Svc: 1 invalid setting/);
    expect(m).toContain('- authorization: got undefined; allowed: McpAuthorization.oauth({ issuer }) for an internet-facing service');
    expect(m).toContain('McpAuthorization.allowUnauthenticated() to opt out explicitly');
  });

  test('an http issuer', () => {
    expect(aa({ authorization: oauth({ issuer: 'http://login.example.com/tenant' }) }))
      .toContain('- authorization.issuer: got "http://login.example.com/tenant"; allowed: an https URL (RFC 8414 section 2');
  });

  test('an audience that does not name the service', () => {
    const m = aa({ authorization: oauth({ audience: 'https://other.example.com/mcp' }) });
    expect(m).toContain('- authorization.audience: got "https://other.example.com/mcp"; allowed: the service\'s resource URL, https://mcp.example.com/mcp');
  });

  test('the Entra ID v2.0 issuer (its access tokens carry a client id in aud, never the service URL)', () => {
    const m = aa({ authorization: McpAuthorization.oauth({ issuer: `https://login.microsoftonline.com/${TENANT}/v2.0` }) });
    expect(m).toContain(`- authorization.issuer: got "https://login.microsoftonline.com/${TENANT}/v2.0"; allowed: the issuer of Entra ID v1.0 access tokens, https://sts.windows.net/${TENANT}/`);
    expect(m).toContain('accessTokenAcceptedVersion at 1');
  });

  test('McpAuthorization.entraIdIssuer gives the v1.0 issuer, whose tokens the topologies accept, from a tenant id only', () => {
    expect(McpAuthorization.entraIdIssuer(TENANT)).toBe(`https://sts.windows.net/${TENANT}/`);
    expect(() => McpAuthorization.entraIdIssuer('contoso.onmicrosoft.com'))
      .toThrow(/tenantId: got "contoso.onmicrosoft.com"; allowed: the directory \(tenant\) id, a GUID/);
  });

  test('more regions than an autoscale profile has rules for (2 CPU + 2 per other region <= 10)', () => {
    const m = refused(() => new AzureMultiRegionMcpService(stack(), 'Svc', {
      ...base, cache: false, authorization: oauth({}),
      regions: ['westeurope', 'northeurope', 'swedencentral', 'francecentral', 'germanywestcentral', 'uksouth'],
    }));
    expect(m).toContain('- regions: got "6 regions"; allowed: at most 5: each region\'s autoscale profiles carry 2 CPU rules');
  });
});

describe('explicit opt-out', () => {
  const s = stack();
  const service = new AzureActiveActiveMcpService(s, 'Svc', {
    ...base, region: 'westeurope', mcpProbe: true, authorization: McpAuthorization.allowUnauthenticated('internal demo, no data'),
  });
  const tf = synth(s);

  test('a synth warning naming the reason', () => {
    // cdktf synth prints what Annotations recorded as @cdktf/warn metadata.
    const warnings = service.node.metadata.filter((m) => m.type === AnnotationMetadataEntryType.WARN).map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringContaining('McpAuthorization.allowUnauthenticated() (internal demo, no data): the internet-facing MCP endpoint checks no token')]);
  });

  test('no MCP_AUTH_* variable reaches the servers (they check no token)', () => {
    const env = containerEnv(Object.values(bootScripts(tf))[0]);
    for (const name of Object.values(McpAuthEnv)) expect(env[name]).toBeUndefined();
    expect(env.MCP_ALLOWED_HOSTS).toBe('mcp.example.com,mcp-westeurope.example.com');
  });

  test('the MCP probe expects the initialize result again, and the summary says unauthenticated (opt-out)', () => {
    const test = only(tf, 'azurerm_application_insights_standard_web_test');
    expect(test.validation_rules).toMatchObject({ expected_status_code: 200, content: { content_match: 'serverInfo', pass_if_text_found: true } });
    expect(JSON.parse(tf.output!.McpHa_Summary.value).authorization).toBe('unauthenticated (opt-out)');
    expect(service.plan.mcpProbeTerms[0].detail).toMatch(/expects a 200 whose body carries serverInfo/);
  });
});
