/**
 * McpMonitoring: one CloudWatch dashboard and the tier's alarms for an MCP service
 * on AWS, routed to an encrypted SNS topic, plus the guide's composite health score
 * as a metric-math expression with its own alarm.
 *
 * Every input is optional (load balancer, target group, Auto Scaling group, cache,
 * MCP probe, Route 53 health checks); widgets and alarms appear for what is given.
 *
 * ## Composite health score (0-100)
 *
 * From the guide's failure-detection section (weights and critical values in core's
 * COMPOSITE_HEALTH_SCORE). Each component scores 1 (healthy) to 0 (critical), linear
 * in between, per one-minute period:
 *
 * - response time (40 %): P95 TargetResponseTime t in ms; 1 at t <= 100, 0 at t >= 500,
 *   else (500 - t) / 400. No requests (no data) scores 1.
 * - error rate (30 %): e = 5xx / requests x 100 (the same expression the error-rate
 *   alarm watches); 1 at e <= 0.1, 0 at e >= 2, else (2 - e) / 1.9.
 * - resources (20 %): the lower of a CPU score (the fleet's average CPUUtilization,
 *   the last value repeated between EC2's 5-minute data points; 1 at <= 70 %, 0 at >= 95 %) and a memory score (the highest cache
 *   DatabaseMemoryUsagePercentage; 1 at <= 65 %, 0 at >= 90 %). The guide gives only
 *   the critical values (CPU 95 %, memory 90 %); each ramp starts 25 points below them
 *   (RESOURCE_RAMP_POINTS, a library choice).
 * - staleness (10 %): with a user metric of data age in seconds a: 1 at a = 0, 0 at
 *   a >= 300, else (300 - a) / 300; missing data counts as critical. Without one, the
 *   MCP probe's Success (Minimum per minute): 1 when the probe got a tool list that
 *   minute, 0 when it failed or did not run.
 *
 * score = 100 x (40 rt + 30 er + 20 res + 10 st) / (sum of the weights of the
 * components that have inputs): a component without inputs is left out rather than
 * counted as healthy.
 */
import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib/core';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmThresholds, AvailabilityTier, COMPOSITE_HEALTH_SCORE, TierOverrides, resolveTier } from '../core/tiers';
import { restrictGrantsToAwsServices } from './private/compliance';
import { checkKeyRegion, validatorFor } from './validation';

/** Points below a resource's critical value where its health score starts to drop. */
export const RESOURCE_RAMP_POINTS = 25;
/** CloudWatch: an alarm on metric math reads at most 10 metrics. */
const MAX_ALARM_METRICS = 10;
const PERIOD = Duration.minutes(1);

/** The cache to watch, structurally (an McpCache or any ElastiCache replication group). */
export interface McpCacheMetricsSource {
  /** Replication group ID. */
  readonly replicationGroupId: string;
  /**
   * Member cluster IDs whose metrics to read (the `CacheClusterId` dimension).
   * @default - [`<replicationGroupId>-001`], the first member ElastiCache creates (the primary at creation, cluster mode disabled)
   */
  readonly primaryNodeIds?: string[];
  /**
   * Replica member cluster IDs (ReplicationLag is published by replicas).
   * @default - [`<replicationGroupId>-002`]
   */
  readonly replicaNodeIds?: string[];
}

/** The MCP probe, structurally (an McpProbe fits). */
export interface McpProbeMetricsSource {
  /** 1 when a run got a tool list, 0 otherwise. */
  readonly successMetric: cloudwatch.IMetric;
  /** Milliseconds of a successful run. */
  readonly latencyMetric: cloudwatch.IMetric;
  /** The probe's own alarm; routed to the topic when it is an Alarm in this stack. @default - none: only the dashboard shows the probe */
  readonly alarm?: cloudwatch.IAlarm;
  /** The probe's token alarm (OAuth client only); routed to the topic like `alarm`. @default - none (no OAuth client) */
  readonly tokenAlarm?: cloudwatch.IAlarm;
}

/** Props of `McpMonitoring`: what to watch (load balancer, fleet, cache, probe) and the tier whose thresholds drive the alarms. */
export interface McpMonitoringProps {
  /**
   * Availability tier; its `alarms` thresholds drive every alarm.
   * @default AvailabilityTier.BUSINESS_CRITICAL
   */
  readonly tier?: AvailabilityTier;

  /**
   * Overrides of the tier's defaults (`alarms: { p95LatencyMs: 300 }`).
   * @default - none
   */
  readonly tierOverrides?: TierOverrides;

  /** The Application Load Balancer in front of the fleet. @default - no load balancer widgets or alarms */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;

  /** The fleet's target group (latency, healthy and unhealthy hosts). @default - load balancer metrics only */
  readonly targetGroup?: elbv2.IApplicationTargetGroup;

  /** The fleet's Auto Scaling group (CPU). @default - none */
  readonly autoScalingGroup?: autoscaling.IAutoScalingGroup;

  /** The fleet's Auto Scaling group, by name (instead of `autoScalingGroup`). @default - none */
  readonly autoScalingGroupName?: string;

  /**
   * Period of the fleet's EC2 metrics. Without detailed monitoring, EC2 publishes
   * every 5 minutes; with it, every minute: 300 or 60 seconds.
   * @default 300 - basic monitoring
   */
  readonly instanceMetricsPeriodSeconds?: number;

  /** The Redis / Valkey cache. @default - none */
  readonly cache?: McpCacheMetricsSource;

  /** The MCP probe. @default - none */
  readonly probe?: McpProbeMetricsSource;

  /**
   * Route 53 health check IDs to graph. Route 53 publishes health-check metrics in
   * us-east-1 only; the widget reads them there whatever this stack's region.
   * @default - none
   */
  readonly route53HealthCheckIds?: string[];

  /**
   * Age of the served context in seconds, for the health score's staleness component.
   * @default - the probe's success metric
   */
  readonly stalenessMetric?: cloudwatch.IMetric;

  /** Topic for alarm and OK notifications. @default - a new topic encrypted with `alarmTopicEncryptionKey`, TLS-only publishing */
  readonly alarmTopic?: sns.ITopic;

  /** KMS key encrypting the new alarm topic (not with `alarmTopic`). @default - a new key with rotation */
  readonly alarmTopicEncryptionKey?: kms.IKey;

  /**
   * The health-score alarm fires below this score (0-100).
   * @default 70
   */
  readonly healthScoreThreshold?: number;

  /**
   * One-minute periods the health score must stay below the threshold.
   * @default - the tier's alarms.latencyEvaluationMinutes (2)
   */
  readonly healthScoreEvaluationMinutes?: number;

  /**
   * One-minute periods the error rate must stay above the threshold.
   * @default - the tier's alarms.latencyEvaluationMinutes (2)
   */
  readonly errorRateEvaluationMinutes?: number;

  /** Dashboard name. @default - generated by CloudFormation */
  readonly dashboardName?: string;
}

/**
 * Dashboard, alarms and composite health score of one MCP deployment.
 */
export class McpMonitoring extends Construct {
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Where alarms and OK notifications go. */
  public readonly alarmTopic: sns.ITopic;
  /** The key of the topic this construct created (undefined with a given topic). */
  public readonly alarmTopicEncryptionKey?: kms.IKey;
  /**
   * The alarms, by name: TargetLatencyP95, ErrorRate, UnhealthyHosts, FleetCpu,
   * CacheMemory, McpProbe, HealthScore (those whose inputs were given).
   */
  public readonly alarms: Record<string, cloudwatch.IAlarm>;
  /** The composite health score, 0-100 (undefined when no input feeds any component). */
  public readonly healthScore?: cloudwatch.MathExpression;
  /** 5xx responses as percent of requests (undefined without a load balancer or target group). */
  public readonly errorRate?: cloudwatch.MathExpression;
  /** The thresholds applied. */
  public readonly thresholds: AlarmThresholds;

  constructor(scope: Construct, id: string, props: McpMonitoringProps = {}) {
    super(scope, id);

    // Validate first.
    const v = validatorFor(this);
    const profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, props.tierOverrides ?? {}, v.nested('tierOverrides'));
    const thresholds = profile.alarms;
    const healthScoreThreshold = props.healthScoreThreshold ?? 70;
    const healthScoreEvaluationMinutes = props.healthScoreEvaluationMinutes ?? thresholds.latencyEvaluationMinutes;
    const errorRateEvaluationMinutes = props.errorRateEvaluationMinutes ?? thresholds.latencyEvaluationMinutes;
    const instanceSeconds = props.instanceMetricsPeriodSeconds ?? 300;
    const instancePeriodOk = instanceSeconds === 60 || instanceSeconds === 300;
    // A period CloudWatch refuses would throw in aws-cdk-lib before the validator reports it: render 300 s meanwhile.
    const instancePeriod = Duration.seconds(instancePeriodOk ? instanceSeconds : 300);

    const inputs = ['loadBalancer', 'targetGroup', 'autoScalingGroup', 'autoScalingGroupName', 'cache', 'probe', 'route53HealthCheckIds', 'stalenessMetric'] as const;
    const given = inputs.filter((k) => props[k] !== undefined && !(k === 'route53HealthCheckIds' && props.route53HealthCheckIds?.length === 0));
    v.check(given.length > 0, 'props', {}, `at least one thing to monitor: ${inputs.join(', ')}`);
    v.numberInRange('healthScoreThreshold', healthScoreThreshold, { min: 0, max: 100 }, 'the score runs from 0 (critical) to 100 (healthy)');
    v.integerInRange('healthScoreEvaluationMinutes', healthScoreEvaluationMinutes, { min: 1, max: 60 });
    v.integerInRange('errorRateEvaluationMinutes', errorRateEvaluationMinutes, { min: 1, max: 60 });
    v.check(!(props.autoScalingGroup && props.autoScalingGroupName), 'autoScalingGroupName', props.autoScalingGroupName,
      'either autoScalingGroup or autoScalingGroupName, not both');
    v.check(!(props.alarmTopic && props.alarmTopicEncryptionKey), 'alarmTopicEncryptionKey', '(a key)', 'only without alarmTopic: the key encrypts a topic this construct creates');
    checkKeyRegion(v, this, 'alarmTopicEncryptionKey', props.alarmTopicEncryptionKey, 'the alarm topic');
    v.check(instancePeriodOk, 'instanceMetricsPeriodSeconds', instanceSeconds,
      '60 (EC2 detailed monitoring) or 300 (basic monitoring)');
    v.check((thresholds.cpuEvaluationMinutes * 60) % instancePeriod.toSeconds() === 0, 'tierOverrides.alarms.cpuEvaluationMinutes', thresholds.cpuEvaluationMinutes,
      `a multiple of the EC2 metrics period (${instancePeriod.toMinutes()} min); set instanceMetricsPeriodSeconds: 60 with detailed monitoring`);
    if (props.dashboardName !== undefined && !Token.isUnresolved(props.dashboardName)) {
      v.check(/^[A-Za-z0-9_-]{1,255}$/.test(props.dashboardName), 'dashboardName', props.dashboardName,
        '1 to 255 letters, digits, "-" and "_" (CloudWatch dashboard names)');
    }
    const cache = props.cache;
    const primaryNodes = cache ? cache.primaryNodeIds ?? [`${cache.replicationGroupId}-001`] : [];
    const replicaNodes = cache ? cache.replicaNodeIds ?? [`${cache.replicationGroupId}-002`] : [];
    const cacheNodes = [...primaryNodes, ...replicaNodes];
    if (cache) {
      v.check(typeof cache.replicationGroupId === 'string' && cache.replicationGroupId.length > 0, 'cache.replicationGroupId', cache.replicationGroupId,
        'a replication group ID');
      v.check(primaryNodes.length > 0, 'cache.primaryNodeIds', primaryNodes, 'at least one member cluster ID');
    }
    (props.route53HealthCheckIds ?? []).forEach((hc, i) =>
      v.check(typeof hc === 'string' && hc.length > 0, `route53HealthCheckIds[${i}]`, hc, 'a Route 53 health check ID'));
    // The health-score alarm reads every input metric once; CloudWatch allows 10.
    const lb = props.loadBalancer;
    const tg = props.targetGroup;
    const scoreMetricCount = (lb || tg ? 4 - (lb ? 0 : 1) : 0) + (props.autoScalingGroup || props.autoScalingGroupName ? 1 : 0)
      + cacheNodes.length + (props.stalenessMetric || props.probe ? 1 : 0);
    v.check(scoreMetricCount <= MAX_ALARM_METRICS, 'cache', `${cacheNodes.length} cache nodes (${scoreMetricCount} metrics in the health score)`,
      `at most ${MAX_ALARM_METRICS} metrics in one alarm (a CloudWatch limit): list fewer primaryNodeIds / replicaNodeIds`);
    v.throwIfInvalid();

    this.thresholds = thresholds;
    this.alarms = {};

    // Topic.
    if (props.alarmTopic) {
      this.alarmTopic = props.alarmTopic;
    } else {
      const stack = Stack.of(this);
      const key = props.alarmTopicEncryptionKey ?? new kms.Key(this, 'TopicKey', {
        description: `Encrypts the MCP alarm topic of ${this.node.path}`,
        enableKeyRotation: true,
      });
      // CloudWatch publishes alarm notifications through SNS, which needs the key on its behalf.
      const added = key.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }));
      if (!added.statementAdded) {
        Annotations.of(this).addWarningV2('mcp-ha:topic-key-policy',
          'alarmTopicEncryptionKey is an imported key: allow cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey* in its key policy, or alarm notifications will not be delivered');
      }
      if (!props.alarmTopicEncryptionKey) restrictGrantsToAwsServices(key);
      this.alarmTopicEncryptionKey = key;
      const topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true, displayName: 'MCP service alarms' });
      topic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }));
      this.alarmTopic = topic;
    }
    const notify = new actions.SnsAction(this.alarmTopic);
    const route = (name: string, alarm: cloudwatch.Alarm): cloudwatch.Alarm => {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      this.alarms[name] = alarm;
      return alarm;
    };

    // Metrics.
    const p = (stat: string) => ({ statistic: stat, period: PERIOD });
    const latency = (stat: string): cloudwatch.Metric | undefined =>
      tg ? tg.metrics.targetResponseTime(p(stat)) : lb?.metrics.targetResponseTime(p(stat));
    const requests = lb ? lb.metrics.requestCount(p('Sum')) : tg?.metrics.requestCount(p('Sum'));
    const target5xx = lb
      ? lb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, p('Sum'))
      : tg?.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, p('Sum'));
    const elb5xx = lb?.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, p('Sum'));
    const asgName = props.autoScalingGroup?.autoScalingGroupName ?? props.autoScalingGroupName;
    const cpu = asgName
      ? new cloudwatch.Metric({ namespace: 'AWS/EC2', metricName: 'CPUUtilization', dimensionsMap: { AutoScalingGroupName: asgName }, statistic: 'Average', period: instancePeriod })
      : undefined;
    const cacheMetric = (metricName: string, node: string, statistic = 'Maximum'): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: 'AWS/ElastiCache', metricName, dimensionsMap: { CacheClusterId: node }, statistic, period: PERIOD, label: `${metricName} ${node}` });

    // Error rate: ELB 5xx are not in RequestCount (the load balancer answered before choosing
    // a target), so they are added to the denominator too; no traffic is 0 %.
    if (requests && target5xx) {
      const using: Record<string, cloudwatch.IMetric> = { requests, target5xx, ...(elb5xx ? { elb5xx } : {}) };
      const errors = elb5xx ? '(FILL(target5xx, 0) + FILL(elb5xx, 0))' : 'FILL(target5xx, 0)';
      const total = elb5xx ? '(FILL(requests, 0) + FILL(elb5xx, 0))' : 'FILL(requests, 0)';
      this.errorRate = new cloudwatch.MathExpression({
        expression: `IF(${total} > 0, 100 * ${errors} / ${total}, 0)`,
        usingMetrics: using,
        period: PERIOD,
        label: '5xx rate (%)',
      });
    }

    // Alarms from the tier's thresholds.
    const p95 = latency(cloudwatch.Stats.p(95));
    if (p95) {
      route('TargetLatencyP95', new cloudwatch.Alarm(this, 'TargetLatencyP95Alarm', {
        alarmDescription: `P95 target response time above ${thresholds.p95LatencyMs} ms for ${thresholds.latencyEvaluationMinutes} min`,
        metric: p95,
        threshold: thresholds.p95LatencyMs / 1000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: thresholds.latencyEvaluationMinutes,
        datapointsToAlarm: thresholds.latencyEvaluationMinutes,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    if (this.errorRate) {
      route('ErrorRate', new cloudwatch.Alarm(this, 'ErrorRateAlarm', {
        alarmDescription: `5xx above ${thresholds.errorRatePercent} % of requests for ${errorRateEvaluationMinutes} min`,
        metric: this.errorRate,
        threshold: thresholds.errorRatePercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: errorRateEvaluationMinutes,
        datapointsToAlarm: errorRateEvaluationMinutes,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    if (tg) {
      // The guide's "degraded (30-60 s): alert operations": one minute with an unhealthy host.
      route('UnhealthyHosts', new cloudwatch.Alarm(this, 'UnhealthyHostsAlarm', {
        alarmDescription: 'At least one target unhealthy for a minute',
        metric: tg.metrics.unhealthyHostCount(p('Maximum')),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    if (cpu) {
      const periods = (thresholds.cpuEvaluationMinutes * 60) / instanceSeconds;
      route('FleetCpu', new cloudwatch.Alarm(this, 'FleetCpuAlarm', {
        alarmDescription: `Fleet average CPU above ${thresholds.cpuPercent} % for ${thresholds.cpuEvaluationMinutes} min`,
        metric: cpu,
        threshold: thresholds.cpuPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    let cacheMemory: cloudwatch.IMetric | undefined;
    if (cacheNodes.length > 0) {
      const usingMemory = Object.fromEntries(cacheNodes.map((n, i) => [`mem${i}`, cacheMetric('DatabaseMemoryUsagePercentage', n)]));
      cacheMemory = cacheNodes.length === 1
        ? usingMemory.mem0
        : new cloudwatch.MathExpression({
          expression: `MAX([${Object.keys(usingMemory).map((k) => `FILL(${k}, 0)`).join(', ')}])`,
          usingMetrics: usingMemory,
          period: PERIOD,
          label: 'Cache memory, highest node (%)',
        });
      route('CacheMemory', new cloudwatch.Alarm(this, 'CacheMemoryAlarm', {
        alarmDescription: `Cache DatabaseMemoryUsagePercentage above ${thresholds.memoryPercent} % on a node`,
        metric: cacheMemory,
        threshold: thresholds.memoryPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: thresholds.latencyEvaluationMinutes,
        datapointsToAlarm: thresholds.latencyEvaluationMinutes,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }
    const probeAlarm = props.probe?.alarm;
    if (probeAlarm) {
      this.alarms.McpProbe = probeAlarm;
      if (probeAlarm instanceof cloudwatch.Alarm && Stack.of(probeAlarm) === Stack.of(this)) {
        probeAlarm.addAlarmAction(notify);
        probeAlarm.addOkAction(notify);
      } else {
        Annotations.of(this).addWarningV2('mcp-ha:probe-alarm-not-routed',
          'probe.alarm is not an Alarm in this stack, so it is not routed to the topic; add the topic to it where it is defined');
      }
    }

    const tokenAlarm = props.probe?.tokenAlarm;
    if (tokenAlarm instanceof cloudwatch.Alarm && Stack.of(tokenAlarm) === Stack.of(this)) {
      this.alarms.McpProbeToken = tokenAlarm;
      tokenAlarm.addAlarmAction(notify);
      tokenAlarm.addOkAction(notify);
    }

    // Composite health score.
    this.healthScore = this.buildHealthScore({
      p95, requests, target5xx, elb5xx, cpu, cacheNodes, cacheMetric,
      staleness: props.stalenessMetric, probeSuccess: props.probe?.successMetric,
    });
    if (this.healthScore) {
      route('HealthScore', new cloudwatch.Alarm(this, 'HealthScoreAlarm', {
        alarmDescription: `Composite health score (response time 40 %, errors 30 %, resources 20 %, staleness 10 %) below ${healthScoreThreshold}`,
        metric: this.healthScore,
        threshold: healthScoreThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: healthScoreEvaluationMinutes,
        datapointsToAlarm: healthScoreEvaluationMinutes,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));
    }

    // Dashboard.
    const rows: cloudwatch.IWidget[][] = [];
    const w = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({ title, left, width: 8, height: 6, period: PERIOD, ...extra });
    const line = (value: number, label: string): cloudwatch.HorizontalAnnotation => ({ value, label, color: cloudwatch.Color.RED });

    const top: cloudwatch.IWidget[] = [];
    if (this.healthScore) {
      top.push(w('Composite health score', [this.healthScore], {
        leftYAxis: { min: 0, max: 100, showUnits: false },
        leftAnnotations: [line(healthScoreThreshold, 'alarm')],
      }));
    }
    top.push(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms), width: 8, height: 6 }));
    if (props.probe) {
      top.push(w('MCP probe', [props.probe.successMetric], {
        right: [props.probe.latencyMetric],
        leftYAxis: { min: 0, max: 1, label: 'success', showUnits: false },
        rightYAxis: { min: 0, label: 'ms', showUnits: false },
      }));
    }
    rows.push(top);

    const traffic: cloudwatch.IWidget[] = [];
    const [p50, p99] = [latency(cloudwatch.Stats.p(50)), latency(cloudwatch.Stats.p(99))];
    if (p50 && p95 && p99) {
      traffic.push(w('Target response time (s)', [p50.with({ label: 'p50' }), p95.with({ label: 'p95' }), p99.with({ label: 'p99' })], {
        leftAnnotations: [line(thresholds.p95LatencyMs / 1000, 'p95 alarm')],
      }));
    }
    if (requests && target5xx) {
      traffic.push(w('Requests and 5xx', [requests.with({ label: 'requests' }), target5xx.with({ label: 'target 5xx' }), ...(elb5xx ? [elb5xx.with({ label: 'ELB 5xx' })] : [])], {
        right: this.errorRate ? [this.errorRate] : [],
        rightAnnotations: [line(thresholds.errorRatePercent, '5xx % alarm')],
      }));
    }
    if (tg) {
      traffic.push(w('Targets', [tg.metrics.healthyHostCount(p('Minimum')).with({ label: 'healthy' }), tg.metrics.unhealthyHostCount(p('Maximum')).with({ label: 'unhealthy' })]));
    }
    if (traffic.length) rows.push(traffic);

    const resources: cloudwatch.IWidget[] = [];
    if (cpu) {
      resources.push(w('Fleet CPU (%)', [cpu], { period: instancePeriod, leftYAxis: { min: 0, max: 100 }, leftAnnotations: [line(thresholds.cpuPercent, 'alarm')] }));
    }
    if (cacheNodes.length > 0) {
      resources.push(w('Cache CPU (%)', cacheNodes.flatMap((n) => [cacheMetric('CPUUtilization', n, 'Average'), cacheMetric('EngineCPUUtilization', n, 'Average')]), { leftYAxis: { min: 0, max: 100 } }));
      resources.push(w('Cache memory (%)', cacheNodes.map((n) => cacheMetric('DatabaseMemoryUsagePercentage', n)), {
        leftYAxis: { min: 0, max: 100 },
        leftAnnotations: [line(thresholds.memoryPercent, 'alarm')],
      }));
    }
    if (resources.length) rows.push(resources);

    const cacheRow: cloudwatch.IWidget[] = [];
    if (cacheNodes.length > 0) {
      cacheRow.push(w('Cache replication lag (s)', replicaNodes.map((n) => cacheMetric('ReplicationLag', n))));
      cacheRow.push(w('Cache evictions', cacheNodes.map((n) => cacheMetric('Evictions', n, 'Sum'))));
    }
    const healthChecks = props.route53HealthCheckIds ?? [];
    if (healthChecks.length > 0) {
      // Route 53 publishes health-check metrics in us-east-1 only.
      cacheRow.push(w('Route 53 health checks (us-east-1; 1 = healthy)', healthChecks.map((hc, i) => new cloudwatch.Metric({
        namespace: 'AWS/Route53', metricName: 'HealthCheckStatus', dimensionsMap: { HealthCheckId: hc },
        statistic: 'Minimum', period: PERIOD, region: 'us-east-1', label: `health check ${i + 1}`,
      })), { leftYAxis: { min: 0, max: 1, showUnits: false } }));
    }
    if (cacheRow.length) rows.push(cacheRow);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      widgets: rows,
    });
  }

  /**
   * Sends `alarm`'s ALARM and OK transitions to this construct's topic, under `name` in
   * `alarms`: for alarms other constructs create (certificate expiry, cache promotion, ...).
   */
  public routeAlarm(name: string, alarm: cloudwatch.Alarm): void {
    const notify = new actions.SnsAction(this.alarmTopic);
    alarm.addAlarmAction(notify);
    alarm.addOkAction(notify);
    this.alarms[name] = alarm;
  }

  private buildHealthScore(m: {
    p95?: cloudwatch.IMetric; requests?: cloudwatch.IMetric; target5xx?: cloudwatch.IMetric; elb5xx?: cloudwatch.IMetric;
    cpu?: cloudwatch.IMetric; cacheNodes: string[]; cacheMetric: (name: string, node: string) => cloudwatch.Metric;
    staleness?: cloudwatch.IMetric; probeSuccess?: cloudwatch.IMetric;
  }): cloudwatch.MathExpression | undefined {
    const w = COMPOSITE_HEALTH_SCORE;
    const parts: { id: string; weight: number; expr: cloudwatch.MathExpression }[] = [];
    const expr = (expression: string, usingMetrics: Record<string, cloudwatch.IMetric>, label: string): cloudwatch.MathExpression =>
      new cloudwatch.MathExpression({ expression, usingMetrics, period: PERIOD, label });
    /** 1 at or below `good`, 0 at or above `critical`, linear between (`x` an expression). */
    const ramp = (x: string, good: number, critical: number): string =>
      `IF(${x} <= ${good}, 1, IF(${x} >= ${critical}, 0, (${critical} - ${x}) / ${critical - good}))`;

    if (m.p95) {
      const rt = w.responseTime;
      parts.push({ id: 'rtScore', weight: rt.weightPercent, expr: expr(ramp('(FILL(tr, 0) * 1000)', rt.targetMs, rt.criticalMs), { tr: m.p95 }, 'response time score') });
    }
    if (this.errorRate) {
      const er = w.errorRate;
      parts.push({ id: 'erScore', weight: er.weightPercent, expr: expr(ramp('errPct', er.targetPercent, er.criticalPercent), { errPct: this.errorRate }, 'error rate score') });
    }
    const resourceScores: Record<string, cloudwatch.IMetric> = {};
    const res = w.resources;
    if (m.cpu) {
      resourceScores.cpuScore = expr(ramp('FILL(FILL(cpu, REPEAT), 0)', res.criticalCpuPercent - RESOURCE_RAMP_POINTS, res.criticalCpuPercent), { cpu: m.cpu }, 'CPU score');
    }
    if (m.cacheNodes.length > 0) {
      const mems = Object.fromEntries(m.cacheNodes.map((n, i) => [`hsMem${i}`, m.cacheMetric('DatabaseMemoryUsagePercentage', n)]));
      const highest = m.cacheNodes.length === 1 ? 'FILL(hsMem0, 0)' : `MAX([${Object.keys(mems).map((k) => `FILL(${k}, 0)`).join(', ')}])`;
      const memHigh = expr(highest, mems, 'cache memory, highest node');
      resourceScores.memScore = expr(ramp('memHigh', res.criticalMemoryPercent - RESOURCE_RAMP_POINTS, res.criticalMemoryPercent), { memHigh }, 'memory score');
    }
    const rIds = Object.keys(resourceScores);
    if (rIds.length > 0) {
      const lower = rIds.length === 1 ? rIds[0] : `IF(${rIds[0]} < ${rIds[1]}, ${rIds[0]}, ${rIds[1]})`;
      parts.push({ id: 'resScore', weight: res.weightPercent, expr: expr(lower, resourceScores, 'resource score') });
    }
    const st = w.staleness;
    if (m.staleness) {
      parts.push({ id: 'stScore', weight: st.weightPercent, expr: expr(ramp(`FILL(age, ${st.criticalSeconds})`, 0, st.criticalSeconds), { age: m.staleness }, 'staleness score') });
    } else if (m.probeSuccess) {
      parts.push({ id: 'stScore', weight: st.weightPercent, expr: expr('FILL(probeOk, 0)', { probeOk: m.probeSuccess }, 'staleness score (MCP probe success)') });
    }
    if (parts.length === 0) return undefined;

    const total = parts.reduce((sum, x) => sum + x.weight, 0);
    const weighted = parts.map((x) => `${x.weight} * ${x.id}`).join(' + ');
    return new cloudwatch.MathExpression({
      expression: `100 * (${weighted}) / ${total}`,
      usingMetrics: Object.fromEntries(parts.map((x) => [x.id, x.expr])),
      period: PERIOD,
      label: 'Composite health score',
    });
  }
}
