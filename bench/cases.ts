/**
 * The benchmark cases. Builders are required lazily so a case's process loads
 * only the modules that case needs (the loading is timed separately from
 * synthesis, see case.ts).
 */
import type { App } from 'aws-cdk-lib';
import { SWEEP_REGIONS } from './context';

export type CaseGroup = 'reference' | 'sweep' | 'baseline' | 'blocks' | 'app';

export interface BenchCase {
  readonly name: string;
  readonly group: CaseGroup;
  readonly description: string;
  /** Returns the builder; requiring it is the case's module loading. */
  load(): (app: App) => void;
}

/* eslint-disable @typescript-eslint/no-require-imports */
const reference = (): typeof import('../examples/aws/reference') => require('../examples/aws/reference');

const multiRegion = (n: number, group: CaseGroup, what: string): BenchCase => ({
  name: `multi-region-${n}`,
  group,
  description: `${what}MultiRegionMcpStage, ${n} regions (${SWEEP_REGIONS.slice(0, n).join(', ')}): ${n} regional stacks + global stack`,
  load: () => {
    const m = reference();
    return (app) => { m.buildMultiRegion(app, SWEEP_REGIONS.slice(0, n)); };
  },
});

/**
 * The region sweep: the reference multi-region service without its shared cache (`cache: false`), so every
 * point of the sweep can be built. A shared cache caps the region count (MemoryDB Multi-Region: 5 members; a
 * Global Datastore: 3 regions; both refused at synth beyond that), and 8 regions is the sweep's top point.
 */
const sweep = (n: number): BenchCase => ({
  name: `sweep-${n}`,
  group: 'sweep',
  description: `MultiRegionMcpStage without a shared cache, ${n} regions (${SWEEP_REGIONS.slice(0, n).join(', ')}): ${n} regional stacks + global stack`,
  load: () => {
    const m = reference();
    return (app) => { m.buildMultiRegion(app, SWEEP_REGIONS.slice(0, n), undefined, { cache: false }); };
  },
});

export const CASES: readonly BenchCase[] = [
  {
    name: 'active-active',
    group: 'reference',
    description: 'Reference McpActiveActive (ActiveActiveMcpService, business-critical, Vault certificate, DNS)',
    load: () => (app) => { reference().buildActiveActive(app); },
  },
  {
    name: 'active-passive',
    group: 'reference',
    description: 'Reference McpActivePassive (ActivePassiveMcpService, mission-critical, standby in other zones)',
    load: () => (app) => { reference().buildActivePassive(app); },
  },
  multiRegion(2, 'reference', 'Reference McpMultiRegion-*: '),
  multiRegion(4, 'sweep', 'The reference with a 4-member MemoryDB Multi-Region cache: '),
  sweep(2),
  sweep(4),
  sweep(8),
  {
    name: 'active-active-blocks',
    group: 'blocks',
    description: 'Library McpCache + McpDeployment (LB + fleet) in a VPC: the baseline\'s resources, built by the library',
    load: () => (require('./blocks') as typeof import('./blocks')).buildActiveActiveBlocks,
  },
  {
    name: 'hand-written',
    group: 'baseline',
    description: 'Baseline: VPC, ALB (HTTPS + redirect, WAF, access logs), ASG fleet, ElastiCache, plain aws-cdk-lib',
    load: () => (require('./hand-written') as typeof import('./hand-written')).buildHandWritten,
  },
  {
    name: 'reference-app',
    group: 'app',
    description: 'examples/aws/reference.ts buildReferenceApp: all 5 reference stacks in one App (what `cdk synth` runs)',
    load: () => (require('../examples/aws/reference') as typeof import('../examples/aws/reference')).buildReferenceApp,
  },
];
/* eslint-enable @typescript-eslint/no-require-imports */

export function findCase(name: string): BenchCase {
  const c = CASES.find((x) => x.name === name);
  if (!c) throw new Error(`unknown case ${JSON.stringify(name)}; cases: ${CASES.map((x) => x.name).join(', ')}`);
  return c;
}
