/**
 * Failover capacity that provably fires: a group (an active-passive standby, a
 * surviving region) is raised to the capacity the schedule runs at that moment,
 * driven by the signal that moves traffic, and (for a standby) put back after
 * failback.
 *
 * How it works, with CloudFormation-native pieces only:
 * - The alarm's metric is a metric-math expression that is 0 while nothing is
 *   to be done and equals the target capacity while the watched deployment or
 *   region does not serve and this group's desired capacity is below the target:
 *   `IF(serving < 1 AND desired < target, target, 0)`.
 * - The target comes from Auto Scaling's own group metrics, which the schedule
 *   moves: a reference group's GroupMinSize/GroupMaxSize (the primary's, or this
 *   group's own schedule) is the key of a table computed at synth time from the
 *   same core schedule, window by window (`IF(key == k1, c1, IF(key == k2, c2, cmax))`).
 * - The alarm is GreaterThanThreshold 0 and the step policy sets an EXACT
 *   capacity: one step per distinct target, the first starting at 0 (the breach
 *   side), so every value the expression can take matches exactly one step.
 *   CloudWatch re-invokes Auto Scaling actions every period the alarm stays in
 *   ALARM (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html),
 *   so a window change during a long failover raises the group again, and an
 *   exact capacity is idempotent.
 * - Missing data is not breaching: a gap in the metrics scales nothing.
 *
 * `FailoverScaling.restore` is the reverse for a standby: the watched deployment
 * serves again for `periods` minutes and this group runs above its own scheduled
 * minimum: back to that minimum.
 */
import { Duration, Stack } from 'aws-cdk-lib/core';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwactions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct } from 'constructs';
import { CLOUD_FACTS } from '../../core/cloud-limits';
import { WindowCapacity } from '../../core/schedule';
import { validatorFor } from '../validation';

/** One row of the target table: while the key metric reads `key`, the target is `capacity`. */
export interface FailoverTarget {
  /** Which window (for the reader). */
  readonly window: string;
  /** The value the key expression reads during that window. */
  readonly key: number;
  /** The instances the group runs at while that key is read and the watched deployment does not serve. */
  readonly capacity: number;
}

/** What FailoverScaling watches, reads and sets. */
export interface FailoverScalingProps {
  /** The group raised. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /** 1 while the watched deployment or region serves, 0 when it does not (one-minute periods). */
  readonly servingSignal: cloudwatch.IMetric;
  /** What the signal is, for the alarm description (`the Route 53 health check of the primary record`). */
  readonly signalDescription: string;
  /** The metric whose value is a table key (a group's GroupMinSize, or a math expression of it). */
  readonly keyMetrics: Record<string, cloudwatch.IMetric>;
  /** Expression over `keyMetrics` that yields the key (`mn` or `mn * 1000000 + mx`). */
  readonly keyExpression: string;
  /** The table. An unknown key (someone changed the group by hand) takes the largest capacity. */
  readonly targets: readonly FailoverTarget[];
  /** Consecutive one-minute periods the signal must say "not serving". */
  readonly evaluationPeriods: number;
  /** The alarm's description: what happens. */
  readonly description: string;
}

/** The metric-math identifiers are lower-case, as CloudWatch requires. */
const SERVING = 'serving';
const DESIRED = 'desired';

/** A scale-up (or a standby's scale-back) whose alarm and steps match by construction. */
export class FailoverScaling extends Construct {
  /**
   * The reverse for a standby: the watched deployment serves for `periods` minutes and the standby runs
   * above its own scheduled minimum (GroupMinSize): back to that minimum (identity table over `minimums`).
   */
  public static restore(scope: Construct, id: string, props: {
    readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
    readonly servingSignal: cloudwatch.IMetric;
    readonly signalDescription: string;
    /** Every minimum the standby's own schedule can render. */
    readonly minimums: readonly number[];
    readonly periods: number;
  }): FailoverScaling {
    return new FailoverScaling(scope, id, {
      autoScalingGroup: props.autoScalingGroup,
      servingSignal: props.servingSignal,
      signalDescription: props.signalDescription,
      keyMetrics: { mn: groupMetric(props.autoScalingGroup, 'GroupMinSize') },
      keyExpression: 'mn',
      targets: [...new Set(props.minimums)].map((m) => ({ window: `min ${m}`, key: m, capacity: m })),
      evaluationPeriods: props.periods,
      description: `${props.signalDescription} serves again for ${props.periods} minute(s): the standby goes back to its own scheduled minimum`,
    }, 'restore');
  }

  public readonly alarm: cloudwatch.Alarm;
  public readonly action: autoscaling.StepScalingAction;
  /** The distinct capacities the steps set, ascending. */
  public readonly stepCapacities: readonly number[];
  /** The table rendered (after de-duplication: a key read in several windows takes their largest capacity). */
  public readonly targets: readonly FailoverTarget[];
  /** The metric-math expression of the alarm. */
  public readonly expression: string;

  constructor(scope: Construct, id: string, props: FailoverScalingProps, direction: 'raise' | 'restore' = 'raise') {
    super(scope, id);
    const v = validatorFor(this);
    const byKey = new Map<number, FailoverTarget>();
    for (const t of props.targets) {
      const seen = byKey.get(t.key);
      if (!seen || t.capacity > seen.capacity) byKey.set(t.key, t);
    }
    const targets = [...byKey.values()].sort((a, b) => a.key - b.key);
    const capacities = [...new Set(targets.map((t) => t.capacity))].sort((a, b) => a - b);
    const limit = CLOUD_FACTS.awsStepAdjustmentsPerPolicy;
    v.check(targets.length > 0 && capacities.every((c) => Number.isInteger(c) && c > 0), 'targets', props.targets.map((t) => t.capacity),
      'at least one target, each a positive whole number of instances');
    v.check(capacities.length <= limit.value, 'targets', `${capacities.length} distinct capacities`,
      `at most ${limit.value}: one step adjustment per capacity (${limit.docUrl})`);
    v.integerInRange('evaluationPeriods', props.evaluationPeriods, { min: 1, max: 60 });
    const largest = capacities[capacities.length - 1];
    const table = targets.reduceRight((inner, t) => `IF(key == ${t.key}, ${t.capacity}, ${inner})`, String(largest));
    // The key is computed inline: math expressions may not nest other expressions' ids in every console, so keep one.
    const target = `(${table.split('key').join(`(${props.keyExpression})`)})`;
    const expression = direction === 'raise'
      ? `IF(${SERVING} < 1 AND ${DESIRED} < ${target}, ${target}, 0)`
      : `IF(${SERVING} >= 1 AND ${DESIRED} > ${target}, ${target}, 0)`;
    v.check(expression.length <= 1024, 'targets', `${expression.length} characters of metric math`,
      'at most 1024 characters (CloudWatch metric math): fewer distinct schedule windows');
    v.throwIfInvalid();

    this.targets = targets;
    this.stepCapacities = capacities;
    this.expression = expression;
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmDescription: `${this.node.path}: ${props.description}`,
      metric: new cloudwatch.MathExpression({
        expression,
        usingMetrics: {
          [SERVING]: props.servingSignal,
          [DESIRED]: groupMetric(props.autoScalingGroup, 'GroupDesiredCapacity'),
          ...props.keyMetrics,
        },
        period: Duration.minutes(1),
        label: direction === 'raise' ? 'failover target capacity (0: nothing to do)' : 'restore capacity (0: nothing to do)',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: props.evaluationPeriods,
      datapointsToAlarm: props.evaluationPeriods,
      // A gap in the data scales nothing, up or down.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.action = new autoscaling.StepScalingAction(this, 'Action', {
      autoScalingGroup: props.autoScalingGroup,
      adjustmentType: autoscaling.AdjustmentType.EXACT_CAPACITY,
    });
    // Breach side: value - threshold > 0. Steps tile [0, infinity) without gaps; each capacity c_i owns the
    // interval around it, so the expression's value (exactly a capacity) lands in its own step.
    capacities.forEach((c, i) => {
      const lower = i === 0 ? 0 : (capacities[i - 1] + c) / 2;
      const upper = i === capacities.length - 1 ? undefined : (c + capacities[i + 1]) / 2;
      this.action.addAdjustment({ lowerBound: lower, upperBound: upper, adjustment: c });
    });
    this.alarm.addAlarmAction(new cwactions.AutoScalingAction(this.action));
  }
}

/** An Auto Scaling group metric (the fleet enables group metrics), one-minute Maximum. */
export function groupMetric(group: autoscaling.IAutoScalingGroup, name: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/AutoScaling',
    metricName: name,
    dimensionsMap: { AutoScalingGroupName: group.autoScalingGroupName },
    statistic: cloudwatch.Stats.MAXIMUM,
    period: Duration.minutes(1),
  });
}

/**
 * Route 53's verdict on a health check, 1 healthy / 0 unhealthy (one-minute Minimum). Route 53 publishes it
 * in us-east-1 only (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html):
 * returns undefined for a stack elsewhere.
 */
export function route53StatusMetric(scope: Construct, healthCheckId: string): cloudwatch.Metric | undefined {
  if (Stack.of(scope).region !== 'us-east-1') return undefined;
  return new cloudwatch.Metric({
    namespace: 'AWS/Route53',
    metricName: 'HealthCheckStatus',
    dimensionsMap: { HealthCheckId: healthCheckId },
    statistic: cloudwatch.Stats.MINIMUM,
    period: Duration.minutes(1),
  });
}

/** A FailoverScaling table: how the key is read and what each key means. */
export interface TargetTable {
  /** The metrics the key expression reads, by metric-math id. */
  readonly keyMetrics: Record<string, cloudwatch.IMetric>;
  /** Metric math over `keyMetrics` that yields the key. */
  readonly keyExpression: string;
  /** Key to capacity, window by window. */
  readonly targets: readonly FailoverTarget[];
  /** Every minimum the group's own schedule renders (for the scale-back). */
  readonly minimums: readonly number[];
}

/** Keys pack (min, max) into one number: a max stays below 1e6 (capacities are at most 100000 x 10). */
const KEY_SCALE = 1_000_000;

/**
 * The table of a group raised to `capacityOf(schedule's window minimum, rendered max)` in each window: keyed
 * by the group's own GroupMinSize and GroupMaxSize (its schedule moves both at each window; two windows with
 * the same pair take the larger capacity), or by its constant minimum without a schedule.
 */
export function ownScheduleTable(
  group: autoscaling.IAutoScalingGroup,
  schedule: { readonly capacities: readonly WindowCapacity[]; readonly scheduleCapacities: readonly WindowCapacity[] } | undefined,
  capacity: { readonly min: number; readonly max: number },
  capacityOf: (scheduleMin: number, renderedMax: number) => number,
): TargetTable {
  if (!schedule) {
    return {
      keyMetrics: { mn: groupMetric(group, 'GroupMinSize') }, keyExpression: 'mn',
      targets: [{ window: 'always (no schedule)', key: capacity.min, capacity: capacityOf(capacity.min, capacity.max) }],
      minimums: [capacity.min],
    };
  }
  return {
    keyMetrics: { mn: groupMetric(group, 'GroupMinSize'), mx: groupMetric(group, 'GroupMaxSize') },
    keyExpression: `mn * ${KEY_SCALE} + mx`,
    targets: schedule.capacities.map((c, i) => ({
      window: c.windowName, key: c.minCapacity * KEY_SCALE + c.maxCapacity,
      capacity: capacityOf(schedule.scheduleCapacities[i].minCapacity, c.maxCapacity),
    })),
    minimums: schedule.capacities.map((c) => c.minCapacity),
  };
}
