import { testApp } from '../support/app';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  LoadBalancingAlgorithm, McpLoadBalancer, McpLoadBalancerProps, UnmatchedPathAction, WafManagedRuleGroup,
} from '../../lib/aws/load-balancer';
import { McpServerSource } from '../../lib/core/server-source';
import { AvailabilityTier } from '../../lib/core/tiers';

/** Synthesized CloudFormation, read loosely in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ENV = { account: '111111111111', region: 'us-east-1' };
const CERT_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/abc';

function base(id = 'Test'): { app: App; stack: Stack; vpc: ec2.Vpc; certificate: acm.ICertificate } {
  const app = testApp();
  const stack = new Stack(app, id, { env: ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3 });
  Validations.of(vpc).acknowledge({ id: 'AwsSolutions-VPC7', reason: 'Test fixture VPC; flow logs are the VPC owner\'s concern.' });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERT_ARN);
  return { app, stack, vpc, certificate };
}

/** Resources of `type` whose logical ID starts with `prefix` (constructs nested under one id). */
function resourcesUnder(t: Template, type: string, prefix: string): Record<string, { Properties: Record<string, unknown> }> {
  return Object.fromEntries(Object.entries(t.findResources(type)).filter(([k]) => k.startsWith(prefix))) as never;
}
function onlyUnder(t: Template, type: string, prefix: string): Record<string, unknown> {
  const found = Object.values(resourcesUnder(t, type, prefix));
  expect(found).toHaveLength(1);
  return found[0].Properties;
}

// --- Default configuration: built and synthesized once.
const d = base();
const defaultLb = new McpLoadBalancer(d.stack, 'Lb', { vpc: d.vpc, certificate: d.certificate });
const defaultTemplate = Template.fromStack(d.stack);

// --- Overrides: several load balancers in one stack, synthesized once.
const o = base('Overrides');
const ownBucket = new s3.Bucket(o.stack, 'OwnLogs', { enforceSSL: true });
const ownSg = new ec2.SecurityGroup(o.stack, 'OwnSg', { vpc: o.vpc, allowAllOutbound: false, description: 'own' });
const wafLogGroup = logs.LogGroup.fromLogGroupName(o.stack, 'WafLogs', 'aws-waf-logs-mine');
const internalLb = new McpLoadBalancer(o.stack, 'Internal', {
  vpc: o.vpc,
  certificate: o.certificate,
  tier: AvailabilityTier.STANDARD,
  internetFacing: false,
  httpRedirect: true,
  server: McpServerSource.container('img:1', { port: 9000, mcpPath: '/v1/mcp', readinessPath: '/ready', livenessPath: '/live' }),
  algorithm: LoadBalancingAlgorithm.ROUND_ROBIN,
  slowStartSeconds: 60,
  stickinessSeconds: 3600,
  unmatchedPaths: UnmatchedPathAction.NOT_FOUND,
  accessLogsRetentionDays: 90,
  healthCheck: { intervalSeconds: 10, timeoutSeconds: 4, healthyThreshold: 3, unhealthyThreshold: 4 },
  timeouts: { longestToolCallSeconds: 300, originReadTimeoutSeconds: 330, idleTimeoutSeconds: 360, drainSeconds: 310 },
});
const wafLb = new McpLoadBalancer(o.stack, 'Waf', {
  vpc: o.vpc,
  certificate: o.certificate,
  tier: AvailabilityTier.MISSION_CRITICAL,
  algorithm: LoadBalancingAlgorithm.WEIGHTED_RANDOM,
  sslPolicy: elbv2.SslPolicy.TLS13_13,
  accessLogsBucket: ownBucket,
  accessLogsPrefix: 'mcp',
  securityGroup: ownSg,
  ingressPeer: ec2.Peer.ipv4('203.0.113.0/24'),
  deletionProtection: false,
  waf: { rateLimitPer5Minutes: 500, logGroup: wafLogGroup },
});
const byoSgLb = new McpLoadBalancer(o.stack, 'ByoSg', {
  vpc: o.vpc,
  certificate: o.certificate,
  securityGroup: ec2.SecurityGroup.fromSecurityGroupId(o.stack, 'Imported', 'sg-12345678'),
  waf: { logging: true, managedRuleGroups: [WafManagedRuleGroup.KNOWN_BAD_INPUTS] },
});
const overridesTemplate = Template.fromStack(o.stack);

describe('McpLoadBalancer default configuration', () => {
  test('snapshot', () => {
    expect(defaultTemplate.toJSON()).toMatchSnapshot();
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks(d.app).validateScope(d.stack);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('internet-facing ALB across the public subnets of 3 zones, hardened attributes from the tier', () => {
    defaultTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('VpcPublicSubnet1') }]),
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'idle_timeout.timeout_seconds', Value: '180' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
    const lb = defaultTemplate.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect((Object.values(lb)[0].Properties.Subnets as unknown[]).length).toBe(3);
  });

  test('HTTPS listener on 443 with the TLS 1.3/1.2 policy and the certificate; forwards by default', () => {
    defaultTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: CERT_ARN }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.anyValue() } }],
    });
  });

  test('HTTPS only by default: no listener and no ingress on port 80, so a bearer token never travels in clear text', () => {
    const listeners = Object.values(defaultTemplate.findResources('AWS::ElasticLoadBalancingV2::Listener')).map((l) => l.Properties);
    expect(listeners.map((l: Json) => [l.Port, l.Protocol])).toEqual([[443, 'HTTPS']]);
    expect(defaultLb.httpListener).toBeUndefined();
    const ingress = Object.values(defaultTemplate.findResources('AWS::EC2::SecurityGroup')).flatMap((g) => g.Properties.SecurityGroupIngress ?? []);
    expect(ingress.map((r: Json) => r.FromPort)).toEqual([443]);
  });

  test('httpRedirect: a port-80 listener that only answers 301 to HTTPS, and port 80 open to the same peer', () => {
    const listener = Object.entries(overridesTemplate.findResources('AWS::ElasticLoadBalancingV2::Listener'))
      .filter(([k]) => k.startsWith('Internal')).map(([, l]) => l.Properties).find((l: Json) => l.Port === 80);
    expect(listener).toEqual(expect.objectContaining({
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    }));
    // The exposed listener is that port-80 redirect of this load balancer.
    const exposed = internalLb.httpListener!.node.defaultChild as import('aws-cdk-lib').CfnElement;
    expect(overridesTemplate.toJSON().Resources[o.stack.getLogicalId(exposed)].Properties).toEqual(listener);
  });

  test('target group: instances on 8080 over HTTP, tier probe, drain, least outstanding requests, no stickiness', () => {
    defaultTemplate.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      Protocol: 'HTTP',
      TargetType: 'instance',
      HealthCheckPath: '/health/ready',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 3,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([
        { Key: 'deregistration_delay.timeout_seconds', Value: '130' },
        { Key: 'stickiness.enabled', Value: 'false' },
        { Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' },
      ]),
    });
    expect(defaultLb.healthProbe.path).toBe('/health/ready');
    expect(defaultLb.timeouts.idleTimeoutSeconds).toBe(180);
    expect(defaultLb.tier).toBe(AvailabilityTier.BUSINESS_CRITICAL);
  });

  test('listener rules forward the MCP path, the protected-resource metadata and the readiness path', () => {
    const rules = Object.values(defaultTemplate.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))
      .map((r) => [r.Properties.Priority, r.Properties.Conditions[0].PathPatternConfig.Values, r.Properties.Actions[0].Type]);
    expect(rules).toEqual([
      [10, ['/mcp', '/mcp/*'], 'forward'],
      [20, ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/*'], 'forward'],
      [30, ['/health/ready'], 'forward'],
    ]);
  });

  test('security group: 443 from anywhere, no outbound except to targets', () => {
    defaultTemplate.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 }),
      ],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('access-log bucket: SSE-S3, SSL enforced, public access blocked, versioned, retained', () => {
    defaultTemplate.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    });
    defaultTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
    // The exposed bucket is the one the load balancer writes its access logs to.
    const id = (c: import('constructs').IConstruct): string => d.stack.getLogicalId(c.node.defaultChild as import('aws-cdk-lib').CfnElement);
    expect(defaultTemplate.toJSON().Resources[id(defaultLb.loadBalancer)].Properties.LoadBalancerAttributes).toEqual(expect.arrayContaining([
      { Key: 'access_logs.s3.enabled', Value: 'true' }, { Key: 'access_logs.s3.bucket', Value: { Ref: id(defaultLb.accessLogsBucket) } },
    ]));
  });

  test('no WAF unless asked', () => {
    defaultTemplate.resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(defaultLb.webAcl).toBeUndefined();
  });
});

describe('McpLoadBalancer overrides', () => {
  test('internal: private subnets, ingress from the VPC CIDR only (443, and 80 with httpRedirect)', () => {
    const lb = onlyUnder(overridesTemplate, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'Internal');
    expect(lb.Scheme).toBe('internal');
    expect(JSON.stringify(lb.Subnets)).toContain('VpcPrivateSubnet');
    const sg = onlyUnder(overridesTemplate, 'AWS::EC2::SecurityGroup', 'Internal');
    expect(sg.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/^Vpc/), 'CidrBlock'] }, FromPort: 443 }),
      expect.objectContaining({ CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/^Vpc/), 'CidrBlock'] }, FromPort: 80 }),
    ]);
  });

  test('server source drives port, MCP path and health path; overrides reach the target group', () => {
    const tg = onlyUnder(overridesTemplate, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'Internal');
    expect(tg).toMatchObject({
      Port: 9000,
      HealthCheckPath: '/ready',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 4,
    });
    expect(tg.TargetGroupAttributes).toEqual(expect.arrayContaining([
      { Key: 'deregistration_delay.timeout_seconds', Value: '310' },
      { Key: 'slow_start.duration_seconds', Value: '60' },
      { Key: 'stickiness.enabled', Value: 'true' },
      { Key: 'stickiness.type', Value: 'lb_cookie' },
      { Key: 'stickiness.lb_cookie.duration_seconds', Value: '3600' },
      { Key: 'load_balancing.algorithm.type', Value: 'round_robin' },
    ]));
    const lb = onlyUnder(overridesTemplate, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'Internal');
    expect(lb.LoadBalancerAttributes).toEqual(expect.arrayContaining([
      { Key: 'idle_timeout.timeout_seconds', Value: '360' },
      { Key: 'deletion_protection.enabled', Value: 'false' }, // standard tier
    ]));
    expect(internalLb.mcpPath).toBe('/v1/mcp');
    expect(internalLb.port).toBe(9000);
  });

  test('NOT_FOUND: unmatched paths answer 404 while the explicit rules still forward', () => {
    const listeners = resourcesUnder(overridesTemplate, 'AWS::ElasticLoadBalancingV2::Listener', 'Internal');
    const https = Object.values(listeners).find((l) => l.Properties.Port === 443)!;
    expect(https.Properties.DefaultActions).toEqual([{
      Type: 'fixed-response',
      FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not Found' },
    }]);
    const rules = Object.values(resourcesUnder(overridesTemplate, 'AWS::ElasticLoadBalancingV2::ListenerRule', 'Internal'))
      .map((r) => (r.Properties.Conditions as { PathPatternConfig: { Values: string[] } }[])[0].PathPatternConfig.Values);
    expect(rules).toEqual([
      ['/v1/mcp', '/v1/mcp/*'],
      ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/*'],
      ['/ready'],
    ]);
  });

  test('access-log retention becomes a lifecycle rule', () => {
    const bucket = onlyUnder(overridesTemplate, 'AWS::S3::Bucket', 'Internal');
    expect(bucket.LifecycleConfiguration).toEqual({
      Rules: [expect.objectContaining({ ExpirationInDays: 90, Status: 'Enabled' })],
    });
  });

  test('weighted random turns anomaly mitigation on; TLS 1.3-only policy; mission-critical probe', () => {
    const tg = onlyUnder(overridesTemplate, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'Waf');
    expect(tg.TargetGroupAttributes).toEqual(expect.arrayContaining([
      { Key: 'load_balancing.algorithm.type', Value: 'weighted_random' },
      { Key: 'load_balancing.algorithm.anomaly_mitigation', Value: 'on' },
    ]));
    expect(tg.HealthCheckTimeoutSeconds).toBe(2);
    const https = Object.values(resourcesUnder(overridesTemplate, 'AWS::ElasticLoadBalancingV2::Listener', 'Waf'))
      .find((l) => l.Properties.Port === 443)!;
    expect(https.Properties.SslPolicy).toBe('ELBSecurityPolicy-TLS13-1-3-2021-06');
    const lb = onlyUnder(overridesTemplate, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'Waf');
    expect(lb.LoadBalancerAttributes).toEqual(expect.arrayContaining([
      { Key: 'deletion_protection.enabled', Value: 'false' },
      { Key: 'access_logs.s3.prefix', Value: 'mcp' },
    ]));
  });

  test('bring your own bucket and security group: used, with the given ingress peer', () => {
    expect(wafLb.accessLogsBucket).toBe(ownBucket);
    expect(wafLb.securityGroup).toBe(ownSg);
    // no bucket of its own: only OwnLogs and the buckets Internal and ByoSg created
    expect(Object.keys(resourcesUnder(overridesTemplate, 'AWS::S3::Bucket', 'Waf'))).toEqual([]);
    overridesTemplate.resourceCountIs('AWS::S3::Bucket', 3);
    const own = Object.entries(overridesTemplate.findResources('AWS::EC2::SecurityGroup')).find(([k]) => k.startsWith('OwnSg'))!;
    expect(own[1].Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '203.0.113.0/24', FromPort: 443 }),
    ]);
  });

  test('an imported security group without ingressPeer gets no ingress rule', () => {
    expect(byoSgLb.securityGroup.securityGroupId).toBe('sg-12345678');
    expect(Object.keys(overridesTemplate.findResources('AWS::EC2::SecurityGroupIngress')).filter((k) => k.startsWith('ByoSg')))
      .toEqual([]);
  });

  test('WAF: rate limit, managed groups with SizeRestrictions_BODY counted, oversized bodies blocked outside the MCP path', () => {
    const acl = onlyUnder(overridesTemplate, 'AWS::WAFv2::WebACL', 'Waf');
    expect(acl.Scope).toBe('REGIONAL');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    const rules = acl.Rules as Record<string, Json>[];
    expect(rules.map((r) => r.Name)).toEqual([
      'RateLimitPerIp',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesCommonRuleSet',
      'BlockOversizedBodyOutsideMcpPath',
    ]);
    expect(rules[0].Statement.RateBasedStatement).toEqual({ Limit: 500, AggregateKeyType: 'IP' });
    expect(rules[0].Action).toEqual({ Block: {} });
    expect(rules[3].Statement.ManagedRuleGroupStatement.RuleActionOverrides)
      .toEqual([{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
    const block = rules[4];
    expect(block.Action).toEqual({ Block: {} });
    expect(block.Statement.AndStatement.Statements[0]).toEqual({
      LabelMatchStatement: { Scope: 'LABEL', Key: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body' },
    });
    const exempt = block.Statement.AndStatement.Statements[1].NotStatement.Statement.OrStatement.Statements;
    expect(exempt.map((s: Json) => [s.ByteMatchStatement.PositionalConstraint, s.ByteMatchStatement.SearchString]))
      .toEqual([['EXACTLY', '/mcp'], ['STARTS_WITH', '/mcp/']]);
    const assoc = onlyUnder(overridesTemplate, 'AWS::WAFv2::WebACLAssociation', 'Waf');
    expect(assoc.ResourceArn).toEqual({ Ref: expect.stringMatching(/^Waf/) });
  });

  test('WAF logging to a given log group, bearer tokens and cookies redacted', () => {
    const logging = onlyUnder(overridesTemplate, 'AWS::WAFv2::LoggingConfiguration', 'Waf');
    expect(JSON.stringify(logging.LogDestinationConfigs)).toContain(':log-group:aws-waf-logs-mine');
    expect(logging.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }]);
    expect(wafLb.wafLogGroup).toBe(wafLogGroup);
  });

  test('WAF logging: true creates an aws-waf-logs- group, retained; rule groups as chosen', () => {
    const group = Object.entries(overridesTemplate.findResources('AWS::Logs::LogGroup')).find(([k]) => k.startsWith('ByoSg'))!;
    expect(group[1].DeletionPolicy).toBe('Retain');
    expect(group[1].Properties.LogGroupName).toMatch(/^aws-waf-logs-/);
    expect(group[1].Properties.RetentionInDays).toBe(365);
    const acl = onlyUnder(overridesTemplate, 'AWS::WAFv2::WebACL', 'ByoSg');
    // without the core rule set there is no label to act on
    expect((acl.Rules as { Name: string }[]).map((r) => r.Name)).toEqual(['RateLimitPerIp', 'AWSManagedRulesKnownBadInputsRuleSet']);
  });
});

describe('McpLoadBalancer bad input', () => {
  // Validation throws before anything is built: one stack, never synthesized.
  const b = base('Bad');
  let n = 0;
  const build = (props: Partial<McpLoadBalancerProps>) => () =>
    new McpLoadBalancer(b.stack, `Lb${n++}`, { vpc: b.vpc, certificate: b.certificate, ...props } as McpLoadBalancerProps);

  test.each<[string, Partial<McpLoadBalancerProps>, RegExp]>([
    ['missing certificate', { certificate: undefined },
      /certificate: got undefined; allowed: an ICertificate for the HTTPS listener/],
    ['health timeout not below the interval', { healthCheck: { intervalSeconds: 5, timeoutSeconds: 5 } },
      /healthCheck\.timeoutSeconds: got 5; allowed: less than intervalSeconds \(5\)/],
    ['unhealthy threshold outside 2-10', { healthCheck: { unhealthyThreshold: 11 } },
      /healthCheck\.unhealthyThreshold: got 11; allowed: an integer from 2 to 10 \(Application Load Balancer/],
    ['healthy threshold outside 2-10', { healthCheck: { healthyThreshold: 1 } },
      /healthCheck\.healthyThreshold: got 1; allowed: an integer from 2 to 10/],
    ['interval outside 5-300', { healthCheck: { intervalSeconds: 400, timeoutSeconds: 5 } },
      /healthCheck\.intervalSeconds: got 400; allowed: an integer from 5 to 300/],
    ['slow start with least outstanding requests', { slowStartSeconds: 60 },
      /slowStartSeconds: got 60; allowed: no slow start with algorithm "least_outstanding_requests": AWS refuses slow start/],
    ['slow start outside 30-900', { algorithm: LoadBalancingAlgorithm.ROUND_ROBIN, slowStartSeconds: 10 },
      /slowStartSeconds: got 10; allowed: an integer from 30 to 900/],
    ['fractional slow start', { algorithm: LoadBalancingAlgorithm.ROUND_ROBIN, slowStartSeconds: 60.5 },
      /slowStartSeconds: got 60\.5; allowed: an integer from 30 to 900/],
    ['idle timeout shorter than the longest tool call (core chain)', { timeouts: { idleTimeoutSeconds: 100 } },
      /timeouts\.idleTimeoutSeconds: got 100; allowed: more than originReadTimeoutSeconds \(150\)/],
    ['health path the server does not serve',
      { server: McpServerSource.container('img:1'), healthCheck: { path: '/healthz' } },
      /healthCheck\.path: got "\/healthz"; allowed: a path the server serves .*the health path must match what the server serves/],
    ['health path equal to the MCP path', { mcpPath: '/api', healthCheck: { path: '/api' } },
      /healthCheck\.path: got "\/api"; allowed: a plain GET path distinct from mcpPath "\/api"/],
    ['port 22', { port: 22 }, /port: got 22; allowed: any port but 22/],
    ['port different from the server\'s', { server: McpServerSource.container('img:1'), port: 9000 },
      /port: got 9000; allowed: the server's port \(8080\)/],
    ['MCP path with a wildcard', { mcpPath: '/mcp*' }, /mcpPath: got "\/mcp\*"; allowed: an absolute path other than "\/"/],
    ['TLS policy allowing TLS 1.0', { sslPolicy: elbv2.SslPolicy.RECOMMENDED },
      /sslPolicy: got "ELBSecurityPolicy-2016-08"; allowed: a policy that allows TLS 1\.2 and 1\.3 only/],
    ['stickiness longer than 7 days', { stickinessSeconds: 8 * 86400 },
      /stickinessSeconds: got 691200; allowed: an integer from 1 to 604800 \(seconds: load-balancer cookie duration, 1 second to 7 days\)/],
    ['stickiness of 0 s', { stickinessSeconds: 0 }, /stickinessSeconds: got 0; allowed: an integer from 1 to 604800/],
    ['WAF rate limit below 10', { waf: { rateLimitPer5Minutes: 5 } },
      /waf\.rateLimitPer5Minutes: got 5; allowed: an integer from 10 to 2000000000/],
    ['WAF rate limit above 2e9', { waf: { rateLimitPer5Minutes: 3e9 } },
      /waf\.rateLimitPer5Minutes: got 3000000000; allowed: an integer from 10 to 2000000000/],
    ['duplicate WAF rule groups', { waf: { managedRuleGroups: [WafManagedRuleGroup.COMMON, WafManagedRuleGroup.COMMON] } },
      /waf\.managedRuleGroups: got \["AWSManagedRulesCommonRuleSet","AWSManagedRulesCommonRuleSet"\]; allowed: each rule group at most once/],
    ['WAF log group without the aws-waf-logs- prefix',
      { waf: { logGroup: logs.LogGroup.fromLogGroupName(b.stack, 'BadLogs', 'my-logs') } },
      /waf\.logGroup: got "my-logs"; allowed: a log group whose name starts with "aws-waf-logs-"/],
    ['access-log bucket encrypted with KMS',
      { accessLogsBucket: new s3.Bucket(b.stack, 'KmsBucket', { encryptionKey: new kms.Key(b.stack, 'Key') }) },
      /accessLogsBucket: got .*; allowed: a bucket encrypted with SSE-S3/],
    ['access-log prefix containing AWSLogs', { accessLogsPrefix: 'x/AWSLogs' },
      /accessLogsPrefix: got "x\/AWSLogs"; allowed: a non-empty key prefix without "AWSLogs"/],
    ['retention with your own bucket', { accessLogsBucket: new s3.Bucket(b.stack, 'Plain'), accessLogsRetentionDays: 30 },
      /accessLogsRetentionDays: got 30; allowed: no value with accessLogsBucket/],
    ['retention of half a day', { accessLogsRetentionDays: 0.5 },
      /accessLogsRetentionDays: got 0\.5; allowed: a whole number of days, at least 1 \(S3 lifecycle expiration is in days\)/],
  ])('%s', (_name, props, message) => {
    expect(build(props)).toThrow(message);
  });

  test('too few zones for the tier (two subnets, mission-critical needs 3)', () => {
    expect(build({
      tier: AvailabilityTier.MISSION_CRITICAL,
      vpcSubnets: { subnets: [b.vpc.publicSubnets[0], b.vpc.publicSubnets[1]] },
    })).toThrow(/vpcSubnets: got \[.*\]; allowed: subnets in at least 3 availability zones \(the mission-critical tier's minZones\); got 2/);
  });

  test('the error names the construct path and lists every problem at once', () => {
    expect(build({ port: 22, healthCheck: { unhealthyThreshold: 11 }, waf: { rateLimitPer5Minutes: 1 } }))
      .toThrow(/^Bad\/Lb\d+: 3 invalid settings/);
  });
});

describe('McpLoadBalancer health path against the default MCP path', () => {
  test('reported once, by core', () => {
    const b = base('BadDefaultPath');
    const build = () => new McpLoadBalancer(b.stack, 'Lb', { vpc: b.vpc, certificate: b.certificate, healthCheck: { path: '/mcp' } });
    expect(build).toThrow(/1 invalid setting\n.*healthCheck\.path: got "\/mcp"; allowed: a plain GET path distinct from the MCP endpoint \/mcp/);
  });
});
