/**
 * The MCP servers on Google Cloud: a regional managed instance group spread
 * evenly over the tier's zones, launched from an instance template (Shielded VM,
 * no external address, a least-privilege service account, OS Login), autohealed
 * on the liveness path after an initial delay, replaced by a proactive update
 * policy that surges before it removes, and scaled by a regional autoscaler (CPU
 * and load-balancing utilization targets, the core schedule as scaling schedules).
 *
 * The server is delivered like on AWS, from the core server source: a container
 * runs on Container-Optimized OS (Docker is part of the image); start commands
 * run on Debian 12. The group never sets a target size: the autoscaler owns it.
 */
import { ComputeHealthCheck } from '@cdktf/provider-google/lib/compute-health-check';
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import { ComputeInstanceTemplate } from '@cdktf/provider-google/lib/compute-instance-template';
import { ComputeRegionAutoscaler } from '@cdktf/provider-google/lib/compute-region-autoscaler';
import { ComputeRegionInstanceGroupManager } from '@cdktf/provider-google/lib/compute-region-instance-group-manager';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { Construct } from 'constructs';
import { McpServerSource, timeoutEnvironment } from '../core/server-source';
import { ScalingSchedule } from '../core/schedule';
import { AvailabilityTier, TierOverrides, TierProfile, mergeOverrides, resolveTier } from '../core/tiers';
import { McpLoadBalancer } from './load-balancer';
import { McpNetwork } from './network';
import { defaultPrefix, resourceName } from './private/names';
import { GoogleScalingPlan, planGoogleScaling } from './scheduled-scaling';
import { addWarnings, checkRegion, resolveZones, validatorFor } from './validation';

/** How many instances the fleet runs. */
export interface FleetCapacity {
  /** The capacity the service needs on a normal day; schedules are percentages of it. */
  readonly baseline: number;
  /** The fewest instances the autoscaler keeps (its min_replicas outside every scaling schedule). @default - the lowest scheduled minimum, else the larger of baseline and the tier's minCapacity */
  readonly min?: number;
  /** The most instances the autoscaler may run (max_replicas, all week). @default - the highest scheduled maximum, else twice the baseline (at least min) */
  readonly max?: number;
}

/**
 * Roles the servers' service account gets, and nothing else: write logs and
 * metrics, read container images. https://cloud.google.com/iam/docs/understanding-roles
 */
export const SERVER_ROLES: readonly string[] = ['roles/logging.logWriter', 'roles/monitoring.metricWriter', 'roles/artifactregistry.reader'];

/** Autohealing check: more conservative than the load balancer's (Google's advice for autohealing). */
export const AUTOHEALING_CHECK = {
  intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 3,
  docUrl: 'https://cloud.google.com/compute/docs/instance-groups/autohealing-instances-in-migs',
} as const;

/** Props of `McpFleet`: a regional managed instance group with its template, autohealing and autoscaler. */
export interface McpFleetProps {
  /** The network (its subnet in `region`, its server tag). */
  readonly network: McpNetwork;
  /** Region of the managed instance group. */
  readonly region: string;
  /** What runs on each instance. */
  readonly server: McpServerSource;
  /** How many instances run. */
  readonly capacity: FleetCapacity;
  /** Registers the group as a backend and takes its tier. @default - none (add the group to a backend service yourself) */
  readonly loadBalancer?: McpLoadBalancer;
  /** Availability tier: zones, minimum capacity, timeouts and autohealing follow it. @default - the load balancer's tier, else AvailabilityTier.BUSINESS_CRITICAL */
  readonly tier?: AvailabilityTier;
  /** Overrides of the tier (minZones, minCapacity, timeouts, alarms...). @default - the tier's values */
  readonly tierOverrides?: TierOverrides;
  /** Zones of the region. @default - the first `minZones` zones of the region */
  readonly zones?: string[];
  /** Compute Engine machine type of every instance. @default 'n2-standard-2' (2 vCPUs, 8 GB) */
  readonly machineType?: string;
  /** Scaling schedule (rendered as autoscaler scaling schedules). @default - none: capacity min/max all week */
  readonly schedule?: ScalingSchedule;
  /** Variables the server gets besides the timeout chain's (cache endpoints, write model...). @default - none besides the timeout chain's */
  readonly environment?: Record<string, string>;
  /** Project of the IAM bindings. @default - the provider's project */
  readonly project?: string;
  /** Bring your own service account (its roles are yours to manage). @default - a new one with SERVER_ROLES */
  readonly serviceAccountEmail?: string;
  /** Seconds autohealing waits after an instance starts. @default 300 */
  readonly autohealingInitialDelaySeconds?: number;
  /**
   * Instances added above the target during an update. A regional group needs 0 or
   * at least the number of zones (https://cloud.google.com/compute/docs/instance-groups/updating-migs).
   * @default - the number of zones
   */
  readonly maxSurge?: number;
  /** Instances that may be down during an update (0 or at least the number of zones). @default 0 */
  readonly maxUnavailable?: number;
  /** Backend capacity share (0 drains). @default 1 */
  readonly capacityScaler?: number;
  /** Prefix of every resource name. @default - derived from the construct path */
  readonly namePrefix?: string;
}

export class McpFleet extends Construct {
  public readonly profile: TierProfile;
  public readonly region: string;
  public readonly zones: string[];
  public readonly instanceTemplate: ComputeInstanceTemplate;
  public readonly instanceGroupManager: ComputeRegionInstanceGroupManager;
  public readonly autoscaler: ComputeRegionAutoscaler;
  public readonly livenessHealthCheck: ComputeHealthCheck;
  public readonly serviceAccount?: ServiceAccount;
  public readonly serviceAccountEmail: string;
  /** The autoscaler's bounds and schedules as rendered. */
  public readonly scaling: GoogleScalingPlan;
  /** The startup script as rendered. */
  public readonly startupScript: string;
  /** Boot image family. */
  public readonly image: string;
  public readonly autohealingInitialDelaySeconds: number;

  constructor(scope: Construct, id: string, props: McpFleetProps) {
    super(scope, id);
    const v = validatorFor(this);
    const tier = props.tier ?? props.loadBalancer?.profile.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
    const profile = resolveTier(tier, mergeOverrides(props.tierOverrides ?? {}, {}), v);
    const regionOk = checkRegion(v, 'region', props.region);
    v.check(props.network.regions[props.region] !== undefined, 'region', props.region,
      `a region of the network (${Object.keys(props.network.regions).join(', ')})`);
    const zones = regionOk ? resolveZones(v, 'zones', props.region, profile.minZones, props.zones) : [];
    if (regionOk) {
      v.check(zones.length >= profile.minZones, 'zones', zones,
        `at least ${profile.minZones} zones of ${props.region}: the ${profile.tier} tier spreads instances over ${profile.minZones} zones`);
    }
    const c = props.capacity;
    v.integerInRange('capacity.baseline', c.baseline, { min: 1, max: 1000 });
    v.integerInRange('capacity.min', c.min, { min: profile.minCapacity, max: 1000 },
      `${profile.tier} runs at least ${profile.minCapacity} instances (one per zone)`);
    v.integerInRange('capacity.max', c.max, { min: 1, max: 1000 });
    const initialDelay = props.autohealingInitialDelaySeconds ?? 300;
    v.integerInRange('autohealingInitialDelaySeconds', initialDelay, { min: 0, max: 3600 },
      'initial_delay_sec, https://cloud.google.com/compute/docs/instance-groups/autohealing-instances-in-migs');
    const maxSurge = props.maxSurge ?? zones.length;
    const maxUnavailable = props.maxUnavailable ?? 0;
    for (const [prop, value] of [['maxSurge', maxSurge], ['maxUnavailable', maxUnavailable]] as const) {
      v.check(Number.isInteger(value) && (value === 0 || value >= zones.length), prop, value,
        `0 or at least the number of zones (${zones.length}): a regional managed instance group's fixed surge and unavailable counts (https://cloud.google.com/compute/docs/instance-groups/updating-migs)`);
    }
    v.check(maxSurge > 0 || maxUnavailable > 0, 'maxSurge', maxSurge, 'more than 0 when maxUnavailable is 0: an update must add or remove an instance');
    const serves = props.server.serves(props.server.livenessPath);
    v.check(serves, 'server.livenessPath', props.server.livenessPath, 'a path the server serves');
    if (props.loadBalancer) {
      v.check(props.loadBalancer.server.port === props.server.port, 'server.port', props.server.port,
        `the load balancer's server port (${props.loadBalancer.server.port})`);
    }
    const scaling = planGoogleScaling({
      schedule: props.schedule, baseline: c.baseline, floor: profile.minCapacity, min: c.min, max: c.max,
    }, v);
    v.throwIfInvalid();
    // What Google cannot express of the schedule is said at synth, not silently dropped.
    addWarnings(this, scaling.notExpressed.map((n) => `scaling schedule on Google Cloud: ${n}`));

    this.profile = profile;
    this.region = props.region;
    this.zones = zones;
    this.scaling = scaling;
    this.autohealingInitialDelaySeconds = initialDelay;
    const prefix = props.namePrefix ?? defaultPrefix(this);
    const name = (s: string) => resourceName(prefix, s);

    if (props.serviceAccountEmail) {
      this.serviceAccountEmail = props.serviceAccountEmail;
    } else {
      const accountId = name('sa').slice(0, 30).replace(/-+$/, '');
      this.serviceAccount = new ServiceAccount(this, 'ServiceAccount', {
        accountId: accountId.length >= 6 ? accountId : `${accountId}-mcp-sa`,
        displayName: 'MCP servers (least privilege: logs, metrics, image pulls)',
      });
      this.serviceAccountEmail = this.serviceAccount.email;
      const project = props.project ?? new DataGoogleClientConfig(this, 'Client').project;
      SERVER_ROLES.forEach((role, i) => new ProjectIamMember(this, `Role${i}`, {
        project,
        role,
        member: `serviceAccount:${this.serviceAccountEmail}`,
      }));
    }

    const container = 'image' in props.server;
    this.image = container ? 'cos-cloud/cos-stable' : 'debian-cloud/debian-12';
    const env = { ...timeoutEnvironment(profile.timeouts), ...(props.environment ?? {}) };
    const lines = props.server.renderStartScript(env)
      // Container-Optimized OS ships Docker running; it has no package manager.
      .filter((l) => !(container && (l === 'dnf install -y docker' || l === 'systemctl enable --now docker')));
    this.startupScript = ['#!/bin/bash', ...lines].join('\n');

    this.instanceTemplate = new ComputeInstanceTemplate(this, 'Template', {
      namePrefix: `${name('tpl').slice(0, 36)}-`,
      region: props.region,
      machineType: props.machineType ?? 'n2-standard-2',
      canIpForward: false,
      tags: [props.network.serverTag],
      disk: [{ sourceImage: this.image, boot: true, autoDelete: true, diskType: 'pd-balanced', diskSizeGb: 20 }],
      // No access_config: no external address; egress goes through Cloud NAT.
      networkInterface: [{ subnetwork: props.network.region(props.region).subnet }],
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      serviceAccount: { email: this.serviceAccountEmail, scopes: ['cloud-platform'] },
      metadata: {
        'enable-oslogin': 'TRUE',
        'block-project-ssh-keys': 'TRUE',
        'google-logging-enabled': 'true',
        'startup-script': this.startupScript,
      },
      scheduling: { automaticRestart: true, onHostMaintenance: 'MIGRATE' },
      lifecycle: { createBeforeDestroy: true },
    });

    this.livenessHealthCheck = new ComputeHealthCheck(this, 'Liveness', {
      name: name('live'),
      description: `Autohealing on ${props.server.livenessPath} (${AUTOHEALING_CHECK.docUrl})`,
      checkIntervalSec: AUTOHEALING_CHECK.intervalSeconds,
      timeoutSec: AUTOHEALING_CHECK.timeoutSeconds,
      healthyThreshold: AUTOHEALING_CHECK.healthyThreshold,
      unhealthyThreshold: AUTOHEALING_CHECK.unhealthyThreshold,
      httpHealthCheck: { port: props.server.port, requestPath: props.server.livenessPath },
    });

    this.instanceGroupManager = new ComputeRegionInstanceGroupManager(this, 'Group', {
      name: name('mig'),
      region: props.region,
      baseInstanceName: name('mcp').slice(0, 50),
      version: [{ name: 'primary', instanceTemplate: this.instanceTemplate.selfLinkUnique }],
      distributionPolicyZones: zones,
      distributionPolicyTargetShape: 'EVEN',
      namedPort: [{ name: 'mcp', port: props.server.port }],
      autoHealingPolicies: { healthCheck: this.livenessHealthCheck.id, initialDelaySec: initialDelay },
      updatePolicy: {
        type: 'PROACTIVE',
        minimalAction: 'REPLACE',
        instanceRedistributionType: 'PROACTIVE',
        replacementMethod: 'SUBSTITUTE',
        maxSurgeFixed: maxSurge,
        maxUnavailableFixed: maxUnavailable,
      },
      waitForInstances: false,
    });

    this.autoscaler = new ComputeRegionAutoscaler(this, 'Autoscaler', {
      name: name('autoscaler'),
      region: props.region,
      target: this.instanceGroupManager.id,
      autoscalingPolicy: {
        minReplicas: scaling.minReplicas,
        maxReplicas: scaling.maxReplicas,
        cooldownPeriod: 90,
        mode: 'ON',
        cpuUtilization: { target: profile.alarms.targetCpuPercent / 100 },
        loadBalancingUtilization: { target: 0.8 },
        scaleInControl: { timeWindowSec: 600, maxScaledInReplicas: { percent: 10 } },
        scalingSchedules: scaling.schedules.map((s) => ({
          name: s.name,
          schedule: s.schedule,
          timeZone: s.timeZone,
          durationSec: s.durationSec,
          minRequiredReplicas: s.minRequiredReplicas,
          description: `${s.windowName}: minimum ${s.minRequiredReplicas}`,
        })),
      },
    });

    props.loadBalancer?.addBackend({ instanceGroup: this.instanceGroupManager.instanceGroup, capacityScaler: props.capacityScaler });
  }
}
