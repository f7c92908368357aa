/**
 * The cloud-neutral plan: availability tiers and their defaults, health-probe
 * policy and each cloud's documented ranges, the timeout chain, the failover
 * budget, the scaling schedule, and the one validation error. Pure TypeScript:
 * it imports no cloud library.
 *
 * Every export is named on purpose: this list is the public surface of
 * `mcp-ha-constructs/core` (and, with lib/aws/index.ts, of the root entry point).
 * Helpers the constructs share but users have no reason to call stay in their
 * modules; import them from the module path inside this repository. A change
 * here changes `api/mcp-ha-constructs.api.md` (`npm run api`).
 */
export { McpHaValidationError, Validator } from './errors';
export type { NumberRange, ValidationProblem, ValidatorOptions } from './errors';
export { CLOUD_FACTS, PROBE_LIMITS, ProbeMechanism, TimeoutRule } from './cloud-limits';
export type { DocumentedFact, ProbeLimits } from './cloud-limits';
export { HealthProbe } from './health-probe';
export type { DnsHealthCheck, DnsHealthCheckOptions, HealthProbeOptions, HealthProbeSettings } from './health-probe';
export { TimeoutChain } from './timeouts';
export type { TimeoutChainOptions, TimeoutChainSettings } from './timeouts';
export {
  AvailabilityTier, COMPOSITE_HEALTH_SCORE, GUIDE_ESCALATION, RoutingMechanism,
  TierProfiles, downtimeMinutesPerYear, extendedOutageSeconds, resolveTier,
} from './tiers';
export type {
  AlarmThresholdOverrides, AlarmThresholds, EscalationStep, FailoverTargetOverrides, FailoverTargets, TierOverrides, TierProfile,
} from './tiers';
export { ASSUMPTIONS, Cloud, DnsRecordKind, FailoverBudget, TermSource, Topology, computeFailoverBudget } from './failover-budget';
export type { BudgetTerm, CacheFailoverInput, CacheRecovery, DnsRouting, FailoverBudgetInput } from './failover-budget';
export { ServicePlanner, planService } from './plan';
export type { ServicePlan, ServicePlanInput } from './plan';
export { MAX_SCHEDULED_ACTIONS, ScalingSchedule, WEEKDAYS, Weekday, WindowKind } from './schedule';
export type {
  GuidePresetOptions, HolidayWindowProps, RecurringDate, ScalingScheduleProps, ScheduleTransition, ScheduleWindow,
  ScheduleWindowProps, WeeklyInstanceHours, WeeklyTimes, WindowCapacity,
} from './schedule';
export type { StackSummary } from './summary';
export { McpServerEnv, McpServerSource, OsFamily } from './server-source';
export type {
  CommandsServerOptions, ContainerServerOptions, ServerEndpoint, ServerEndpointOptions, StartScriptOptions,
} from './server-source';
export { DEFAULT_CERTIFICATE_TTL_DAYS, GUIDE_CERTIFICATE, VaultAuthMethod } from './certificate';
export type { ResolvedVaultAuthSettings, VaultAuthSettings, VaultCertificateOptions, VaultCertificatePolicy } from './certificate';
export { CacheWriteEnv, CacheWriteModel, CacheWritePlan, RegionWriteMode } from './cache-write-model';
export type { CacheWritePlanInput, RegionHealthPolicy } from './cache-write-model';
export { AuthorizationMode, McpAuthEnv, McpAuthorization, ResolvedAuthorization } from './authorization';
export type { AuthorizationContext, OAuthAuthorizationOptions, ResolvedAuthorizationProps } from './authorization';
