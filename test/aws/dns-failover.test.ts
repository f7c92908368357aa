import { testApp } from '../support/app';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  DnsFailoverRole, DnsRoutingPolicy, McpDnsFailover, McpDnsFailoverProps, Route53HealthCheckAlarms,
} from '../../lib/aws/dns-failover';
import { DnsRecordKind } from '../../lib/core/failover-budget';
import { AvailabilityTier } from '../../lib/core/tiers';

const env = { account: '111111111111', region: 'us-east-1' };

function alb(stack: Stack, id: string, region: string, dns: string): elbv2.IApplicationLoadBalancer {
  return elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, id, {
    loadBalancerArn: `arn:aws:elasticloadbalancing:${region}:111111111111:loadbalancer/app/${id}/0123456789abcdef`,
    securityGroupId: 'sg-12345678',
    loadBalancerDnsName: dns,
    loadBalancerCanonicalHostedZoneId: 'Z35SXDOTRQ7X7K',
  });
}
function zone(stack: Stack): route53.IHostedZone {
  const existing = stack.node.tryFindChild('Zone') as route53.IHostedZone | undefined;
  return existing ?? route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' });
}

// GIVEN the default configuration: FAILOVER, CNAME, business-critical (shared, built once)
const app = testApp();
const defaultStack = new Stack(app, 'Test', { env });
const defaultDns = new McpDnsFailover(defaultStack, 'Dns', {
  hostedZone: zone(defaultStack),
  recordName: 'mcp',
  endpoints: {
    Blue: { loadBalancer: alb(defaultStack, 'BlueAlb', 'us-east-1', 'blue-123.us-east-1.elb.amazonaws.com'), role: DnsFailoverRole.PRIMARY },
    Green: { loadBalancer: alb(defaultStack, 'GreenAlb', 'us-east-1', 'green-456.us-east-1.elb.amazonaws.com'), role: DnsFailoverRole.SECONDARY },
  },
});
const defaultTemplate = Template.fromStack(defaultStack);

// GIVEN overrides: LATENCY aliases with MCP probe alarms, WEIGHTED CNAMEs with custom checks, status alarms
const overrideStack = new Stack(testApp(), 'Overrides', { env });
const probeMetric = new cloudwatch.Metric({ namespace: 'Mcp', metricName: 'ProbeFailures', period: Duration.minutes(1), statistic: 'Sum' });
const probeAlarm = probeMetric.createAlarm(overrideStack, 'ProbeAlarm', { threshold: 1, evaluationPeriods: 1 });
const euAlarm = cloudwatch.Alarm.fromAlarmArn(overrideStack, 'EuAlarm', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:mcp-probe-eu');
const latency = new McpDnsFailover(overrideStack, 'Latency', {
  hostedZone: zone(overrideStack),
  recordName: 'example.com',
  routingPolicy: DnsRoutingPolicy.LATENCY,
  recordKind: DnsRecordKind.ALIAS,
  tier: AvailabilityTier.MISSION_CRITICAL,
  mcpProbeAlarm: probeAlarm,
  endpoints: {
    Us: { loadBalancer: alb(overrideStack, 'UsAlb', 'us-east-1', 'us-1.us-east-1.elb.amazonaws.com') },
    Eu: {
      loadBalancer: alb(overrideStack, 'EuAlb', 'eu-west-1', 'eu-1.eu-west-1.elb.amazonaws.com'),
      region: 'eu-west-1',
      healthCheckFqdn: 'eu.mcp.example.com',
      mcpProbeAlarm: euAlarm,
    },
  },
});
const weighted = new McpDnsFailover(overrideStack, 'Weighted', {
  hostedZone: zone(overrideStack),
  recordName: 'api',
  routingPolicy: DnsRoutingPolicy.WEIGHTED,
  healthCheckPath: '/healthz',
  dnsHealthCheck: { requestIntervalSeconds: 30, failureThreshold: 5, measureLatency: true },
  recordTtlSeconds: 30,
  endpoints: {
    A: { loadBalancer: alb(overrideStack, 'AAlb', 'us-east-1', 'a.us-east-1.elb.amazonaws.com'), weight: 200 },
    B: { loadBalancer: alb(overrideStack, 'BAlb', 'us-east-1', 'b.us-east-1.elb.amazonaws.com') },
  },
});
const statusAlarms = latency.healthCheckAlarms(overrideStack, 'HealthCheckAlarms', { evaluationPeriods: 2 });
const overrideTemplate = Template.fromStack(overrideStack);

// Bad inputs are built (never synthesized) in one stack.
const errorStack = new Stack(testApp(), 'Errors', { env });
const lbA = alb(errorStack, 'A', 'us-east-1', 'a.elb.amazonaws.com');
const lbB = alb(errorStack, 'B', 'us-east-1', 'b.elb.amazonaws.com');
let errorId = 0;
function build(props: Partial<McpDnsFailoverProps>): () => McpDnsFailover {
  return () => new McpDnsFailover(errorStack, `Bad${errorId++}`, {
    hostedZone: zone(errorStack),
    recordName: 'mcp',
    endpoints: {
      A: { loadBalancer: lbA, role: DnsFailoverRole.PRIMARY },
      B: { loadBalancer: lbB, role: DnsFailoverRole.SECONDARY },
    },
    ...props,
  });
}

describe('McpDnsFailover defaults', () => {
  test('snapshot of the default configuration', () => {
    // THEN
    expect(defaultTemplate.toJSON()).toMatchSnapshot();
  });

  test('HTTPS health checks on 443, readiness path, SNI, tier interval and threshold', () => {
    // THEN: business-critical probes every 10 s and fails after 2
    defaultTemplate.resourceCountIs('AWS::Route53::HealthCheck', 2);
    defaultTemplate.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'HTTPS',
        FullyQualifiedDomainName: 'blue-123.us-east-1.elb.amazonaws.com',
        Port: 443,
        ResourcePath: '/health/ready',
        EnableSNI: true,
        RequestInterval: 10,
        FailureThreshold: 2,
        MeasureLatency: false,
      },
    });
  });

  test('one PRIMARY and one SECONDARY CNAME with the tier TTL and their health checks', () => {
    // THEN
    for (const [name, role] of [['Blue', 'PRIMARY'], ['Green', 'SECONDARY']]) {
      defaultTemplate.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'mcp.example.com.',
        Type: 'CNAME',
        TTL: '15',
        Failover: role,
        SetIdentifier: name,
        HealthCheckId: { Ref: Match.stringLikeRegexp(`^Dns${name}HealthCheck`) },
      });
    }
  });

  test('returns the DNS routing it rendered, for the budget', () => {
    // THEN
    expect(defaultDns.dnsRouting).toEqual({
      healthCheck: { requestIntervalSeconds: 10, failureThreshold: 2, measureLatency: false },
      recordKind: DnsRecordKind.CNAME,
      ttlSeconds: 15,
    });
    expect(Object.keys(defaultDns.healthChecks)).toEqual(['Blue', 'Green']);
    expect(Object.keys(defaultDns.records)).toEqual(['Blue', 'Green']);
    expect(defaultDns.calculatedHealthChecks).toEqual({});
  });

  test('cdk-nag AwsSolutions: no unacknowledged findings', () => {
    // WHEN
    const report = new AwsSolutionsChecks(app).validateScope(defaultDns);
    // THEN
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });
});

describe('McpDnsFailover overrides', () => {
  test('LATENCY aliases at the apex evaluate target health and carry the region', () => {
    // THEN
    overrideTemplate.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'example.com.',
      Type: 'A',
      Region: 'us-east-1',
      SetIdentifier: 'Us',
      AliasTarget: { EvaluateTargetHealth: true, DNSName: 'dualstack.us-1.us-east-1.elb.amazonaws.com' },
      TTL: Match.absent(),
    });
    overrideTemplate.hasResourceProperties('AWS::Route53::RecordSet', { Region: 'eu-west-1', SetIdentifier: 'Eu' });
    expect(latency.dnsRouting).toEqual({
      healthCheck: { requestIntervalSeconds: 10, failureThreshold: 1, measureLatency: true },
      recordKind: DnsRecordKind.ALIAS,
      ttlSeconds: 60,
      // The records carry CALCULATED checks (HTTPS AND the MCP probe alarm): the budget adds Route 53's extra hop.
      calculatedHealthCheck: true,
    });
  });

  test('an MCP probe alarm adds an alarm check and a calculated check that needs both', () => {
    // THEN
    overrideTemplate.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Name: { Ref: Match.stringLikeRegexp('^ProbeAlarm') }, Region: 'us-east-1' },
        InsufficientDataHealthStatus: 'LastKnownStatus',
      },
    });
    overrideTemplate.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: 'mcp-probe-eu', Region: 'eu-west-1' } },
    });
    overrideTemplate.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'CALCULATED',
        HealthThreshold: 2,
        ChildHealthChecks: [
          { Ref: Match.stringLikeRegexp('^LatencyUsHealthCheck') },
          { Ref: Match.stringLikeRegexp('^LatencyUsAlarmHealthCheck') },
        ],
      },
    });
    overrideTemplate.hasResourceProperties('AWS::Route53::RecordSet', {
      SetIdentifier: 'Us',
      HealthCheckId: { Ref: Match.stringLikeRegexp('^LatencyUsCalculatedHealthCheck') },
    });
    expect(Object.keys(latency.calculatedHealthChecks)).toEqual(['Us', 'Eu']);
  });

  test('mission-critical checks every 10 s, fail after 1, measure latency; per-endpoint FQDN', () => {
    // THEN
    overrideTemplate.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTPS', FullyQualifiedDomainName: 'eu.mcp.example.com', RequestInterval: 10, FailureThreshold: 1, MeasureLatency: true,
      }),
    });
  });

  test('WEIGHTED CNAMEs: weights (default 1), TTL, path and check overrides', () => {
    // THEN
    overrideTemplate.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', SetIdentifier: 'A', Weight: 200, TTL: '30', Type: 'CNAME' });
    overrideTemplate.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'api.example.com.', SetIdentifier: 'B', Weight: 1 });
    overrideTemplate.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ FullyQualifiedDomainName: 'a.us-east-1.elb.amazonaws.com', ResourcePath: '/healthz', RequestInterval: 30, FailureThreshold: 5, MeasureLatency: true }),
    });
    expect(weighted.dnsRouting.ttlSeconds).toBe(30);
  });

  test('health-check status alarms in us-east-1 watch the checks attached to the records', () => {
    // THEN
    expect(Object.keys(statusAlarms.alarms)).toEqual(['Us', 'Eu']);
    overrideTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Route53',
      MetricName: 'HealthCheckStatus',
      Dimensions: [{ Name: 'HealthCheckId', Value: { Ref: Match.stringLikeRegexp('^LatencyUsCalculatedHealthCheck') } }],
      Statistic: 'Minimum',
      Period: 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
    });
  });

  test('status alarms in an environment-agnostic stack warn about the region', () => {
    // GIVEN
    const stack = new Stack(testApp(), 'Agnostic');
    // WHEN
    new Route53HealthCheckAlarms(stack, 'Alarms', { healthChecks: { A: route53.HealthCheck.fromHealthCheckId(stack, 'Hc', 'abc') } });
    // THEN
    Annotations.fromStack(stack).hasWarning('/Agnostic/Alarms', Match.stringLikeRegexp('only in us-east-1'));
  });
});

describe('McpDnsFailover bad input', () => {
  test('a request interval Route 53 does not offer', () => {
    expect(build({ dnsHealthCheck: { requestIntervalSeconds: 5 } }))
      .toThrow(/dnsHealthCheck.requestIntervalSeconds: got 5; allowed: 10 or 30 \(Route 53 health check/);
  });

  test('a timeout Route 53 fixes', () => {
    expect(build({ dnsHealthCheck: { timeoutSeconds: 3 } }))
      .toThrow(/dnsHealthCheck.timeoutSeconds: got 3; allowed: no value: Route 53 health check fixes its timeout \(6 s\)/);
  });

  test('failure threshold above 10', () => {
    expect(build({ dnsHealthCheck: { failureThreshold: 11 } })).toThrow(/dnsHealthCheck.failureThreshold: got 11; allowed: an integer from 1 to 10/);
  });

  test('FAILOVER needs exactly one PRIMARY and one SECONDARY', () => {
    expect(build({ endpoints: { A: { loadBalancer: lbA, role: DnsFailoverRole.PRIMARY }, B: { loadBalancer: lbB, role: DnsFailoverRole.PRIMARY } } }))
      .toThrow(/endpoints: got \{"A":"primary","B":"primary"\}; allowed: exactly one primary and one secondary endpoint/);
    expect(build({ endpoints: { A: { loadBalancer: lbA } } }))
      .toThrow(/endpoints.A.role: got undefined; allowed: primary or secondary with routingPolicy failover/);
  });

  test('weights out of range, and settings of another policy', () => {
    expect(build({ routingPolicy: DnsRoutingPolicy.WEIGHTED, endpoints: { A: { loadBalancer: lbA, weight: 256 } } }))
      .toThrow(/endpoints.A.weight: got 256; allowed: an integer from 0 to 255/);
    expect(build({ routingPolicy: DnsRoutingPolicy.WEIGHTED, endpoints: { A: { loadBalancer: lbA, role: DnsFailoverRole.PRIMARY, region: 'us-east-1' } } }))
      .toThrow(/endpoints.A.role: got "primary"; allowed: no value: roles apply to routingPolicy failover only\n {2}- endpoints.A.region: got "us-east-1"; allowed: no value: regions apply to routingPolicy latency only/);
  });

  test('latency endpoints need a valid region', () => {
    expect(build({ routingPolicy: DnsRoutingPolicy.LATENCY, endpoints: { A: { loadBalancer: lbA, region: 'Europe' } } }))
      .toThrow(/endpoints.A.region: got "Europe"; allowed: an AWS region name/);
  });

  test('a CNAME at the zone apex, and a TTL on an alias', () => {
    expect(build({ recordName: 'example.com' }))
      .toThrow(/recordName: got "example.com"; allowed: a name below the zone apex with recordKind cname/);
    expect(build({ recordKind: DnsRecordKind.ALIAS, recordTtlSeconds: 5 }))
      .toThrow(/recordTtlSeconds: got 5; allowed: no value with recordKind alias: an alias to a load balancer takes its 60 s TTL/);
  });

  test('MCP probe alarms on high-resolution metrics or percentiles', () => {
    const fast = new cloudwatch.Metric({ namespace: 'Mcp', metricName: 'Probe', period: Duration.seconds(10), statistic: 'p99' })
      .createAlarm(errorStack, 'FastAlarm', { threshold: 1, evaluationPeriods: 1 });
    expect(build({ mcpProbeAlarm: fast }))
      .toThrow(/mcpProbeAlarm.period: got 10; allowed: at least 60 seconds: Route 53 alarm-based health checks support standard-resolution metrics only.*\n {2}- mcpProbeAlarm.statistic: got "p99"; allowed: one of Average, Minimum, Maximum, Sum, SampleCount/);
  });

  test('endpoint names that cannot be construct IDs', () => {
    expect(build({ routingPolicy: DnsRoutingPolicy.WEIGHTED, endpoints: { 'eu west': { loadBalancer: lbA } } }))
      .toThrow(/endpoints: got "eu west"; allowed: names of 1-64 letters, digits and hyphens/);
  });

  test('status alarms outside us-east-1 are refused with the reason', () => {
    const stack = new Stack(testApp(), 'Eu', { env: { account: '111111111111', region: 'eu-west-1' } });
    expect(() => new Route53HealthCheckAlarms(stack, 'Alarms', { healthChecks: { A: route53.HealthCheck.fromHealthCheckId(stack, 'Hc', 'abc') } }))
      .toThrow(/region: got "eu-west-1"; allowed: us-east-1 \(the stack's region\): Route 53 publishes health-check metrics only in US East/);
  });
});

describe('McpDnsFailover with the pair split across stacks', () => {
  // GIVEN one stack per region WHEN each writes its half of the failover pair THEN each holds one record with its role
  test('each regional stack writes one half of the pair', () => {
    const app = testApp();
    const stacks = (['us-east-1', 'eu-west-1'] as const).map((region, i) => {
      const stack = new Stack(app, `R${i}`, { env: { account: '111111111111', region } });
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
      const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
      const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
      new McpDnsFailover(stack, 'Dns', {
        hostedZone: zone, recordName: 'mcp', pairedElsewhere: true,
        endpoints: { [region]: { loadBalancer: alb, role: i === 0 ? DnsFailoverRole.PRIMARY : DnsFailoverRole.SECONDARY } },
      });
      return stack;
    });
    const records = stacks.map((stack) => Object.values(Template.fromStack(stack).findResources('AWS::Route53::RecordSet'))[0].Properties);
    expect(records.map((r) => [r.Failover, r.SetIdentifier, r.HostedZoneId])).toEqual([['PRIMARY', 'us-east-1', 'Z123'], ['SECONDARY', 'eu-west-1', 'Z123']]);
  });

  test('refuses two endpoints when the pair is split', () => {
    const stack = new Stack(testApp(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const a = new elbv2.ApplicationLoadBalancer(stack, 'A', { vpc });
    const b = new elbv2.ApplicationLoadBalancer(stack, 'B', { vpc });
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' });
    expect(() => new McpDnsFailover(stack, 'Dns', {
      hostedZone: zone, recordName: 'mcp', pairedElsewhere: true,
      endpoints: { a: { loadBalancer: a, role: DnsFailoverRole.PRIMARY }, b: { loadBalancer: b, role: DnsFailoverRole.SECONDARY } },
    })).toThrow(/endpoints: got \["a","b"\]; allowed: exactly one endpoint with pairedElsewhere/);
  });
});
