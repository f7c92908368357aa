/**
 * Every topology, on every tier, with its default routing: the failover budget the
 * constructs compute from what they render is within the tier's target. A default
 * that drifts past its target fails here; one that no longer fits is refused with its way out.
 */
import { App, Stack } from 'aws-cdk-lib';
import { ActiveActiveMcpService } from '../../../lib/aws/topologies/active-active';
import { ActivePassiveMcpService } from '../../../lib/aws/topologies/active-passive';
import { McpCertificate, McpServiceProps } from '../../../lib/aws/topologies/common';
import { MultiRegionMcpStage } from '../../../lib/aws/topologies/multi-region';
import { AvailabilityTier, McpAuthorization, McpServerSource } from '../../../lib/core';
import { TEST_ACCOUNT, testApp } from '../../support/app';

const props = (tier: AvailabilityTier): McpServiceProps => ({
  tier,
  server: McpServerSource.container('public.ecr.aws/acme/context:1.4'),
  capacity: { baseline: 4 },
  certificate: McpCertificate.dnsValidated(),
  domain: { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'mcp' },
  authorization: McpAuthorization.oauth({ issuer: 'https://idp.example.com' }),
});
const stack = (app: App) => new Stack(app, 'S', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });

describe.each(Object.values(AvailabilityTier))('%s with default routing', (tier) => {
  test('active-active', () => {
    const svc = new ActiveActiveMcpService(stack(testApp()), 'Mcp', props(tier));
    expect(svc.budget.withinTarget).toBe(true);
    expect(svc.budget.targetSeconds).toBe(svc.plan.profile.targets.activeActiveDetectionSeconds);
  });

  test('active-passive, standby in other zones', () => {
    if (tier === AvailabilityTier.MISSION_CRITICAL) {
      // With a domain the record's check is CALCULATED (HTTPS AND the MCP probe alarm): Route 53's extra hop
      // (5 s, assumed) makes the tier's defaults 31 s, over 30 s. The plan refuses them and says what to change;
      // the change it names fits exactly.
      expect(() => new ActivePassiveMcpService(stack(testApp()), 'Mcp', props(tier)))
        .toThrow(/now 31 s = .*dns-calculated-aggregation 5 s.*lower recordTtlSeconds to 4 or less/);
      const svc = new ActivePassiveMcpService(stack(testApp()), 'Mcp', { ...props(tier), tierOverrides: { recordTtlSeconds: 4 } });
      expect(svc.budget.totalSeconds).toBe(30);
      expect(svc.budget.withinTarget).toBe(true);
      return;
    }
    const svc = new ActivePassiveMcpService(stack(testApp()), 'Mcp', props(tier));
    expect(svc.budget.withinTarget).toBe(true);
    expect(svc.budget.targetSeconds).toBe(svc.plan.profile.targets.activePassiveRtoSeconds);
  });

  test('multi-region', () => {
    const svc = new MultiRegionMcpStage(testApp(), 'Mcp', { ...props(tier), regions: ['us-east-1', 'eu-west-1'], account: TEST_ACCOUNT });
    expect(svc.budget.withinTarget).toBe(true);
    expect(svc.budget.targetSeconds).toBe(svc.plan.profile.targets.multiRegionRtoSeconds);
  });
});
