/**
 * Helpers the topologies share: the default VPC, validation of the common props,
 * the budget consistency check, the weekly instance-hours of the summary, and
 * values that cross regions.
 */
import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib/core';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CacheWriteModel } from '../../core/cache-write-model';
import { AWS_REGIONS, isAwsRegion } from '../../core/cloud-limits';
import { Validator } from '../../core/errors';
import { FailoverBudget } from '../../core/failover-budget';
import { ScalingSchedule } from '../../core/schedule';
import { StackSummary } from '../../core/summary';
import { RoutingMechanism } from '../../core/tiers';
import { VaultIssuedCertificate } from '../certificate';
import { CrossRegionValue, PublishedValue } from '../cross-region';
import { McpMonitoring } from '../monitoring';
import { acknowledgeControl, acknowledgeDefaultPolicy, acknowledgePackRule } from '../private/compliance';
import { createLogEncryptionKey } from '../private/log-key';
import { McpServiceProps } from './common';

/**
 * A VPC across `zones` zones: public subnets (load balancer and NAT gateways only, no
 * public IP on launch), private-with-egress subnets (one NAT gateway per zone) and flow
 * logs to a log group kept a year, encrypted with `logEncryptionKey`.
 */
export function createVpc(scope: Construct, zones: number, logEncryptionKey: kms.IKey): ec2.Vpc {
  const stack = Stack.of(scope);
  const flowLogGroup = new logs.LogGroup(scope, 'FlowLogs', {
    encryptionKey: logEncryptionKey,
    retention: logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    maxAzs: zones,
    natGateways: zones,
    subnetConfiguration: [
      // Only the load balancer and the NAT gateways (Elastic IPs) live here: nothing needs a public IP on launch.
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 22, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
    ],
    flowLogs: { All: { trafficType: ec2.FlowLogTrafficType.ALL, destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup) } },
  });
  for (const subnet of vpc.publicSubnets) {
    acknowledgePackRule(subnet, 'VPCNoUnrestrictedRouteToIGW',
      'A public subnet\'s default route to the internet gateway is what lets the internet-facing MCP load balancer '
      + 'answer clients and the NAT gateways reach out; instances run in the private subnets, with no public IP.');
  }
  const flowLogRole = vpc.node.tryFindChild('All')?.node.tryFindChild('IAMRole');
  if (flowLogRole) acknowledgeDefaultPolicy(flowLogRole, 'VPC Flow Logs writing to the flow-log group');
  // aws-cdk-lib's stack-level function that strips the default security group's rules
  // (@aws-cdk/aws-ec2:restrictDefaultSecurityGroup) runs once, at deployment.
  const restrictDefaultSg = stack.node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  if (restrictDefaultSg) {
    acknowledgeControl(restrictDefaultSg, 'lambda_inside_vpc_check',
      'aws-cdk-lib\'s custom resource that removes the default security group\'s rules calls only the EC2 API, once per '
      + 'deployment, and reaches it through the public endpoint; it handles no application data.');
  }
  return vpc;
}

const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const LABEL = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)$/;

/**
 * The key of every log group a deployment creates (VPC flow logs, function logs,
 * cache logs): the user's, or one new key per deployment. Each of those log groups
 * would otherwise get a key of its own with the very same policy (CloudWatch Logs of
 * this account and region), so one key costs less and grants no more.
 */
export function deploymentLogKey(scope: Construct, key: kms.IKey | undefined): kms.IKey {
  return key ?? createLogEncryptionKey(scope, 'LogKey',
    `Encrypts the log groups of ${scope.node.path}: VPC flow logs, function logs and cache logs`);
}

/** Checks the props every topology shares; problems go to `v`. */
export function validateServiceProps(
  v: Validator, props: McpServiceProps,
  context: { readonly multiRegion: boolean; readonly regions?: readonly { readonly prop: string; readonly region: string | undefined }[] },
): void {
  const regions: string[] = [];
  for (const { prop, region } of context.regions ?? []) {
    if (region === undefined || Token.isUnresolved(region)) continue;
    v.check(isAwsRegion(region), prop, region,
      `an AWS region name such as "us-east-1" or "eu-west-1" (the list: ${AWS_REGIONS.docUrl})`);
    if (isAwsRegion(region)) regions.push(region);
  }
  props.certificate.validateFor(v, regions);
  v.check(props.tierOverrides === undefined || props.overrides === undefined, 'overrides', props.overrides,
    'no value with tierOverrides (overrides is its deprecated name)');
  const writeModel = props.cache === false ? undefined : props.cache?.writeModel;
  if (!context.multiRegion && writeModel !== undefined && writeModel !== CacheWriteModel.SINGLE_REGION) {
    v.add('cache.writeModel', writeModel, `${CacheWriteModel.SINGLE_REGION} (or no value): this service runs in one region with one cache`);
  }
  const d = props.domain;
  if (d) {
    const dv = v.nested('domain');
    dv.check(Token.isUnresolved(d.hostedZoneId) || HOSTED_ZONE_ID.test(d.hostedZoneId), 'hostedZoneId', d.hostedZoneId,
      'a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ" (synthesis never looks zones up)');
    dv.check(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(d.zoneName), 'zoneName', d.zoneName,
      'a lowercase domain name such as "example.com"');
    dv.check(d.recordName === '' || d.recordName.split('.').every((l) => LABEL.test(l)), 'recordName', d.recordName,
      'lowercase DNS labels below the zone, such as "mcp" ("" for the apex)');
  }
  const routing = props.routing;
  if (routing?.mechanism === RoutingMechanism.DNS && !d) {
    v.add('routing', 'dns', 'a domain (props.domain) to write the records into, or accelerator routing');
  }
  if (props.mcpProbe === true && !d) {
    v.add('mcpProbe', true, 'a domain (props.domain): the probe calls the service by its name over TLS');
  }
  if (context.multiRegion && !props.certificate.multiRegion) {
    v.add('certificate', 'McpCertificate.fromCertificate(...)',
      'a certificate source that serves every region (McpCertificate.fromCertificateArns, .vault or .dnsValidated): ACM certificates are regional');
  }
  if (props.certificate.needsDomain && !d) {
    v.add('certificate', 'McpCertificate.dnsValidated()', 'a domain (props.domain) whose hosted zone validates the certificate');
  }
  v.integerInRange('capacity.baseline', props.capacity.baseline, { min: 1, max: 10000 });
}

/**
 * The budget the plan promised and the one computed from the rendered constructs
 * must be the same: a difference means a construct rendered something other than
 * what the plan validated, which is a bug in this library, not in the user's input.
 */
export function assertSameBudget(scope: Construct, planned: FailoverBudget, rendered: FailoverBudget): void {
  if (planned.describe() !== rendered.describe()) {
    throw new Error(`${scope.node.path}: internal error: the rendered failover budget (${rendered.describe()}) differs from the planned one (${planned.describe()})`);
  }
}

/** Weekly instance-hours of the summary: the schedule's floor, or min capacity around the clock. */
export function weeklyHours(
  schedule: ScalingSchedule | undefined, baseline: number, floor: number, min: number, max: number,
): Pick<StackSummary, 'weeklyInstanceHours' | 'flatPeakInstanceHours'> {
  if (!schedule) return { weeklyInstanceHours: 168 * min, flatPeakInstanceHours: 168 * max };
  const h = schedule.weeklyInstanceHours(baseline, floor);
  return { weeklyInstanceHours: h.floorInstanceHours, flatPeakInstanceHours: h.flatPeakInstanceHours };
}

/**
 * Sends a Vault certificate's expiry and rotation-failure alarms to the monitoring topic
 * (with `alarmTopic` set, the certificate already notifies it).
 */
export function routeCertificateAlarms(certificate: acm.ICertificate, monitoring: McpMonitoring, alarmTopic: sns.ITopic | undefined): void {
  const source = certificate.node.scope;
  if (alarmTopic || !(source instanceof VaultIssuedCertificate)) return;
  monitoring.routeAlarm('CertificateExpiry', source.expiryAlarm);
  monitoring.routeAlarm('CertificateRotationFailure', source.rotationFailureAlarm);
}

/** The log key `deploymentLogKey` created in `stack` (id 'LogKey'), if any. */
function sourceLogKey(stack: Stack): kms.IKey | undefined {
  const key = stack.node.tryFindChild('LogKey');
  return key instanceof kms.Key ? key : undefined;
}

/** Deterministic SSM name for a value `scope` publishes (no cross-region references). */
export function publishedName(scope: Construct, key: string): string {
  const path = scope.node.path.replace(/[^a-zA-Z0-9_.\-/]/g, '-');
  return `/mcp-ha/${path}/${key}`;
}

/**
 * Makes `value` (from `scope`'s stack) available in `target` (another region): an
 * SSM parameter in the source region, copied by the source stack into the target's
 * region whenever it changes, and read there as an SSM-typed stack parameter
 * (re-read at every deployment, never a call to another region). The target deploys
 * after the source. The last argument is unused since readers run no function (kept
 * for callers; KMS keys are regional, so the copy writer uses the source's own key).
 */
export function publishAcross(scope: Construct, target: Stack, key: string, value: string, _targetLogKey?: kms.IKey): string {
  const source = Stack.of(scope);
  const parameterName = publishedName(scope, key);
  // The publisher copies the value into the reader's region whenever it changes (see cross-region.ts);
  // its copy-writing function logs with the source deployment's own log key.
  const published = (scope.node.tryFindChild(`Published-${key}`) as PublishedValue | undefined)
    ?? new PublishedValue(scope, `Published-${key}`, { parameterName, value, logEncryptionKey: sourceLogKey(source) });
  target.addStackDependency(source, 'reads a value the source stack publishes in SSM');
  const readerId = `${source.node.id}-${key}`.replace(/[^A-Za-z0-9-]/g, '-');
  const existing = target.node.tryFindChild(readerId) as CrossRegionValue | undefined;
  return (existing ?? CrossRegionValue.fromPublished(target, readerId, published)).value;
}
