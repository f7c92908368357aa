/**
 * The regional entry point of an MCP service on AWS: an Application Load Balancer
 * with an HTTPS listener (TLS 1.2+/1.3), optionally an HTTP listener that only redirects, a
 * target group probed with the tier's health probe, access logs, and optionally a
 * WAF web ACL. A fleet (`McpFleet`) attaches to its target group.
 *
 * Every number comes from the availability tier (core): health probe, idle timeout
 * (the timeout chain), deregistration delay (drain), deletion protection, zones.
 */
import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib/core';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { CLOUD_FACTS, ProbeMechanism } from '../core/cloud-limits';
import { Validator } from '../core/errors';
import { HealthProbe, HealthProbeOptions, definedOnly } from '../core/health-probe';
import { McpServerSource } from '../core/server-source';
import { AvailabilityTier, TierProfile, TierOverrides, mergeOverrides, resolveTier } from '../core/tiers';
import { TimeoutChain, TimeoutChainOptions } from '../core/timeouts';
import { VaultIssuedCertificate } from './certificate';
import { acknowledgeControl, acknowledgePackRule } from './private/compliance';
import { validatorFor } from './validation';

/** The well-known path of OAuth 2.0 Protected Resource Metadata (RFC 9728), which MCP clients fetch to find the authorization server. */
export const PROTECTED_RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

/** How the load balancer picks a server for each request. */
export enum LoadBalancingAlgorithm {
  /**
   * The server with the fewest requests in flight: the right choice for MCP, whose
   * tool calls range from milliseconds to minutes. AWS refuses slow start with it.
   */
  LEAST_OUTSTANDING_REQUESTS = 'least_outstanding_requests',
  /** Each server in turn; the only algorithm that supports slow start. */
  ROUND_ROBIN = 'round_robin',
  /** Random, weighted; rendered with automatic target weights (anomaly mitigation) on. */
  WEIGHTED_RANDOM = 'weighted_random',
}

/** What the HTTPS listener does with a request that matches no MCP rule. */
export enum UnmatchedPathAction {
  /** Forward it to the servers too (they may serve other paths, such as an OAuth callback). */
  FORWARD = 'forward',
  /** Answer 404 at the load balancer: only the MCP endpoint, the protected-resource metadata and the readiness path reach the servers. */
  NOT_FOUND = 'not-found',
}

/** AWS managed rule groups the web ACL can use (in the order they are evaluated when chosen). */
export enum WafManagedRuleGroup {
  /** IP addresses Amazon threat intelligence flags (bots, reconnaissance). 25 WCU. */
  AMAZON_IP_REPUTATION = 'AWSManagedRulesAmazonIpReputationList',
  /** Anonymizing services (VPNs, Tor, hosting providers). 50 WCU. */
  ANONYMOUS_IP = 'AWSManagedRulesAnonymousIpList',
  /** Request patterns known to be invalid or exploit attempts (Log4j, ...). 200 WCU. */
  KNOWN_BAD_INPUTS = 'AWSManagedRulesKnownBadInputsRuleSet',
  /** The core rule set (OWASP Top 10 class). 700 WCU. */
  COMMON = 'AWSManagedRulesCommonRuleSet',
  /** SQL injection patterns. 200 WCU. */
  SQL_INJECTION = 'AWSManagedRulesSQLiRuleSet',
  /** Linux-specific local file inclusion patterns. 200 WCU. */
  LINUX = 'AWSManagedRulesLinuxRuleSet',
}

/** AWS WAF in front of the load balancer. */
export interface McpWafOptions {
  /**
   * Requests one client IP may send in any 5-minute window before it is blocked.
   * @default 2000
   */
  readonly rateLimitPer5Minutes?: number;
  /**
   * AWS managed rule groups, evaluated after the rate limit in the order given.
   * @default [AMAZON_IP_REPUTATION, KNOWN_BAD_INPUTS, COMMON]
   */
  readonly managedRuleGroups?: WafManagedRuleGroup[];
  /**
   * Log web ACL traffic to CloudWatch Logs (a log group named `aws-waf-logs-...`
   * is created, retained on delete). The `authorization` and `cookie` headers are
   * redacted: MCP clients send OAuth bearer tokens.
   * @default false, unless `logGroup` is given
   */
  readonly logging?: boolean;
  /**
   * An existing log group for WAF logs; its name must start with `aws-waf-logs-`.
   * @default - a new log group when `logging` is true
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * Retention of the log group the construct creates.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Props of `McpLoadBalancer`: the VPC, certificate, server endpoint and the tier whose probe and timeouts it renders. */
export interface McpLoadBalancerProps {
  /** The VPC of the load balancer and its targets. */
  readonly vpc: ec2.IVpc;
  /** Certificate of the HTTPS listener (ACM or imported). Required: MCP is served over TLS only. */
  readonly certificate: acm.ICertificate;
  /**
   * Availability tier; every default below comes from it.
   * @default AvailabilityTier.BUSINESS_CRITICAL
   */
  readonly tier?: AvailabilityTier;
  /**
   * Overrides of the tier's defaults, field by field (a topology passes its own
   * here). This construct's specific props win over them.
   * @default - none
   */
  readonly tierOverrides?: TierOverrides;
  /**
   * The server behind the load balancer. When given, its port, MCP path and
   * readiness path become the defaults here, and a health-check path it does not
   * serve is refused.
   * @default - port 8080, MCP path '/mcp', health paths from the tier
   */
  readonly server?: McpServerSource;
  /**
   * Port the servers listen on (target group port).
   * @default - the server's port, else 8080
   */
  readonly port?: number;
  /**
   * Path of the MCP endpoint (routed by an explicit listener rule).
   * @default - the server's MCP path, else '/mcp'
   */
  readonly mcpPath?: string;
  /**
   * Health-probe overrides (path, interval, timeout, thresholds, status).
   * @default - the tier's probe, with the server's readiness path
   */
  readonly healthCheck?: HealthProbeOptions;
  /**
   * Timeout-chain overrides; the idle timeout and deregistration delay come from the chain.
   * @default - the tier's chain (idle 180 s, drain 130 s)
   */
  readonly timeouts?: TimeoutChainOptions;
  /**
   * Internet-facing (true) or internal (false).
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * Subnets of the load balancer; they must span the tier's minimum zones.
   * @default - public subnets when internet-facing, private subnets with egress when internal
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * An existing security group for the load balancer. Ingress rules are added to
   * it only when `ingressPeer` is also given.
   * @default - a new security group with no outbound rule except to the targets
   */
  readonly securityGroup?: ec2.ISecurityGroup;
  /**
   * Also listen on port 80 and answer every request with a 301 to the same URL over
   * HTTPS (and open port 80 in the security group).
   *
   * Off by default, on purpose: an MCP client given an http:// URL sends its first
   * request (a POST carrying `Authorization: Bearer ...`) in clear text before it
   * ever sees the redirect, and a client that follows a 301 on a POST re-sends it
   * as a GET (RFC 9110 section 15.4.2 allows it; fetch and most HTTP clients do it),
   * which the Streamable HTTP transport does not accept. Without the listener an
   * http:// URL fails at once (connection refused), which is the honest answer.
   * Turn it on only for browsers or tools that start from a typed host name.
   * @default false - no port-80 listener and no port-80 ingress
   */
  readonly httpRedirect?: boolean;
  /**
   * Who may connect on 443 (and 80 with `httpRedirect`).
   * @default - any IPv4 address when internet-facing, the VPC's CIDR when internal
   */
  readonly ingressPeer?: ec2.IPeer;
  /**
   * TLS policy of the HTTPS listener; policies that allow TLS 1.0 or 1.1 are refused.
   * @default elbv2.SslPolicy.RECOMMENDED_TLS (ELBSecurityPolicy-TLS13-1-2-2021-06: TLS 1.3 and 1.2)
   */
  readonly sslPolicy?: elbv2.SslPolicy;
  /**
   * Routing algorithm of the target group.
   * @default LoadBalancingAlgorithm.LEAST_OUTSTANDING_REQUESTS
   */
  readonly algorithm?: LoadBalancingAlgorithm;
  /**
   * Slow start: seconds over which a new target's share of requests ramps up (30-900).
   * Requires `algorithm: ROUND_ROBIN`.
   * @default - no slow start
   */
  readonly slowStartSeconds?: number;
  /**
   * Sticky sessions (load-balancer cookie) for servers that keep session state in
   * memory: the cookie's lifetime in seconds (1 to 604800, 7 days). Stateless servers (session
   * state in the shared cache) should leave it off.
   * @default - no stickiness
   */
  readonly stickinessSeconds?: number;
  /**
   * What happens to requests outside the MCP path, the metadata path and the readiness path.
   * @default UnmatchedPathAction.FORWARD
   */
  readonly unmatchedPaths?: UnmatchedPathAction;
  /**
   * An existing bucket for access logs (SSE-S3 encryption only: ALB log delivery does not support KMS keys).
   * @default - a new bucket: SSE-S3, SSL enforced, public access blocked, versioned, retained on delete
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Key prefix of the access logs (must not contain 'AWSLogs', nor start or end with '/').
   * @default - no prefix
   */
  readonly accessLogsPrefix?: string;
  /**
   * Days access logs are kept in the bucket the construct creates (S3 lifecycle expiration).
   * @default - kept until deleted
   */
  readonly accessLogsRetentionDays?: number;
  /**
   * Load balancer deletion protection.
   * @default - from the tier (on for mission- and business-critical)
   */
  readonly deletionProtection?: boolean;
  /**
   * AWS WAF in front of the load balancer.
   * @default - no web ACL
   */
  readonly waf?: McpWafOptions;
}

/** TLS policies that allow nothing older than TLS 1.2. */
const TLS12_PLUS = /TLS13-1-[23]|TLS-1-2|FS-1-2/;
const DEFAULT_RATE_LIMIT = 2000;
/** AWS WAF RateBasedStatement.Limit: "Valid Range: Minimum value of 10. Maximum value of 2000000000." */
const WAF_RATE_LIMIT = {
  min: 10,
  max: 2_000_000_000,
  docUrl: 'https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html',
};
/** Sticky-session cookie duration: 1 second to 7 days. */
const STICKINESS_SECONDS = { min: 1, max: 604800 };
/** The core rule set labels requests whose body exceeds what WAF inspects (8 KB on an ALB). */
const SIZE_RESTRICTIONS_BODY_LABEL = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';

/**
 * An Application Load Balancer for MCP servers.
 *
 * Routing: the HTTPS listener forwards the MCP path (`/mcp`, `/mcp/*`), the OAuth
 * protected-resource metadata (`/.well-known/oauth-protected-resource` and the
 * per-resource form `/.well-known/oauth-protected-resource/mcp` of RFC 9728) and
 * the readiness path (DNS health checkers probe through the load balancer) by
 * explicit rules; everything else follows `unmatchedPaths` (forward by default).
 */
export class McpLoadBalancer extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly httpsListener: elbv2.ApplicationListener;
  /** Port 80, with `httpRedirect` only: redirects to HTTPS, never forwards. */
  public readonly httpListener?: elbv2.ApplicationListener;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  public readonly securityGroup: ec2.ISecurityGroup;
  public readonly accessLogsBucket: s3.IBucket;
  /** The web ACL, when `waf` is set. */
  public readonly webAcl?: wafv2.CfnWebACL;
  /** The WAF log group, when WAF logging is on. */
  public readonly wafLogGroup?: logs.ILogGroup;
  /** The resolved tier profile (every default used here). */
  public readonly profile: TierProfile;
  /** The health probe the target group renders. */
  public readonly healthProbe: HealthProbe;
  /** The timeout chain: idle timeout and deregistration delay come from it; the fleet passes it to the server. */
  public readonly timeouts: TimeoutChain;
  /** Port the target group sends traffic and health checks to. */
  public readonly port: number;
  /** Path of the MCP endpoint. */
  public readonly mcpPath: string;
  /** The server source given in props, if any. */
  public readonly server?: McpServerSource;
  /** The routing algorithm in use. */
  public readonly algorithm: LoadBalancingAlgorithm;

  constructor(scope: Construct, id: string, props: McpLoadBalancerProps) {
    super(scope, id);
    const v = validatorFor(this);

    // --- Resolve every default once, then validate everything before building.
    const server = props.server;
    const internetFacing = props.internetFacing ?? true;
    const port = props.port ?? server?.port ?? 8080;
    const mcpPath = props.mcpPath ?? server?.mcpPath ?? '/mcp';
    const profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, mergeOverrides(props.tierOverrides, {
      healthCheck: {
        ...(server ? { path: server.readinessPath, livenessPath: server.livenessPath } : {}),
        ...definedOnly(props.tierOverrides?.healthCheck ?? {}),
        ...definedOnly(props.healthCheck ?? {}),
      },
      timeouts: props.timeouts,
      deletionProtection: props.deletionProtection,
    }), v);
    const probe = profile.healthProbe;
    probe.validateFor(ProbeMechanism.AWS_ALB_TARGET_GROUP, v.nested('healthCheck'));
    const algorithm = props.algorithm ?? LoadBalancingAlgorithm.LEAST_OUTSTANDING_REQUESTS;
    const sslPolicy = props.sslPolicy ?? elbv2.SslPolicy.RECOMMENDED_TLS;
    const unmatchedPaths = props.unmatchedPaths ?? UnmatchedPathAction.FORWARD;
    const subnetSelection = props.vpcSubnets ?? {
      subnetType: internetFacing ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_WITH_EGRESS,
    };

    v.check(props.certificate !== undefined && props.certificate !== null, 'certificate', props.certificate,
      'an ICertificate for the HTTPS listener (required: the load balancer serves MCP over TLS only)');
    v.check(props.vpc !== undefined && props.vpc !== null, 'vpc', props.vpc, 'an IVpc');
    v.integerInRange('port', port, { min: 1, max: 65535 });
    v.check(port !== 22, 'port', port, 'any port but 22: the fleet opens no SSH port');
    validateMcpPath(mcpPath, probe, v);
    if (server) {
      server.validateHealthPath(probe.path, 'healthCheck.path', v);
      v.check(port === server.port, 'port', port, `the server's port (${server.port}): traffic would reach a closed port`);
      v.check(mcpPath === server.mcpPath, 'mcpPath', mcpPath, `the server's MCP path (${JSON.stringify(server.mcpPath)})`);
    }
    v.check(TLS12_PLUS.test(sslPolicy), 'sslPolicy', sslPolicy,
      'a policy that allows TLS 1.2 and 1.3 only (ELBSecurityPolicy-TLS13-1-2-* or -TLS13-1-3-*, or a TLS-1-2/FS-1-2 policy); ' +
      'TLS 1.0 and 1.1 are refused');
    v.oneOf('algorithm', algorithm, Object.values(LoadBalancingAlgorithm));
    v.oneOf('unmatchedPaths', unmatchedPaths, Object.values(UnmatchedPathAction));
    if (props.slowStartSeconds !== undefined) {
      const s = props.slowStartSeconds;
      const range = CLOUD_FACTS.awsSlowStartSeconds;
      v.integerInRange('slowStartSeconds', s, range, `seconds, ${range.docUrl}`);
      v.check(algorithm === LoadBalancingAlgorithm.ROUND_ROBIN, 'slowStartSeconds', s,
        `no slow start with algorithm ${JSON.stringify(algorithm)}: AWS refuses slow start together with ` +
        'least_outstanding_requests and weighted_random; choose LoadBalancingAlgorithm.ROUND_ROBIN or drop slowStartSeconds');
    }
    v.integerInRange('stickinessSeconds', props.stickinessSeconds, STICKINESS_SECONDS,
      'seconds: load-balancer cookie duration, 1 second to 7 days');
    if (props.accessLogsBucket?.encryptionKey) {
      v.add('accessLogsBucket', props.accessLogsBucket.bucketName,
        'a bucket encrypted with SSE-S3 (Amazon S3 managed keys): ALB access-log delivery does not support KMS keys');
    }
    if (props.accessLogsPrefix !== undefined) {
      const p = props.accessLogsPrefix;
      v.check(!p.includes('AWSLogs') && !p.startsWith('/') && !p.endsWith('/') && p.length > 0, 'accessLogsPrefix', p,
        'a non-empty key prefix without "AWSLogs" (ELB adds it) and not starting or ending with "/"');
    }
    if (props.accessLogsRetentionDays !== undefined && props.accessLogsBucket) {
      v.add('accessLogsRetentionDays', props.accessLogsRetentionDays,
        'no value with accessLogsBucket: set lifecycle rules on your own bucket');
    }
    if (props.accessLogsRetentionDays !== undefined) {
      const days = props.accessLogsRetentionDays;
      v.check(Number.isInteger(days) && days >= 1, 'accessLogsRetentionDays', days,
        'a whole number of days, at least 1 (S3 lifecycle expiration is in days)');
    }
    if (props.waf) validateWaf(props.waf, v.nested('waf'));
    if (props.vpc) validateSubnetZones(props.vpc, subnetSelection, profile, v);
    v.throwIfInvalid();

    // --- Build.
    this.profile = profile;
    this.healthProbe = probe;
    this.timeouts = profile.timeouts;
    this.port = port;
    this.mcpPath = mcpPath;
    this.server = server;
    this.algorithm = algorithm;

    const ownSecurityGroup = props.securityGroup === undefined;
    this.securityGroup = props.securityGroup ?? new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: props.httpRedirect
        ? 'MCP load balancer: HTTPS (and HTTP, redirected) from clients; outbound only to the MCP servers'
        : 'MCP load balancer: HTTPS from clients; outbound only to the MCP servers',
    });
    const peer = props.ingressPeer ?? (ownSecurityGroup
      ? (internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(props.vpc.vpcCidrBlock))
      : undefined);
    if (peer) {
      this.securityGroup.addIngressRule(peer, ec2.Port.tcp(443), 'HTTPS from MCP clients');
      if (props.httpRedirect) this.securityGroup.addIngressRule(peer, ec2.Port.tcp(80), 'HTTP from MCP clients (redirected to HTTPS)');
      if (peer.uniqueId === ec2.Peer.anyIpv4().uniqueId || peer.uniqueId === ec2.Peer.anyIpv6().uniqueId) {
        Validations.of(this.securityGroup).acknowledge({
          id: 'AwsSolutions-EC23',
          reason: props.httpRedirect
            ? 'An internet-facing MCP endpoint accepts clients from any address, on 443 and on 80 (httpRedirect: only a 301 '
              + 'to HTTPS); the optional WAF web ACL rate-limits and filters them.'
            : 'An internet-facing MCP endpoint accepts clients from any address on 443 (HTTPS only); the optional WAF web ACL '
              + 'rate-limits and filters them.',
        });
      }
    }

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      vpc: props.vpc,
      internetFacing,
      vpcSubnets: subnetSelection,
      securityGroup: this.securityGroup,
      idleTimeout: Duration.seconds(this.timeouts.idleTimeoutSeconds),
      dropInvalidHeaderFields: true,
      deletionProtection: profile.deletionProtection,
      desyncMitigationMode: elbv2.DesyncMitigationMode.DEFENSIVE,
    });

    this.accessLogsBucket = props.accessLogsBucket ?? this.createAccessLogsBucket(
      props.accessLogsRetentionDays !== undefined ? Duration.days(props.accessLogsRetentionDays) : undefined);
    this.loadBalancer.logAccessLogs(this.accessLogsBucket, props.accessLogsPrefix);

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      healthCheck: {
        enabled: true,
        protocol: elbv2.Protocol.HTTP,
        path: probe.path,
        interval: Duration.seconds(probe.intervalSeconds),
        timeout: Duration.seconds(probe.timeoutSeconds),
        healthyThresholdCount: probe.healthyThreshold,
        unhealthyThresholdCount: probe.unhealthyThreshold,
        healthyHttpCodes: String(probe.healthyHttpStatus),
      },
      deregistrationDelay: Duration.seconds(this.timeouts.drainSeconds),
      slowStart: props.slowStartSeconds !== undefined ? Duration.seconds(props.slowStartSeconds) : undefined,
      stickinessCookieDuration: props.stickinessSeconds !== undefined ? Duration.seconds(props.stickinessSeconds) : undefined,
      loadBalancingAlgorithmType: algorithm as string as elbv2.TargetGroupLoadBalancingAlgorithmType,
      enableAnomalyMitigation: algorithm === LoadBalancingAlgorithm.WEIGHTED_RANDOM ? true : undefined,
    });

    const forward = elbv2.ListenerAction.forward([this.targetGroup]);
    this.httpsListener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromCertificateManager(props.certificate)],
      sslPolicy,
      open: false,
      defaultAction: unmatchedPaths === UnmatchedPathAction.FORWARD
        ? forward
        : elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' }),
    });
    if (props.httpRedirect) {
      this.httpListener = this.loadBalancer.addListener('Http', {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      });
      acknowledgePackRule(this.httpListener, 'ELBv2ACMCertificateRequired',
        'The port-80 listener (httpRedirect: true) only answers 301 to the same URL over HTTPS and forwards nothing; HTTP listeners '
        + 'take no certificate. The HTTPS listener carries the ACM certificate.');
    }
    if (props.certificate.node.scope instanceof VaultIssuedCertificate) {
      acknowledgeControl(this.httpsListener, 'elbv2_acm_certificate_required_check',
        'The certificate is an ACM certificate: VaultIssuedCertificate imports the Vault-issued certificate into ACM '
        + '(ImportCertificate) and its custom resource returns the ACM ARN, which the control cannot follow to an '
        + 'AWS::CertificateManager::Certificate resource.');
    }

    // Explicit rules document what must reach the servers, and keep working when
    // unmatchedPaths is NOT_FOUND. Each rule stays within ALB's 5 condition values.
    new elbv2.ApplicationListenerRule(this, 'McpRule', {
      listener: this.httpsListener,
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns([mcpPath, `${mcpPath}/*`])],
      action: forward,
    });
    // RFC 9728: the metadata of resource https://host/mcp lives at
    // /.well-known/oauth-protected-resource/mcp; the bare path serves the host's root resource.
    new elbv2.ApplicationListenerRule(this, 'ProtectedResourceMetadataRule', {
      listener: this.httpsListener,
      priority: 20,
      conditions: [elbv2.ListenerCondition.pathPatterns([
        PROTECTED_RESOURCE_METADATA_PATH, `${PROTECTED_RESOURCE_METADATA_PATH}/*`,
      ])],
      action: forward,
    });
    // Target health checks go straight to the instances; DNS health checkers (Route 53)
    // probe the readiness path through this listener.
    new elbv2.ApplicationListenerRule(this, 'ReadinessRule', {
      listener: this.httpsListener,
      priority: 30,
      conditions: [elbv2.ListenerCondition.pathPatterns([probe.path])],
      action: forward,
    });

    if (props.waf) {
      const { webAcl, logGroup } = this.createWaf(props.waf, mcpPath);
      this.webAcl = webAcl;
      this.wafLogGroup = logGroup;
    }
  }

  /** The tier this load balancer was built for. */
  public get tier(): AvailabilityTier {
    return this.profile.tier;
  }

  private createAccessLogsBucket(retention: Duration | undefined): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      // ALB log delivery supports SSE-S3 only (not SSE-KMS).
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Always a lifecycle: overwritten or deleted log objects go after 30 days, unfinished uploads after 7;
      // current logs expire only with accessLogsRetentionDays.
      lifecycleRules: [{
        id: retention ? 'ExpireAccessLogs' : 'ExpireNoncurrentAccessLogs',
        expiration: retention,
        noncurrentVersionExpiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the access-log destination of the load balancer; logging its own access to another ' +
        'bucket would only move the finding there. Access is audited through CloudTrail data events if needed.',
    });
    const sink = 'This bucket only receives the load balancer\'s access logs (BLOCK_ALL public access, TLS-only, versioned, retained on delete). ';
    const noLogging = sink + 'Logging its own access to another bucket would only move the finding there; CloudTrail data events audit it where needed.';
    acknowledgePackRule(bucket, 'S3BucketLoggingEnabled', noLogging);
    acknowledgeControl(bucket, 's3_bucket_logging_enabled_check', noLogging);
    const sseS3 = sink + 'Elastic Load Balancing delivers access logs only to buckets encrypted with SSE-S3 (Amazon S3 managed keys); '
      + 'SSE-KMS would stop log delivery.';
    acknowledgePackRule(bucket, 'S3DefaultEncryptionKMS', sseS3);
    acknowledgeControl(bucket, 's3_bucket_default_encryption_kms_check', sseS3);
    acknowledgePackRule(bucket, 'S3BucketReplicationEnabled', sink + 'Access logs describe this region\'s load balancer and '
      + 'are not needed to serve from another region; versioning protects them against overwrite and deletion. Add replication '
      + 'on your own bucket (accessLogsBucket) where logs must leave the region.');
    acknowledgeControl(bucket, 's3_bucket_object_lock_enabled_check', sink + 'Versioning with a 30-day noncurrent-version '
      + 'lifecycle keeps overwritten or deleted logs recoverable; Object Lock would make the retention irreversible, which a '
      + 'library default must not decide. Pass a bucket with Object Lock as accessLogsBucket where WORM logs are required.');
    acknowledgeControl(bucket, 's3_event_notifications_enabled_check', sink + 'Nothing in the service consumes new log objects '
      + 'as events; they are read by query (Athena) or exported when needed.');
    return bucket;
  }

  private createWaf(o: McpWafOptions, mcpPath: string): { webAcl: wafv2.CfnWebACL; logGroup?: logs.ILogGroup } {
    const groups = o.managedRuleGroups ?? [
      WafManagedRuleGroup.AMAZON_IP_REPUTATION,
      WafManagedRuleGroup.KNOWN_BAD_INPUTS,
      WafManagedRuleGroup.COMMON,
    ];
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const rules: wafv2.CfnWebACL.RuleProperty[] = [{
      name: 'RateLimitPerIp',
      priority: 0,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: o.rateLimitPer5Minutes ?? DEFAULT_RATE_LIMIT, aggregateKeyType: 'IP' } },
      visibilityConfig: visibility('RateLimitPerIp'),
    }];
    groups.forEach((group, i) => {
      rules.push({
        name: group,
        priority: 10 + i,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: group,
            // An ALB's WAF inspects only the first 8 KB of a body, and SizeRestrictions_BODY
            // blocks anything larger. MCP requests are JSON-RPC POSTs whose tool arguments
            // (documents, code, context) routinely exceed 8 KB, so the rule only counts here
            // (it still labels the request) and the next rule blocks oversized bodies
            // everywhere except on the MCP endpoint. WAF never inspects responses, so
            // streamed (SSE) MCP responses need no exclusion.
            ruleActionOverrides: group === WafManagedRuleGroup.COMMON
              ? [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]
              : undefined,
          },
        },
        visibilityConfig: visibility(group),
      });
    });
    if (groups.includes(WafManagedRuleGroup.COMMON)) {
      rules.push({
        name: 'BlockOversizedBodyOutsideMcpPath',
        priority: 10 + groups.length,
        action: { block: {} },
        statement: {
          andStatement: {
            statements: [
              { labelMatchStatement: { scope: 'LABEL', key: SIZE_RESTRICTIONS_BODY_LABEL } },
              {
                notStatement: {
                  statement: {
                    orStatement: {
                      statements: [
                        uriPathMatch(mcpPath, 'EXACTLY'),
                        uriPathMatch(`${mcpPath}/`, 'STARTS_WITH'),
                      ],
                    },
                  },
                },
              },
            ],
          },
        },
        visibilityConfig: visibility('BlockOversizedBodyOutsideMcpPath'),
      });
    }

    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`McpWebAcl${Names.uniqueId(this).slice(-32)}`),
      rules,
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.loadBalancer.loadBalancerArn,
      webAclArn: webAcl.attrArn,
    });

    let logGroup: logs.ILogGroup | undefined = o.logGroup;
    if (!logGroup && o.logging) {
      logGroup = new logs.LogGroup(this, 'WafLogs', {
        logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400 })}`,
        retention: o.logRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    if (logGroup) {
      // WAF wants the log group ARN without the ':*' suffix of ILogGroup.logGroupArn.
      const arn = Stack.of(this).formatArn({
        service: 'logs',
        resource: 'log-group',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: logGroup.logGroupName,
      });
      new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
        resourceArn: webAcl.attrArn,
        logDestinationConfigs: [arn],
        redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
      });
    } else {
      acknowledgePackRule(webAcl, 'WAFv2LoggingEnabled',
        'WAF logging is opt-in (waf.logging or waf.logGroup): it writes every request to CloudWatch Logs at a per-GB price. '
        + 'Without it every request WAF evaluated is still in the load balancer\'s access logs (actions_executed lists waf, '
        + 'a blocked request shows 403), and each rule publishes CloudWatch metrics and sampled requests.');
    }
    return { webAcl, logGroup };
  }
}

function uriPathMatch(path: string, positionalConstraint: string): wafv2.CfnWebACL.StatementProperty {
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint,
      searchString: path,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

function validateMcpPath(mcpPath: string, probe: HealthProbe, v: Validator): void {
  v.check(typeof mcpPath === 'string' && /^\/[A-Za-z0-9\-._~/%]*$/.test(mcpPath) && mcpPath !== '/' &&
    !mcpPath.endsWith('/') && mcpPath.length <= 126, 'mcpPath', mcpPath,
  'an absolute path other than "/" without trailing slash, query or wildcard, at most 126 characters ' +
    '(ALB path patterns are limited to 128 and the rule adds "/*")');
  v.check(!mcpPath.startsWith(PROTECTED_RESOURCE_METADATA_PATH), 'mcpPath', mcpPath,
    `a path outside ${PROTECTED_RESOURCE_METADATA_PATH} (reserved for OAuth protected-resource metadata)`);
  // Core already compares the health paths with the default '/mcp'; a custom MCP path is checked here.
  if (mcpPath === '/mcp') return;
  for (const [prop, path] of [['healthCheck.path', probe.path], ['healthCheck.livenessPath', probe.livenessPath]] as const) {
    v.check(path !== mcpPath, prop, path,
      `a plain GET path distinct from mcpPath ${JSON.stringify(mcpPath)} (an MCP request is a POST health checkers cannot send)`);
  }
}

function validateWaf(o: McpWafOptions, v: Validator): void {
  v.integerInRange('rateLimitPer5Minutes', o.rateLimitPer5Minutes, WAF_RATE_LIMIT,
    `requests per IP per 5 minutes, ${WAF_RATE_LIMIT.docUrl}`);
  const groups = o.managedRuleGroups ?? [];
  const all = Object.values(WafManagedRuleGroup);
  groups.forEach((g, i) => v.oneOf(`managedRuleGroups[${i}]`, g, all));
  v.check(new Set(groups).size === groups.length, 'managedRuleGroups', groups, 'each rule group at most once');
  if (o.logGroup) {
    v.check(o.logging !== false, 'logging', o.logging, 'true or unset when logGroup is given');
    const name = o.logGroup.logGroupName;
    v.check(Token.isUnresolved(name) || name.startsWith('aws-waf-logs-'), 'logGroup', name,
      'a log group whose name starts with "aws-waf-logs-" (required by AWS WAF logging)');
  }
  if (o.logRetention !== undefined && !o.logging) {
    v.add('logRetention', o.logRetention, 'no value unless logging is true (it applies to the log group the construct creates)');
  }
}

/**
 * Records a problem when `selection` spans fewer zones than the tier needs (skipped
 * when the zones are unresolved tokens, as with an imported VPC).
 */
export function validateSubnetZones(vpc: ec2.IVpc, selection: ec2.SubnetSelection, profile: TierProfile, v: Validator): void {
  let zones: string[];
  try {
    zones = vpc.selectSubnets(selection).availabilityZones;
  } catch (e) {
    v.add('vpcSubnets', selection.subnetType ?? selection, `a selection that matches subnets in the VPC (${(e as Error).message})`);
    return;
  }
  if (zones.some((z) => Token.isUnresolved(z))) return;
  const distinct = new Set(zones).size;
  v.check(distinct >= profile.minZones, 'vpcSubnets', zones,
    `subnets in at least ${profile.minZones} availability zones (the ${profile.tier} tier's minZones); got ${distinct}`);
}
