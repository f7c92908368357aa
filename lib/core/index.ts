/**
 * The cloud-neutral plan: availability tiers and their defaults, health-probe
 * policy and each cloud's documented ranges, the timeout chain, the failover
 * budget, the scaling schedule, and the one validation error. Pure TypeScript:
 * it imports no cloud library.
 */
export * from './errors';
export * from './cloud-limits';
export * from './health-probe';
export * from './timeouts';
export * from './tiers';
export * from './failover-budget';
export * from './plan';
export * from './schedule';
export * from './timezones';
export * from './summary';
export * from './server-source';
export * from './certificate';
export * from './cache-write-model';
export * from './authorization';
export * from './promotion';
