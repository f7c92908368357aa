/**
 * Every function that calls the service's own HTTPS names (the MCP probes, the
 * primary watch, the cache promotion's health checks) trusts the service's CA when
 * the certificate is Vault-issued (a private PKI): read through the semantic
 * check of test/support/semantic.ts over synthesized topologies. With a public
 * certificate nothing needs extra trust. Cross-region active-passive is the
 * topology with every kind of such function (probes of both deployments, the
 * standby's watch of the primary, the promotion) in two regions.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ActiveActiveMcpService } from '../../lib/aws/topologies/active-active';
import { CrossRegionActivePassiveMcpStage } from '../../lib/aws/topologies/active-passive';
import { McpCertificate, TrafficRouting } from '../../lib/aws/topologies/common';
import { AvailabilityTier, McpAuthorization, McpServerSource } from '../../lib/core';
import { TEST_ACCOUNT, testApp } from '../support/app';
import { CfnModel, privateCaTrust } from '../support/semantic';

function models(certificate: McpCertificate): CfnModel[] {
  const app = testApp();
  const svc = new CrossRegionActivePassiveMcpStage(app, 'Mcp', {
    tier: AvailabilityTier.BUSINESS_CRITICAL,
    server: McpServerSource.container('public.ecr.aws/acme/context:1.4'),
    capacity: { baseline: 4 },
    certificate,
    domain: { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'mcp' },
    routing: TrafficRouting.dns(), authorization: McpAuthorization.oauth({ issuer: 'https://idp.example.com' }),
    standbyRegion: 'us-west-2', primaryRegion: 'us-east-1', account: TEST_ACCOUNT,
  });
  const stacks: Stack[] = [...Object.values(svc.regionStacks), ...(svc.globalStack ? [svc.globalStack] : [])];
  return stacks.map((s) => new CfnModel(s.stackName, Template.fromStack(s).toJSON(), s.region));
}

describe('functions calling the service trust its certificate\'s CA', () => {
  test('Vault-issued: every probe, the watch of the primary and the promotion read the CA parameter their region\'s certificate function writes', () => {
    const app = models(McpCertificate.vault({ vaultAddress: 'https://vault.example.com', role: 'mcp' }));
    const { checked, violations } = privateCaTrust(app);
    expect(violations).toEqual([]);
    // What was checked: both deployments' probes, the watch in us-west-2 and the promotion there.
    const functions = new Set(checked.map((c) => c.split(' calls ')[0]));
    expect(functions.size).toBeGreaterThanOrEqual(4);
    expect(checked.some((c) => /-us-west-2\/.*CachePromotion/.test(c))).toBe(true);
    expect(checked.some((c) => /-us-west-2\/.*PrimaryWatch/.test(c))).toBe(true);
  });

  test('a public certificate needs no extra trust (nothing to check, nothing rendered)', () => {
    const stack = new Stack(testApp(), 'AA', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    new ActiveActiveMcpService(stack, 'Mcp', {
      tier: AvailabilityTier.BUSINESS_CRITICAL, server: McpServerSource.container('public.ecr.aws/acme/context:1.4'),
      capacity: { baseline: 4 }, certificate: McpCertificate.dnsValidated(),
      domain: { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'mcp' }, routing: TrafficRouting.dns(),
      authorization: McpAuthorization.oauth({ issuer: 'https://idp.example.com' }),
    });
    const app = [new CfnModel('AA', Template.fromStack(stack).toJSON(), 'us-east-1')];
    expect(app[0].resources('AWS::Lambda::Function').length).toBeGreaterThan(0);
    expect(privateCaTrust(app).checked).toEqual([]);
    for (const m of app) {
      for (const [id] of m.resources('AWS::Lambda::Function')) {
        expect(Object.keys(m.functionEnvironment(id)).filter((k) => k.startsWith('MCP_TRUSTED_CA'))).toEqual([]);
      }
    }
  });
});
