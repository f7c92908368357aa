/**
 * Cloud DNS failover routing between two regional load balancers (Google's
 * documented active-passive pattern: "High availability for regional external
 * Application Load Balancers", https://cloud.google.com/load-balancing/docs/https/regional-ha,
 * and the failover routing policy of https://cloud.google.com/dns/docs/routing-policies-overview).
 *
 * One A record with a `primary_backup` routing policy: Cloud DNS answers the
 * primary's address while its health check passes, else the backup's. Health
 * checks of public (external) endpoints run from three source regions, and
 * Google requires `check_interval_sec >= 30` for a health check with source
 * regions (https://cloud.google.com/compute/docs/reference/rest/v1/healthChecks,
 * `sourceRegions`): the DNS detection term on Google is at least 30 s per failed
 * check, and the tier targets refuse what that cannot keep.
 */
import { ComputeHealthCheck } from '@cdktf/provider-google/lib/compute-health-check';
import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set';
import { Construct } from 'constructs';
import { PROBE_LIMITS, ProbeMechanism } from '../core/cloud-limits';
import { validateDnsHealthCheck } from '../core/health-probe';
import { Cloud, cloudDefaults } from '../core/failover-budget';
import { AvailabilityTier, TierOverrides, TierProfile, mergeOverrides, resolveTier } from '../core/tiers';
import { defaultPrefix, resourceName } from './private/names';
import { checkRegion, validatorFor } from './validation';

/** Three regions the health checkers probe from (Google requires exactly 3). */
export const DEFAULT_SOURCE_REGIONS: readonly string[] = ['us-east4', 'europe-west1', 'asia-southeast1'];

/** One side of the failover pair. */
export interface DnsFailoverTarget {
  /** Region of the load balancer (the backup's is the failover policy's backup location). */
  readonly region: string;
  /** The regional load balancer's public IPv4 address. */
  readonly ipAddress: string;
}

/** The Cloud DNS zone records are written to. */
export interface McpCloudDnsZone {
  /** Name of the managed zone resource (not the DNS name). */
  readonly managedZone: string;
  /** DNS name of the zone, e.g. `example.com`. */
  readonly zoneName: string;
  /** Record below the zone, e.g. `mcp`; '' for the apex (an A record is fine at the apex). */
  readonly recordName: string;
}

/** Props of `McpDnsFailover`: a Cloud DNS failover record between two regional load balancers, with its health check. */
export interface McpDnsFailoverProps {
  /** The Cloud DNS zone and record name. */
  readonly zone: McpCloudDnsZone;
  /** The load balancer answered while its check passes. */
  readonly primary: DnsFailoverTarget;
  /** The load balancer answered when the primary fails. */
  readonly backup: DnsFailoverTarget;
  /** The readiness path the checkers request over HTTPS on port 443. */
  readonly healthPath: string;
  /** Availability tier: the DNS check's failure threshold and the record's TTL follow it. @default AvailabilityTier.BUSINESS_CRITICAL (2 failures, 15 s TTL) */
  readonly tier?: AvailabilityTier;
  /** dnsHealthCheck (interval >= 30 s, failures, timeout) and recordTtlSeconds. @default - the tier's, with Google's 30 s interval and 5 s timeout */
  readonly tierOverrides?: TierOverrides;
  /** The three regions the health checkers probe from (Google requires exactly 3). @default DEFAULT_SOURCE_REGIONS (us-east4, europe-west1, asia-southeast1) */
  readonly sourceRegions?: string[];
  /** Prefix of the health check's name. @default - derived from the construct path */
  readonly namePrefix?: string;
}

export class McpDnsFailover extends Construct {
  public readonly profile: TierProfile;
  public readonly healthCheck: ComputeHealthCheck;
  public readonly record: DnsRecordSet;
  /** Fully qualified name (with the trailing dot). */
  public readonly fqdn: string;
  /** Check settings as rendered (the budget's DNS terms come from these). */
  public readonly intervalSeconds: number;
  public readonly timeoutSeconds: number;
  public readonly failureThreshold: number;
  public readonly ttlSeconds: number;

  constructor(scope: Construct, id: string, props: McpDnsFailoverProps) {
    super(scope, id);
    const v = validatorFor(this);
    // Google's DNS defaults (30 s interval, 5 s timeout) under the user's overrides, as planService applies them.
    const profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, mergeOverrides(cloudDefaults(Cloud.GCP), props.tierOverrides ?? {}), v);
    const limits = PROBE_LIMITS[ProbeMechanism.GCP_DNS_HEALTH_CHECK];
    validateDnsHealthCheck(ProbeMechanism.GCP_DNS_HEALTH_CHECK, v.nested('tierOverrides.dnsHealthCheck'), profile.dnsHealthCheck);
    const sources = props.sourceRegions ?? [...DEFAULT_SOURCE_REGIONS];
    v.check(sources.length === 3 && new Set(sources).size === 3, 'sourceRegions', sources,
      `exactly 3 distinct regions (${limits.docUrl}, sourceRegions)`);
    sources.forEach((r, i) => checkRegion(v, `sourceRegions[${i}]`, r));
    checkRegion(v, 'primary.region', props.primary.region);
    checkRegion(v, 'backup.region', props.backup.region);
    v.check(props.primary.region !== props.backup.region, 'backup.region', props.backup.region,
      `a region other than the primary's (${props.primary.region}): the failover policy's backup is chosen by region`);
    v.check(/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)?$/.test(props.zone.recordName), 'zone.recordName', props.zone.recordName,
      'a DNS label of lowercase letters, digits and hyphens, or \'\' for the apex');
    v.throwIfInvalid();

    this.profile = profile;
    const hc = profile.dnsHealthCheck;
    this.intervalSeconds = hc.requestIntervalSeconds;
    this.timeoutSeconds = hc.timeoutSeconds ?? limits.timeoutSeconds!.min;
    this.failureThreshold = hc.failureThreshold;
    this.ttlSeconds = profile.recordTtlSeconds;
    const prefix = props.namePrefix ?? defaultPrefix(this);
    const zoneName = props.zone.zoneName.replace(/\.$/, '');
    this.fqdn = `${props.zone.recordName === '' ? zoneName : `${props.zone.recordName}.${zoneName}`}.`;

    this.healthCheck = new ComputeHealthCheck(this, 'HealthCheck', {
      name: resourceName(prefix, 'dns'),
      description: `Cloud DNS failover check of ${this.fqdn} (external endpoints, from ${sources.join(', ')})`,
      checkIntervalSec: this.intervalSeconds,
      timeoutSec: this.timeoutSeconds,
      healthyThreshold: 2,
      unhealthyThreshold: this.failureThreshold,
      httpsHealthCheck: { port: 443, requestPath: props.healthPath, host: this.fqdn.replace(/\.$/, '') },
      sourceRegions: sources,
    });

    this.record = new DnsRecordSet(this, 'Record', {
      managedZone: props.zone.managedZone,
      name: this.fqdn,
      type: 'A',
      ttl: this.ttlSeconds,
      routingPolicy: {
        healthCheck: this.healthCheck.id,
        primaryBackup: {
          primary: { externalEndpoints: [props.primary.ipAddress] },
          backupGeo: [{ location: props.backup.region, healthCheckedTargets: { externalEndpoints: [props.backup.ipAddress] } }],
          // No trickle: the standby serves nothing until the primary fails (active-passive).
          trickleRatio: 0,
        },
      },
    });
  }
}
