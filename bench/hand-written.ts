/**
 * The baseline: the active-active reference's load balancer, fleet and cache
 * (and the VPC they live in), written directly against aws-cdk-lib with no
 * construct, helper or core function of this library. Every value is the one the
 * active-active reference renders (business-critical tier: health probe 5 s / 3 s /
 * 2 / 2 on /health/ready, idle timeout 180 s, drain 130 s, 6-12 instances,
 * Valkey 8.2 with one replica, ...), so the resources match resource for
 * resource what McpDeployment + McpCache render (`active-active-blocks` case;
 * run.ts compares the resource types of the two).
 *
 * What the reference stack has on top (Vault certificate custom resource and its
 * Lambda functions, schedule, DNS record, MCP probe, monitoring, SNS topic,
 * dashboard) is not here: the certificate is imported by ARN.
 *
 * The server is shipped the same way: the reference MCP server (examples/mcp-server)
 * bundled by esbuild at synth into an S3 asset, fetched at boot and run by systemd.
 */
import { App, AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import * as fs from 'fs';
import * as path from 'path';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const SERVER_ENTRY = ['main.ts', 'main.js'].map((f) => path.join(__dirname, '..', 'examples', 'mcp-server', 'src', f)).find((f) => fs.existsSync(f))!;
const CERTIFICATE_ARN = `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/00000000-0000-4000-8000-000000000000`;
const PORT = 8080;
const CACHE_PORT = 6380;
const READINESS_PATH = '/health/ready';

export function buildHandWritten(app: App): void {
  const stack = new Stack(app, 'McpHandWritten', {
    env: { account: ACCOUNT, region: REGION },
    description: 'Benchmark baseline: ALB, fleet and cache of the active-active reference, plain aws-cdk-lib',
  });

  // ---- network: 3 zones, public + private with one NAT gateway per zone, flow logs ----
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 3,
    natGateways: 3,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 22 },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
    ],
    flowLogs: { All: { trafficType: ec2.FlowLogTrafficType.ALL } },
  });
  const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);

  // ---- cache: Valkey replication group, Multi-AZ, encrypted, AUTH token in Secrets Manager ----
  const cacheSecurityGroup = new ec2.SecurityGroup(stack, 'CacheSecurityGroup', {
    vpc,
    description: `MCP session cache: ingress only from the servers on port ${CACHE_PORT}`,
    allowAllOutbound: false,
  });
  const cacheConnections = new ec2.Connections({ securityGroups: [cacheSecurityGroup], defaultPort: ec2.Port.tcp(CACHE_PORT) });
  const subnetGroup = new elasticache.CfnSubnetGroup(stack, 'CacheSubnetGroup', {
    description: 'MCP session cache',
    subnetIds: vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds,
  });
  const authTokenKey = new kms.Key(stack, 'CacheAuthTokenKey', {
    description: 'Encrypts the AUTH token secret of the MCP session cache',
    enableKeyRotation: true,
  });
  denyGrantsExceptForAwsServices(authTokenKey);
  const authToken = new secretsmanager.Secret(stack, 'CacheAuthToken', {
    description: 'AUTH token of the MCP session cache',
    encryptionKey: authTokenKey,
    generateSecretString: {
      passwordLength: 64,
      excludeCharacters: '"%\'()*+,./:;=?@[\\]_`{|}~',
      includeSpace: false,
      requireEachIncludedType: true,
    },
  });
  const logKey = new kms.Key(stack, 'CacheLogKey', {
    description: 'Encrypts the slow and engine logs of the MCP session cache',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  logKey.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
    principals: [new iam.ServicePrincipal(`logs.${REGION}.amazonaws.com`)],
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:*` } },
  }));
  denyGrantsExceptForAwsServices(logKey);
  const slowLog = new logs.LogGroup(stack, 'CacheSlowLog', { encryptionKey: logKey, retention: logs.RetentionDays.ONE_YEAR });
  const engineLog = new logs.LogGroup(stack, 'CacheEngineLog', { encryptionKey: logKey, retention: logs.RetentionDays.ONE_YEAR });
  const cache = new elasticache.CfnReplicationGroup(stack, 'Cache', {
    replicationGroupDescription: 'MCP session cache',
    cacheSubnetGroupName: subnetGroup.ref,
    securityGroupIds: [cacheSecurityGroup.securityGroupId],
    port: CACHE_PORT,
    multiAzEnabled: true,
    numCacheClusters: 2,
    authToken: authToken.secretValue.unsafeUnwrap(),
    snapshotRetentionLimit: 7,
    snapshotWindow: '03:00-04:00',
    preferredMaintenanceWindow: 'sun:05:00-sun:06:00',
    autoMinorVersionUpgrade: true,
    logDeliveryConfigurations: [
      { destinationType: 'cloudwatch-logs', destinationDetails: { cloudWatchLogsDetails: { logGroup: slowLog.logGroupName } }, logFormat: 'json', logType: 'slow-log' },
      { destinationType: 'cloudwatch-logs', destinationDetails: { cloudWatchLogsDetails: { logGroup: engineLog.logGroupName } }, logFormat: 'json', logType: 'engine-log' },
    ],
    engine: 'valkey',
    engineVersion: '8.2',
    cacheNodeType: 'cache.r7g.large',
    automaticFailoverEnabled: true,
    atRestEncryptionEnabled: true,
    transitEncryptionEnabled: true,
    transitEncryptionMode: 'required',
    clusterMode: 'disabled',
  });
  cache.applyRemovalPolicy(RemovalPolicy.SNAPSHOT);

  // ---- load balancer: HTTPS (TLS 1.2/1.3) + HTTP redirect, access logs, WAF ----
  const lbSecurityGroup = new ec2.SecurityGroup(stack, 'LoadBalancerSecurityGroup', {
    vpc,
    allowAllOutbound: false,
    description: 'MCP load balancer: HTTPS (and HTTP, redirected) from clients; outbound only to the servers',
  });
  lbSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from MCP clients');
  lbSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP from MCP clients (redirected to HTTPS)');
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'LoadBalancer', {
    vpc,
    internetFacing: true,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    securityGroup: lbSecurityGroup,
    idleTimeout: Duration.seconds(180),
    dropInvalidHeaderFields: true,
    deletionProtection: true,
    desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
  });
  const accessLogs = new s3.Bucket(stack, 'AccessLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{
      id: 'ExpireNoncurrentAccessLogs', noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7),
    }],
  });
  alb.logAccessLogs(accessLogs);
  const targetGroup = new elbv2.ApplicationTargetGroup(stack, 'TargetGroup', {
    vpc,
    port: PORT,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.INSTANCE,
    healthCheck: {
      enabled: true,
      protocol: elbv2.Protocol.HTTP,
      path: READINESS_PATH,
      interval: Duration.seconds(5),
      timeout: Duration.seconds(3),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 2,
      healthyHttpCodes: '200',
    },
    deregistrationDelay: Duration.seconds(130),
    loadBalancingAlgorithmType: elbv2.TargetGroupLoadBalancingAlgorithmType.LEAST_OUTSTANDING_REQUESTS,
  });
  const forward = elbv2.ListenerAction.forward([targetGroup]);
  const https = alb.addListener('Https', {
    port: 443,
    protocol: elbv2.ApplicationProtocol.HTTPS,
    certificates: [elbv2.ListenerCertificate.fromCertificateManager(certificate)],
    sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    open: false,
    defaultAction: forward,
  });
  alb.addListener('Http', {
    port: 80,
    protocol: elbv2.ApplicationProtocol.HTTP,
    open: false,
    defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
  });
  const rules: [string, number, string[]][] = [
    ['McpRule', 10, ['/mcp', '/mcp/*']],
    ['ProtectedResourceMetadataRule', 20, ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/*']],
    ['ReadinessRule', 30, [READINESS_PATH]],
  ];
  for (const [id, priority, paths] of rules) {
    new elbv2.ApplicationListenerRule(stack, id, {
      listener: https, priority, conditions: [elbv2.ListenerCondition.pathPatterns(paths)], action: forward,
    });
  }
  const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
    cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName,
  });
  const managed = ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesCommonRuleSet'];
  const uriPath = (searchString: string, positionalConstraint: string): wafv2.CfnWebACL.StatementProperty => ({
    byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint, searchString, textTransformations: [{ priority: 0, type: 'NONE' }] },
  });
  const webAcl = new wafv2.CfnWebACL(stack, 'WebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('McpWebAclHandWritten'),
    rules: [
      {
        name: 'RateLimitPerIp', priority: 0, action: { block: {} },
        statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: 'IP' } },
        visibilityConfig: visibility('RateLimitPerIp'),
      },
      ...managed.map((name, i): wafv2.CfnWebACL.RuleProperty => ({
        name, priority: 10 + i, overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS', name,
            ruleActionOverrides: name === 'AWSManagedRulesCommonRuleSet'
              ? [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }] : undefined,
          },
        },
        visibilityConfig: visibility(name),
      })),
      {
        name: 'BlockOversizedBodyOutsideMcpPath', priority: 13, action: { block: {} },
        statement: {
          andStatement: {
            statements: [
              { labelMatchStatement: { scope: 'LABEL', key: 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body' } },
              { notStatement: { statement: { orStatement: { statements: [uriPath('/mcp', 'EXACTLY'), uriPath('/mcp/', 'STARTS_WITH')] } } } },
            ],
          },
        },
        visibilityConfig: visibility('BlockOversizedBodyOutsideMcpPath'),
      },
    ],
  });
  new wafv2.CfnWebACLAssociation(stack, 'WebAclAssociation', { resourceArn: alb.loadBalancerArn, webAclArn: webAcl.attrArn });

  // ---- fleet: AL2023 launch template (IMDSv2, encrypted gp3), ASG across the private subnets ----
  const fleetSecurityGroup = new ec2.SecurityGroup(stack, 'FleetSecurityGroup', {
    vpc,
    allowAllOutbound: true,
    description: 'MCP servers: inbound only from the load balancer on the server port; no SSH',
  });
  const role = new iam.Role(stack, 'InstanceRole', {
    assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
    description: 'MCP server instances: SSM Session Manager and patching only',
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
  });
  authToken.grantRead(role);

  const serverBundle = new s3assets.Asset(stack, 'ServerBundle', {
    path: path.dirname(SERVER_ENTRY),
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
      local: {
        tryBundle(outputDir: string): boolean {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const esbuild = require('esbuild') as typeof import('esbuild');
          esbuild.buildSync({
            entryPoints: [SERVER_ENTRY], outfile: path.join(outputDir, 'server.js'),
            bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error',
          });
          return true;
        },
      },
    },
  });
  // `aws s3 cp` of one object: s3:GetObject on that object only.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject'], resources: [serverBundle.bucket.arnForObjects(serverBundle.s3ObjectKey)],
  }));

  const env: [string, string][] = [
    ['REDIS_URL', `rediss://${cache.attrPrimaryEndPointAddress}:${CACHE_PORT}`],
    ['MCP_REQUEST_TIMEOUT_SECONDS', '150'], ['MCP_KEEPALIVE_SECONDS', '15'], ['MCP_DRAIN_SECONDS', '130'],
    ['MCP_LONGEST_TOOL_CALL_SECONDS', '120'], ['MCP_PORT', String(PORT)], ['MCP_PATH', '/mcp'],
    ['MCP_READINESS_PATH', READINESS_PATH], ['MCP_LIVENESS_PATH', '/health/live'],
  ];
  const userData = ec2.UserData.forLinux();
  userData.addCommands(
    'set -euo pipefail',
    `REDIS_AUTH_TOKEN="$(aws secretsmanager get-secret-value --region "$(echo '${authToken.secretArn}' | cut -d: -f4)" --secret-id '${authToken.secretArn}' --query SecretString --output text)"`,
    'IMDS_TOKEN="$(curl -sS -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")"',
    'AWS_REGION="$(curl -sS -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" http://169.254.169.254/latest/meta-data/placement/region)"',
    'dnf install -y nodejs22 unzip',
    'install -d -m 0755 /opt/mcp-server',
    `aws s3 cp '${serverBundle.s3ObjectUrl}' /tmp/mcp-server.zip --region "$AWS_REGION"`,
    'unzip -o /tmp/mcp-server.zip -d /opt/mcp-server',
    'rm -f /tmp/mcp-server.zip',
    'install -d -m 0700 /etc/mcp-server',
    '( umask 077',
    ...env.map(([k, v]) => `  printf '%s=%s\\n' ${k} '${v}' >> /etc/mcp-server/env`),
    `  printf '%s=%s\\n' REDIS_AUTH_TOKEN "$REDIS_AUTH_TOKEN" >> /etc/mcp-server/env`,
    ')',
    `cat > /etc/systemd/system/mcp-server.service <<'UNIT'
[Unit]
Description=MCP server (mcp-ha-constructs)
After=network-online.target
Wants=network-online.target
[Service]
Type=simple
EnvironmentFile=/etc/mcp-server/env
Environment=NODE_ENV=production
ExecStart=/usr/bin/node-22 /opt/mcp-server/server.js
Restart=always
RestartSec=2
RestartPreventExitStatus=78
KillSignal=SIGTERM
KillMode=mixed
TimeoutStopSec=145
DynamicUser=yes
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
LimitNOFILE=65536
[Install]
WantedBy=multi-user.target
UNIT`,
    'systemctl daemon-reload',
    'systemctl enable --now mcp-server.service',
  );

  const launchTemplate = new ec2.LaunchTemplate(stack, 'LaunchTemplate', {
    machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType: ec2.AmazonLinuxCpuType.X86_64 }),
    instanceType: new ec2.InstanceType('m7i.large'),
    userData,
    role,
    securityGroup: fleetSecurityGroup,
    requireImdsv2: true,
    httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
    httpPutResponseHopLimit: 2,
    detailedMonitoring: true,
    blockDevices: [{
      deviceName: '/dev/xvda',
      volume: ec2.BlockDeviceVolume.ebs(30, { volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true, deleteOnTermination: true }),
    }],
  });
  const grace = Duration.seconds(300);
  const asg = new autoscaling.AutoScalingGroup(stack, 'Fleet', {
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    launchTemplate,
    minCapacity: 6,
    maxCapacity: 12,
    healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
      additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB], gracePeriod: grace,
    }),
    defaultInstanceWarmup: grace,
    updatePolicy: autoscaling.UpdatePolicy.instanceRefresh({
      strategy: autoscaling.InstanceRefreshStrategy.ROLLING,
      minHealthyPercentage: 90, maxHealthyPercentage: 110, instanceWarmup: grace, skipMatching: true,
    }),
    groupMetrics: [autoscaling.GroupMetrics.all()],
  });
  asg.addLifecycleHook('Drain', {
    lifecycleTransition: autoscaling.LifecycleTransition.INSTANCE_TERMINATING,
    heartbeatTimeout: Duration.seconds(130),
    defaultResult: autoscaling.DefaultResult.CONTINUE,
  });
  targetGroup.addTarget(asg);
  asg.connections.allowFrom(alb, ec2.Port.tcp(PORT), 'Load balancer to the MCP server port');
  cacheConnections.allowDefaultPortFrom(asg, 'MCP servers to the session cache');
  asg.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70 });
  asg.scaleOnMetric('Latency', {
    metric: targetGroup.metrics.targetResponseTime({ statistic: 'p95', period: Duration.minutes(1) }),
    scalingSteps: [{ upper: 0.5, change: 0 }, { lower: 0.5, change: +1 }, { lower: 1, change: +2 }],
    adjustmentType: autoscaling.AdjustmentType.CHANGE_IN_CAPACITY,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    metricAggregationType: autoscaling.MetricAggregationType.MAXIMUM,
  });
}

/** Only AWS services may create grants on the key (what the reference's keys carry). */
function denyGrantsExceptForAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  }));
}
