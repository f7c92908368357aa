import * as fs from 'fs';
import * as path from 'path';
import { renderFailoverDoc } from '../../scripts/docs';

test('docs/FAILOVER-BUDGETS.md is what the code computes (run `npm run docs` after changing lib/core)', () => {
  // GIVEN the committed document WHEN the generator runs THEN they are identical
  const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'FAILOVER-BUDGETS.md'), 'utf8');
  expect(committed).toBe(renderFailoverDoc());
});

test('the document states the preset\'s weekly instance-hours and saving', () => {
  const doc = renderFailoverDoc();
  // baseline 6: business 9-12, off-hours 5-6, weekend 4-5 instances; 60 h x 9 + 48 h x 5 + 60 h x 4 = 1020
  expect(doc).toMatch(/\| 6 \| 1020 \| 1512 \| 32\.5 % \| 1308 \| 2016 \| 35\.1 % \|/);
  // baseline 100: 60 x 150 + 48 x 80 + 60 x 60 = 16440 vs 168 x 150 = 25200
  expect(doc).toMatch(/\| 100 \| 16440 \| 25200 \| 34\.8 % \| 21600 \| 33600 \| 35\.7 % \|/);
  // Global Accelerator's documented 30 s reroute: 10 + 2 + 30 = 42 s, over mission-critical's 30 s active-passive target.
  expect(doc).toMatch(/mission-critical \| active-passive \| anycast \(Global Accelerator\) \| .*anycast-reroute 30 a \| 42 \| 30 \| \*\*over: refused\*\*/);
  // The CALCULATED record check's hop is in the AWS DNS rows.
  expect(doc).toMatch(/mission-critical \| multi-region \| DNS, CNAME \(Route 53\) \| .*dns-calculated-aggregation 5 a.* \| 31 \| 60 \| within \| 0 \|/);
});
