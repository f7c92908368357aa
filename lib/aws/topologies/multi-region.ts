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
 * `MultiRegionMcpStage` is a Stage that owns its stacks (`<stage>-<region>`,
 * `<stage>-global`); deploy order (first region, other regions, global) is
 * expressed as stack dependencies. `MultiRegionMcpService` is its deprecated
 * predecessor, which creates the same stacks beside itself.
 */
import { Annotations, Stack, StackProps, Stage, Token } from 'aws-cdk-lib/core';
import { Construct } from 'constructs';
import { Validator } from '../../core/errors';
import { CacheWriteModel } from '../../core/cache-write-model';
import { Cloud, FailoverBudget, Topology } from '../../core/failover-budget';
import { ServicePlan, planService } from '../../core/plan';
import { AvailabilityTier } from '../../core/tiers';
import { McpAccelerator } from '../accelerator';
import { validatorFor } from '../validation';
import { RegionalProbeCredentials, resolveAuthorization, validateRegionalProbeCredentials } from './authorization';
import { McpServiceProps } from './common';
import { chooseCacheWriteModel } from './cache-write';
import { McpRegion, RegionalService, addRegionalWarnings, checkRegionalScope, checkStackProps, resolveAccount } from './regional';
import { validateServiceProps } from './shared';

/** Props of `MultiRegionMcpStage`: the shared service props, plus the regions and the account of the stacks it creates. */
export interface MultiRegionMcpStageProps extends McpServiceProps {
  /** Regions, the first holding the cache's primary. At least 2. */
  readonly regions: string[];
  /** The account of every stack. @default - the enclosing stage's account, else CDK_DEFAULT_ACCOUNT (it must be known: zones are per account) */
  readonly account?: string;
  /**
   * Props for every stack created (tags, termination protection, synthesizer...). `env` and `stackName` are
   * set per stack and refused here.
   * @default - none beyond env
   */
  readonly stackProps?: StackProps;
  /**
   * The MCP probes' client credentials in every region (`probeClientCredentials` is one region's secret, so it
   * is refused here): each region's probes get a real token with the client-credentials grant from a secret
   * in their own region. Needs `authorization: McpAuthorization.oauth(...)`.
   * @default - the probes check that every endpoint answers the 401 challenge (no token)
   */
  readonly probeClientCredentialsByRegion?: RegionalProbeCredentials;
}

/**
 * Props of the deprecated `MultiRegionMcpService`: the same as `MultiRegionMcpStageProps`.
 * @deprecated use `MultiRegionMcpStage` and `MultiRegionMcpStageProps`; removed in the next minor release.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MultiRegionMcpServiceProps extends MultiRegionMcpStageProps {}

/**
 * A multi-region MCP service as a CDK Stage: one stack per region, named
 * `<stage name>-<region>` (construct id: the region), and with accelerator routing
 * a global stack `<stage name>-global` in us-west-2. Create it in an App or another
 * Stage; deploy its stacks with `cdk deploy '<stage id>/*'` (the CDK CLI's `--all`
 * selects top-level stacks only), or add it to a CDK Pipeline with `addStage`.
 */
export class MultiRegionMcpStage extends Stage {
  /** The validated plan: tier profile, routing, cache write model, budget. */
  public readonly plan: ServicePlan;
  /** Computed from the rendered settings of the primary region (equals `plan.budget`). */
  public readonly budget: FailoverBudget;
  /** Stack of each region, by region, in the order of `regions`. */
  public readonly regionStacks: Record<string, Stack>;
  /** What each region holds, by region. */
  public readonly regions: Record<string, McpRegion>;
  /**
   * The us-west-2 stack of the accelerator and the service's record.
   * @default - none: DNS routing (each regional stack writes its own latency record)
   */
  public readonly globalStack?: Stack;
  /**
   * The Global Accelerator in the global stack.
   * @default - none: DNS routing
   */
  public readonly accelerator?: McpAccelerator;

  constructor(scope: Construct, id: string, props: MultiRegionMcpStageProps) {
    super(scope, id);
    const v = validatorFor(this);
    checkRegionalScope(v, scope, 'an App or Stage: a MultiRegionMcpStage is a Stage, which holds one stack per region and a global stack');
    const resolved = resolveMultiRegion(v, this, scope, props);
    this.plan = resolved.plan;
    const built = new RegionalService(this, id, props, this.plan, {
      topology: Topology.MULTI_REGION, regions: props.regions, account: resolved.account, standbyRegions: [], stackProps: props.stackProps,
      writeModel: resolved.writeModel, regionStackId: (region) => region, globalStackId: 'global',
      probeClientCredentials: props.probeClientCredentialsByRegion,
    });
    built.assertBudget(this, this.plan.budget);
    addRegionalWarnings(built.regionStacks[props.regions[0]], this.plan.warnings, resolved.writeWarnings, resolved.authorization);
    this.budget = built.budget;
    this.regionStacks = built.regionStacks;
    this.regions = built.regions;
    this.globalStack = built.globalStack;
    this.accelerator = built.accelerator;
  }
}

/**
 * A multi-region MCP service that creates its stacks beside itself in an App or Stage
 * (`<id>-<region>`, `<id>-global`).
 * @deprecated a construct that creates stacks outside itself: use `MultiRegionMcpStage`, a Stage that owns
 * them (same stack names when it takes this service's id and scope; see CHANGELOG.md for the migration).
 * Removed in the next minor release.
 */
export class MultiRegionMcpService extends Construct {
  /** The validated plan: tier profile, routing, cache write model, budget. */
  public readonly plan: ServicePlan;
  /** Computed from the rendered settings of the primary region (equals `plan.budget`). */
  public readonly budget: FailoverBudget;
  /** Stack of each region, by region. */
  public readonly regionStacks: Record<string, Stack>;
  /** What each region holds, by region. */
  public readonly regions: Record<string, McpRegion>;
  /**
   * The us-west-2 stack of the accelerator.
   * @default - none: DNS routing
   */
  public readonly globalStack?: Stack;
  /**
   * The Global Accelerator in the global stack.
   * @default - none: DNS routing
   */
  public readonly accelerator?: McpAccelerator;

  constructor(scope: Construct, id: string, props: MultiRegionMcpServiceProps) {
    super(scope, id);
    const v = validatorFor(this);
    checkRegionalScope(v, scope, 'an App or Stage: a multi-region service creates one stack per region and a global stack');
    const resolved = resolveMultiRegion(v, this, scope, props);
    this.plan = resolved.plan;
    const built = new RegionalService(scope, id, props, this.plan, {
      topology: Topology.MULTI_REGION, regions: props.regions, account: resolved.account, standbyRegions: [], stackProps: props.stackProps,
      writeModel: resolved.writeModel, regionStackId: (region) => `${id}-${region}`, globalStackId: `${id}-global`,
      probeClientCredentials: props.probeClientCredentialsByRegion,
    });
    built.assertBudget(this, this.plan.budget);
    // The service itself sits outside any stack: its warnings go on the first region's stack, where cdk synth shows them.
    addRegionalWarnings(built.regionStacks[props.regions[0]], this.plan.warnings, resolved.writeWarnings, resolved.authorization);
    Annotations.of(built.regionStacks[props.regions[0]]).addWarningV2('mcp-ha:deprecated-multi-region-service',
      `${this.node.path}: MultiRegionMcpService is deprecated; use MultiRegionMcpStage (a Stage that owns its stacks). See CHANGELOG.md.`);
    this.budget = built.budget;
    this.regionStacks = built.regionStacks;
    this.regions = built.regions;
    this.globalStack = built.globalStack;
    this.accelerator = built.accelerator;
  }
}

/** Validates a multi-region service's props (problems name `owner`) and plans it; throws on any problem. */
function resolveMultiRegion(v: Validator, owner: Construct, scope: Construct, props: MultiRegionMcpStageProps) {
  const tier = props.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
  v.check(props.regions.length >= 2, 'regions', props.regions, 'at least two regions');
  v.check(new Set(props.regions).size === props.regions.length, 'regions', props.regions, 'distinct regions');
  const account = resolveAccount(scope, props.account);
  v.check(account !== undefined, 'account', props.account,
    'an AWS account id (props.account, the stage\'s env, or CDK_DEFAULT_ACCOUNT): each region\'s zones are looked up per account');
  v.check(props.domain !== undefined, 'domain', props.domain,
    'a domain: each region gets its own name, which the MCP probes and the cache promotion use to watch the other regions');
  checkStackProps(v, props.stackProps);
  validateServiceProps(v, props, { multiRegion: true, regions: props.regions.map((r) => ({ prop: 'regions', region: r })) });
  const authorization = resolveAuthorization(v, props, true);
  validateRegionalProbeCredentials(v, props.probeClientCredentialsByRegion, authorization, props.regions, account, props.mcpProbe);
  const writeWarnings: string[] = [];
  const writeModel = props.cache === false ? undefined
    : chooseCacheWriteModel(writeWarnings, v, props.cache, props.regions, CacheWriteModel.MULTI_WRITER);
  v.throwIfInvalid();

  const plan = planService({
    cloud: Cloud.AWS, topology: Topology.MULTI_REGION, tier,
    overrides: { ...(props.tierOverrides ?? props.overrides), ...(props.routing ? { routing: props.routing.mechanism } : {}) },
    recordKind: props.routing?.recordKind,
    cache: props.cache === false ? undefined : { crossRegion: true, multiWriter: writeModel === CacheWriteModel.MULTI_WRITER },
    cacheRegions: props.regions,
    dnsCalculatedHealthCheck: props.mcpProbe ?? true,
    constructPath: owner.node.path,
    isUnresolved: (x) => Token.isUnresolved(x),
  });
  return { plan, account: account!, writeModel, writeWarnings, authorization };
}
