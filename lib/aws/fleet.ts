/**
 * The MCP servers on AWS: a multi-AZ Auto Scaling group of Amazon Linux 2023
 * instances launched from a hardened launch template (IMDSv2 only, encrypted gp3
 * root volume, detailed monitoring, SSM instead of SSH), running the server that an
 * `McpServerSource` describes, registered with an `McpLoadBalancer`.
 *
 * Capacity, zones, health, draining and scaling thresholds come from the
 * availability tier (core). The fleet never sets a desired capacity: scaling
 * policies and schedules own it, and a redeploy must not reset it.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib/core';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwactions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { McpServerEnv, McpServerSource, timeoutEnvironment } from '../core/server-source';
import { AvailabilityTier, TierProfile, TierOverrides, mergeOverrides, resolveTier } from '../core/tiers';
import { TimeoutChain, TimeoutChainOptions } from '../core/timeouts';
import { McpLoadBalancer, validateSubnetZones } from './load-balancer';
import { acknowledgeControl, acknowledgeDefaultPolicy } from './private/compliance';
import { isStackBound } from './server-bundle';
import { validatorFor } from './validation';

/** How many instances the fleet runs. */
export interface FleetCapacity {
  /** The capacity the service needs on a normal day; schedules and presets are percentages of it. */
  readonly baseline: number;
  /**
   * Instances that always run.
   * @default - the larger of baseline and the tier's minCapacity
   */
  readonly min?: number;
  /**
   * Instances scaling may reach.
   * @default - twice the baseline (at least min)
   */
  readonly max?: number;
}

/** Capacity as rendered. */
export interface ResolvedFleetCapacity {
  /** The baseline the schedule's percentages refer to. */
  readonly baseline: number;
  /** The group's minimum: never below the tier's minCapacity (one instance per zone). */
  readonly min: number;
  /** The group's maximum. */
  readonly max: number;
}

/** A mixed on-demand / Spot fleet. */
export interface SpotOptions {
  /**
   * Instance types the group may launch (the fleet's `instanceType` is always
   * included first). Diversify: several families and sizes of one architecture.
   */
  readonly instanceTypes: ec2.InstanceType[];
  /**
   * On-demand instances below which Spot is never used. Must cover the tier's
   * minCapacity: a Spot interruption must not take the fleet below it.
   * @default - onDemandBasePercentOfBaseline of the baseline, rounded up, at least the tier's minCapacity
   */
  readonly onDemandBaseCapacity?: number;
  /**
   * Base capacity as a percentage of the baseline (used when onDemandBaseCapacity is not set).
   * @default 65
   */
  readonly onDemandBasePercentOfBaseline?: number;
  /**
   * Share of the capacity above the base that is on-demand; the rest is Spot.
   * @default 70
   */
  readonly onDemandPercentageAboveBase?: number;
  /**
   * How Spot capacity is chosen.
   * @default autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED
   */
  readonly allocationStrategy?: autoscaling.SpotAllocationStrategy;
}

/**
 * Spot strategies.
 *
 * The guide's "hybrid capacity strategy" splits capacity into base 60-70 %
 * (reserved instances), peak 20-30 % (on-demand) and burst 10-20 % (Spot). An Auto
 * Scaling group cannot buy reservations: reserved instances and Savings Plans are
 * billing discounts applied to on-demand instances. So the preset maps it as:
 *
 * - base: on-demand, 65 % of the baseline rounded up (the midpoint of 60-70 %;
 *   buy reservations or a Savings Plan for it), never below the tier's minCapacity;
 * - above the base: 70 % on-demand, 30 % Spot. Taking the guide's peak and burst
 *   shares as 25 % and 10 % of a fleet at its base-plus-peak-plus-burst size, Spot
 *   is 10 / (25 + 10) = 29 % of the capacity above the base, rounded to 30 %; at a
 *   full fleet that makes Spot 30 % x 35 % = 10.5 % of all capacity, inside the
 *   guide's 10-20 % burst band. (85 % on-demand above the base would make Spot
 *   about 5 %, below the guide's band.)
 */
export class SpotStrategy {
  /** Base capacity of the guide preset, in percent of the baseline. */
  public static readonly GUIDE_BASE_PERCENT_OF_BASELINE = 65;
  /** On-demand share above the base in the guide preset, in percent. */
  public static readonly GUIDE_ON_DEMAND_PERCENT_ABOVE_BASE = 70;

  /** The guide's reserved/on-demand/Spot split (see the class documentation). */
  public static guidePreset(instanceTypes: ec2.InstanceType[]): SpotOptions {
    return {
      instanceTypes,
      onDemandBasePercentOfBaseline: SpotStrategy.GUIDE_BASE_PERCENT_OF_BASELINE,
      onDemandPercentageAboveBase: SpotStrategy.GUIDE_ON_DEMAND_PERCENT_ABOVE_BASE,
      allocationStrategy: autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
    };
  }

  private constructor() {}
}

/** A warm pool of pre-initialized instances (on-demand fleets only). */
export interface FleetWarmPoolOptions {
  /**
   * Instances kept in the pool at least.
   * @default 0 (the pool then holds max minus desired capacity)
   */
  readonly minSize?: number;
  /**
   * State of pooled instances. HIBERNATED also configures hibernation on the launch template.
   * @default autoscaling.PoolState.STOPPED
   */
  readonly state?: autoscaling.PoolState;
}

/** Props of `McpFleet`: the Auto Scaling group of MCP servers, its capacity, launch template and scaling. */
export interface McpFleetProps {
  /** The VPC to launch into. */
  readonly vpc: ec2.IVpc;
  /** What runs on each instance. */
  readonly server: McpServerSource;
  /** How many instances run. */
  readonly capacity: FleetCapacity;
  /**
   * Availability tier.
   * @default - the load balancer's tier, else AvailabilityTier.BUSINESS_CRITICAL
   */
  readonly tier?: AvailabilityTier;
  /**
   * Overrides of the tier's defaults, field by field (a topology passes its own
   * here). This construct's specific props win over them.
   * @default - none
   */
  readonly tierOverrides?: TierOverrides;
  /**
   * The load balancer to register with: the group joins its target group, uses ELB
   * health checks, lets the load balancer's security group reach the server port, and
   * scales on its request count and latency.
   * @default - no load balancer (EC2 health checks, CPU scaling only)
   */
  readonly loadBalancer?: McpLoadBalancer;
  /**
   * Timeout-chain overrides; with a load balancer they must resolve to its chain.
   * @default - the load balancer's chain, else the tier's
   */
  readonly timeouts?: TimeoutChainOptions;
  /**
   * Instance type. The default is x86_64 because most published MCP server images
   * are amd64-only; with an arm64 image, m7g.large costs about 20 % less. The AMI's
   * architecture follows the instance type.
   * @default m7i.large
   */
  readonly instanceType?: ec2.InstanceType;
  /**
   * Machine image (its root device must be /dev/xvda, as on Amazon Linux).
   * @default - latest Amazon Linux 2023 for the instance type's architecture (a newer
   * AMI at deploy time rolls the fleet through instance refresh)
   */
  readonly machineImage?: ec2.IMachineImage;
  /**
   * Subnets; they must span the tier's minimum zones.
   * @default - private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * An existing security group for the instances.
   * @default - a new one: inbound only from the load balancer on the server port, all outbound
   */
  readonly securityGroup?: ec2.ISecurityGroup;
  /**
   * An existing instance role (it must allow the SSM agent if you want Session Manager).
   * @default - a new role with AmazonSSMManagedInstanceCore only
   */
  readonly role?: iam.IRole;
  /**
   * Root volume size in GiB (gp3, encrypted).
   * @default 30
   */
  readonly rootVolumeSizeGiB?: number;
  /**
   * Customer managed key for the root volume. The construct grants the Auto Scaling
   * service-linked role use of a key defined in the same app; for an imported key,
   * allow it in the key policy yourself.
   * @default - the account's default EBS key (aws/ebs)
   */
  readonly rootVolumeEncryptionKey?: kms.IKey;
  /**
   * How long a new instance may fail health checks before it is replaced
   * (Docker install, image pull and server start on first boot). Also the instance
   * warm-up for scaling and instance refresh. Whole seconds, 0 or more.
   * @default 300
   */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * Mix on-demand and Spot instances (also turns on capacity rebalancing).
   * @default - on-demand only
   */
  readonly spot?: SpotOptions;
  /**
   * Keep pre-initialized instances to scale out faster.
   * @default - no warm pool
   */
  readonly warmPool?: FleetWarmPoolOptions;
  /**
   * CPU the target-tracking policy holds.
   * @default - the tier's alarms.targetCpuPercent (70)
   */
  readonly targetCpuPercent?: number;
  /**
   * Also track ALB requests per target per minute (needs `loadBalancer`).
   * @default - no request-count scaling
   */
  readonly requestsPerTargetPerMinute?: number;
  /**
   * P95 target response time above which the fleet steps out (needs `loadBalancer`).
   * @default - the tier's alarms.p95LatencyMs (500)
   */
  readonly p95LatencyMs?: number;
  /**
   * Minutes the P95 latency must stay above the threshold.
   * @default - the tier's alarms.latencyEvaluationMinutes (2)
   */
  readonly latencyEvaluationMinutes?: number;
  /**
   * More environment variables for the server (a cache endpoint, for instance).
   * They override the server source's own; the timeout chain's variables cannot be
   * set here. Values land in user data: never pass a secret.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Secrets the server receives as environment variables (a cache AUTH token, for
   * instance). Each instance reads them at boot with its role (read access is
   * granted here); the values never appear in the template or user data.
   * @default - none
   */
  readonly secretEnvironment?: Record<string, secretsmanager.ISecret>;
  /**
   * SNS topic for launch/terminate notifications (and their errors).
   * @default - none (Auto Scaling still emits every event to EventBridge)
   */
  readonly notificationsTopic?: sns.ITopic;
}

const DEFAULT_INSTANCE_TYPE = 'm7i.large';
const DEFAULT_GRACE_SECONDS = 300;
/** gp3: 1-16384 GiB; Amazon Linux 2023's snapshot is 8 GiB (a root volume cannot be smaller than its snapshot). */
const ROOT_VOLUME_GIB = { min: 8, max: 16384 };
/** Lifecycle hook heartbeat: 30 to 7200 seconds. */
const HEARTBEAT_SECONDS = { min: 30, max: 7200 };
/** Instance refresh: launch before terminating, up to 10 % above desired (AWS's default for Rolling). */
const MAX_HEALTHY_PERCENT = 110;

/** A step-scaling action and the alarm that triggers it. */
export interface FleetStepScaling {
  /** The scaling policy (AWS::AutoScaling::ScalingPolicy, StepScaling). */
  readonly action: autoscaling.StepScalingAction;
  /** The alarm whose breach runs `action`; its breach side matches the action's steps. */
  readonly alarm: cloudwatch.Alarm;
}

/**
 * An Auto Scaling group of MCP servers.
 *
 * Draining on scale-in and instance refresh: the group deregisters the instance
 * from the target group, which waits the deregistration delay (the chain's
 * drainSeconds) for in-flight calls; the termination lifecycle hook then holds the
 * instance in Terminating:Wait for drainSeconds more (at least 30 s) so the server
 * can finish background work and flush state before shutdown, when Docker gives
 * the container drainSeconds to stop.
 */
export class McpFleet extends Construct {
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  public readonly launchTemplate: ec2.LaunchTemplate;
  public readonly role: iam.IRole;
  public readonly securityGroup: ec2.ISecurityGroup;
  public readonly serverSource: McpServerSource;
  public readonly capacity: ResolvedFleetCapacity;
  public readonly profile: TierProfile;
  public readonly timeouts: TimeoutChain;
  /** The termination lifecycle hook that holds instances while they drain. */
  public readonly drainHook: autoscaling.LifecycleHook;
  public readonly cpuScaling: autoscaling.TargetTrackingScalingPolicy;
  /** Request-count target tracking, when `requestsPerTargetPerMinute` is set. */
  public readonly requestScaling?: autoscaling.TargetTrackingScalingPolicy;
  /** P95-latency step scaling, when a load balancer is attached. */
  public readonly latencyScaling?: FleetStepScaling;
  /** The warm pool, when configured. */
  public readonly warmPool?: autoscaling.WarmPool;

  constructor(scope: Construct, id: string, props: McpFleetProps) {
    super(scope, id);
    const v = validatorFor(this);
    const lb = props.loadBalancer;
    const server = props.server;

    // --- Resolve every default once, then validate everything before building.
    const tier = props.tier ?? lb?.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
    const profile = resolveTier(tier, mergeOverrides(props.tierOverrides, {
      timeouts: props.timeouts ?? (props.tierOverrides?.timeouts ? undefined : lb?.timeouts.toOptions()),
      alarms: {
        ...(props.targetCpuPercent !== undefined ? { targetCpuPercent: props.targetCpuPercent } : {}),
        ...(props.p95LatencyMs !== undefined ? { p95LatencyMs: props.p95LatencyMs } : {}),
        ...(props.latencyEvaluationMinutes !== undefined ? { latencyEvaluationMinutes: props.latencyEvaluationMinutes } : {}),
      },
    }), v);
    const instanceType = props.instanceType ?? new ec2.InstanceType(DEFAULT_INSTANCE_TYPE);
    const graceSeconds = props.healthCheckGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    const rootVolumeSizeGiB = props.rootVolumeSizeGiB ?? 30;
    const subnetSelection = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

    v.check(server instanceof McpServerSource, 'server', server,
      'an McpServerSource (McpServerSource.container(...) or McpServerSource.commands(...))');
    const capacity = resolveCapacity(props.capacity, profile, v.nested('capacity'));
    if (lb) {
      v.check(props.tier === undefined || props.tier === lb.tier, 'tier', props.tier,
        `the load balancer's tier (${lb.tier}) or unset: probes, zones and capacity must follow one tier`);
      if (props.timeouts !== undefined) {
        const ours = profile.timeouts.toOptions();
        const theirs = lb.timeouts.toOptions();
        const differing = (Object.keys(ours) as (keyof typeof ours)[]).filter((k) => ours[k] !== theirs[k]);
        v.check(differing.length === 0, 'timeouts', props.timeouts,
          `the load balancer's timeout chain ${JSON.stringify(theirs)} or unset: the server and the load balancer ` +
          `must share one chain (differs in ${differing.join(', ')})`);
      }
      if (server instanceof McpServerSource) {
        server.validateHealthPath(lb.healthProbe.path, 'loadBalancer.healthCheck.path', v);
        v.check(lb.port === server.port, 'loadBalancer.port', lb.port,
          `the server's port (${server.port}): the target group would send traffic to a closed port`);
        v.check(lb.mcpPath === server.mcpPath, 'loadBalancer.mcpPath', lb.mcpPath,
          `the server's MCP path (${JSON.stringify(server.mcpPath)})`);
      }
    }
    v.integerInRange('rootVolumeSizeGiB', rootVolumeSizeGiB, ROOT_VOLUME_GIB,
      'GiB: gp3 allows up to 16384 and the Amazon Linux 2023 snapshot is 8');
    v.check(Number.isInteger(graceSeconds) && graceSeconds >= 0, 'healthCheckGracePeriodSeconds', graceSeconds,
      'a whole number of seconds, 0 or more');
    if (props.requestsPerTargetPerMinute !== undefined) {
      v.check(lb !== undefined, 'requestsPerTargetPerMinute', props.requestsPerTargetPerMinute,
        'no value without loadBalancer: request-count scaling tracks the load balancer\'s target group');
      v.check(Number.isInteger(props.requestsPerTargetPerMinute) && props.requestsPerTargetPerMinute > 0,
        'requestsPerTargetPerMinute', props.requestsPerTargetPerMinute, 'a positive whole number of requests');
    }
    for (const name of Object.keys(props.secretEnvironment ?? {})) {
      v.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !(Object.values(McpServerEnv) as string[]).includes(name)
        && !(name in (props.environment ?? {})), `secretEnvironment.${name}`, name,
      'a variable name of letters, digits and underscores, not an MCP_* name the library sets, not also in environment');
    }
    for (const name of Object.keys(props.environment ?? {})) {
      v.check(!(Object.values(McpServerEnv) as string[]).includes(name), `environment.${name}`, name,
        'a name the library does not set itself (MCP_* variables come from the timeout chain and the server source)');
      v.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(name), `environment.${name}`, name,
        'a variable name of letters, digits and underscores, not starting with a digit');
    }
    const architecture = architectureOf(instanceType, 'instanceType', v);
    const spot = props.spot ? resolveSpot(props.spot, instanceType, architecture, capacity, profile, v.nested('spot')) : undefined;
    if (props.warmPool) {
      const w = v.nested('warmPool');
      v.check(!props.spot, 'warmPool', props.warmPool,
        'no warm pool with spot: AWS does not support warm pools on groups with a mixed instances policy or Spot instances');
      w.integerInRange('minSize', props.warmPool.minSize, { min: 0, max: capacity.max },
        'instances; at most the group\'s max capacity');
    }
    if (props.vpc) validateSubnetZones(props.vpc, subnetSelection, profile, v);
    else v.add('vpc', props.vpc, 'an IVpc');
    v.throwIfInvalid();

    // --- Build.
    this.profile = profile;
    this.timeouts = profile.timeouts;
    this.capacity = capacity;
    this.serverSource = server;

    this.securityGroup = props.securityGroup ?? new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: true,
      description: 'MCP servers: inbound only from the load balancer on the server port; no SSH',
    });

    if (props.role) {
      this.role = props.role;
    } else {
      const role = new iam.Role(this, 'InstanceRole', {
        assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
        description: 'MCP server instances: SSM Session Manager and patching only',
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
      });
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
        reason: 'AmazonSSMManagedInstanceCore is the AWS-maintained minimum for the SSM agent (Session Manager ' +
          'replaces SSH); its ssm/ssmmessages/ec2messages actions cannot be scoped to resources, and AWS updates ' +
          'it when the agent needs new actions. The role has no other permission.',
      });
      acknowledgeDefaultPolicy(role, 'reading the server bundle object, the secrets of secretEnvironment and the cache AUTH token');
      this.role = role;
    }
    for (const secret of Object.values(props.secretEnvironment ?? {})) secret.grantRead(this.role);

    const env = { ...(props.environment ?? {}), ...timeoutEnvironment(this.timeouts) };
    const userData = ec2.UserData.forLinux();
    const secrets = props.secretEnvironment ?? {};
    // Sources that ship code (a bundled server) stage it in this stack and let the role read it.
    const rendered = isStackBound(server) ? server.bindToStack(this, this.role) : server;
    userData.addCommands(...rendered.renderStartScript(env,
      Object.fromEntries(Object.entries(secrets).map(([k, secret]) => [k, secret.secretArn]))));

    if (props.rootVolumeEncryptionKey) {
      // The Auto Scaling service-linked role launches the instances and so needs the key.
      const slr = new iam.ArnPrincipal(Stack.of(this).formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: 'aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling',
      }));
      props.rootVolumeEncryptionKey.grant(slr, 'kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey',
        'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*');
    }

    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: props.machineImage ?? ec2.MachineImage.latestAmazonLinux2023({
        cpuType: architecture === ec2.InstanceArchitecture.ARM_64
          ? ec2.AmazonLinuxCpuType.ARM_64
          : ec2.AmazonLinuxCpuType.X86_64,
      }),
      instanceType,
      userData,
      role: this.role,
      securityGroup: this.securityGroup,
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      // As few hops as the server needs: 2 for a bridge-networked container, 1 for a host process.
      httpPutResponseHopLimit: server.metadataHops,
      detailedMonitoring: true,
      hibernationConfigured: props.warmPool?.state === autoscaling.PoolState.HIBERNATED ? true : undefined,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(rootVolumeSizeGiB, {
          volumeType: ec2.EbsDeviceVolumeType.GP3,
          encrypted: true,
          kmsKey: props.rootVolumeEncryptionKey,
          deleteOnTermination: true,
        }),
      }],
    });

    if (server.metadataHops > 1) {
      acknowledgeControl(this.launchTemplate, 'ec2_launch_template_token_hop_limit_check',
        'IMDSv2 is required (session tokens); the hop limit is 2 because a server run by McpServerSource.container() lives '
        + 'in a bridge-networked Docker container, one hop behind the host, and reads its role credentials through IMDS.');
    }

    const grace = Duration.seconds(graceSeconds);
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: subnetSelection,
      ...(spot
        ? {
          mixedInstancesPolicy: {
            launchTemplate: this.launchTemplate,
            instancesDistribution: {
              onDemandBaseCapacity: spot.onDemandBaseCapacity,
              onDemandPercentageAboveBaseCapacity: spot.onDemandPercentageAboveBase,
              onDemandAllocationStrategy: autoscaling.OnDemandAllocationStrategy.PRIORITIZED,
              spotAllocationStrategy: spot.allocationStrategy,
            },
            launchTemplateOverrides: spot.instanceTypes.map((t) => ({ instanceType: t })),
          },
        }
        : { launchTemplate: this.launchTemplate }),
      minCapacity: capacity.min,
      maxCapacity: capacity.max,
      // desiredCapacity is deliberately never set: scaling policies and schedules own it.
      healthChecks: lb
        ? autoscaling.HealthChecks.withAdditionalChecks({
          additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
          gracePeriod: grace,
        })
        : autoscaling.HealthChecks.ec2({ gracePeriod: grace }),
      defaultInstanceWarmup: grace,
      updatePolicy: autoscaling.UpdatePolicy.instanceRefresh({
        strategy: autoscaling.InstanceRefreshStrategy.ROLLING,
        minHealthyPercentage: profile.minHealthyPercent,
        maxHealthyPercentage: MAX_HEALTHY_PERCENT,
        instanceWarmup: grace,
        skipMatching: true,
      }),
      capacityRebalance: spot ? true : undefined,
      groupMetrics: [autoscaling.GroupMetrics.all()],
      notifications: props.notificationsTopic
        ? [{ topic: props.notificationsTopic, scalingEvents: autoscaling.ScalingEvents.ALL }]
        : undefined,
    });
    acknowledgeControl(this.autoScalingGroup, 'autoscaling_multiple_az_check',
      'The group\'s zones are its subnets (VPCZoneIdentifier), checked at synth to span at least the tier\'s minimum number '
      + 'of zones; AvailabilityZones would repeat them and must match them anyway.');
    if (!spot) {
      acknowledgeControl(this.autoScalingGroup, 'autoscaling_mixed_instances_policy_multiple_instance_types_check',
        'On-demand capacity of one instance type (instanceType) keeps every instance equal to the capacity plan the tier\'s '
        + 'numbers assume; pass spot with instanceTypes for a mixed instances policy across several types.');
    }
    if (!props.notificationsTopic) {
      Validations.of(this.autoScalingGroup).acknowledge({
        id: 'AwsSolutions-AS3',
        reason: 'Auto Scaling emits every launch and terminate event (and their failures) to Amazon EventBridge; ' +
          'pass notificationsTopic to also publish them to SNS.',
      });
    }

    this.drainHook = this.autoScalingGroup.addLifecycleHook('Drain', {
      lifecycleTransition: autoscaling.LifecycleTransition.INSTANCE_TERMINATING,
      heartbeatTimeout: Duration.seconds(Math.min(HEARTBEAT_SECONDS.max,
        Math.max(HEARTBEAT_SECONDS.min, this.timeouts.drainSeconds))),
      defaultResult: autoscaling.DefaultResult.CONTINUE,
    });

    if (props.warmPool) {
      this.warmPool = this.autoScalingGroup.addWarmPool({
        minSize: props.warmPool.minSize,
        poolState: props.warmPool.state ?? autoscaling.PoolState.STOPPED,
      });
    }

    if (lb) {
      // Registers the group in the target group; CDK also opens the load balancer's
      // security group to this one on the target group's port (the server port).
      lb.targetGroup.addTarget(this.autoScalingGroup);
      this.autoScalingGroup.connections.allowFrom(lb.loadBalancer, ec2.Port.tcp(server.port),
        'MCP load balancer to the MCP server port');
    }

    this.cpuScaling = this.autoScalingGroup.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: profile.alarms.targetCpuPercent,
    });
    if (lb && props.requestsPerTargetPerMinute !== undefined) {
      this.requestScaling = this.autoScalingGroup.scaleOnRequestCount('Requests', {
        targetRequestsPerMinute: props.requestsPerTargetPerMinute,
      });
    }
    if (lb) {
      const thresholdSeconds = profile.alarms.p95LatencyMs / 1000;
      const minutes = profile.alarms.latencyEvaluationMinutes;
      // Built from its parts rather than with scaleOnMetric: StepScalingPolicy always passes the deprecated
      // StepScalingActionProps#cooldown (even undefined), which prints a deprecation warning on every synth.
      // Same construct ids (Latency/UpperPolicy, Latency/UpperAlarm) as scaleOnMetric, so nothing is replaced.
      const scope = new Construct(this.autoScalingGroup, 'Latency');
      const action = new autoscaling.StepScalingAction(scope, 'UpperPolicy', {
        autoScalingGroup: this.autoScalingGroup,
        adjustmentType: autoscaling.AdjustmentType.CHANGE_IN_CAPACITY,
        // A percentile is not averaged again: any minute at p95 above the threshold counts.
        metricAggregationType: autoscaling.MetricAggregationType.MAXIMUM,
      });
      // Bounds are relative to the alarm's threshold; the alarm breaches above it (GreaterThanOrEqual).
      action.addAdjustment({ lowerBound: 0, upperBound: thresholdSeconds, adjustment: +1 });
      action.addAdjustment({ lowerBound: thresholdSeconds, adjustment: +2 });
      const alarm = new cloudwatch.Alarm(scope, 'UpperAlarm', {
        metric: lb.targetGroup.metrics.targetResponseTime({ statistic: 'p95', period: Duration.minutes(1) }),
        alarmDescription: `p95 target response time at or above ${thresholdSeconds} s for ${minutes} minute(s): add 1 instance, 2 at twice that`,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: thresholdSeconds,
        evaluationPeriods: minutes,
        datapointsToAlarm: minutes,
      });
      alarm.addAlarmAction(new cwactions.AutoScalingAction(action));
      this.latencyScaling = { action, alarm };
    }
  }
}

function resolveCapacity(c: FleetCapacity | undefined, profile: TierProfile, v: Validator): ResolvedFleetCapacity {
  if (c === undefined || c === null) {
    v.add('', c, 'a capacity ({ baseline, min?, max? })');
    return { baseline: profile.minCapacity, min: profile.minCapacity, max: profile.minCapacity * 2 };
  }
  const baseline = c.baseline;
  v.check(Number.isInteger(baseline) && baseline >= 1, 'baseline', baseline, 'a whole number of instances, at least 1');
  const min = c.min ?? Math.max(profile.minCapacity, baseline);
  const max = c.max ?? Math.max(2 * baseline, min);
  v.check(Number.isInteger(min) && min >= profile.minCapacity, 'min', min,
    `a whole number of at least ${profile.minCapacity} (the ${profile.tier} tier's minCapacity: one running instance per zone)`);
  v.check(Number.isInteger(max) && max >= 1, 'max', max, 'a whole number of instances, at least 1');
  v.check(!(min > max), 'min', min, `at most max (${max})`);
  return { baseline, min, max };
}

interface ResolvedSpot {
  readonly instanceTypes: ec2.InstanceType[];
  readonly onDemandBaseCapacity: number;
  readonly onDemandPercentageAboveBase: number;
  readonly allocationStrategy: autoscaling.SpotAllocationStrategy;
}

function resolveSpot(
  s: SpotOptions,
  instanceType: ec2.InstanceType,
  architecture: ec2.InstanceArchitecture | undefined,
  capacity: ResolvedFleetCapacity,
  profile: TierProfile,
  v: Validator,
): ResolvedSpot {
  v.check(Array.isArray(s.instanceTypes) && s.instanceTypes.length > 0, 'instanceTypes', s.instanceTypes,
    'at least one instance type (diversify across families and sizes)');
  const types: ec2.InstanceType[] = [instanceType];
  for (const t of s.instanceTypes ?? []) {
    if (!types.some((x) => x.toString() === t.toString())) types.push(t);
  }
  v.check(types.length <= 40, 'instanceTypes', types.map(String), 'at most 40 instance types (launch template overrides)');
  types.forEach((t, i) => {
    const arch = architectureOf(t, `instanceTypes[${i}]`, v);
    if (architecture && arch) {
      v.check(arch === architecture, `instanceTypes[${i}]`, t.toString(),
        `an ${architecture} instance type like ${instanceType.toString()}: one launch template has one AMI architecture`);
    }
  });
  v.check(!(s.onDemandBaseCapacity !== undefined && s.onDemandBasePercentOfBaseline !== undefined),
    'onDemandBaseCapacity', s.onDemandBaseCapacity, 'no value together with onDemandBasePercentOfBaseline (choose one)');
  const basePercent = s.onDemandBasePercentOfBaseline ?? SpotStrategy.GUIDE_BASE_PERCENT_OF_BASELINE;
  v.integerInRange('onDemandBasePercentOfBaseline', basePercent, { min: 0, max: 100 });
  const base = s.onDemandBaseCapacity
    ?? Math.max(Math.ceil(capacity.baseline * basePercent / 100), profile.minCapacity);
  v.check(Number.isInteger(base) && base >= profile.minCapacity, 'onDemandBaseCapacity', base,
    `a whole number of at least ${profile.minCapacity} (the ${profile.tier} tier's minCapacity): ` +
    'a Spot interruption must not take the fleet below it');
  const above = s.onDemandPercentageAboveBase ?? SpotStrategy.GUIDE_ON_DEMAND_PERCENT_ABOVE_BASE;
  v.integerInRange('onDemandPercentageAboveBase', above, { min: 0, max: 100 });
  const strategy = s.allocationStrategy ?? autoscaling.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED;
  return { instanceTypes: types, onDemandBaseCapacity: base, onDemandPercentageAboveBase: above, allocationStrategy: strategy };
}

function architectureOf(t: ec2.InstanceType, prop: string, v: Validator): ec2.InstanceArchitecture | undefined {
  try {
    return t.architecture;
  } catch {
    v.add(prop, String(t), 'an EC2 instance type whose architecture CDK knows (for example m7i.large or m7g.large)');
    return undefined;
  }
}
