/**
 * What the three AWS topologies share: their props vocabulary (tier, server,
 * capacity, schedule, cache, certificate, domain, routing), how traffic is routed,
 * where certificates come from, and the summary each stack carries.
 */
import { Stack, Token } from 'aws-cdk-lib/core';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { McpAuthorization } from '../../core/authorization';
import { CacheWriteModel } from '../../core/cache-write-model';
import { Validator } from '../../core/errors';
import { DnsRecordKind, FailoverBudget } from '../../core/failover-budget';
import { McpServerSource } from '../../core/server-source';
import { ScalingSchedule } from '../../core/schedule';
import { SUMMARY_KEY, StackSummary } from '../../core/summary';
import { AvailabilityTier, RoutingMechanism, TierOverrides } from '../../core/tiers';
import { AcceleratorClientAffinity } from '../accelerator';
import { CacheEngine } from '../cache';
import { VaultAuthentication, VaultIssuedCertificate } from '../certificate';
import { FleetCapacity } from '../fleet';
import { McpWafOptions } from '../load-balancer';

/** How traffic reaches the deployments of a topology. */
export class TrafficRouting {
  /**
   * AWS Global Accelerator: two anycast addresses, no DNS step and no client TTL;
   * failover follows the load balancers' own target health. Its resources live in
   * us-west-2 (the Global Accelerator API region).
   */
  public static accelerator(options: AcceleratorRoutingOptions = {}): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.ANYCAST, undefined, options.clientAffinity);
  }

  /**
   * Route 53 records with health checks (failover pairs for active-passive,
   * latency records for multi-region). Needs `domain`.
   */
  public static dns(options: DnsRoutingOptions = {}): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.DNS, options.recordKind ?? DnsRecordKind.CNAME);
  }

  /**
   * Nothing in front of the load balancer (active-active only): clients use the
   * load balancer's name, or `domain` gets a plain record.
   */
  public static loadBalancer(): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.LOAD_BALANCER);
  }

  private constructor(
    public readonly mechanism: RoutingMechanism,
    public readonly recordKind?: DnsRecordKind,
    public readonly clientAffinity?: AcceleratorClientAffinity,
  ) {}
}

/** Options of `TrafficRouting.accelerator()`. */
export interface AcceleratorRoutingOptions {
  /** Whether one client's connections stick to one endpoint. @default AcceleratorClientAffinity.NONE (stateless MCP) */
  readonly clientAffinity?: AcceleratorClientAffinity;
}

/** Options of `TrafficRouting.dns()`. */
export interface DnsRoutingOptions {
  /**
   * CNAME (TTL from the tier, what the failover budget needs) or ALIAS (zone
   * apex; the load balancer's fixed 60 s TTL, often over the tier's target).
   * @default DnsRecordKind.CNAME
   */
  readonly recordKind?: DnsRecordKind;
}

/** The DNS name a service answers on. */
export interface McpDomain {
  /** The public hosted zone, e.g. `example.com`. */
  readonly zoneName: string;
  /**
   * The hosted zone's id. Required: synthesis never looks zones up (it runs
   * offline), and stacks in several regions write records into the zone by id.
   */
  readonly hostedZoneId: string;
  /** The record below the zone, e.g. `mcp` for mcp.example.com. */
  readonly recordName: string;
}

/** Where the HTTPS listeners' certificates come from. */
export abstract class McpCertificate {
  /** An existing certificate (single-region topologies only: ACM certificates are regional). */
  public static fromCertificate(certificate: acm.ICertificate): McpCertificate {
    return new ExistingCertificate(certificate);
  }

  /** Existing ACM certificates by region. */
  public static fromCertificateArns(arns: Record<string, string>): McpCertificate {
    return new CertificateArns(arns);
  }

  /**
   * A certificate issued by HashiCorp Vault PKI in each region, imported into
   * ACM and rotated into the same ARN (`VaultIssuedCertificate`). The common name
   * defaults to the service's domain; the regional names are added as SANs.
   */
  public static vault(options: VaultCertificateSourceOptions): McpCertificate {
    return new VaultCertificate(options);
  }

  /** An ACM certificate validated through DNS in the service's hosted zone (needs `domain`). */
  public static dnsValidated(): McpCertificate {
    return new DnsValidatedCertificate();
  }

  /** True when the source can serve stacks in several regions. @internal */
  public abstract readonly multiRegion: boolean;
  /** True when the source needs the service's domain (hosted zone, names). @internal */
  public readonly needsDomain: boolean = false;

  /**
   * Checks, before anything is built, that the source serves every region of the service
   * (`regions` may hold unresolved tokens, which are skipped). Problems go to `v` under `certificate`.
   * @internal
   */
  public validateFor(_v: Validator, _regions: readonly string[]): void {
    // Most sources serve any region.
  }

  /**
   * The certificate for one regional deployment (called by the topologies).
   * @internal
   */
  public abstract bind(scope: Construct, context: CertificateBindContext): acm.ICertificate;
}

/** Options of `McpCertificate.vault()`: the Vault PKI role and the rotation policy (see `VaultIssuedCertificate`). */
export interface VaultCertificateSourceOptions {
  /** Vault's address, `https://host[:port]`; each region's rotation function calls it from the VPC. */
  readonly vaultAddress: string;
  /** The PKI role certificates are issued from (`/v1/<pkiMount>/issue/<role>`). */
  readonly role: string;
  /** The certificate's common name. @default - the service's domain name */
  readonly commonName?: string;
  /** Further DNS names; the service's and the region's names are always added. @default - only the service's and region's names */
  readonly subjectAlternativeNames?: string[];
  /** PEM CA certificate(s) trusted for TLS to Vault besides the public roots. @default - the public roots only */
  readonly caBundlePem?: string;
  /** Mount path of the PKI secrets engine. @default 'pki' */
  readonly pkiMount?: string;
  /** How the rotation function logs in to Vault. @default VaultAuthentication.awsIam() - Vault's AWS auth method with a role named like the PKI role */
  readonly authentication?: VaultAuthentication;
  /** Requested lifetime, whole days. @default 45 - the rotation interval plus 15 days */
  readonly ttlDays?: number;
  /** Days between rotations. @default 30 - the guide */
  readonly rotationDays?: number;
  /** The expiry alarm fires when fewer days than this are left. @default 7 - the guide */
  readonly warningDays?: number;
  /** The Vault role's `max_ttl` in days, when known: a longer `ttlDays` is refused at synth time. @default - not checked */
  readonly maxTtlDays?: number;
}

/** What a topology gives `McpCertificate.bind` for one regional deployment. @internal */
export interface CertificateBindContext {
  /** The deployment's region. */
  readonly region: string;
  /** The deployment's VPC (a Vault rotation function runs in it). */
  readonly vpc: ec2.IVpc;
  /** Encrypts the log groups the certificate's functions write. */
  readonly logEncryptionKey: kms.IKey;
  /** Names the certificate must cover (the service name, the regional name). */
  readonly domainNames: string[];
  /** The zone DNS validation writes to. @default - none (only DNS-validated certificates need it) */
  readonly hostedZone?: route53.IHostedZone;
  /** Where certificate alarms go. @default - no alarm actions */
  readonly alarmTopic?: sns.ITopic;
}

class ExistingCertificate extends McpCertificate {
  public readonly multiRegion = false;
  constructor(private readonly certificate: acm.ICertificate) { super(); }
  public bind(): acm.ICertificate { return this.certificate; }
}

class CertificateArns extends McpCertificate {
  public readonly multiRegion = true;
  constructor(public readonly arns: Record<string, string>) { super(); }
  public override validateFor(v: Validator, regions: readonly string[]): void {
    const given = Object.keys(this.arns);
    for (const region of regions) {
      if (Token.isUnresolved(region)) continue;
      const arn = this.arns[region];
      if (arn === undefined) {
        v.add(`certificate.arns.${region}`, undefined,
          `an ACM certificate ARN in ${region} (McpCertificate.fromCertificateArns has ${given.length > 0 ? given.join(', ') : 'no region'}): `
          + 'ACM certificates are regional and every region\'s listener needs one');
      } else if (!Token.isUnresolved(arn)) {
        const m = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[A-Za-z0-9-]+$/.exec(arn);
        v.check(m !== null && m[1] === region, `certificate.arns.${region}`, arn,
          `an ACM certificate ARN of region ${region} ("arn:aws:acm:${region}:<account>:certificate/<id>")`);
      }
    }
  }
  public bind(scope: Construct, context: CertificateBindContext): acm.ICertificate {
    // Presence was validated by the topology before anything was built (validateFor).
    const arn = this.arns[context.region];
    if (arn === undefined) throw new Error(`${scope.node.path}: internal error: no certificate ARN for ${context.region} (validateFor was not called)`);
    return acm.Certificate.fromCertificateArn(scope, 'Certificate', arn);
  }
}

class VaultCertificate extends McpCertificate {
  public readonly multiRegion = true;
  constructor(public readonly options: VaultCertificateSourceOptions) { super(); }
  public bind(scope: Construct, context: CertificateBindContext): acm.ICertificate {
    const [first, ...rest] = context.domainNames;
    const commonName = this.options.commonName ?? first;
    const sans = [...new Set([...(this.options.subjectAlternativeNames ?? []), ...(commonName === first ? rest : context.domainNames)])];
    return new VaultIssuedCertificate(scope, 'Certificate', {
      ...this.options,
      vpc: context.vpc,
      logEncryptionKey: context.logEncryptionKey,
      commonName,
      subjectAlternativeNames: sans.length > 0 ? sans : undefined,
      alarmTopic: context.alarmTopic,
    }).certificate;
  }
}

class DnsValidatedCertificate extends McpCertificate {
  public readonly multiRegion = true;
  public override readonly needsDomain = true;
  public bind(scope: Construct, context: CertificateBindContext): acm.ICertificate {
    const [first, ...rest] = context.domainNames;
    return new acm.Certificate(scope, 'Certificate', {
      domainName: first,
      subjectAlternativeNames: rest.length > 0 ? rest : undefined,
      validation: acm.CertificateValidation.fromDns(context.hostedZone),
    });
  }
}

/** Cache options shared by the topologies (the tier decides the rest). */
export interface McpServiceCacheOptions {
  /**
   * Across regions: MULTI_WRITER (Amazon MemoryDB Multi-Region: every region writes locally, nothing is
   * promoted) or SINGLE_WRITER (ElastiCache Global Datastore: one writable region; the others read and
   * refuse writes clearly until the library promotes one). Single-region topologies: SINGLE_REGION.
   * @default - multi-region: MULTI_WRITER where MemoryDB Multi-Region's limits allow it (regions, at most
   * 5 regions, Valkey, R7g xlarge or above), else SINGLE_WRITER with a warning saying why; cross-region
   * active-passive: SINGLE_WRITER; one region: SINGLE_REGION
   */
  readonly writeModel?: CacheWriteModel;
  /** Valkey or Redis OSS. @default CacheEngine.VALKEY */
  readonly engine?: CacheEngine;
  /** Engine version. @default - Valkey '8.2' or Redis OSS '7.1' (ElastiCache); '7.3' for a multi-writer MemoryDB cache */
  readonly engineVersion?: string;
  /** Node type of the cache. @default 'cache.r7g.large' (ElastiCache); 'db.r7g.xlarge' with a multi-writer MemoryDB cache */
  readonly cacheNodeType?: string;
  /** Shards (turns cluster mode on). @default - cluster mode off */
  readonly numNodeGroups?: number;
  /** Port the servers connect to (TLS). @default 6380 */
  readonly port?: number;
  /** KMS key encrypting the cache's data at rest (and its snapshots and its AUTH token / password secret). @default - the service's own key (AWS owned for ElastiCache, AWS managed for MemoryDB) */
  readonly dataEncryptionKey?: kms.IKey;
}

/** The props every topology takes, with the same names on every cloud. */
export interface McpServiceProps {
  /** The availability tier: every default (zones, probes, TTLs, alarms, targets) comes from it. @default AvailabilityTier.BUSINESS_CRITICAL */
  readonly tier?: AvailabilityTier;
  /** What runs on each instance. */
  readonly server: McpServerSource;
  /** Instances: the baseline the schedule's percentages refer to, and optional bounds. */
  readonly capacity: FleetCapacity;
  /** Weekly (and holiday) capacity windows, as percentages of `capacity.baseline`. @default - no schedule (min/max stay as capacity says) */
  readonly schedule?: ScalingSchedule;
  /** Certificates of the HTTPS listeners. */
  readonly certificate: McpCertificate;
  /** The DNS name the service answers on (and its hosted zone). @default - no DNS record (clients use the load balancer's or accelerator's name) */
  readonly domain?: McpDomain;
  /** What moves traffic between deployments on failure. @default - from the tier: accelerator for mission-critical, DNS otherwise */
  readonly routing?: TrafficRouting;
  /** Shared state for the servers (Redis OSS / Valkey). `false`: no cache. @default - a cache from the tier */
  readonly cache?: McpServiceCacheOptions | false;
  /**
   * Overrides of the tier's defaults, field by field (health check, timeouts, DNS checks, alarms, targets...).
   * @default - the tier's defaults
   */
  readonly tierOverrides?: TierOverrides;
  /**
   * The former name of `tierOverrides`: still read when `tierOverrides` is not set; both set is a synth-time error.
   * @deprecated use `tierOverrides` (the name every construct and cloud uses); removed before 1.0
   * @default - `tierOverrides`
   */
  readonly overrides?: TierOverrides;
  /** EC2 instance type of the servers. @default - m7i.large */
  readonly instanceType?: ec2.InstanceType;
  /** Web application firewall in front of the load balancers. `false`: none. @default - rate limit and AWS managed rules */
  readonly waf?: McpWafOptions | false;
  /** Where alarms go. @default - a new encrypted topic per stack */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Run the MCP-level probe (server/discover + tools/list every minute) against the
   * service and include its alarm in the DNS health checks. Needs `domain`.
   * @default true when `domain` is set
   */
  readonly mcpProbe?: boolean;
  /**
   * Who may call the service (MCP authorization: the servers are OAuth 2.1 resource servers
   * of this issuer; the audience is `https://<recordName>.<zoneName><mcpPath>`). The load
   * balancers are internet-facing, so there is no silent default: give an issuer, or opt out
   * with `McpAuthorization.allowUnauthenticated(reason)` (a warning, and the synth summary says so).
   * See docs/SECURITY.md.
   * @default - none: synthesis is refused
   */
  readonly authorization?: McpAuthorization;
  /**
   * The MCP probe's OAuth client (a secret whose JSON holds `client_id` and `client_secret`):
   * the probe gets a token with the client-credentials grant and lists the tools as a client.
   * @default - with authorization on, the probe checks only that each endpoint answers the 401 challenge
   */
  readonly probeClientCredentials?: secretsmanager.ISecret;
}

/** The fully qualified service name. */
export function serviceName(domain: McpDomain): string {
  return domain.recordName === '' ? domain.zoneName : `${domain.recordName}.${domain.zoneName}`;
}

/** The name of one region's deployment (used for probes and certificates). */
export function regionalName(domain: McpDomain, region: string): string {
  const label = domain.recordName === '' ? region : `${domain.recordName}-${region}`;
  return `${label}.${domain.zoneName}`;
}

/**
 * Writes a topology's summary into its stack's template metadata (keyed by the
 * construct path, so two topologies in a stack do not collide); `npm run synth`
 * reads it back from the synthesized template.
 */
export function recordSummary(scope: Construct, summary: StackSummary): void {
  const stack = Stack.of(scope);
  const existing = (stack.templateOptions.metadata ?? {}) as Record<string, unknown>;
  const summaries = (existing[SUMMARY_KEY] ?? {}) as Record<string, StackSummary>;
  stack.templateOptions.metadata = { ...existing, [SUMMARY_KEY]: { ...summaries, [scope.node.path]: summary } };
}

/** The budget part of a summary. */
export function budgetSummary(budget: FailoverBudget): Pick<StackSummary, 'budgetSeconds' | 'targetSeconds' | 'largestTerm'> {
  return { budgetSeconds: budget.totalSeconds, targetSeconds: budget.targetSeconds, largestTerm: budget.largestTerm.name };
}
