/**
 * Automated Memorystore for Valkey switchover (single writer, cross-region), under
 * the escalation ladder: when the writer region's readiness has failed from more
 * than one checker region for the extended-outage time, an alert publishes to a
 * Pub/Sub topic and a Cloud Run function runs the core promotion decision
 * (lib/core/promotion.ts) through the Memorystore adapter
 * (cache-promotion-handler): it re-checks the writer region itself, refuses when it
 * answers, picks the healthiest secondary and switches it over.
 *
 * Safety as on AWS: the trigger alert treats missing data as no incident (a probe
 * that stops reporting promotes nothing), only an incident that opens acts, a
 * blocked decision throws (Pub/Sub redelivers while the function's retry policy
 * lasts) and a log-match alert says so. Least privilege: a custom role with the
 * three Memorystore permissions the switchover needs.
 *
 * The function's code is the bundle `npm run build` ships with the package
 * (no bundler at synth); in this repository it is bundled by esbuild at synth
 * (private/handler-bundle.ts). Terraform zips and uploads it.
 */
import { Cloudfunctions2Function } from '@cdktf/provider-google/lib/cloudfunctions2-function';
import { CloudRunV2ServiceIamMember } from '@cdktf/provider-google/lib/cloud-run-v2-service-iam-member';
import { DataGoogleProject } from '@cdktf/provider-google/lib/data-google-project';
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { MonitoringUptimeCheckConfig } from '@cdktf/provider-google/lib/monitoring-uptime-check-config';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { PubsubTopic } from '@cdktf/provider-google/lib/pubsub-topic';
import { PubsubTopicIamMember } from '@cdktf/provider-google/lib/pubsub-topic-iam-member';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { StorageBucket } from '@cdktf/provider-google/lib/storage-bucket';
import { StorageBucketObject } from '@cdktf/provider-google/lib/storage-bucket-object';
import { AssetType, TerraformAsset, Token } from 'cdktf';
import { Construct } from 'constructs';
import { BudgetTerm } from '../core/failover-budget';
import { PromotionConfig } from '../core/promotion';
import { McpCache } from './cache';
import { GcpPromotionEnv } from './cache-promotion-handler';
import { promotionHandlerSource } from './private/handler-bundle';
import { resourceName } from './private/names';
import { WRITER_CHECK_PERIOD_SECONDS, switchoverTerms } from './private/switchover';
import { validatorFor } from './validation';

/** Permissions of the switchover and nothing else (custom role). */
export const PROMOTION_PERMISSIONS: readonly string[] = ['memorystore.instances.get', 'memorystore.instances.update', 'memorystore.operations.get'];

/** A region the cache may be switched over to. */
export interface PromotionCandidate {
  /** A region holding a secondary the cache may be switched over to. */
  readonly region: string;
  /** https URL of the region's readiness (its own regional name), probed before choosing it. */
  readonly healthUrl: string;
}

/** Props of `McpCachePromotion`: the automated Memorystore switchover after the extended-outage step. */
export interface McpCachePromotionProps {
  /** The writer (first) and its secondaries. */
  readonly caches: McpCache[];
  /** Readiness URL of the writer region (re-checked before acting; the trigger's uptime check calls it). */
  readonly primaryHealthUrl: string;
  /** Regions to switch over to, in order of preference, each with its readiness URL. */
  readonly candidates: PromotionCandidate[];
  /** Seconds the writer region must be failing before the switchover (the extended-outage step). */
  readonly triggerSeconds: number;
  /** Region the function runs in (one of the candidates: not the writer's). */
  readonly functionRegion: string;
  /** Project of the instances, the custom role and the function. */
  readonly project: string;
  /** Prefix of every resource name. */
  readonly namePrefix: string;
  /** PEM (or a Terraform reference to it) of the CA that issued the service's certificate, when it is private. @default - public roots only */
  readonly trustedCaPem?: string;
  /** Also notified on a blocked promotion. @default - none */
  readonly notificationChannels?: string[];
}

export class McpCachePromotion extends Construct {
  public readonly topic: PubsubTopic;
  public readonly trigger: MonitoringAlertPolicy;
  public readonly triggerCheck: MonitoringUptimeCheckConfig;
  public readonly function: Cloudfunctions2Function;
  public readonly blockedAlert: MonitoringAlertPolicy;
  /**
   * The core decision's configuration, as the function gets it (`PROMOTION_CONFIG`).
   * @internal
   */
  public readonly config: PromotionConfig;
  /** The trigger alert's duration as rendered (the promotion-trigger term). */
  public readonly triggerSeconds: number;
  /** The writer-region uptime check's period as rendered (the first failure comes up to one period after the loss). */
  public readonly checkPeriodSeconds: number = WRITER_CHECK_PERIOD_SECONDS;

  /**
   * Seconds from the writer region's loss to a writable secondary, from what this construct renders:
   * the trigger check's period, the trigger alert's duration, the alert's evaluation (assumed), the
   * switchover (assumed). The write recovery the topologies print.
   */
  public recoveryTerms(): BudgetTerm[] {
    return switchoverTerms(this.triggerSeconds, this.checkPeriodSeconds);
  }

  constructor(scope: Construct, id: string, props: McpCachePromotionProps) {
    super(scope, id);
    const v = validatorFor(this);
    v.check(props.caches.length >= 2 && props.caches.slice(1).every((c) => c.secondary) && !props.caches[0].secondary, 'caches',
      props.caches.map((c) => c.node.path), 'the writer first, then at least one cross-region secondary');
    v.check(props.candidates.length >= 1, 'candidates', props.candidates, 'at least one region to switch over to');
    v.check(props.functionRegion !== props.caches[0]?.region, 'functionRegion', props.functionRegion,
      `a region other than the writer's (${props.caches[0]?.region}): the function must survive the region it replaces`);
    v.integerInRange('triggerSeconds', props.triggerSeconds, { min: 60, max: 86400 });
    v.check(/^https:\/\//.test(props.primaryHealthUrl), 'primaryHealthUrl', props.primaryHealthUrl, 'an https:// URL');
    v.throwIfInvalid();
    this.triggerSeconds = props.triggerSeconds;
    const name = (s: string) => resourceName(props.namePrefix, s);
    const members = props.caches.map((c) => `projects/${props.project}/locations/${c.region}/instances/${c.instanceId}`);
    this.config = {
      globalReplicationGroupId: members[0],
      failedRegion: props.caches[0].region,
      failedRegionHealthUrl: props.primaryHealthUrl,
      candidates: props.candidates.map((c) => ({
        region: c.region, healthUrl: c.healthUrl,
        replicationGroupId: members[props.caches.findIndex((m) => m.region === c.region)],
      })),
      healthTimeoutMs: 5000,
    };

    this.topic = new PubsubTopic(this, 'Topic', { name: name('promotion') });
    const projectNumber = new DataGoogleProject(this, 'Project', { projectId: props.project }).number;
    // Cloud Monitoring publishes notifications as its service agent.
    new PubsubTopicIamMember(this, 'MonitoringPublisher', {
      topic: this.topic.id, role: 'roles/pubsub.publisher',
      member: `serviceAccount:service-${projectNumber}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`,
    });
    const channel = new MonitoringNotificationChannel(this, 'Channel', {
      displayName: `${props.namePrefix} cache promotion`, type: 'pubsub', labels: { topic: this.topic.id },
    });

    const url = new URL(props.primaryHealthUrl);
    this.triggerCheck = new MonitoringUptimeCheckConfig(this, 'WriterRegionCheck', {
      displayName: `${props.namePrefix} writer region ${props.caches[0].region} readiness`,
      period: `${this.checkPeriodSeconds}s`,
      timeout: '10s',
      monitoredResource: { type: 'uptime_url', labels: { host: url.hostname, project_id: props.project } },
      httpCheck: { path: url.pathname, port: 443, useSsl: true, validateSsl: false, acceptedResponseStatusCodes: [{ statusClass: 'STATUS_CLASS_2XX' }] },
    });
    this.trigger = new MonitoringAlertPolicy(this, 'Trigger', {
      displayName: `${props.namePrefix}: writer region ${props.caches[0].region} down for ${props.triggerSeconds} s (switch the cache over)`,
      combiner: 'OR',
      severity: 'CRITICAL',
      conditions: [{
        displayName: `readiness fails from more than one checker region for ${props.triggerSeconds} s`,
        conditionThreshold: {
          filter: `metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.label.check_id="\${${this.triggerCheck.fqn}.uptime_check_id}"`,
          comparison: 'COMPARISON_GT',
          thresholdValue: 1,
          duration: `${props.triggerSeconds}s`,
          aggregations: [{ alignmentPeriod: `${this.checkPeriodSeconds}s`, perSeriesAligner: 'ALIGN_NEXT_OLDER', crossSeriesReducer: 'REDUCE_COUNT_FALSE', groupByFields: ['resource.label.*'] }],
          // Missing data is not an outage: a checker that stops reporting promotes nothing.
          evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
        },
      }],
      notificationChannels: [channel.id, ...(props.notificationChannels ?? [])],
      alertStrategy: { autoClose: '1800s' },
      documentation: { mimeType: 'text/markdown', content: 'Extended outage of the cache writer region: the promotion function switches the cache over after re-checking.' },
    });

    const account = new ServiceAccount(this, 'ServiceAccount', {
      accountId: name('promoter').slice(0, 30).replace(/-+$/, ''),
      displayName: 'MCP cache promotion (Memorystore switchover only)',
    });
    const role = new ProjectIamCustomRole(this, 'Role', {
      roleId: `${props.namePrefix.replace(/[^a-zA-Z0-9]/g, '')}CachePromotion`.slice(0, 64),
      title: 'MCP cache promotion', permissions: [...PROMOTION_PERMISSIONS],
    });
    new ProjectIamMember(this, 'RoleBinding', { project: props.project, role: role.id, member: `serviceAccount:${account.email}` });

    const bucket = new StorageBucket(this, 'Source', {
      // Bucket names are global across every project: the project id keeps this one unique.
      name: Token.isUnresolved(props.project) ? `${props.project}-${props.namePrefix}-promo` : resourceName(`${props.project}-${props.namePrefix}`, 'promo'),
      location: props.functionRegion.toUpperCase(), uniformBucketLevelAccess: true,
      publicAccessPrevention: 'enforced', versioning: { enabled: true }, forceDestroy: false,
    });
    const asset = new TerraformAsset(this, 'Code', { path: promotionHandlerSource(), type: AssetType.ARCHIVE });
    const object = new StorageBucketObject(this, 'Zip', { bucket: bucket.name, name: `promotion-${asset.assetHash}.zip`, source: asset.path });

    this.function = new Cloudfunctions2Function(this, 'Function', {
      name: name('promotion'),
      location: props.functionRegion,
      description: 'Switches the Memorystore cross-region secondary over when the writer region is lost (re-checks first)',
      buildConfig: { runtime: 'nodejs20', entryPoint: 'handler', source: { storageSource: { bucket: bucket.name, object: object.name } } },
      serviceConfig: {
        serviceAccountEmail: account.email,
        maxInstanceCount: 1,
        timeoutSeconds: 540,
        ingressSettings: 'ALLOW_INTERNAL_ONLY',
        environmentVariables: {
          [GcpPromotionEnv.CONFIG]: JSON.stringify(this.config),
          [GcpPromotionEnv.MEMBERS]: JSON.stringify(members),
          ...(props.trustedCaPem ? { [GcpPromotionEnv.TRUSTED_CA]: props.trustedCaPem } : {}),
        },
      },
      eventTrigger: {
        eventType: 'google.cloud.pubsub.topic.v1.messagePublished',
        pubsubTopic: this.topic.id,
        retryPolicy: 'RETRY_POLICY_RETRY',
        triggerRegion: props.functionRegion,
        serviceAccountEmail: account.email,
      },
    });

    // The Pub/Sub (Eventarc) trigger calls the function's Cloud Run service as this account.
    new CloudRunV2ServiceIamMember(this, 'Invoker', {
      name: this.function.name, location: props.functionRegion, role: 'roles/run.invoker', member: `serviceAccount:${account.email}`,
    });
    new ProjectIamMember(this, 'EventReceiver', { project: props.project, role: 'roles/eventarc.eventReceiver', member: `serviceAccount:${account.email}` });

    this.blockedAlert = new MonitoringAlertPolicy(this, 'Blocked', {
      displayName: `${props.namePrefix}: cache promotion blocked`,
      combiner: 'OR',
      severity: 'CRITICAL',
      conditions: [{
        displayName: 'the promotion function could not switch the cache over',
        conditionMatchedLog: {
          filter: `resource.type="cloud_run_revision" AND resource.labels.service_name="${name('promotion')}" AND (severity>=ERROR OR textPayload:"cache promotion blocked")`,
        },
      }],
      alertStrategy: { notificationRateLimit: { period: '300s' }, autoClose: '1800s' },
      notificationChannels: props.notificationChannels,
      documentation: { mimeType: 'text/markdown', content: 'The cache writer region is down and the switchover did not happen: switch over by hand (docs/GCP.md).' },
    });
  }
}
