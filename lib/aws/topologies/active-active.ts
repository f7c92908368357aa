/**
 * Active-active in one region: one load balancer across the tier's zones, one fleet
 * spread across them, the shared cache, the schedule, the MCP probe and
 * monitoring. Any instance serves any request (stateless MCP; what tools keep lives
 * in the cache). Failover is the load balancer no longer routing to a failed
 * instance: its detection is the budget.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib/core';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { RegionHealthPolicy, regionHealthPolicy } from '../../core/cache-write-model';
import { ASSUMPTIONS, Cloud, DnsRecordKind, FailoverBudget, Topology, computeFailoverBudget } from '../../core/failover-budget';
import { ServicePlan, planService } from '../../core/plan';
import { AvailabilityTier, RoutingMechanism } from '../../core/tiers';
import { AcceleratorMode, McpAccelerator } from '../accelerator';
import { McpCache } from '../cache';
import { McpMonitoring } from '../monitoring';
import { VaultIssuedCertificate } from '../certificate';
import { McpProbe } from '../mcp-probe';
import { McpScheduledScaling } from '../scheduled-scaling';
import { addWarnings, validatorFor } from '../validation';
import { addAuthorizationWarnings, probeOAuth, resolveAuthorization } from './authorization';
import { McpServiceProps, budgetSummary, recordSummary, serviceName } from './common';
import { McpDeployment, allowedHostsEnvironment } from './deployment';
import { writeSummary } from './regional';
import { assertSameBudget, createVpc, deploymentLogKey, publishAcross, routeCertificateAlarms, validateServiceProps, weeklyHours } from './shared';

/** Props of `ActiveActiveMcpService`: the shared service props, plus the VPC and the log key it may reuse. */
export interface ActiveActiveMcpServiceProps extends McpServiceProps {
  /** The VPC to deploy into. @default - a new VPC across the tier's zones, one NAT gateway per zone, flow logs on */
  readonly vpc?: ec2.IVpc;
  /**
   * Encrypts every log group the service creates: VPC flow logs, its functions' logs
   * (certificate, MCP probe) and the cache's slow and engine logs. A key you pass
   * must let logs.<region>.amazonaws.com use it (kms:Encrypt*, Decrypt*, ReEncrypt*,
   * GenerateDataKey*, DescribeKey) for this account's log groups.
   * @default - one new rotating key for the deployment
   */
  readonly logEncryptionKey?: kms.IKey;
}

export class ActiveActiveMcpService extends Construct {
  /** Everything the tier and the overrides resolved to, and the failover budget. */
  public readonly plan: ServicePlan;
  /** The failover budget computed from the rendered settings (equals `plan.budget`). */
  public readonly budget: FailoverBudget;
  public readonly vpc: ec2.IVpc;
  /** The key of the service's log groups. */
  public readonly logEncryptionKey: kms.IKey;
  public readonly certificate: acm.ICertificate;
  public readonly deployment: McpDeployment;
  public readonly cache?: McpCache;
  public readonly scheduledScaling?: McpScheduledScaling;
  public readonly probe?: McpProbe;
  public readonly monitoring: McpMonitoring;
  /** The service's DNS record, when `domain` is set. */
  public readonly record?: route53.RecordSet;
  /** The accelerator, with accelerator routing. */
  public readonly accelerator?: McpAccelerator;
  /** The readiness grace period of the servers (instance health vs region health). */
  public readonly regionHealth: RegionHealthPolicy;
  /** The us-west-2 stack holding the accelerator (this stack when it is in us-west-2). */
  public readonly acceleratorStack?: Stack;

  constructor(scope: Construct, id: string, props: ActiveActiveMcpServiceProps) {
    super(scope, id);
    const tier = props.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
    const stack = Stack.of(this);
    const routing = props.routing;

    // ---- validate (everything, then build) ----
    const v = validatorFor(this);
    validateServiceProps(v, props, { multiRegion: false, regions: [{ prop: 'scope', region: stack.region }] });
    const authorization = resolveAuthorization(v, props);
    const apexCheck = (mechanism: RoutingMechanism) => props.domain?.recordName === '' && mechanism !== RoutingMechanism.ANYCAST
      && routing?.recordKind !== DnsRecordKind.ALIAS;
    if (routing && apexCheck(routing.mechanism)) {
      v.add('domain.recordName', '', `a name below the zone apex, or routing TrafficRouting.dns({ recordKind: DnsRecordKind.${DnsRecordKind.ALIAS.toUpperCase()} }) `
        + 'or accelerator routing: DNS forbids a CNAME at the zone apex (Route 53 refuses it)');
    }
    v.throwIfInvalid();
    this.plan = planService({
      cloud: Cloud.AWS,
      topology: Topology.ACTIVE_ACTIVE,
      tier,
      overrides: { ...(props.tierOverrides ?? props.overrides), ...(routing ? { routing: routing.mechanism } : {}) },
      recordKind: routing?.recordKind,
      cache: props.cache === false ? undefined : { crossRegion: false },
      cacheRegions: [stack.region],
      constructPath: this.node.path,
      isUnresolved: (x) => Token.isUnresolved(x),
    });
    addWarnings(this, this.plan.warnings);
    addAuthorizationWarnings(this, authorization);
    if (!routing && apexCheck(this.plan.routing)) {
      const av = validatorFor(this);
      av.add('domain.recordName', '', `a name below the zone apex, or routing TrafficRouting.dns({ recordKind: DnsRecordKind.ALIAS }) or accelerator routing: `
        + `the tier's default ${this.plan.routing} routing renders a CNAME, which DNS forbids at the zone apex (Route 53 refuses it)`);
      av.throwIfInvalid();
    }
    const profile = this.plan.profile;
    const overrides = props.tierOverrides ?? props.overrides;

    // ---- build ----
    this.logEncryptionKey = deploymentLogKey(this, props.logEncryptionKey);
    this.vpc = props.vpc ?? createVpc(this, profile.minZones, this.logEncryptionKey);
    const hostedZone = props.domain
      ? route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.domain.hostedZoneId, zoneName: props.domain.zoneName })
      : undefined;
    this.certificate = props.certificate.bind(this, {
      region: stack.region, vpc: this.vpc, logEncryptionKey: this.logEncryptionKey, hostedZone, alarmTopic: props.alarmTopic,
      domainNames: props.domain ? [serviceName(props.domain)] : [],
    });
    const { writeModel: _model, ...cacheOptions } = props.cache === false ? {} : (props.cache ?? {});
    this.cache = props.cache === false ? undefined : new McpCache(this, 'Cache', {
      vpc: this.vpc, tier, tierOverrides: overrides, ...cacheOptions, logEncryptionKey: this.logEncryptionKey,
    });
    // Readiness outlasts the cache's in-region failover by one probe interval: a routine failover fails no instance.
    this.regionHealth = regionHealthPolicy(ASSUMPTIONS.cacheAutomaticFailover[Cloud.AWS].seconds, profile.healthProbe.intervalSeconds);
    this.deployment = new McpDeployment(this, 'Deployment', {
      tier, tierOverrides: overrides, vpc: this.vpc, server: props.server, capacity: props.capacity,
      certificate: this.certificate, cache: this.cache, instanceType: props.instanceType,
      cacheEnvironment: this.plan.cacheWrite?.environmentFor(stack.region, this.regionHealth.cacheGraceSeconds),
      serverEnvironment: { ...authorization?.environment(), ...allowedHostsEnvironment(props.domain ? [serviceName(props.domain)] : []) },
      waf: props.waf === false ? undefined : (props.waf ?? {}),
    });
    const fleet = this.deployment.fleet;
    if (props.schedule) {
      this.scheduledScaling = new McpScheduledScaling(this, 'Schedule', {
        autoScalingGroup: fleet.autoScalingGroup, schedule: props.schedule, baseline: props.capacity.baseline,
        tier, tierOverrides: overrides, floor: profile.minCapacity,
      });
    }

    const mechanism = this.plan.routing;
    if (mechanism === RoutingMechanism.ANYCAST) {
      this.acceleratorStack = stack.region === 'us-west-2'
        ? stack
        : new Stack(Stack.of(this).node.scope ?? this, `${id}Accelerator`, {
          env: { account: stack.account, region: 'us-west-2' },
          description: `Global Accelerator of ${this.node.path} (the Global Accelerator API lives in us-west-2)`,
        });
      this.accelerator = new McpAccelerator(this.acceleratorStack === stack ? this : this.acceleratorStack, 'Accelerator', {
        mode: AcceleratorMode.ACTIVE_ACTIVE,
        clientAffinity: routing?.clientAffinity,
        endpointGroups: { [stack.region]: { region: stack.region, loadBalancer: publishedLoadBalancerArn(this, this.acceleratorStack, this.deployment) } },
      });
    }
    if (props.domain && hostedZone) {
      const lb = this.deployment.loadBalancer.loadBalancer;
      if (this.accelerator) {
        const zone = route53.HostedZone.fromHostedZoneAttributes(this.accelerator, 'Zone', {
          hostedZoneId: props.domain.hostedZoneId, zoneName: props.domain.zoneName,
        });
        // DNS forbids a CNAME at the zone apex (Route 53 refuses it): the apex gets an alias A record to the accelerator.
        this.record = props.domain.recordName === ''
          ? new route53.ARecord(this.accelerator, 'ApexRecord', {
            zone, target: route53.RecordTarget.fromAlias(new route53targets.GlobalAcceleratorTarget(this.accelerator.accelerator)),
          })
          : new route53.CnameRecord(this.accelerator, 'Record', {
            zone, recordName: props.domain.recordName, domainName: this.accelerator.dnsName,
            ttl: Duration.seconds(profile.recordTtlSeconds),
          });
      } else if (routing?.recordKind === DnsRecordKind.ALIAS) {
        this.record = new route53.ARecord(this, 'Record', {
          zone: hostedZone, recordName: props.domain.recordName,
          target: route53.RecordTarget.fromAlias(new route53targets.LoadBalancerTarget(lb)),
        });
      } else {
        this.record = new route53.CnameRecord(this, 'Record', {
          zone: hostedZone, recordName: props.domain.recordName, domainName: lb.loadBalancerDnsName,
          ttl: Duration.seconds(profile.recordTtlSeconds),
        });
      }
      if (props.mcpProbe ?? true) {
        this.probe = new McpProbe(this, 'Probe', {
          url: `https://${serviceName(props.domain)}${props.server.mcpPath}`, logEncryptionKey: this.logEncryptionKey,
          trustedCa: VaultIssuedCertificate.trustedCaOf(this.certificate), oauth: probeOAuth(authorization, props),
        });
      }
    }
    this.monitoring = new McpMonitoring(this, 'Monitoring', {
      tier, tierOverrides: overrides, alarmTopic: props.alarmTopic,
      loadBalancer: this.deployment.loadBalancer.loadBalancer, targetGroup: this.deployment.loadBalancer.targetGroup,
      autoScalingGroup: fleet.autoScalingGroup,
      cache: this.cache ? { replicationGroupId: this.cache.replicationGroupId } : undefined,
      probe: this.probe,
    });
    routeCertificateAlarms(this.certificate, this.monitoring, props.alarmTopic);

    // ---- the budget, from what was rendered ----
    this.budget = computeFailoverBudget({
      cloud: Cloud.AWS, topology: Topology.ACTIVE_ACTIVE, routing: mechanism,
      probe: this.deployment.loadBalancer.healthProbe, targets: profile.targets,
      cache: this.cache?.failoverInput,
    });
    assertSameBudget(this, this.plan.budget, this.budget);
    recordSummary(this, {
      cloud: Cloud.AWS, topology: Topology.ACTIVE_ACTIVE, tier, zones: profile.minZones, authorization: authorization?.summary,
      minInstances: fleet.capacity.min, maxInstances: fleet.capacity.max,
      ...budgetSummary(this.budget),
      ...writeSummary(this.plan),
      ...weeklyHours(props.schedule, props.capacity.baseline, profile.minCapacity, fleet.capacity.min, fleet.capacity.max),
    });
  }
}

/** The load balancer's ARN as the accelerator's stack can use it: directly, or through SSM across regions. */
function publishedLoadBalancerArn(scope: Construct, acceleratorStack: Stack, deployment: McpDeployment): string {
  const lb = deployment.loadBalancer.loadBalancer;
  if (Stack.of(scope) === acceleratorStack) return lb.loadBalancerArn;
  return publishAcross(scope, acceleratorStack, 'load-balancer-arn', lb.loadBalancerArn);
}
