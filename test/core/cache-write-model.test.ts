/**
 * The cache write model as behaviour (lib/core/cache-write-model.ts): which region writes, which refuses
 * with the writer's name, how long writes take to come back, what each server is told, and how long
 * readiness tolerates a cache in failover. Expectations come from the module's contract (a server in every
 * region can write or clearly refuses; a routine in-region cache failover moves no region), not from output.
 */
import { Validator } from '../../lib/core/errors';
import {
  CacheWriteEnv, CacheWriteModel, CacheWritePlan, RegionWriteMode, regionHealthPolicy,
} from '../../lib/core/cache-write-model';
import { BudgetTerm, TermSource } from '../../lib/core/failover-budget';

const term = (name: string, seconds: number): BudgetTerm => ({ name, seconds, source: TermSource.RENDERED, detail: name });
const promotion = [term('promotion-trigger', 300), term('alarm-evaluation', 60), term('promotion', 60)];

// Plans are built inside each test (not in describe bodies): the mutation run attributes coverage per test,
// and code run while collecting tests counts for none of them.
describe('SINGLE_WRITER: one writer region, the others refuse until promoted', () => {
  const single = () => CacheWritePlan.of({ model: CacheWriteModel.SINGLE_WRITER, regions: ['us-east-1', 'eu-west-1', 'ap-south-1'], recoveryTerms: promotion });

  test('the first region writes; every other region is read-only unless promoted, and knows the writer', () => {
    expect(single().regionModes).toEqual({
      'us-east-1': RegionWriteMode.LOCAL,
      'eu-west-1': RegionWriteMode.READ_ONLY_UNLESS_PROMOTED,
      'ap-south-1': RegionWriteMode.READ_ONLY_UNLESS_PROMOTED,
    });
    expect(single().writerRegion).toBe('us-east-1');
  });

  test('write recovery is the sum of the promotion terms (trigger + evaluation + promotion)', () => {
    expect(single().recoveryTerms.map((t) => t.name)).toEqual(['promotion-trigger', 'alarm-evaluation', 'promotion']);
    expect(single().writeRecoverySeconds).toBe(300 + 60 + 60);
  });

  test('a replica region\'s server is told its mode, its region and the writer to name in its refusal', () => {
    expect(single().environmentFor('eu-west-1', 45)).toEqual({
      CACHE_WRITE_MODEL: 'single-writer',
      CACHE_WRITE_MODE: 'read-only-unless-promoted',
      SERVICE_REGION: 'eu-west-1',
      CACHE_WRITER_REGION: 'us-east-1',
      CACHE_GRACE_SECONDS: '45',
    });
    expect(single().environmentFor('us-east-1', 45)[CacheWriteEnv.MODE]).toBe('local');
  });

  test('the summary line names the writer, each read-only region and the recovery', () => {
    expect(single().describe()).toBe(
      'single-writer: us-east-1 writes; eu-west-1 read-only unless promoted; ap-south-1 read-only unless promoted; write recovery 420 s');
  });

  test('the caller\'s terms are copied: changing the input later does not change the plan', () => {
    const terms = [term('a', 10)];
    const p = CacheWritePlan.of({ model: CacheWriteModel.SINGLE_WRITER, regions: ['a', 'b'], recoveryTerms: terms });
    terms.push(term('b', 99));
    expect(p.recoveryTerms).toHaveLength(1);
    expect(p.writeRecoverySeconds).toBe(10);
  });
});

describe('MULTI_WRITER: every region writes, nothing is promoted', () => {
  const lag = { name: 'cache-replication-lag', seconds: 1, source: TermSource.DOCUMENTED, detail: 'typically under a second' };
  // Terms passed anyway (a caller's mistake) must not make a multi-writer cache look like it stops writing.
  const multi = () => CacheWritePlan.of({ model: CacheWriteModel.MULTI_WRITER, regions: ['us-east-1', 'eu-west-1'], recoveryTerms: promotion, replicationLag: lag });

  test('every region writes locally and no region is "the writer"', () => {
    expect(multi().regionModes).toEqual({ 'us-east-1': 'local', 'eu-west-1': 'local' });
    expect(multi().writerRegion).toBeUndefined();
  });

  test('write recovery is 0 s with one rendered term saying nothing is promoted, whatever terms were given', () => {
    expect(multi().writeRecoverySeconds).toBe(0);
    expect(multi().recoveryTerms).toEqual([expect.objectContaining({ name: 'cache-no-promotion', seconds: 0, source: TermSource.RENDERED })]);
    expect(multi().recoveryTerms[0].detail).toMatch(/nothing is promoted/);
  });

  test('the replication lag (its RPO) is kept as given', () => {
    expect(multi().replicationLag).toBe(lag);
  });

  test('a server is not told of a writer region (there is none)', () => {
    const env = multi().environmentFor('eu-west-1', 31);
    expect(env).toEqual({ CACHE_WRITE_MODEL: 'multi-writer', CACHE_WRITE_MODE: 'local', SERVICE_REGION: 'eu-west-1', CACHE_GRACE_SECONDS: '31' });
    expect(CacheWriteEnv.WRITER_REGION in env).toBe(false);
    expect(multi().describe()).toBe('multi-writer: us-east-1 writes; eu-west-1 writes; write recovery 0 s');
  });
});

describe('SINGLE_REGION: one cache, every deployment writes to it', () => {
  test('one region, local, the in-region failover terms as the write recovery', () => {
    const plan = CacheWritePlan.of({ model: CacheWriteModel.SINGLE_REGION, regions: ['us-east-1'], recoveryTerms: [term('cache-in-region-failover', 30)] });
    expect(plan.regionModes).toEqual({ 'us-east-1': 'local' });
    expect(plan.writerRegion).toBe('us-east-1');
    expect(plan.writeRecoverySeconds).toBe(30);
    expect(plan.replicationLag).toBeUndefined();
    expect(plan.environmentFor('us-east-1', 60)).toEqual({
      CACHE_WRITE_MODEL: 'single-region', CACHE_WRITE_MODE: 'local', SERVICE_REGION: 'us-east-1', CACHE_WRITER_REGION: 'us-east-1', CACHE_GRACE_SECONDS: '60',
    });
  });

  test('without terms, write recovery is 0 s and no term is invented', () => {
    const plan = CacheWritePlan.of({ model: CacheWriteModel.SINGLE_REGION, regions: ['r'] });
    expect(plan.recoveryTerms).toEqual([]);
    expect(plan.writeRecoverySeconds).toBe(0);
  });
});

describe('a region the plan does not know', () => {
  test('environmentFor refuses it, naming the region (a server must never be told a mode by default)', () => {
    const plan = CacheWritePlan.of({ model: CacheWriteModel.SINGLE_WRITER, regions: ['a', 'b'] });
    expect(() => plan.environmentFor('c', 10)).toThrow('internal error: c is not a region of this write plan');
  });
});

describe('CacheWritePlan.of refuses a model that does not fit the regions', () => {
  const problems = (model: CacheWriteModel, regions: string[]) => {
    const v = new Validator();
    CacheWritePlan.of({ model, regions }, v);
    return v.problems.map((p) => `${p.prop}: ${JSON.stringify(p.value)}; ${p.allowed}`);
  };

  test('no region at all', () => {
    expect(problems(CacheWriteModel.SINGLE_REGION, [])).toEqual(['regions: []; at least one region']);
  });

  test('a single-region cache across two regions', () => {
    expect(problems(CacheWriteModel.SINGLE_REGION, ['a', 'b'])).toEqual(['cache.writeModel: "single-region"; multi-writer or single-writer: the service spans 2 regions']);
  });

  test('the same region named twice is still one region (single-region accepted, cross-region refused)', () => {
    expect(problems(CacheWriteModel.SINGLE_REGION, ['a', 'a'])).toEqual([]);
    expect(problems(CacheWriteModel.SINGLE_WRITER, ['a', 'a'])).toEqual(['cache.writeModel: "single-writer"; single-region: one region has no cross-region cache']);
  });

  test.each([CacheWriteModel.MULTI_WRITER, CacheWriteModel.SINGLE_WRITER])('%s in one region', (model) => {
    expect(problems(model, ['a'])).toEqual([`cache.writeModel: "${model}"; single-region: one region has no cross-region cache`]);
  });

  test('each model in the shape it is made for is accepted', () => {
    expect(problems(CacheWriteModel.SINGLE_REGION, ['a'])).toEqual([]);
    expect(problems(CacheWriteModel.MULTI_WRITER, ['a', 'b'])).toEqual([]);
    expect(problems(CacheWriteModel.SINGLE_WRITER, ['a', 'b', 'c'])).toEqual([]);
  });

  test('without a validator, an invalid plan is still built (the caller validates elsewhere)', () => {
    expect(() => CacheWritePlan.of({ model: CacheWriteModel.SINGLE_WRITER, regions: ['a'] })).not.toThrow();
  });
});

describe('regionHealthPolicy: a routine in-region cache failover moves no region', () => {
  test.each([[30, 10], [30, 5], [0, 30], [90, 15]])('failover %i s, probe %i s: grace = failover + one interval', (failover, interval) => {
    const policy = regionHealthPolicy(failover, interval);
    // Readiness must still pass at the end of a failover that completes in its own time, and until the next probe.
    expect(policy.cacheGraceSeconds).toBe(failover + interval);
    expect(policy.cacheGraceSeconds).toBeGreaterThanOrEqual(failover);
    expect(policy.detail).toBe(`readiness tolerates an unreachable cache for ${failover + interval} s: the in-region cache failover `
      + `(${failover} s) plus one ${interval} s probe interval of margin; a longer loss fails every instance of the region, which moves the region`);
  });
});
