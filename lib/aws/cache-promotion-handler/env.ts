/** Environment variables the cache promotion construct sets and its handler reads (imports nothing: the construct loads it at synth). */
export const PROMOTION_ENV = {
  globalReplicationGroupId: 'GLOBAL_REPLICATION_GROUP_ID',
  primaryRegion: 'PRIMARY_REGION',
  primaryHealthUrl: 'PRIMARY_HEALTH_URL',
  candidates: 'CANDIDATES',
  metricNamespace: 'METRIC_NAMESPACE',
  healthTimeoutMs: 'HEALTH_TIMEOUT_MS',
  recheckAttempts: 'RECHECK_ATTEMPTS',
  recheckIntervalMs: 'RECHECK_INTERVAL_MS',
  completionTimeoutMs: 'COMPLETION_TIMEOUT_MS',
  triggerAlarmName: 'TRIGGER_ALARM_NAME',
} as const;
