/**
 * The write-recovery terms of a Memorystore cross-region switchover (single
 * writer), shared by the topologies (through McpCachePromotion, from what it
 * renders) and the generated budget table. Pure: imports no Terraform binding.
 */
import { ASSUMPTIONS, BudgetTerm, TermSource } from '../../core/failover-budget';

/**
 * Period of the writer region's readiness uptime check that McpCachePromotion renders: Google's
 * fastest (60, 300, 600 or 900 s: https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.uptimeCheckConfigs).
 */
export const WRITER_CHECK_PERIOD_SECONDS = 60;

/** Cloud Monitoring documents no delay between a condition's data and the incident it opens: assumed. */
export const GOOGLE_ALERT_EVALUATION_ASSUMED_SECONDS = 60;

/**
 * Seconds from the writer region's loss to a writable secondary: the first failed check (up to one
 * check period after the loss), the extended-outage trigger (the alert's duration), the alert's
 * evaluation, the switchover.
 */
export function switchoverTerms(triggerSeconds: number, checkPeriodSeconds: number = WRITER_CHECK_PERIOD_SECONDS): BudgetTerm[] {
  const s = ASSUMPTIONS.memorystoreSwitchover;
  return [
    { name: 'cache-trigger-check-period', seconds: checkPeriodSeconds, source: TermSource.RENDERED,
      detail: `the writer region's readiness uptime check runs every ${checkPeriodSeconds} s: its first failure comes up to ${checkPeriodSeconds} s after the loss` },
    { name: 'cache-promotion-trigger', seconds: triggerSeconds, source: TermSource.RENDERED,
      detail: `the writer region must be unhealthy for ${triggerSeconds} s (extended-outage step, the trigger alert's duration) before a secondary is switched over` },
    { name: 'cache-alert-evaluation', seconds: GOOGLE_ALERT_EVALUATION_ASSUMED_SECONDS, source: TermSource.ASSUMED,
      detail: 'Cloud Monitoring documents no delay between the data and the incident (and its Pub/Sub notification): assumed 60 s',
      docUrl: 'https://cloud.google.com/monitoring/alerts/concepts-indepth' },
    { name: 'cache-switchover', seconds: s.seconds, source: TermSource.ASSUMED, detail: s.detail, docUrl: s.docUrl },
  ];
}
