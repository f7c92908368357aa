/**
 * Automates the guide's "extended outage: promote standby systems" step for an
 * ElastiCache Global Datastore, which AWS never fails over between regions by
 * itself. Lives in a secondary region (it must run when the primary region is
 * down): an alarm there watching the primary region fires after the
 * extended-outage time, and its state change invokes a function that promotes the
 * healthiest secondary. Idempotent, logged, alarmed.
 */
import { Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { CompliancePack, acknowledgeControl, acknowledgePackRule } from './private/compliance';
import { HandlerFunction, libraryHandlerDir } from './private/handler-function';
import { validatorFor } from './validation';

/** A region whose cache may become the primary. */
export interface PromotionCandidate {
  readonly replicationGroupId: string;
  /** Readiness URL of that region's MCP deployment (https), probed to pick the healthiest. */
  readonly healthUrl: string;
}

export interface McpCachePromotionProps {
  /** The Global Datastore's full id (as AWS reports it, with the regional prefix). */
  readonly globalReplicationGroupId: string;
  /** The region whose failure triggers promotion (the datastore's primary). */
  readonly primaryRegion: string;
  /** Secondaries keyed by region, in order of preference. */
  readonly candidates: Record<string, PromotionCandidate>;
  /**
   * The alarm (in this stack's region) that fires when the primary region has
   * been down for the extended-outage time, e.g. an `McpProbe` of the primary
   * region's endpoint with evaluation periods = extended-outage seconds / 60.
   */
  readonly trigger: cloudwatch.IAlarm;
  /** @default 'McpHa/CachePromotion' */
  readonly metricNamespace?: string;
  /** @default - a new key */
  readonly encryptionKey?: kms.IKey;
  /** Run the function in a VPC (to reach internal health URLs). @default - not in a VPC */
  readonly vpc?: ec2.IVpc;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

export class McpCachePromotion extends Construct {
  public readonly handler: HandlerFunction;
  public readonly rule: events.Rule;
  /** Fires when a promotion attempt fails (function error). */
  public readonly failureAlarm: cloudwatch.Alarm;
  /** Promotions performed (EMF metric, 1 per promotion). */
  public readonly promotedMetric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: McpCachePromotionProps) {
    super(scope, id);
    const v = validatorFor(this);
    const regions = Object.keys(props.candidates);
    v.check(regions.length >= 1, 'candidates', regions, 'at least one secondary region to promote');
    v.check(Token.isUnresolved(props.primaryRegion) || REGION.test(props.primaryRegion), 'primaryRegion', props.primaryRegion,
      'an AWS region name such as us-east-1');
    for (const r of regions) {
      v.check(REGION.test(r), `candidates.${r}`, r, 'keys that are AWS region names such as eu-west-1');
      v.check(r !== props.primaryRegion, `candidates.${r}`, r, 'secondary regions only: the primary is the one that failed');
      const url = props.candidates[r].healthUrl;
      v.check(Token.isUnresolved(url) || /^https:\/\/[^/\s]+\/\S*$/.test(url), `candidates.${r}.healthUrl`, url,
        'an https:// URL of that region\'s readiness path');
    }
    const stack = Stack.of(this);
    v.check(Token.isUnresolved(stack.region) || stack.region !== props.primaryRegion, 'scope', stack.region,
      'a stack in a secondary region: a function in the primary region cannot run when that region is down');
    v.throwIfInvalid();

    const namespace = props.metricNamespace ?? 'McpHa/CachePromotion';
    const candidates = regions.map((region) => ({ region, ...props.candidates[region] }));
    this.handler = new HandlerFunction(this, 'Handler', {
      handlerDir: libraryHandlerDir('cache-promotion-handler'),
      description: `Promotes the healthiest secondary of Global Datastore ${props.globalReplicationGroupId} when ${props.primaryRegion} is down`,
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: 1,
      retryAttempts: 2,
      encryptionKey: props.encryptionKey,
      vpc: props.vpc,
      environment: {
        GLOBAL_REPLICATION_GROUP_ID: props.globalReplicationGroupId,
        PRIMARY_REGION: props.primaryRegion,
        CANDIDATES: stack.toJsonString(candidates),
        METRIC_NAMESPACE: namespace,
        HEALTH_TIMEOUT_MS: '5000',
      },
    });
    const fn = this.handler.function;
    acknowledgePackRule(fn, 'LambdaDLQ',
      'The function runs on one alarm transition (EventBridge, two retries); a run that fails raises FailureAlarm, whose '
      + 'description tells the operator to promote by hand: a dead-lettered copy of the alarm event would add nothing to act on.',
      [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
    if (!props.vpc) {
      const noVpc = 'The promotion must work while the primary region is down, so it depends on nothing but the ElastiCache API '
        + 'and the public HTTPS readiness URLs of the candidate regions, which it reaches from outside the service network like clients do; set vpc to run it inside one.';
      acknowledgePackRule(fn, 'LambdaInsideVPC', noVpc);
      acknowledgeControl(fn, 'lambda_inside_vpc_check', noVpc);
    }
    // elasticache:FailoverGlobalReplicationGroup / Describe act on the global group and the
    // member replication groups; ElastiCache ARNs: globalreplicationgroup has no region.
    const globalArn = Arn.format({
      service: 'elasticache', region: '', resource: 'globalreplicationgroup', resourceName: props.globalReplicationGroupId,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }, stack);
    const memberArns = candidates.map((c) => Arn.format({
      service: 'elasticache', region: c.region, resource: 'replicationgroup', resourceName: c.replicationGroupId,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }, stack));
    this.handler.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticache:DescribeGlobalReplicationGroups'],
      resources: [globalArn],
    }));
    this.handler.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticache:FailoverGlobalReplicationGroup'],
      resources: [globalArn, ...memberArns],
    }));

    this.rule = new events.Rule(this, 'Trigger', {
      description: `Runs the cache promotion when ${props.trigger.alarmName} enters ALARM`.slice(0, 512),
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [props.trigger.alarmArn],
        detail: { state: { value: ['ALARM'] } },
      },
      targets: [new targets.LambdaFunction(this.handler.function, { retryAttempts: 2 })],
    });

    this.failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: `Cache promotion for ${props.globalReplicationGroupId} failed: promote a secondary by hand (FailoverGlobalReplicationGroup)`,
      metric: this.handler.function.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.promotedMetric = new cloudwatch.Metric({
      namespace, metricName: 'Promoted', dimensionsMap: { GlobalReplicationGroupId: props.globalReplicationGroupId },
      statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1),
    });
  }
}
