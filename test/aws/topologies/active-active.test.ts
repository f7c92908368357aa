import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ActiveActiveMcpService, ActiveActiveMcpServiceProps } from '../../../lib/aws/topologies/active-active';
import { McpCertificate, TrafficRouting } from '../../../lib/aws/topologies/common';
import { AvailabilityTier, McpAuthorization, McpServerSource, ScalingSchedule } from '../../../lib/core';
import { SUMMARY_KEY } from '../../../lib/core/summary';
import { TEST_ACCOUNT, testApp } from '../../support/app';
import { CfnModel, fleets } from '../../support/semantic';

const server = McpServerSource.container('public.ecr.aws/acme/context:1.4');
const domain = { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'mcp' };
const certArn = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';

function build(
  overrides: Partial<ActiveActiveMcpServiceProps> = {}, region = 'us-east-1',
  inStack: (stack: Stack) => Partial<ActiveActiveMcpServiceProps> = () => ({}),
) {
  const app = testApp();
  const stack = new Stack(app, 'AA', { env: { account: TEST_ACCOUNT, region } });
  const svc = new ActiveActiveMcpService(stack, 'Mcp', {
    tier: AvailabilityTier.MISSION_CRITICAL,
    server,
    capacity: { baseline: 6 },
    schedule: ScalingSchedule.guidePreset('America/New_York', { holidays: [{ month: 12, day: 25 }] }),
    certificate: McpCertificate.fromCertificate(acm.Certificate.fromCertificateArn(stack, 'Cert', certArn)),
    domain,
    routing: TrafficRouting.dns(),
    authorization: McpAuthorization.oauth({ issuer: 'https://idp.example.com' }),
    ...overrides,
    ...inStack(stack),
  });
  return { app, stack, svc };
}

// GIVEN a mission-critical active-active service with DNS, a schedule and a cache (built once for the file)
const dnsCase = build();
const t = Template.fromStack(dnsCase.stack);
// GIVEN the same with accelerator routing in us-east-1 (the accelerator goes to a us-west-2 stack)
const gaCase = build({ routing: TrafficRouting.accelerator() });
const ga = Template.fromStack(gaCase.svc.acceleratorStack!);
const gaRegional = Template.fromStack(gaCase.stack);

describe('ActiveActiveMcpService', () => {
  test('one load balancer and one fleet spread across the tier\'s 3 zones', () => {
    const lb = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
    expect(lb).toHaveLength(1);
    expect(lb[0].Properties.Subnets).toHaveLength(3);
    const asg = Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup'));
    expect(asg).toHaveLength(1);
    expect(asg[0].Properties.VPCZoneIdentifier).toHaveLength(3);
    expect(asg[0].Properties.DesiredCapacity).toBeUndefined();
    expect([asg[0].Properties.MinSize, asg[0].Properties.MaxSize]).toEqual(['6', '12']);
  });

  test('the target group probes the tier\'s readiness path at the ALB floor', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/health/ready', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    });
  });

  test('the shared cache is Multi-AZ with automatic failover, and the servers get its address and token', () => {
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { MultiAZEnabled: true, AutomaticFailoverEnabled: true });
    const lt = JSON.stringify(Object.values(t.findResources('AWS::EC2::LaunchTemplate'))[0].Properties.LaunchTemplateData.UserData);
    // The servers write: REDIS_URL is the replication group's primary endpoint over TLS, never its reader endpoint.
    const rg = dnsCase.svc.cache!.replicationGroup;
    const env = fleets(new CfnModel('AA', t.toJSON(), 'us-east-1'))[0].env;
    expect(env.REDIS_URL).toMatch(new RegExp(`^rediss://\\$\\{${dnsCase.stack.getLogicalId(rg)}\\.PrimaryEndPoint\\.Address\\}:\\d+$`));
    expect(lt).not.toContain('ReaderEndPoint');
    expect(lt).toContain('REDIS_AUTH_TOKEN=\\"$(aws secretsmanager get-secret-value');
  });

  test('scheduled actions follow the guide\'s week in the schedule\'s time zone', () => {
    const actions = Object.values(t.findResources('AWS::AutoScaling::ScheduledAction')).map((a) => a.Properties);
    expect(actions.map((a) => [a.Recurrence, a.MinSize, a.MaxSize]).sort()).toEqual([
      ['0 0 25 12 *', 3, 4], ['0 19 * * 1-4', 5, 6], ['0 19 * * 5', 4, 5], ['0 7 * * 1-5', 9, 12],
    ].sort());
    expect(actions.every((a) => a.TimeZone === 'America/New_York' && a.StartTime === undefined && a.DesiredCapacity === undefined)).toBe(true);
  });

  test('a CNAME with the tier TTL points at the load balancer, and the MCP probe calls the service name', () => {
    const lb = dnsCase.svc.deployment.loadBalancer.loadBalancer;
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'mcp.example.com.', Type: 'CNAME', TTL: '5', HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      ResourceRecords: [{ 'Fn::GetAtt': [dnsCase.stack.getLogicalId(lb.node.defaultChild as CfnElement), 'DNSName'] }],
    });
    // The probe function speaks MCP to the published service name on the server's MCP path (not a health path).
    const probe = dnsCase.svc.probe!.function;
    const vars = t.findResources('AWS::Lambda::Function')[dnsCase.stack.getLogicalId(probe.node.defaultChild as CfnElement)]
      .Properties.Environment.Variables;
    expect(vars.MCP_PROBE_URL).toBe(`https://mcp.example.com${server.mcpPath}`);
    expect([server.readinessPath, server.livenessPath]).not.toContain(server.mcpPath);
  });

  test('failover budget: the load balancer drops an instance within the mission-critical 12 s', () => {
    expect(dnsCase.svc.budget.describe()).toBe('12 s = lb-probe-detection 10 s + lb-probe-timeout 2 s (target 12 s)');
    expect(dnsCase.svc.budget.withinTarget).toBe(true);
    expect(dnsCase.svc.budget.cacheRecovery?.totalSeconds).toBe(30);
  });

  test('the stack carries its summary, computed from what it rendered', () => {
    expect(t.toJSON().Metadata[SUMMARY_KEY]['AA/Mcp']).toEqual({
      cloud: 'aws', topology: 'active-active', tier: 'mission-critical', zones: 3, minInstances: 6, maxInstances: 12,
      budgetSeconds: 12, targetSeconds: 12, largestTerm: 'lb-probe-detection', weeklyInstanceHours: 1020, flatPeakInstanceHours: 2016,
      // One cache in one region: the writer recovers by the in-region automatic failover.
      cacheWriteModel: 'single-region', writeRecoverySeconds: dnsCase.svc.budget.cacheRecovery!.totalSeconds, regionWriteModes: { 'us-east-1': 'local' },
      // Who may call: the issuer's host (docs/SECURITY.md).
      authorization: 'idp.example.com',
    });
  });

  test('accelerator routing: an accelerator in us-west-2 reads the load balancer ARN from SSM, no cross-stack export', () => {
    expect(gaCase.svc.acceleratorStack!.region).toBe('us-west-2');
    const groups = Object.values(ga.findResources('AWS::GlobalAccelerator::EndpointGroup')).map((g) => g.Properties);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ EndpointGroupRegion: 'us-east-1', TrafficDialPercentage: 100 });
    // The endpoint is the value published under the load balancer ARN's SSM name, read in us-west-2.
    expect(JSON.stringify(groups[0].EndpointConfigurations[0].EndpointId)).toMatch(/loadbalancerarn/i);
    gaRegional.hasResourceProperties('AWS::SSM::Parameter', { Name: '/mcp-ha/AA/Mcp/load-balancer-arn' });
    expect(JSON.stringify(ga.toJSON())).not.toContain('Fn::ImportValue');
    expect(gaCase.svc.acceleratorStack!.dependencies).toContain(gaCase.stack);
    ga.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'mcp.example.com.', Type: 'CNAME' });
  });

  test('the same service in us-west-2 keeps the accelerator in its own stack', () => {
    const west = build({ routing: TrafficRouting.accelerator(), certificate: McpCertificate.dnsValidated() }, 'us-west-2');
    expect(west.svc.acceleratorStack).toBe(west.stack);
    Template.fromStack(west.stack).resourceCountIs('AWS::GlobalAccelerator::Accelerator', 1);
  });

  test('one rotating log key encrypts every log group the service creates; a key of the user\'s replaces it', () => {
    const key = dnsCase.svc.logEncryptionKey;
    const keyArn = dnsCase.stack.resolve(key.keyArn);
    const groups = Object.values(t.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBe(4); // VPC flow logs, cache slow and engine logs, the MCP probe
    for (const g of groups) expect(g.Properties.KmsKeyId).toEqual(keyArn);
    t.resourceCountIs('AWS::KMS::Key', 3); // logs, the cache's AUTH token secret, the alarm topic
    const own = build({}, 'us-east-1', (stack) => ({
      logEncryptionKey: kms.Key.fromKeyArn(stack, 'Own', `arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/11111111-2222-3333-4444-555555555555`),
    }));
    const ownT = Template.fromStack(own.stack);
    ownT.resourceCountIs('AWS::KMS::Key', 2);
    for (const g of Object.values(ownT.findResources('AWS::Logs::LogGroup'))) {
      expect(g.Properties.KmsKeyId).toBe(`arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
    }
  });

  test('snapshot', () => {
    expect(t.toJSON()).toMatchSnapshot();
  });

  test.each<[string, Partial<ActiveActiveMcpServiceProps>, RegExp]>([
    ['DNS routing without a domain', { domain: undefined }, /routing: got "dns"; allowed: a domain \(props\.domain\)/],
    ['a hosted zone id that is not one', { domain: { ...domain, hostedZoneId: 'example' } }, /domain\.hostedZoneId: got "example"; allowed: a Route 53 hosted zone id/],
    ['a probe that cannot meet mission-critical', { overrides: { healthCheck: { intervalSeconds: 10, timeoutSeconds: 5 } } },
      /routing: got "dns"; allowed: a configuration whose active-active failover budget is at most the mission-critical target of 12 s; now 25 s .*Largest term: lb-probe-detection 20 s: lower healthCheck\.intervalSeconds/],
    ['a zero baseline', { capacity: { baseline: 0 } }, /capacity\.baseline: got 0; allowed: an integer from 1 to 10000/],
    ['a DNS-validated certificate without a domain', { domain: undefined, routing: TrafficRouting.loadBalancer(), certificate: McpCertificate.dnsValidated() },
      /certificate: got "McpCertificate\.dnsValidated\(\)"; allowed: a domain/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test('opting out of enforcement builds the slower configuration and warns', () => {
    const { svc } = build({ overrides: { healthCheck: { intervalSeconds: 10, timeoutSeconds: 5 }, enforceBudget: false } });
    expect(svc.budget.totalSeconds).toBe(25);
    expect(svc.plan.warnings[0]).toMatch(/failover budget over target/);
  });

  describe('the zone apex', () => {
    test('accelerator routing at the apex renders an alias A record to the accelerator, never a CNAME', () => {
      const apex = build({ routing: TrafficRouting.accelerator(), domain: { ...domain, recordName: '' } });
      const records = Object.values(Template.fromStack(apex.svc.acceleratorStack!).findResources('AWS::Route53::RecordSet')).map((r) => r.Properties);
      expect(records.map((r) => [r.Name, r.Type])).toEqual([['example.com.', 'A']]);
      expect(records[0].AliasTarget.HostedZoneId).toBe('Z2BJ6XQ5FK7U4H');
    });

    test('a CNAME at the apex is refused at synth', () => {
      expect(() => build({ routing: TrafficRouting.dns(), domain: { ...domain, recordName: '' } }))
        .toThrow(/domain\.recordName: got ""; allowed: a name below the zone apex, or routing TrafficRouting\.dns\(\{ recordKind: DnsRecordKind\.ALIAS \}\) or accelerator routing: DNS forbids a CNAME at the zone apex/);
    });

    test('an unknown region is refused with the documented list', () => {
      expect(() => build({}, 'eu-westt-1'))
        .toThrow(/scope: got "eu-westt-1"; allowed: an AWS region name such as "us-east-1" or "eu-west-1" \(the list: https:\/\/docs\.aws\.amazon\.com/);
    });
  });
});
