/**
 * Multi-region: N >= 2 regional active-active deployments, one self-contained stack
 * per region plus, with accelerator routing, a global stack in us-west-2. Routing
 * is Global Accelerator (anycast, dials 100 everywhere) or Route 53 latency records
 * with health checks. The cache is multi-writer by default (Amazon MemoryDB
 * Multi-Region: every region writes to its own regional cluster, nothing is
 * promoted); where MemoryDB Multi-Region's limits do not allow it, or with
 * `cache.writeModel: SINGLE_WRITER`, an ElastiCache Global Datastore whose primary
 * lives in the first region: the other regions read locally and their servers
 * refuse writes clearly (CACHE_WRITE_MODE), and when the first region has been
 * down for the extended-outage time a function in the second region promotes the
 * healthiest secondary (AWS never does this by itself). Every region watches the
 * others and, when one stops serving, raises its own capacity by the lost share.
 *
 * Takes an App or Stage and creates its stacks; deploy order (first region, other
 * regions, global) is expressed as stack dependencies.
 */
import { Annotations, Stack, StackProps, Stage, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CacheWriteModel } from '../../core/cache-write-model';
import { Cloud, FailoverBudget, Topology } from '../../core/failover-budget';
import { ServicePlan, planService } from '../../core/plan';
import { AvailabilityTier } from '../../core/tiers';
import { McpAccelerator } from '../accelerator';
import { addWarnings, validatorFor } from '../validation';
import { addAuthorizationWarnings, resolveAuthorization } from './authorization';
import { McpServiceProps } from './common';
import { chooseCacheWriteModel } from './cache-write';
import { McpRegion, RegionalService, resolveAccount } from './regional';
import { validateServiceProps } from './shared';

/** Props of `MultiRegionMcpService`: the shared service props, plus the regions and the account of the stacks it creates. */
export interface MultiRegionMcpServiceProps extends McpServiceProps {
  /** Regions, the first holding the cache's primary. At least 2. */
  readonly regions: string[];
  /** The account of every stack. @default - the stage's account, else CDK_DEFAULT_ACCOUNT (it must be known: zones are per account) */
  readonly account?: string;
  /** Props for every stack created (tags, termination protection, synthesizer...). @default - none beyond env */
  readonly stackProps?: StackProps;
}

export class MultiRegionMcpService extends Construct {
  public readonly plan: ServicePlan;
  /** Computed from the rendered settings of the primary region (equals `plan.budget`). */
  public readonly budget: FailoverBudget;
  /** Stack of each region, by region. */
  public readonly regionStacks: Record<string, Stack>;
  /** What each region holds, by region. */
  public readonly regions: Record<string, McpRegion>;
  /** The us-west-2 stack of the accelerator (accelerator routing only). */
  public readonly globalStack?: Stack;
  public readonly accelerator?: McpAccelerator;

  constructor(scope: Construct, id: string, props: MultiRegionMcpServiceProps) {
    super(scope, id);
    const tier = props.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
    const v = validatorFor(this);
    v.check(Stage.isStage(scope), 'scope', scope.node.path || '(root)',
      'an App or Stage: a multi-region service creates one stack per region and a global stack');
    v.check(props.regions.length >= 2, 'regions', props.regions, 'at least two regions');
    v.check(new Set(props.regions).size === props.regions.length, 'regions', props.regions, 'distinct regions');
    const account = resolveAccount(this, props.account);
    v.check(account !== undefined, 'account', props.account,
      'an AWS account id (props.account, the stage\'s env, or CDK_DEFAULT_ACCOUNT): each region\'s zones are looked up per account');
    v.check(props.domain !== undefined, 'domain', props.domain,
      'a domain: each region gets its own name, which the MCP probes and the cache promotion use to watch the other regions');
    validateServiceProps(v, props, { multiRegion: true, regions: props.regions.map((r) => ({ prop: 'regions', region: r })) });
    const authorization = resolveAuthorization(v, props, true);
    const writeWarnings: string[] = [];
    const writeModel = props.cache === false ? undefined
      : chooseCacheWriteModel(writeWarnings, v, props.cache, props.regions, CacheWriteModel.MULTI_WRITER);
    v.throwIfInvalid();

    this.plan = planService({
      cloud: Cloud.AWS, topology: Topology.MULTI_REGION, tier,
      overrides: { ...(props.tierOverrides ?? props.overrides), ...(props.routing ? { routing: props.routing.mechanism } : {}) },
      recordKind: props.routing?.recordKind,
      cache: props.cache === false ? undefined : { crossRegion: true, multiWriter: writeModel === CacheWriteModel.MULTI_WRITER },
      cacheRegions: props.regions,
      dnsCalculatedHealthCheck: props.mcpProbe ?? true,
      constructPath: this.node.path,
      isUnresolved: (x) => Token.isUnresolved(x),
    });
    addWarnings(this, this.plan.warnings);

    const built = new RegionalService(scope, id, props, this.plan, {
      topology: Topology.MULTI_REGION, regions: props.regions, account: account!, standbyRegions: [], stackProps: props.stackProps,
      writeModel,
    });
    built.assertBudget(this, this.plan.budget);
    // The service itself sits outside any stack: its warnings go on the first region's stack, where cdk synth shows them.
    for (const w of writeWarnings) Annotations.of(built.regionStacks[props.regions[0]]).addWarningV2('mcp-ha:cache-single-writer', w);
    addAuthorizationWarnings(built.regionStacks[props.regions[0]], authorization);
    this.budget = built.budget;
    this.regionStacks = built.regionStacks;
    this.regions = built.regions;
    this.globalStack = built.globalStack;
    this.accelerator = built.accelerator;
  }
}
