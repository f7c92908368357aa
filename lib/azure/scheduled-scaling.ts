/**
 * Autoscale for the scale set: CPU rules from the tier and one recurrence
 * profile per weekly transition of the core schedule. Azure's rules, as
 * documented (https://learn.microsoft.com/azure/azure-monitor/autoscale/autoscale-multiprofile):
 * a recurring profile runs until the next profile starts, so the profiles need
 * no end time and cover the week exactly once when the schedule does; at most
 * 20 profiles; `timezone` takes a Windows name from the provider's fixed list.
 *
 * Holidays: a fixed-date profile outranks recurring ones but carries a year.
 * The AWS semantics (the holiday capacity holds from 00:00 until the next
 * weekly transition) are kept exactly by ending each fixed-date profile at that
 * transition, one profile per date and listed year (`holidayYears`); a schedule
 * with holidays but no years is refused rather than silently differing.
 *
 * Failover scale-up: a rule in every profile driven by the signal that moves
 * traffic (the Traffic Manager endpoint status or the Front Door origin health
 * of the other region) sets the capacity the schedule runs at that hour.
 *
 * Reverse after failback: a second rule on the same signal sets the profile's
 * own minimum again once the lost deployment has been healthy for a whole
 * window (every data point at or above the threshold). Azure scales in only
 * when every scale-in rule of the profile is met (the CPU rule included, so a
 * fleet still busy is not cut) and a rule whose window holds no data is not
 * met: missing data never scales anything in (nor out).
 */
import {
  MonitorAutoscaleSetting, MonitorAutoscaleSettingProfile, MonitorAutoscaleSettingProfileRule,
} from '@cdktf/provider-azurerm/lib/monitor-autoscale-setting';
import { Construct } from 'constructs';
import { ScalingSchedule } from '../core/schedule';
import { AvailabilityTier, TierOverrides, resolveTier } from '../core/tiers';
import { AZURE_FACTS } from './facts';
import { ResolvedFleetCapacity } from './fleet';
import { planProfiles } from './private/autoscale-profiles';
import { validatorFor } from './validation';


/** A metric of another resource that says the traffic moved (the failover signal). */
export interface FailoverSignal {
  /** The resource emitting the metric (a Traffic Manager profile, a Front Door profile). */
  readonly metricResourceId: string;
  /** The metric's name (`ProbeAgentCurrentEndpointStateByProfileResourceId`, `OriginHealthPercentage`). */
  readonly metricName: string;
  /** The metric's namespace (`Microsoft.Network/trafficManagerProfiles`, `Microsoft.Cdn/profiles`). */
  readonly metricNamespace: string;
  /** The dimension selecting the lost deployment's endpoint or origin (`EndpointName`, `Origin`). */
  readonly dimensionName: string;
  /** The dimension's values naming the lost deployment. */
  readonly dimensionValues: string[];
  /** Below this the deployment counts as down (Traffic Manager endpoint state: 1 up, 0 down; Front Door: percent). */
  readonly downBelow: number;
  /**
   * Instances to run when the signal fires, by window name (the schedule's window names, `default` without a
   * schedule); a profile never goes below its own minimum.
   * @default - no window-specific capacity
   */
  readonly capacityByWindow?: Record<string, number>;
  /**
   * The regions sharing the load: when the signal fires, a survivor runs `ceil(own minimum x regionCount /
   * (regionCount - 1))` instances (it absorbs the lost region's share).
   * @default - no share to absorb: only `capacityByWindow` raises the capacity
   */
  readonly regionCount?: number;
}

/** The instances a failover signal sets in a profile whose own minimum is `own`. */
function failoverCapacityOf(s: FailoverSignal, windowName: string, own: number): number {
  const byWindow = s.capacityByWindow?.[windowName] ?? own;
  const absorbed = s.regionCount !== undefined && s.regionCount > 1 ? Math.ceil((own * s.regionCount) / (s.regionCount - 1)) : own;
  return Math.max(own, byWindow, absorbed);
}

/** Props of `McpScheduledScaling`: the autoscale setting of one scale set. */
export interface McpScheduledScalingProps {
  /** The resource group of the autoscale setting. */
  readonly resourceGroupName: string;
  /** The region of the autoscale setting (the scale set's). */
  readonly location: string;
  /** The scale set. */
  readonly targetResourceId: string;
  /**
   * The availability tier: its CPU target drives the scale-out and scale-in rules.
   * @default AvailabilityTier.BUSINESS_CRITICAL
   */
  readonly tier?: AvailabilityTier;
  /**
   * Changes to the tier's defaults (the CPU target among them).
   * @default - the tier's values unchanged
   */
  readonly tierOverrides?: TierOverrides;
  /** Baseline, min and max of the fleet (capacity.min is the floor of every window). */
  readonly capacity: ResolvedFleetCapacity;
  /**
   * The scaling schedule, one recurring profile per weekly transition and a fixed-date profile per holiday and year.
   * @default - one default profile at capacity.min..capacity.max
   */
  readonly schedule?: ScalingSchedule;
  /**
   * Years the schedule's holidays are rendered for (fixed-date profiles carry a year).
   * @default - none: a schedule with holidays is refused (give the years), one without needs none
   */
  readonly holidayYears?: number[];
  /**
   * Signals that another deployment was lost (standby and survivor scale-up), each with its reverse rule.
   * @default - none: only the schedule and the CPU rules scale
   */
  readonly failoverSignals?: FailoverSignal[];
  /**
   * A warm standby: every profile keeps `capacity.min` (the tier's floor) as its
   * minimum; the failover signal raises it to the serving capacity of that hour.
   * @default false
   */
  readonly warmStandby?: boolean;
}

/** One rendered profile, as data (what the tests and the docs read). */
export interface AutoscaleProfilePlan {
  /** The profile's name (the schedule transition's, `<holiday>-<year>` for a fixed-date profile, `default`). */
  readonly name: string;
  /** Recurring (a weekly transition), fixed-date (a holiday in one year) or the default profile. */
  readonly kind: 'recurring' | 'fixed-date' | 'default';
  /** The schedule window whose capacity the profile holds. */
  readonly windowName: string;
  /** The profile's minimum instances. */
  readonly minimum: number;
  /** The profile's maximum instances (at least the failover capacity). */
  readonly maximum: number;
  /**
   * The days a recurring profile starts on (`Monday`...).
   * @default - not a recurring profile
   */
  readonly days?: string[];
  /**
   * The hour a recurring profile starts at, in the setting's time zone.
   * @default - not a recurring profile
   */
  readonly hour?: number;
  /**
   * The minute a recurring profile starts at.
   * @default - not a recurring profile
   */
  readonly minute?: number;
  /**
   * A fixed-date profile's start (local wall time, read in the setting's time zone).
   * @default - not a fixed-date profile
   */
  readonly start?: string;
  /**
   * A fixed-date profile's end: the next weekly transition after the holiday's 00:00.
   * @default - not a fixed-date profile
   */
  readonly end?: string;
  /**
   * Capacity the first failover signal sets in this profile.
   * @default - no failover signal
   */
  readonly failoverCapacity?: number;
}

/** The autoscale setting of a scale set: schedule profiles, CPU rules and failover scale-up with its reverse. */
export class McpScheduledScaling extends Construct {
  /** The autoscale setting. */
  public readonly setting: MonitorAutoscaleSetting;
  /** The profiles as rendered (capacities, times, failover capacity). */
  public readonly profiles: AutoscaleProfilePlan[];
  /** The Windows time zone rendered (undefined without a schedule). */
  public readonly timeZone?: string;
  /** The schedule the profiles come from. */
  public readonly schedule?: ScalingSchedule;

  constructor(scope: Construct, id: string, props: McpScheduledScalingProps) {
    super(scope, id);
    const v = validatorFor(this);
    const profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, props.tierOverrides, v);
    v.throwIfInvalid();
    const planned = planProfiles(props, v);
    v.throwIfInvalid();
    const timeZone = planned.timeZone;
    const plans = props.warmStandby ? planned.plans.map((p) => ({ ...p, minimum: props.capacity.min })) : planned.plans;
    this.profiles = plans;
    this.timeZone = timeZone;
    this.schedule = props.schedule;
    const cpu = profile.alarms;
    const signals = props.failoverSignals ?? [];
    const rulesLimit = AZURE_FACTS.autoscaleMaxRulesPerProfile;
    v.check(2 + 2 * signals.length <= rulesLimit.value, 'failoverSignals', `${signals.length} signals`,
      `at most ${(rulesLimit.value - 2) / 2}: each profile holds 2 CPU rules and 2 rules per failover signal (scale-up, reverse), `
      + `at most ${rulesLimit.value} rules (${rulesLimit.docUrl})`);
    v.throwIfInvalid();
    const rules = (p: AutoscaleProfilePlan): MonitorAutoscaleSettingProfileRule[] => [
      cpuRule(props.targetResourceId, 'GreaterThan', cpu.targetCpuPercent, 'Increase', 'PT5M'),
      cpuRule(props.targetResourceId, 'LessThan', Math.max(5, cpu.targetCpuPercent - 40), 'Decrease', 'PT10M'),
      ...(props.failoverSignals ?? []).map((s): MonitorAutoscaleSettingProfileRule => ({
        metricTrigger: {
          metricName: s.metricName, metricNamespace: s.metricNamespace, metricResourceId: s.metricResourceId,
          // Maximum below the threshold over the window: the deployment was down for all of it;
          // a window with no data points does not trigger (missing data never scales up).
          operator: 'LessThan', threshold: s.downBelow, statistic: 'Max', timeAggregation: 'Maximum',
          timeGrain: 'PT1M', timeWindow: 'PT5M',
          dimensions: [{ name: s.dimensionName, operator: 'Equals', values: s.dimensionValues }],
        },
        scaleAction: { direction: 'Increase', type: 'ExactCount', value: failoverCapacityOf(s, p.windowName, p.minimum), cooldown: 'PT5M' },
      })),
      ...signals.map((s): MonitorAutoscaleSettingProfileRule => ({
        metricTrigger: {
          metricName: s.metricName, metricNamespace: s.metricNamespace, metricResourceId: s.metricResourceId,
          // Minimum at or above the threshold over the window: the deployment was up for all of it (failback done).
          // With no data points the rule is not met, and Azure scales in only when every scale-in rule is met.
          operator: 'GreaterThanOrEqual', threshold: s.downBelow, statistic: 'Min', timeAggregation: 'Minimum',
          timeGrain: 'PT1M', timeWindow: 'PT5M',
          dimensions: [{ name: s.dimensionName, operator: 'Equals', values: s.dimensionValues }],
        },
        scaleAction: { direction: 'Decrease', type: 'ExactCount', value: p.minimum, cooldown: 'PT10M' },
      })),
    ];
    const failoverMaxOf = (p: AutoscaleProfilePlan) => Math.max(0, ...signals.map((s) => failoverCapacityOf(s, p.windowName, p.minimum)));
    const cap = AZURE_FACTS.autoscaleCapacity;
    plans.forEach((p) => v.check(Math.max(p.maximum, failoverMaxOf(p)) <= cap.max, `profiles.${p.name}.maximum`, Math.max(p.maximum, failoverMaxOf(p)),
      `at most ${cap.max} instances in an autoscale profile (azurerm schema): lower capacity.max or the schedule's peak`));
    v.throwIfInvalid();
    const rendered = plans.map((p): MonitorAutoscaleSettingProfile => {
      const failoverMax = failoverMaxOf(p);
      return {
        name: p.name,
        capacity: { minimum: p.minimum, maximum: Math.max(p.maximum, failoverMax), default: p.minimum },
        rule: rules(p),
        recurrence: p.kind === 'recurring' ? { timezone: timeZone, days: p.days!, hours: [p.hour!], minutes: [p.minute!] } : undefined,
        fixedDate: p.kind === 'fixed-date' ? { timezone: timeZone, start: p.start!, end: p.end! } : undefined,
      };
    });
    this.profiles = plans.map((p, i) => ({ ...p, maximum: rendered[i].capacity.maximum, failoverCapacity: props.failoverSignals?.[0] ? failoverCapacityOf(props.failoverSignals[0], p.windowName, p.minimum) : undefined }));
    this.setting = new MonitorAutoscaleSetting(this, 'Setting', {
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      name: 'mcp-autoscale',
      targetResourceId: props.targetResourceId,
      profile: rendered,
    });
  }
}

function cpuRule(target: string, operator: string, threshold: number, direction: string, window: string): MonitorAutoscaleSettingProfileRule {
  return {
    metricTrigger: {
      metricName: 'Percentage CPU', metricNamespace: 'microsoft.compute/virtualmachinescalesets', metricResourceId: target,
      operator, threshold, statistic: 'Average', timeAggregation: 'Average', timeGrain: 'PT1M', timeWindow: window,
    },
    scaleAction: { direction, type: 'ChangeCount', value: 1, cooldown: window },
  };
}
