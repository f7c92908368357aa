import { testApp } from '../support/app';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  AcceleratorClientAffinity, AcceleratorMode, McpAccelerator, McpAcceleratorProps,
} from '../../lib/aws/accelerator';
import { RoutingMechanism } from '../../lib/core/tiers';

const env = { account: '111111111111', region: 'us-west-2' };
const arn = (region: string, name: string): string =>
  `arn:aws:elasticloadbalancing:${region}:111111111111:loadbalancer/app/${name}/0123456789abcdef`;

// GIVEN the default configuration: two regions by ARN, active-active (shared, built once)
const app = testApp();
const defaultStack = new Stack(app, 'Test', { env });
const defaultAccelerator = new McpAccelerator(defaultStack, 'Accelerator', {
  endpointGroups: {
    UsEast: { region: 'us-east-1', loadBalancer: arn('us-east-1', 'mcp') },
    EuWest: { region: 'eu-west-1', loadBalancer: arn('eu-west-1', 'mcp') },
  },
});
const defaultTemplate = Template.fromStack(defaultStack);

// GIVEN overrides: active-passive, an ALB object, a token ARN, explicit dial, source-IP affinity, port 80
const overrideStack = new Stack(testApp(), 'Overrides', { env });
const localAlb = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(overrideStack, 'Alb', {
  loadBalancerArn: arn('us-west-2', 'local'),
  securityGroupId: 'sg-12345678',
});
const ssmArn = ssm.StringParameter.valueForStringParameter(overrideStack, '/mcp/eu-west-1/alb-arn');
const passive = new McpAccelerator(overrideStack, 'Accelerator', {
  mode: AcceleratorMode.ACTIVE_PASSIVE,
  clientAffinity: AcceleratorClientAffinity.SOURCE_IP,
  listenHttp: true,
  acceleratorName: 'mcp-global',
  endpointGroups: {
    Oregon: { region: 'us-west-2', loadBalancer: localAlb },
    Ireland: { region: 'eu-west-1', loadBalancer: ssmArn },
    Virginia: { region: 'us-east-1', loadBalancer: arn('us-east-1', 'mcp'), trafficDialPercentage: 20 },
  },
});
const overrideTemplate = Template.fromStack(overrideStack);

// Bad inputs are built (never synthesized) in one stack.
const errorStack = new Stack(testApp(), 'Errors', { env });
let errorId = 0;
function build(props: Partial<McpAcceleratorProps>): () => McpAccelerator {
  return () => new McpAccelerator(errorStack, `Bad${errorId++}`, {
    endpointGroups: { A: { region: 'us-east-1', loadBalancer: arn('us-east-1', 'a') } },
    ...props,
  });
}

describe('McpAccelerator defaults', () => {
  test('snapshot of the default configuration', () => {
    // THEN
    expect(defaultTemplate.toJSON()).toMatchSnapshot();
  });

  test('one TCP 443 listener without client affinity', () => {
    // THEN
    defaultTemplate.resourceCountIs('AWS::GlobalAccelerator::Accelerator', 1);
    defaultTemplate.hasResourceProperties('AWS::GlobalAccelerator::Listener', {
      Protocol: 'TCP',
      PortRanges: [{ FromPort: 443, ToPort: 443 }],
      ClientAffinity: 'NONE',
    });
  });

  test('active-active: every group at 100 %, client IP preserved, no health-check settings', () => {
    // THEN
    for (const region of ['us-east-1', 'eu-west-1']) {
      defaultTemplate.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
        EndpointGroupRegion: region,
        TrafficDialPercentage: 100,
        EndpointConfigurations: [{ EndpointId: arn(region, 'mcp'), ClientIPPreservationEnabled: true }],
        HealthCheckIntervalSeconds: Match.absent(),
        HealthCheckPath: Match.absent(),
        HealthCheckPort: Match.absent(),
        HealthCheckProtocol: Match.absent(),
        ThresholdCount: Match.absent(),
      });
    }
  });

  test('exposes the parts, the DNS name and anycast routing for the budget', () => {
    // THEN
    expect(Object.keys(defaultAccelerator.endpointGroups)).toEqual(['UsEast', 'EuWest']);
    expect(defaultAccelerator.trafficDials).toEqual({ UsEast: 100, EuWest: 100 });
    expect(defaultStack.resolve(defaultAccelerator.dnsName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Accelerator/), 'DnsName'] });
    expect(defaultAccelerator.routing).toBe(RoutingMechanism.ANYCAST);
  });

  test('cdk-nag AwsSolutions: no unacknowledged findings', () => {
    // WHEN
    const report = new AwsSolutionsChecks(app).validateScope(defaultAccelerator);
    // THEN
    expect(report.violations).toEqual([]);
  });
});

describe('McpAccelerator overrides', () => {
  test('active-passive: first group 100 %, others 0 % unless a dial is given', () => {
    // THEN
    expect(passive.trafficDials).toEqual({ Oregon: 100, Ireland: 0, Virginia: 20 });
    overrideTemplate.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
      EndpointGroupRegion: 'us-west-2', TrafficDialPercentage: 100,
      EndpointConfigurations: [{ EndpointId: arn('us-west-2', 'local'), ClientIPPreservationEnabled: true }],
    });
    overrideTemplate.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', {
      EndpointGroupRegion: 'eu-west-1', TrafficDialPercentage: 0,
      EndpointConfigurations: [{ EndpointId: { Ref: Match.stringLikeRegexp('^SsmParameterValue') }, ClientIPPreservationEnabled: true }],
    });
    overrideTemplate.hasResourceProperties('AWS::GlobalAccelerator::EndpointGroup', { EndpointGroupRegion: 'us-east-1', TrafficDialPercentage: 20 });
  });

  test('source-IP affinity, port 80 and the accelerator name', () => {
    // THEN
    overrideTemplate.hasResourceProperties('AWS::GlobalAccelerator::Listener', {
      ClientAffinity: 'SOURCE_IP',
      PortRanges: [{ FromPort: 443, ToPort: 443 }, { FromPort: 80, ToPort: 80 }],
    });
    overrideTemplate.hasResourceProperties('AWS::GlobalAccelerator::Accelerator', { Name: 'mcp-global' });
  });

  test('an environment-agnostic stack is accepted (the region is checked when known)', () => {
    // GIVEN
    const stack = new Stack(testApp(), 'Agnostic');
    // WHEN
    const acc = new McpAccelerator(stack, 'Accelerator', { endpointGroups: { A: { region: 'us-east-1', loadBalancer: arn('us-east-1', 'a') } } });
    // THEN
    expect(acc.trafficDials).toEqual({ A: 100 });
  });
});

describe('McpAccelerator bad input', () => {
  test('a stack outside us-west-2, with the reason', () => {
    const stack = new Stack(testApp(), 'East', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(() => new McpAccelerator(stack, 'Accelerator', { endpointGroups: { A: { region: 'us-east-1', loadBalancer: arn('us-east-1', 'a') } } }))
      .toThrow(/region: got "us-east-1"; allowed: us-west-2 \(the stack's region\): "you must specify the US West \(Oregon\) Region/);
  });

  test('no endpoint groups', () => {
    expect(build({ endpointGroups: {} })).toThrow(/endpointGroups: got \{\}; allowed: at least one endpoint group/);
  });

  test('active-passive with one group', () => {
    expect(build({ mode: AcceleratorMode.ACTIVE_PASSIVE }))
      .toThrow(/endpointGroups: got \["A"\]; allowed: at least 2 endpoint groups with mode active-passive/);
  });

  test('traffic dials outside 0-100', () => {
    expect(build({ endpointGroups: { A: { region: 'us-east-1', loadBalancer: arn('us-east-1', 'a'), trafficDialPercentage: 150 } } }))
      .toThrow(/endpointGroups.A.trafficDialPercentage: got 150; allowed: a number from 0 to 100/);
  });

  test('region names, and a region that contradicts the ARN', () => {
    expect(build({ endpointGroups: { A: { region: 'Oregon', loadBalancer: arn('us-east-1', 'a') } } }))
      .toThrow(/endpointGroups.A.region: got "Oregon"; allowed: an AWS region name/);
    expect(build({ endpointGroups: { A: { region: 'eu-west-1', loadBalancer: arn('us-east-1', 'a') } } }))
      .toThrow(/endpointGroups.A.region: got "eu-west-1"; allowed: the load balancer's region \(us-east-1, from its ARN\)/);
  });

  test('two groups in one region', () => {
    expect(build({
      endpointGroups: {
        A: { region: 'us-east-1', loadBalancer: arn('us-east-1', 'a') },
        B: { region: 'us-east-1', loadBalancer: arn('us-east-1', 'b') },
      },
    })).toThrow(/endpointGroups.B.region: got "us-east-1"; allowed: a region not used by another group \(A already uses it\)/);
  });

  test('an ARN that is not an Application Load Balancer', () => {
    expect(build({ endpointGroups: { A: { region: 'us-east-1', loadBalancer: 'arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/net/nlb/0123' } } }))
      .toThrow(/endpointGroups.A.loadBalancer: got ".*loadbalancer\/net\/nlb\/0123"; allowed: the ARN of an Application Load Balancer/);
  });

  test('group names that cannot be construct IDs, and a bad accelerator name', () => {
    expect(build({ acceleratorName: '-mcp', endpointGroups: { '1st': { region: 'us-east-1', loadBalancer: arn('us-east-1', 'a') } } }))
      .toThrow(/2 invalid settings\n {2}- acceleratorName: got "-mcp".*\n {2}- endpointGroups: got "1st"; allowed: names of 1-64 letters/);
  });
});
