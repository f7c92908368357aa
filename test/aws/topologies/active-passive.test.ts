import { App, CfnElement, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { alarmExpression, evaluateMetricMath, stepFor } from '../../support/failover-sim';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { McpFleet } from '../../../lib/aws/fleet';
import {
  ActivePassiveMcpService, ActivePassiveMcpServiceProps, CrossRegionActivePassiveMcpStage, CrossRegionActivePassiveMcpStageProps, StandbyLocation,
} from '../../../lib/aws/topologies/active-passive';
import { McpCertificate, TrafficRouting } from '../../../lib/aws/topologies/common';
import { AvailabilityTier, DnsRecordKind, McpAuthorization, McpServerSource, ScalingSchedule } from '../../../lib/core';
import { TEST_ACCOUNT, testApp } from '../../support/app';

const server = McpServerSource.container('public.ecr.aws/acme/context:1.4');
const domain = { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'mcp' };
const base: ActivePassiveMcpServiceProps = {
  tier: AvailabilityTier.MISSION_CRITICAL,
  server,
  capacity: { baseline: 6 },
  schedule: ScalingSchedule.guidePreset('America/New_York'),
  certificate: McpCertificate.dnsValidated(),
  domain,
  routing: TrafficRouting.dns(),
  authorization: McpAuthorization.oauth({ issuer: 'https://idp.example.com' }),
  // The CALCULATED record check's extra Route 53 hop (5 s, assumed) leaves room for a 4 s TTL within the 30 s target.
  overrides: { recordTtlSeconds: 4 },
};

function sameRegion(overrides: Partial<ActivePassiveMcpServiceProps> = {}) {
  const app = testApp();
  const stack = new Stack(app, 'AP', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
  const svc = new ActivePassiveMcpService(stack, 'Mcp', { ...base, ...overrides });
  return { app, stack, svc };
}

function crossRegion(overrides: Partial<CrossRegionActivePassiveMcpStageProps> = {}, app: App = testApp()) {
  const svc = new CrossRegionActivePassiveMcpStage(app, 'Mcp', {
    ...base, standbyRegion: 'us-west-2', primaryRegion: 'us-east-1', account: TEST_ACCOUNT,
    // Global Accelerator's documented 30 s reroute no longer fits mission-critical's 30 s active-passive target:
    // the cross-region standby is business-critical (60 s).
    tier: AvailabilityTier.BUSINESS_CRITICAL, overrides: undefined,
    routing: TrafficRouting.accelerator(), ...overrides,
  });
  return { app, svc };
}

// GIVEN a mission-critical service with its standby in the other zones of us-east-1, behind Route 53 failover
const same = sameRegion();
const t = Template.fromStack(same.stack);
// GIVEN the same with the standby in us-west-2 behind Global Accelerator
const cross = crossRegion();
const primary = Template.fromStack(cross.svc.primaryStack);
const standby = Template.fromStack(cross.svc.standbyStack);

describe('ActivePassiveMcpService, standby in other zones', () => {
  test('PRIMARY and SECONDARY records, each with a health check combining HTTPS and the MCP probe', () => {
    const records = Object.values(t.findResources('AWS::Route53::RecordSet')).map((r) => r.Properties)
      .filter((r) => r.Name === 'mcp.example.com.');
    expect(records.map((r) => [r.Failover, r.Type, r.TTL]).sort()).toEqual([['PRIMARY', 'CNAME', '4'], ['SECONDARY', 'CNAME', '4']]);
    expect(records.every((r) => r.HealthCheckId)).toBe(true);
    t.resourcePropertiesCountIs('AWS::Route53::HealthCheck', { HealthCheckConfig: Match.objectLike({ Type: 'CALCULATED', HealthThreshold: 2 }) }, 2);
    t.resourcePropertiesCountIs('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', ResourcePath: '/health/ready', RequestInterval: 10, FailureThreshold: 1 }),
    }, 2);
  });

  test('with alias records, each evaluates its load balancer\'s target health', () => {
    const { stack } = sameRegion({ routing: TrafficRouting.dns({ recordKind: DnsRecordKind.ALIAS }), overrides: { enforceBudget: false } });
    const aliases = Object.values(Template.fromStack(stack).findResources('AWS::Route53::RecordSet'))
      .map((r) => r.Properties).filter((r) => r.AliasTarget);
    expect(aliases).toHaveLength(2);
    expect(aliases.every((r) => r.AliasTarget.EvaluateTargetHealth === true)).toBe(true);
  });

  test('primary and standby each span 3 zones of their own', () => {
    const vpc = same.svc.vpc as ec2.Vpc;
    expect(vpc.availabilityZones).toHaveLength(6);
    const zonesOf = (fleet: McpFleet) =>
      same.stack.resolve((fleet.autoScalingGroup.node.defaultChild as unknown as { vpcZoneIdentifier: string[] }).vpcZoneIdentifier);
    const p = zonesOf(same.svc.primary.fleet) as unknown[];
    const s = zonesOf(same.svc.standby.fleet) as unknown[];
    expect(p).toHaveLength(3);
    expect(s).toHaveLength(3);
    expect(JSON.stringify(p)).not.toEqual(JSON.stringify(s));
    const subnetsByZone = (az: string) => vpc.privateSubnets.filter((x) => x.availabilityZone === az).map((x) => same.stack.resolve(x.subnetId));
    expect(JSON.stringify(p)).toEqual(JSON.stringify(['us-east-1a', 'us-east-1b', 'us-east-1c'].flatMap(subnetsByZone)));
    expect(JSON.stringify(s)).toEqual(JSON.stringify(['us-east-1d', 'us-east-1e', 'us-east-1f'].flatMap(subnetsByZone)));
  });

  test('the standby runs warm at half the baseline; when the primary does not serve, a step on the breach side sets it to the primary\'s scheduled minimum', () => {
    expect(same.svc.standbyCapacity).toEqual({ baseline: 6, min: 3, max: undefined });
    // Requirement: whatever value the alarm breaches with, one step covers it (the breach side of the threshold),
    // and the capacity set is the primary schedule's minimum of that moment, read from the primary group.
    const up = same.svc.standbyScaleUp;
    const alarm = t.toJSON().Resources[same.stack.getLogicalId(up.alarm.node.defaultChild as CfnElement)];
    const policy = t.toJSON().Resources[same.stack.getLogicalId(up.action.node.defaultChild as CfnElement)];
    expect(alarm.Properties.AlarmActions).toEqual([{ Ref: same.stack.getLogicalId(up.action.node.defaultChild as CfnElement) }]);
    for (const w of same.svc.scheduledScaling!.capacities) {
      const value = evaluateMetricMath(alarmExpression(alarm), { serving: 0, desired: 3, mn: w.minCapacity });
      expect(stepFor(alarm, policy, value)).toBe(w.minCapacity > 3 ? w.minCapacity : undefined);
    }
    expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
  });

  test('the schedule drives the primary only', () => {
    const actions = Object.values(t.findResources('AWS::AutoScaling::ScheduledAction'));
    const groups = new Set(actions.map((a) => JSON.stringify(a.Properties.AutoScalingGroupName)));
    expect(groups.size).toBe(1);
    expect([...groups][0]).toContain('PrimaryFleet');
  });

  test('one Multi-AZ cache shared by both deployments', () => {
    t.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 1);
    t.resourceCountIs('AWS::ElastiCache::GlobalReplicationGroup', 0);
  });

  test('budget: 30 s = 10 + 6 + 5 + 5 (CALCULATED hop) + 4 within the mission-critical 30 s', () => {
    expect(same.svc.budget.describe()).toBe(
      '30 s = dns-probe-detection 10 s + dns-probe-timeout 6 s + dns-checker-aggregation 5 s + dns-calculated-aggregation 5 s + dns-ttl 4 s (target 30 s)');
  });

  test('snapshot', () => {
    expect(t.toJSON()).toMatchSnapshot();
  });

  test.each<[string, Partial<ActivePassiveMcpServiceProps>, RegExp]>([
    ['an alias record (60 s TTL) for mission-critical', { routing: TrafficRouting.dns({ recordKind: DnsRecordKind.ALIAS }) },
      /routing: got "dns"; allowed: .*now 86 s = .*Largest term: dns-ttl 60 s: use anycast routing \(no DNS step\) or a non-alias record with recordTtlSeconds <= 4/],
    ['the accelerator with the standby in the same region', { routing: TrafficRouting.accelerator() },
      /routing: got "accelerator"; allowed: dns with the standby in the same region: Global Accelerator takes one endpoint group per region/],
    ['a standby percentage of 0', { standbyCapacityPercent: 0 }, /standbyCapacityPercent: got 0; allowed: an integer from 1 to 100/],
    ['an account with the standby in the same region', { account: '1' }, /account: got "1"; allowed: no value with the standby in the same region/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => sameRegion(overrides)).toThrow(message);
  });

  test('a standby in another region is refused, naming the Stage that builds it (StandbyLocation is deprecated)', () => {
    const app = testApp();
    expect(() => new ActivePassiveMcpService(app, 'Mcp', { ...base, standby: StandbyLocation.region('us-west-2') }))
      .toThrow(/standby: got "StandbyLocation\.region\('us-west-2'\)"; allowed: StandbyLocation\.otherZones\(\) or no value: .*new CrossRegionActivePassiveMcpStage\(app, 'Mcp', \{ \.\.\.props, standbyRegion: 'us-west-2' \}\)/);
  });

  test('refuses a VPC with fewer zones than primary and standby need', () => {
    const app = testApp();
    const stack = new Stack(app, 'Small', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
    expect(() => new ActivePassiveMcpService(stack, 'Mcp', base))
      .toThrow(/standby: got "3 zones"; allowed: a VPC spanning at least 6 zones: the mission-critical primary and standby each need 3 zones of their own/);
  });
});

describe('CrossRegionActivePassiveMcpStage (standby in another region)', () => {
  test('a stack per region and a global stack, deployed in order', () => {
    expect(Object.keys(cross.svc.regionStacks)).toEqual(['us-east-1', 'us-west-2']);
    expect([cross.svc.primaryStack.region, cross.svc.standbyStack.region]).toEqual(['us-east-1', 'us-west-2']);
    expect(cross.svc.globalStack!.region).toBe('us-west-2');
    expect(cross.svc.standbyStack.dependencies).toContain(cross.svc.primaryStack);
    expect(cross.svc.globalStack!.dependencies).toEqual(expect.arrayContaining([cross.svc.primaryStack, cross.svc.standbyStack]));
  });

  test('the Stage owns its stacks, named as ActivePassiveMcpService named them (<id>-<region>, <id>-global)', () => {
    expect([cross.svc.primaryStack, cross.svc.standbyStack, cross.svc.globalStack!].map((s) => [s.stackName, s.node.scope])).toEqual([
      ['Mcp-us-east-1', cross.svc], ['Mcp-us-west-2', cross.svc], ['Mcp-global', cross.svc],
    ]);
    expect([cross.svc.primary.region, cross.svc.standby.region]).toEqual(['us-east-1', 'us-west-2']);
    // Nested in a Stage of yours, the names carry its name too, as the stacks beside the old construct did.
    const app = testApp();
    const prod = new CrossRegionActivePassiveMcpStage(new Stage(app, 'Prod'), 'Mcp', {
      ...base, standbyRegion: 'us-west-2', primaryRegion: 'us-east-1', account: TEST_ACCOUNT,
      tier: AvailabilityTier.BUSINESS_CRITICAL, overrides: undefined, routing: TrafficRouting.dns(),
    });
    expect(Object.values(prod.regionStacks).map((s) => s.stackName)).toEqual(['Prod-Mcp-us-east-1', 'Prod-Mcp-us-west-2']);
  });

  test('accelerator endpoint groups with dials 100/0', () => {
    const g = Template.fromStack(cross.svc.globalStack!);
    const groups = Object.values(g.findResources('AWS::GlobalAccelerator::EndpointGroup')).map((x) => x.Properties);
    expect(groups.map((x) => [x.EndpointGroupRegion, x.TrafficDialPercentage])).toEqual([['us-east-1', 100], ['us-west-2', 0]]);
  });

  test('a Global Datastore from the primary, joined by the standby through an id read from SSM', () => {
    primary.hasResourceProperties('AWS::ElastiCache::GlobalReplicationGroup', {
      Members: [Match.objectLike({ Role: 'PRIMARY' })],
    });
    // The standby joins by the id the primary publishes in SSM (read in the standby's region, never a cross-stack export).
    const joined = Object.values(standby.findResources('AWS::ElastiCache::ReplicationGroup'))[0].Properties.GlobalReplicationGroupId;
    expect(JSON.stringify(joined)).toMatch(/globalreplicationgroupid/i);
    for (const tpl of [primary, standby]) expect(JSON.stringify(tpl.toJSON())).not.toContain('Fn::ImportValue');
  });

  test('the standby watches the primary: scales up after 2 failed minutes, promotes the cache after the extended outage', () => {
    // The cross-region copy of the scale-up: the watch probe's failure (2 minutes) takes the standby from its own
    // scheduled share to the primary schedule's minimum of the same window; missing data scales nothing.
    const region = cross.svc.standby;
    const up = region.standbyScaleUp!;
    const sStack = Stack.of(up);
    const alarm = standby.toJSON().Resources[sStack.getLogicalId(up.alarm.node.defaultChild as CfnElement)];
    const policy = standby.toJSON().Resources[sStack.getLogicalId(up.action.node.defaultChild as CfnElement)];
    expect(alarm.Properties).toMatchObject({ EvaluationPeriods: 2, TreatMissingData: 'notBreaching' });
    const sched = region.scheduledScaling!;
    sched.capacities.forEach((w, i) => {
      const value = evaluateMetricMath(alarmExpression(alarm), { serving: 0, desired: w.minCapacity, mn: w.minCapacity, mx: w.maxCapacity });
      const full = sched.scheduleCapacities[i].minCapacity;
      expect(stepFor(alarm, policy, value)).toBe(full > w.minCapacity ? full : undefined);
      expect(w.maxCapacity).toBeGreaterThanOrEqual(full);
    });
    // The promotion trigger (owned by McpCachePromotion) never treats missing data as an outage.
    const trigger = region.cachePromotion!.trigger as import('aws-cdk-lib/aws-cloudwatch').Alarm;
    const triggerCfn = standby.toJSON().Resources[sStack.getLogicalId(trigger.node.defaultChild as CfnElement)];
    expect(triggerCfn.Properties.TreatMissingData).not.toBe('breaching');
    standby.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['CloudWatch Alarm State Change'], detail: { state: { value: ['ALARM'] } } }),
    });
    const fn = Object.values(standby.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.PRIMARY_REGION);
    expect(fn!.Properties.Environment.Variables.PRIMARY_REGION).toBe('us-east-1');
  });

  test('budget: accelerator 43 s within business-critical 60 s; cross-region cache promotion stated apart', () => {
    expect(cross.svc.budget.describe()).toBe('43 s = lb-probe-detection 10 s + lb-probe-timeout 3 s + anycast-reroute 30 s (target 60 s)');
    expect(cross.svc.budget.cacheRecovery?.totalSeconds).toBe(cross.svc.plan.cacheWrite!.writeRecoverySeconds);
    expect(cross.svc.plan.cacheWrite!.model).toBe('single-writer');
  });

  test('DNS failover across regions: each regional stack writes its half of the pair', () => {
    const dns = crossRegion({ routing: TrafficRouting.dns() });
    const roles = ['us-east-1', 'us-west-2'].map((r) => Object.values(Template.fromStack(dns.svc.regionStacks[r])
      .findResources('AWS::Route53::RecordSet')).map((x) => x.Properties).find((x) => x.Name === 'mcp.example.com.')?.Failover);
    expect(roles).toEqual(['PRIMARY', 'SECONDARY']);
  });

  test.each<[string, Partial<CrossRegionActivePassiveMcpStageProps>, RegExp]>([
    ['no domain', { domain: undefined }, /domain: got undefined; allowed: a domain with a standby in another region/],
    ['the standby in the primary\'s region', { standbyRegion: 'us-east-1' }, /standbyRegion: got "us-east-1"; allowed: a region other than the primary's \(us-east-1\)/],
    ['a name for every stack', { stackProps: { stackName: 'One' } }, /stackProps\.stackName: got "One"; allowed: no value: each stack gets its own name/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => crossRegion(overrides)).toThrow(message);
  });

  test('refuses a log key: KMS keys are regional, each regional stack creates its own', () => {
    const app = testApp();
    const s = new Stack(app, 'Keys', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    const key = kms.Key.fromKeyArn(s, 'K', `arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
    // Not a prop of the Stage (TypeScript refuses it); a JavaScript caller moving from ActivePassiveMcpService is told why.
    // @ts-expect-error logEncryptionKey is not a prop of CrossRegionActivePassiveMcpStage
    expect(() => crossRegion({ logEncryptionKey: key }, app)).toThrow(/logEncryptionKey: got "a KMS key"; allowed: no value with a standby in another region: KMS keys are regional/);
  });

  test('refuses a single certificate for two regions', () => {
    const app = testApp();
    const s = new Stack(app, 'Certs', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    const cert = McpCertificate.fromCertificate(acm.Certificate.fromCertificateArn(s, 'C', 'arn:aws:acm:us-east-1:111111111111:certificate/x'));
    expect(() => crossRegion({ certificate: cert }, app)).toThrow(/certificate: got "McpCertificate\.fromCertificate\(\.\.\.\)"; allowed: a certificate source that serves every region/);
  });

  test('mission-critical cross-region active-passive behind the accelerator is refused: the documented 30 s reroute leaves no room', () => {
    expect(() => crossRegion({ tier: AvailabilityTier.MISSION_CRITICAL }))
      .toThrow(/routing: got "anycast"; allowed: a configuration whose active-passive failover budget is at most the mission-critical target of 30 s; now 42 s = .*anycast-reroute 30 s.*Largest term: anycast-reroute 30 s: the accelerator's documented 30 s alone leaves no room: raise the target \(targets\.activePassiveRtoSeconds\) or choose a lower tier; the load balancer's detection takes 12 s and 0 s are left, so the target must be at least 42 s/);
  });

  test('an unknown standby region is refused with the documented list', () => {
    expect(() => crossRegion({ standbyRegion: 'eu-westt-1' }))
      .toThrow(/standbyRegion: got "eu-westt-1"; allowed: an AWS region name such as "us-east-1"/);
  });
});
