/**
 * McpScheduledScaling: a core ScalingSchedule rendered as EC2 Auto Scaling
 * scheduled actions, one per transition.
 *
 * Every action is a recurring cron (explicit minute, IANA `TimeZone`) that sets the
 * group's min and max capacity; none sets a desired capacity (target tracking keeps
 * deciding within the range) and none has a StartTime (a fixed start expires, and
 * a start in the past is refused by the API). Holidays recur every year by month
 * and day. The group's 125-action limit is checked at synth, counting every
 * scheduled action in the stack that targets the same group.
 */
import { Stack } from 'aws-cdk-lib/core';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import { Construct, IConstruct } from 'constructs';
import { CLOUD_FACTS } from '../core/cloud-limits';
import { McpHaValidationError, Validator } from '../core/errors';
import { ScalingSchedule, ScheduleTransition, WEEKDAYS, WindowCapacity } from '../core/schedule';
import { AvailabilityTier, TierOverrides, resolveTier } from '../core/tiers';
import { validatorFor } from './validation';

/** Props of `McpScheduledScaling`: the Auto Scaling group, the schedule and the capacity its percentages refer to. */
export interface McpScheduledScalingProps {
  /** The group the actions scale. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;

  /** The weekly windows (and holidays) to apply. */
  readonly schedule: ScalingSchedule;

  /** Instances at 100 % of the schedule's percentages (integer 1..100000). */
  readonly baseline: number;

  /**
   * Availability tier; its `minCapacity` is the default floor.
   * @default AvailabilityTier.BUSINESS_CRITICAL
   */
  readonly tier?: AvailabilityTier;

  /**
   * Overrides of the tier's defaults (`minCapacity` moves the default floor).
   * @default - none
   */
  readonly tierOverrides?: TierOverrides;

  /**
   * No window's min or max capacity goes below this many instances: the fleet's
   * tier minimum (one instance per zone), so a quiet window never leaves a zone empty.
   * @default - the tier's minCapacity (3 for BUSINESS_CRITICAL)
   */
  readonly floor?: number;

  /**
   * Each window's min capacity as a percentage of the schedule's (rounded up, at least `floor`): a warm
   * standby runs the primary's schedule at its standby share and, on failover, is raised to the full
   * window (see the active-passive topology). The max capacity stays the schedule's.
   * @default 100
   */
  readonly minCapacityPercent?: number;

  /**
   * Each window's max capacity as a percentage of the schedule's (rounded up): a region of an N-region
   * service carries headroom to absorb a lost region's share, 100 x N / (N - 1) (AWS has no alarm action
   * that raises MaxSize, so the cap is rendered with the headroom and the failover raises desired capacity).
   * @default 100
   */
  readonly maxCapacityPercent?: number;
}

/**
 * Scheduled actions for one Auto Scaling group, from a core ScalingSchedule.
 */
export class McpScheduledScaling extends Construct {
  /** The scheduled actions, by transition name (`business-hours-0700`, `holiday-1225`). */
  public readonly actions: Record<string, autoscaling.ScheduledAction>;
  /** The transitions rendered, in schedule order. */
  public readonly transitions: ScheduleTransition[];
  /** Instance counts per window as rendered (after minCapacityPercent and maxCapacityPercent). */
  public readonly capacities: WindowCapacity[];
  /** The schedule's own instance counts per window for `baseline` and `floor` (before the percentages). */
  public readonly scheduleCapacities: WindowCapacity[];
  /** The floor applied. */
  public readonly floor: number;
  /** The group scaled. */
  public readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** The schedule rendered. */
  public readonly schedule: ScalingSchedule;

  constructor(scope: Construct, id: string, props: McpScheduledScalingProps) {
    super(scope, id);

    const v = validatorFor(this);
    const profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, props.tierOverrides ?? {}, v.nested('tierOverrides'));
    const floor = props.floor ?? profile.minCapacity;
    v.check(props.schedule instanceof ScalingSchedule, 'schedule', props.schedule, 'a ScalingSchedule (ScalingSchedule.of(...) or ScalingSchedule.guidePreset(...))');
    v.integerInRange('baseline', props.baseline, { min: 1, max: 100_000 }, 'instances at 100 % of the schedule');
    v.check(props.baseline !== undefined, 'baseline', props.baseline, 'an integer from 1 to 100000 (instances at 100 % of the schedule)');
    v.integerInRange('floor', floor, { min: 0, max: 100_000 });
    const minPercent = props.minCapacityPercent ?? 100;
    const maxPercent = props.maxCapacityPercent ?? 100;
    v.check(Number.isFinite(minPercent) && minPercent > 0 && minPercent <= 100, 'minCapacityPercent', minPercent, 'a percentage above 0 and at most 100');
    v.check(Number.isFinite(maxPercent) && maxPercent >= 100 && maxPercent <= 1000, 'maxCapacityPercent', maxPercent, 'a percentage from 100 to 1000');
    const limit = CLOUD_FACTS.awsScheduledActionsPerGroup;
    const transitions = props.schedule instanceof ScalingSchedule ? props.schedule.transitions() : [];
    v.check(transitions.length <= limit.value, 'schedule', `${transitions.length} scheduled actions`,
      `at most ${limit.value} scheduled actions per Auto Scaling group (${limit.docUrl})`);
    v.throwIfInvalid();

    this.autoScalingGroup = props.autoScalingGroup;
    this.schedule = props.schedule;
    this.floor = floor;
    this.transitions = transitions;
    this.capacities = props.schedule.capacityFor(props.baseline, floor).map((c) => {
      const min = Math.max(floor, scale(c.minCapacity, minPercent));
      return { ...c, minCapacity: min, maxCapacity: Math.max(min, scale(c.maxCapacity, maxPercent)) };
    });
    this.scheduleCapacities = props.schedule.capacityFor(props.baseline, floor);
    const byWindow = new Map(this.capacities.map((c) => [c.windowName, c]));

    this.actions = {};
    for (const t of transitions) {
      const capacity = byWindow.get(t.windowName);
      if (!capacity) throw new Error(`no capacity for window '${t.windowName}' (internal error)`);
      this.actions[t.name] = new autoscaling.ScheduledAction(this, constructId(t.name), {
        autoScalingGroup: props.autoScalingGroup,
        schedule: cronOf(t),
        timeZone: t.timeZone,
        minCapacity: capacity.minCapacity,
        maxCapacity: capacity.maxCapacity,
        // No desiredCapacity: target tracking keeps choosing within [min, max].
        // No startTime/endTime: the cron recurs forever; a fixed start expires.
      });
    }

    // The limit is per group: other actions (a second schedule, the user's own) count too.
    this.node.addValidation({ validate: () => this.validateGroupLimit() });
  }

  /**
   * Instance-hours of a typical week (no holiday) at the rendered minimums (after minCapacityPercent), minute
   * by minute over the schedule's weekly windows: what the group costs at least when nothing scales it up.
   */
  public weeklyFloorInstanceHours(): number {
    const byWindow = new Map(this.capacities.map((c) => [c.windowName, c.minCapacity]));
    let minutes = 0;
    for (const day of WEEKDAYS) {
      for (let m = 0; m < 1440; m++) minutes += byWindow.get(this.schedule.windowAt(day, m).name) ?? 0;
    }
    return Math.round(minutes / 60);
  }

  private validateGroupLimit(): string[] {
    const stack = Stack.of(this);
    const target = JSON.stringify(stack.resolve(this.autoScalingGroup.autoScalingGroupName));
    const onGroup = stack.node.findAll().filter((c: IConstruct): c is autoscaling.CfnScheduledAction =>
      c instanceof autoscaling.CfnScheduledAction && JSON.stringify(stack.resolve(c.autoScalingGroupName)) === target);
    const limit = CLOUD_FACTS.awsScheduledActionsPerGroup;
    if (onGroup.length <= limit.value) return [];
    const v = new Validator({ constructPath: this.node.path });
    v.add('schedule', `${onGroup.length} scheduled actions on the group (${Object.keys(this.actions).length} from this schedule)`,
      `at most ${limit.value} scheduled actions per Auto Scaling group, counting every schedule applied to it (${limit.docUrl})`);
    return [new McpHaValidationError(v.problems, this.node.path).message];
  }
}

/** `value` x `percent` / 100, rounded up (a hair of tolerance so 100 x 3 / 2 % of 2 stays 3). */
function scale(value: number, percent: number): number {
  return percent === 100 ? value : Math.ceil((value * percent) / 100 - 1e-9);
}

/**
 * The transition's cron as CDK's Schedule.cron: core's five fields, every one explicit
 * (minute and hour numbers; day of week for weekly actions, day and month for holidays).
 */
function cronOf(t: ScheduleTransition): autoscaling.Schedule {
  const [minute, hour, day, month, weekDay] = t.cronExpression.split(' ');
  return autoscaling.Schedule.cron({
    minute,
    hour,
    ...(day !== '*' ? { day } : {}),
    ...(month !== '*' ? { month } : {}),
    ...(weekDay !== '*' ? { weekDay } : {}),
  });
}

/** 'business-hours-0700' -> 'BusinessHours0700' (construct IDs are PascalCase and stable). */
function constructId(name: string): string {
  return name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}
