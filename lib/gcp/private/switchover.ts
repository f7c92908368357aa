/**
 * The write-recovery terms of a Memorystore cross-region switchover (single
 * writer), shared by the topologies and the generated budget table. Pure: imports
 * no Terraform binding.
 */
import { ASSUMPTIONS, BudgetTerm, TermSource } from '../../core/failover-budget';

/** Seconds from the writer region's loss to a writable secondary: the extended-outage trigger, its evaluation, the switchover. */
export function switchoverTerms(triggerSeconds: number): BudgetTerm[] {
  const s = ASSUMPTIONS.memorystoreSwitchover;
  return [
    { name: 'cache-promotion-trigger', seconds: triggerSeconds, source: TermSource.RENDERED,
      detail: `the writer region must be unhealthy for ${triggerSeconds} s (extended-outage step) before a secondary is switched over` },
    { name: 'cache-alert-evaluation', seconds: ASSUMPTIONS.alarmEvaluation.seconds, source: TermSource.RENDERED, detail: ASSUMPTIONS.alarmEvaluation.detail },
    { name: 'cache-switchover', seconds: s.seconds, source: TermSource.ASSUMED, detail: s.detail, docUrl: s.docUrl },
  ];
}
