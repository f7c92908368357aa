import { SUMMARY_KEY, formatSummaryTable } from '../../lib/core/summary';

describe('synth summary table', () => {
  test('one aligned row per stack with budget vs target and the largest term; OVER when the budget misses', () => {
    const table = formatSummaryTable([
      {
        stack: 'Ok', resources: 10, summary: {
          cloud: 'aws', topology: 'active-active', tier: 'standard', zones: 2, minInstances: 2, maxInstances: 4,
          budgetSeconds: 25, targetSeconds: 30, largestTerm: 'lb-probe-detection', weeklyInstanceHours: 336, flatPeakInstanceHours: 672,
          cacheWriteModel: 'single-region', writeRecoverySeconds: 30, regionWriteModes: { 'us-east-1': 'local' },
          authorization: 'cognito-idp.us-east-1.amazonaws.com',
        },
      },
      { stack: 'Over', resources: 3, summary: {
        cloud: 'aws', topology: 'multi-region', tier: 'standard', regions: ['a', 'b'], budgetSeconds: 400, targetSeconds: 300, largestTerm: 'dns-ttl',
        cacheWriteModel: 'single-writer', writeRecoverySeconds: 420, regionWriteModes: { a: 'local', b: 'read-only-unless-promoted' },
        authorization: 'unauthenticated (opt-out)',
      } },
      { stack: 'Plain', resources: 1 },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^stack\s+cloud\s+topology\s+tier\s+resources\s+zones\/regions\s+min-max inst\s+serving RTO\s+write recovery\s+weekly inst-h\s+authorization$/);
    expect(lines[2]).toMatch(/^Ok\s+aws\s+active-active\s+standard\s+10\s+2 zones\s+2-4\s+25 s \/ 30 s \(lb-probe-detection\)\s+single-region 30 s\s+336 \(flat 672\)\s+cognito-idp\.us-east-1\.amazonaws\.com$/);
    // Who may call, per stack: the issuer's host or the explicit opt-out.
    expect(lines[3]).toMatch(/\s+unauthenticated \(opt-out\)$/);
    // Serving RTO and write recovery side by side; a single writer's read-only regions are named.
    expect(lines[3]).toMatch(/400 s \/ 300 s OVER \(dns-ttl\)\s+single-writer 420 s \(b read-only\)/);
    expect(lines[3]).toMatch(/2 regions/);
    expect(lines[4]).toMatch(/^Plain\s+-\s+-\s+-\s+1\s+-\s+-\s+-\s+-\s+-\s+-$/);
    // Aligned: every column of every row starts where its header starts, after a two-space gap.
    const starts = [...lines[0].matchAll(/\S+(?: \S+)*/g)].map((m) => m.index!);
    expect(starts.length).toBeGreaterThan(5);
    for (const row of [lines[2], lines[3], lines[4]]) {
      expect(starts.map((s) => (s === 0 || row.slice(s - 2, s) === '  ') && row[s] !== ' ')).toEqual(starts.map(() => true));
    }
  });

  test('the metadata key topologies write and npm run synth reads', () => {
    expect(SUMMARY_KEY).toBe('McpHa::Summary');
  });
});
