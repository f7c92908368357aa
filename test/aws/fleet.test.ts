import { testApp } from '../support/app';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { McpFleet, McpFleetProps, SpotStrategy } from '../../lib/aws/fleet';
import { McpLoadBalancer } from '../../lib/aws/load-balancer';
import { McpServerSource } from '../../lib/core/server-source';
import { AvailabilityTier } from '../../lib/core/tiers';

/** Synthesized CloudFormation, read loosely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ENV = { account: '111111111111', region: 'us-east-1' };
const IMAGE = 'public.ecr.aws/acme/context:1.4';

function base(id: string): { app: App; stack: Stack; vpc: ec2.Vpc; certificate: acm.ICertificate } {
  const app = testApp();
  const stack = new Stack(app, id, { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3 });
  Validations.of(vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: 'Test fixture VPC; flow logs are the VPC owner\'s concern.' });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:111111111111:certificate/abc');
  return { app, stack, vpc, certificate };
}

function only(t: Template, type: string, prefix: string): Record<string, Json> {
  const found = Object.entries(t.findResources(type)).filter(([k]) => k.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0][1];
}

function userDataOf(t: Template, prefix: string): string {
  const lt = only(t, 'AWS::EC2::LaunchTemplate', prefix);
  return JSON.stringify(lt.Properties.LaunchTemplateData.UserData);
}

// --- Default configuration: a load balancer and a fleet attached to it, synthesized once.
const d = base('Test');
const server = McpServerSource.container(IMAGE);
const lb = new McpLoadBalancer(d.stack, 'Lb', { vpc: d.vpc, certificate: d.certificate, server });
const fleet = new McpFleet(d.stack, 'Fleet', { vpc: d.vpc, server, capacity: { baseline: 4 }, loadBalancer: lb });
const defaultTemplate = Template.fromStack(d.stack);

// --- Variants in one stack, synthesized once.
const o = base('Variants');
const spotServer = McpServerSource.container(IMAGE, { port: 9000 });
const spotLb = new McpLoadBalancer(o.stack, 'SpotLb', {
  vpc: o.vpc, certificate: o.certificate, server: spotServer, tier: AvailabilityTier.MISSION_CRITICAL,
});
const spotFleet = new McpFleet(o.stack, 'Spot', {
  vpc: o.vpc,
  server: spotServer,
  loadBalancer: spotLb,
  capacity: { baseline: 10 },
  spot: SpotStrategy.guidePreset([new ec2.InstanceType('m6i.large'), new ec2.InstanceType('m5.large')]),
  requestsPerTargetPerMinute: 600,
  p95LatencyMs: 800,
  targetCpuPercent: 60,
  environment: { CACHE_ENDPOINT: 'cache.example:6379' },
});
const key = new kms.Key(o.stack, 'VolumeKey', { enableKeyRotation: true });
const topic = new sns.Topic(o.stack, 'Events');
const ownRole = new iam.Role(o.stack, 'OwnRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
const warmFleet = new McpFleet(o.stack, 'Warm', {
  vpc: o.vpc,
  tier: AvailabilityTier.STANDARD,
  server: McpServerSource.commands(['systemctl start mcp'], { port: 9100 }),
  capacity: { baseline: 2, min: 2, max: 8 },
  instanceType: new ec2.InstanceType('m7g.large'),
  rootVolumeEncryptionKey: key,
  rootVolumeSizeGiB: 50,
  notificationsTopic: topic,
  role: ownRole,
  healthCheckGracePeriodSeconds: 120,
  warmPool: { minSize: 1, state: autoscaling.PoolState.HIBERNATED },
});
const variantsTemplate = Template.fromStack(o.stack);

describe('McpFleet default configuration (attached to an McpLoadBalancer)', () => {
  test('snapshot', () => {
    expect(defaultTemplate.toJSON()).toMatchSnapshot();
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding for the stack with both constructs', () => {
    const report = new AwsSolutionsChecks(d.app).validateScope(d.stack);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('capacity: min = max(tier minimum, baseline), max = 2 x baseline, never a desired capacity', () => {
    const asg = only(defaultTemplate, 'AWS::AutoScaling::AutoScalingGroup', 'Fleet');
    expect(asg.Properties.MinSize).toBe('4');
    expect(asg.Properties.MaxSize).toBe('8');
    expect(asg.Properties.DesiredCapacity).toBeUndefined();
    expect(fleet.capacity).toEqual({ baseline: 4, min: 4, max: 8 });
  });

  test('multi-AZ in the private subnets of 3 zones, registered in the target group, ELB health checks with grace', () => {
    defaultTemplate.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      VPCZoneIdentifier: [
        { Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') },
        { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') },
        { Ref: Match.stringLikeRegexp('VpcPrivateSubnet3') },
      ],
      TargetGroupARNs: [{ Ref: Match.stringLikeRegexp('^LbTargetGroup') }],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 300,
      DefaultInstanceWarmup: 300,
      MetricsCollection: [{ Granularity: '1Minute' }],
    });
  });

  test('instance refresh on launch template change keeps the tier\'s healthy share', () => {
    const asg = only(defaultTemplate, 'AWS::AutoScaling::AutoScalingGroup', 'Fleet');
    expect(asg.UpdatePolicy.AutoScalingInstanceRefresh).toEqual({
      Strategy: 'Rolling',
      Preferences: { MinHealthyPercentage: 90, MaxHealthyPercentage: 110, InstanceWarmup: 300, SkipMatching: true },
    });
    expect(asg.Properties.LaunchTemplate.Version).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FleetLaunchTemplate/), 'LatestVersionNumber'] });
  });

  test('launch template: AL2023 x86_64, m7i.large, IMDSv2 hop limit 2, encrypted gp3, detailed monitoring, no key pair', () => {
    const lt = only(defaultTemplate, 'AWS::EC2::LaunchTemplate', 'Fleet').Properties.LaunchTemplateData;
    expect(lt.InstanceType).toBe('m7i.large');
    expect(lt.ImageId.Ref).toMatch(/al2023amikernel.*x8664/);
    expect(lt.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 2 });
    expect(lt.BlockDeviceMappings).toEqual([{
      DeviceName: '/dev/xvda',
      Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 30, VolumeType: 'gp3' },
    }]);
    expect(lt.Monitoring).toEqual({ Enabled: true });
    expect(lt.KeyName).toBeUndefined();
  });

  test('security group: only the load balancer on the server port; nothing on 22', () => {
    const ingress = Object.entries(defaultTemplate.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter(([k]) => k.startsWith('Fleet')).map(([, r]) => r.Properties);
    expect(ingress).toEqual([expect.objectContaining({
      FromPort: 8080, ToPort: 8080, IpProtocol: 'tcp',
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^LbSecurityGroup/), 'GroupId'] },
    })]);
    const sg = only(defaultTemplate, 'AWS::EC2::SecurityGroup', 'Fleet');
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    expect(JSON.stringify(defaultTemplate.toJSON())).not.toMatch(/"FromPort":22\b/);
    // and the load balancer may reach the servers on that port only
    defaultTemplate.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      FromPort: 8080, ToPort: 8080, DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FleetSecurityGroup'), 'GroupId'] },
    });
  });

  test('least-privilege role: SSM core only, no inline policy', () => {
    const role = only(defaultTemplate, 'AWS::IAM::Role', 'Fleet');
    expect(role.Properties.ManagedPolicyArns).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] },
    ]);
    expect(Object.keys(defaultTemplate.findResources('AWS::IAM::Policy')).filter((k) => k.startsWith('Fleet'))).toEqual([]);
  });

  test('user data starts the container with the timeout chain', () => {
    const ud = userDataOf(defaultTemplate, 'Fleet');
    expect(ud).toContain('dnf install -y docker');
    expect(ud).toContain("docker run -d --restart unless-stopped --name mcp --stop-timeout '130' -p 8080:8080");
    expect(ud).toContain("MCP_REQUEST_TIMEOUT_SECONDS='150'");
    expect(ud).toContain("MCP_KEEPALIVE_SECONDS='15'");
    expect(ud).toContain("MCP_LONGEST_TOOL_CALL_SECONDS='120'");
  });

  test('termination lifecycle hook holds instances for the drain time', () => {
    defaultTemplate.hasResourceProperties('AWS::AutoScaling::LifecycleHook', {
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      HeartbeatTimeout: 130,
      DefaultResult: 'CONTINUE',
    });
    expect(fleet.timeouts.drainSeconds).toBe(130);
  });

  test('scaling: CPU target tracking at 70 %, P95 latency step scaling above 500 ms for 2 minutes, no request scaling', () => {
    defaultTemplate.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 70 },
    });
    defaultTemplate.hasResourceProperties('AWS::AutoScaling::ScalingPolicy', {
      PolicyType: 'StepScaling',
      AdjustmentType: 'ChangeInCapacity',
      MetricAggregationType: 'Maximum',
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 0.5, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 0.5, ScalingAdjustment: 2 },
      ],
    });
    defaultTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'TargetResponseTime',
      Namespace: 'AWS/ApplicationELB',
      ExtendedStatistic: 'p95',
      Period: 60,
      Threshold: 0.5,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    const policies = Object.values(defaultTemplate.findResources('AWS::AutoScaling::ScalingPolicy'));
    expect(policies.some((p) => JSON.stringify(p).includes('ALBRequestCountPerTarget'))).toBe(false);
    expect(fleet.requestScaling).toBeUndefined();
  });

  test('on-demand only: no mixed instances policy, no capacity rebalance, no warm pool', () => {
    const asg = only(defaultTemplate, 'AWS::AutoScaling::AutoScalingGroup', 'Fleet');
    expect(asg.Properties.MixedInstancesPolicy).toBeUndefined();
    expect(asg.Properties.CapacityRebalance).toBeUndefined();
    defaultTemplate.resourceCountIs('AWS::AutoScaling::WarmPool', 0);
  });

  test('tier and timeouts follow the load balancer', () => {
    expect(fleet.profile.tier).toBe(AvailabilityTier.BUSINESS_CRITICAL);
    expect(fleet.timeouts.toOptions()).toEqual(lb.timeouts.toOptions());
    expect(fleet.serverSource).toBe(server);
  });
});

describe('McpFleet variants', () => {
  test('guide Spot preset: on-demand base 65 % of baseline (rounded up), 70 % on-demand above it, rebalancing on', () => {
    const asg = only(variantsTemplate, 'AWS::AutoScaling::AutoScalingGroup', 'Spot');
    expect(asg.Properties.CapacityRebalance).toBe(true);
    expect(asg.Properties.MixedInstancesPolicy.InstancesDistribution).toEqual({
      OnDemandAllocationStrategy: 'prioritized',
      OnDemandBaseCapacity: 7,
      OnDemandPercentageAboveBaseCapacity: 70,
      SpotAllocationStrategy: 'price-capacity-optimized',
    });
    expect(asg.Properties.MixedInstancesPolicy.LaunchTemplate.Overrides)
      .toEqual([{ InstanceType: 'm7i.large' }, { InstanceType: 'm6i.large' }, { InstanceType: 'm5.large' }]);
    expect(spotFleet.capacity).toEqual({ baseline: 10, min: 10, max: 20 });
  });

  test('mission-critical via the load balancer: 100 % healthy during refresh, request-count and custom thresholds', () => {
    const asg = only(variantsTemplate, 'AWS::AutoScaling::AutoScalingGroup', 'Spot');
    expect(asg.UpdatePolicy.AutoScalingInstanceRefresh.Preferences.MinHealthyPercentage).toBe(100);
    const policies = Object.entries(variantsTemplate.findResources('AWS::AutoScaling::ScalingPolicy'))
      .filter(([k]) => k.startsWith('Spot')).map(([, p]) => p.Properties);
    expect(policies).toEqual(expect.arrayContaining([
      expect.objectContaining({
        TargetTrackingConfiguration: expect.objectContaining({
          PredefinedMetricSpecification: expect.objectContaining({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
          TargetValue: 600,
        }),
      }),
      expect.objectContaining({
        TargetTrackingConfiguration: expect.objectContaining({ TargetValue: 60 }),
      }),
    ]));
    const alarm = Object.entries(variantsTemplate.findResources('AWS::CloudWatch::Alarm'))
      .find(([k]) => k.startsWith('SpotLatency'))![1];
    expect(alarm.Properties.Threshold).toBe(0.8);
    // The exposed request scaling is the policy on this fleet's group, counting requests per target of its own target group.
    const id = (c: import('constructs').IConstruct): string => o.stack.getLogicalId(c.node.defaultChild as import('aws-cdk-lib').CfnElement);
    const rs = variantsTemplate.toJSON().Resources[id(spotFleet.requestScaling!)].Properties;
    expect(rs.AutoScalingGroupName).toEqual({ Ref: id(spotFleet.autoScalingGroup) });
    expect(rs.TargetTrackingConfiguration.TargetValue).toBe(600);
    expect(JSON.stringify(rs.TargetTrackingConfiguration.PredefinedMetricSpecification.ResourceLabel)).toContain(id(spotLb.targetGroup));
  });

  test('server port and extra environment reach the user data and the security group', () => {
    const ud = userDataOf(variantsTemplate, 'Spot');
    expect(ud).toContain('-p 9000:9000');
    expect(ud).toContain("CACHE_ENDPOINT='cache.example:6379'");
    const ingress = Object.entries(variantsTemplate.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter(([k]) => k.startsWith('Spot')).map(([, r]) => r.Properties);
    expect(ingress).toEqual([expect.objectContaining({ FromPort: 9000, ToPort: 9000 })]);
  });

  test('arm64 instance type selects the arm64 AMI; commands source; customer key; size; grace', () => {
    const lt = only(variantsTemplate, 'AWS::EC2::LaunchTemplate', 'Warm').Properties.LaunchTemplateData;
    expect(lt.InstanceType).toBe('m7g.large');
    expect(lt.ImageId.Ref).toMatch(/al2023amikernel.*arm64/);
    expect(lt.BlockDeviceMappings[0].Ebs).toEqual(expect.objectContaining({
      VolumeSize: 50, Encrypted: true, KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^VolumeKey/), 'Arn'] },
    }));
    expect(lt.HibernationOptions).toEqual({ Configured: true });
    const ud = userDataOf(variantsTemplate, 'Warm');
    expect(ud).toContain("export MCP_PORT='9100'");
    expect(ud).toContain('systemctl start mcp');
    expect(ud).not.toContain('docker');
    const asg = only(variantsTemplate, 'AWS::AutoScaling::AutoScalingGroup', 'Warm');
    expect(asg.Properties.HealthCheckGracePeriod).toBe(120);
  });

  test('the Auto Scaling service-linked role may use the customer key', () => {
    const keyRes = only(variantsTemplate, 'AWS::KMS::Key', 'VolumeKey');
    const stmt = keyRes.Properties.KeyPolicy.Statement.find((s: Json) =>
      JSON.stringify(s.Principal).includes('AWSServiceRoleForAutoScaling'));
    expect(stmt.Action).toEqual(expect.arrayContaining(['kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey*']));
  });

  test('without a load balancer: EC2 health checks, CPU scaling only; minimum from the standard tier', () => {
    const asg = only(variantsTemplate, 'AWS::AutoScaling::AutoScalingGroup', 'Warm');
    expect(asg.Properties.HealthCheckType).toBe('EC2');
    expect(asg.Properties.TargetGroupARNs).toBeUndefined();
    expect(asg.Properties.MinSize).toBe('2');
    expect(asg.Properties.MaxSize).toBe('8');
    expect(warmFleet.latencyScaling).toBeUndefined();
    expect(asg.UpdatePolicy.AutoScalingInstanceRefresh.Preferences.MinHealthyPercentage).toBe(50);
  });

  test('notifications topic, own role, warm pool', () => {
    const asg = only(variantsTemplate, 'AWS::AutoScaling::AutoScalingGroup', 'Warm');
    expect(asg.Properties.NotificationConfigurations).toEqual([expect.objectContaining({
      TopicARN: { Ref: expect.stringMatching(/^Events/) },
      NotificationTypes: expect.arrayContaining(['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_TERMINATE_ERROR']),
    })]);
    expect(warmFleet.role).toBe(ownRole);
    const pool = only(variantsTemplate, 'AWS::AutoScaling::WarmPool', 'Warm');
    expect(pool.Properties).toEqual(expect.objectContaining({ MinSize: 1, PoolState: 'Hibernated' }));
  });
});

describe('SpotStrategy.guidePreset', () => {
  test('documents the guide split as numbers', () => {
    const preset = SpotStrategy.guidePreset([new ec2.InstanceType('m6i.large')]);
    expect(preset.onDemandBasePercentOfBaseline).toBe(65);
    expect(preset.onDemandPercentageAboveBase).toBe(70);
    expect(preset.allocationStrategy).toBe(autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED);
  });
});

describe('McpFleet bad input', () => {
  // Validation throws before anything is built: one stack, never synthesized.
  const b = base('Bad');
  const badServer = McpServerSource.container(IMAGE);
  const badLb = new McpLoadBalancer(b.stack, 'Lb', { vpc: b.vpc, certificate: b.certificate, server: badServer });
  const statusLb = new McpLoadBalancer(b.stack, 'StatusLb', { vpc: b.vpc, certificate: b.certificate, healthCheck: { path: '/status' } });
  const portLb = new McpLoadBalancer(b.stack, 'PortLb', { vpc: b.vpc, certificate: b.certificate, port: 9000 });
  let n = 0;
  const build = (props: Partial<McpFleetProps>) => () =>
    new McpFleet(b.stack, `Fleet${n++}`, { vpc: b.vpc, server: badServer, capacity: { baseline: 3 }, ...props } as McpFleetProps);

  test.each<[string, Partial<McpFleetProps>, RegExp]>([
    ['min above max', { capacity: { baseline: 3, min: 6, max: 4 } }, /capacity\.min: got 6; allowed: at most max \(4\)/],
    ['min below the tier minimum', { tier: AvailabilityTier.MISSION_CRITICAL, capacity: { baseline: 2, min: 2 } },
      /capacity\.min: got 2; allowed: a whole number of at least 3 \(the mission-critical tier's minCapacity/],
    ['baseline 0', { capacity: { baseline: 0, min: 3, max: 3 } }, /capacity\.baseline: got 0; allowed: a whole number of instances, at least 1/],
    ['one subnet for a critical tier', { vpcSubnets: { subnets: [b.vpc.privateSubnets[0]] } },
      /vpcSubnets: got \[.*\]; allowed: subnets in at least 3 availability zones \(the business-critical tier's minZones\); got 1/],
    ['load balancer health path the server does not serve', { loadBalancer: statusLb },
      /loadBalancer\.healthCheck\.path: got "\/status"; allowed: a path the server serves .*the health path must match what the server serves/],
    ['load balancer port different from the server port', { loadBalancer: portLb },
      /loadBalancer\.port: got 9000; allowed: the server's port \(8080\)/],
    ['request scaling without a load balancer', { requestsPerTargetPerMinute: 100 },
      /requestsPerTargetPerMinute: got 100; allowed: no value without loadBalancer/],
    ['timeouts that differ from the load balancer\'s', { loadBalancer: badLb, timeouts: { drainSeconds: 200 } },
      /timeouts: got \{"drainSeconds":200\}; allowed: the load balancer's timeout chain .*differs in drainSeconds/],
    ['tier that differs from the load balancer\'s', { loadBalancer: badLb, tier: AvailabilityTier.STANDARD },
      /tier: got "standard"; allowed: the load balancer's tier \(business-critical\) or unset/],
    ['drain shorter than the longest tool call (core chain)', { timeouts: { drainSeconds: 60 } },
      /timeouts\.drainSeconds: got 60; allowed: at least longestToolCallSeconds \(120\)/],
    ['Spot types of another architecture', { spot: { instanceTypes: [new ec2.InstanceType('m7g.large')] } },
      /spot\.instanceTypes\[1\]: got "m7g.large"; allowed: an x86_64 instance type like m7i.large/],
    ['Spot base below the tier minimum', { spot: { instanceTypes: [new ec2.InstanceType('m6i.large')], onDemandBaseCapacity: 1 } },
      /spot\.onDemandBaseCapacity: got 1; allowed: a whole number of at least 3 .*a Spot interruption must not take the fleet below it/],
    ['Spot without instance types', { spot: { instanceTypes: [] } }, /spot\.instanceTypes: got \[\]; allowed: at least one instance type/],
    ['on-demand share above 100', { spot: { instanceTypes: [new ec2.InstanceType('m6i.large')], onDemandPercentageAboveBase: 120 } },
      /spot\.onDemandPercentageAboveBase: got 120; allowed: an integer from 0 to 100/],
    ['warm pool with Spot', { spot: SpotStrategy.guidePreset([new ec2.InstanceType('m6i.large')]), warmPool: { minSize: 1 } },
      /warmPool: got \{"minSize":1\}; allowed: no warm pool with spot/],
    ['warm pool larger than max', { warmPool: { minSize: 100 } }, /warmPool\.minSize: got 100; allowed: an integer from 0 to 6/],
    ['reserved environment variable', { environment: { MCP_REQUEST_TIMEOUT_SECONDS: '1' } },
      /environment\.MCP_REQUEST_TIMEOUT_SECONDS: got "MCP_REQUEST_TIMEOUT_SECONDS"; allowed: a name the library does not set itself/],
    ['root volume smaller than the AMI snapshot', { rootVolumeSizeGiB: 4 }, /rootVolumeSizeGiB: got 4; allowed: an integer from 8 to 16384/],
    ['target CPU not below the CPU alarm (core alarms)', { targetCpuPercent: 85 },
      /alarms\.targetCpuPercent: got 85; allowed: less than cpuPercent \(80\)/],
    ['missing server', { server: undefined }, /server: got undefined; allowed: an McpServerSource/],
  ])('%s', (_name, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('the error names the construct path and lists every problem at once', () => {
    expect(build({ capacity: { baseline: 3, min: 9, max: 4 }, rootVolumeSizeGiB: 1, requestsPerTargetPerMinute: 5 }))
      .toThrow(/^Bad\/Fleet\d+: 3 invalid settings/);
  });
});

describe('McpFleet secret environment', () => {
  // GIVEN a fleet whose server needs a secret WHEN synthesized THEN the secret is read at boot, never rendered
  const app = testApp();
  const stack = new Stack(app, 'Secrets', { env: { account: '111111111111', region: 'us-east-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3 });
  const secret = new secretsmanager.Secret(stack, 'Token');
  new McpFleet(stack, 'Fleet', {
    vpc, server: McpServerSource.container('public.ecr.aws/acme/mcp:1'), capacity: { baseline: 3 },
    secretEnvironment: { REDIS_AUTH_TOKEN: secret },
  });
  const t = Template.fromStack(stack);

  test('user data fetches the secret by ARN with the instance role and passes it to the container by name', () => {
    const lt = Object.values(t.findResources('AWS::EC2::LaunchTemplate'))[0];
    const userData = JSON.stringify(lt.Properties.LaunchTemplateData.UserData);
    expect(userData).toContain('REDIS_AUTH_TOKEN=\\"$(aws secretsmanager get-secret-value --region');
    expect(userData).toContain('-e REDIS_AUTH_TOKEN ');
    expect(userData).toMatch(/--secret-id '",{"Ref":"Token[0-9A-F]+"}/);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], Resource: { Ref: Match.stringLikeRegexp('Token') },
      })]) },
    });
  });

  test('refuses a secret variable that collides with the library\'s own', () => {
    expect(() => new McpFleet(new Stack(testApp(), 'S', { env: { account: '1', region: 'us-east-1' } }), 'Fleet', {
      vpc: new ec2.Vpc(new Stack(testApp(), 'V', { env: { account: '1', region: 'us-east-1' } }), 'Vpc'),
      server: McpServerSource.container('x:1'), capacity: { baseline: 3 }, secretEnvironment: { MCP_PORT: secret },
    })).toThrow(/secretEnvironment\.MCP_PORT: got "MCP_PORT"; allowed: a variable name .* not an MCP_\* name/);
  });
});
