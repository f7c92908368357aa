import fc from 'fast-check';
import { TimeoutChain, TimeoutChainOptions } from '../../lib/core/timeouts';

const GOOD: Required<TimeoutChainOptions> = {
  longestToolCallSeconds: 120, originReadTimeoutSeconds: 150, idleTimeoutSeconds: 180, keepAliveSeconds: 15, drainSeconds: 130,
};

describe('TimeoutChain', () => {
  test('a chain that holds is accepted as given', () => {
    expect(TimeoutChain.of(GOOD).toOptions()).toEqual(GOOD);
  });

  test.each<[string, Partial<TimeoutChainOptions>, RegExp]>([
    ['an origin timeout below the longest tool call', { originReadTimeoutSeconds: 100 },
      /timeouts\.originReadTimeoutSeconds: got 100; allowed: more than longestToolCallSeconds \(120\): the origin would give up on the longest tool call/],
    ['the 60 s default idle timeout under a 2-minute stream', { idleTimeoutSeconds: 60 },
      /timeouts\.idleTimeoutSeconds: got 60; allowed: more than originReadTimeoutSeconds \(150\): the load balancer would cut a response/],
    ['a keep-alive as long as the idle timeout', { keepAliveSeconds: 180 },
      /timeouts\.keepAliveSeconds: got 180; allowed: less than idleTimeoutSeconds \(180\): a quiet stream would be closed/],
    ['a drain shorter than the longest tool call', { drainSeconds: 30 },
      /timeouts\.drainSeconds: got 30; allowed: at least longestToolCallSeconds \(120\): scale-in and deploys would cut calls in flight/],
    ['an idle timeout above the ALB maximum', { idleTimeoutSeconds: 5000 },
      /timeouts\.idleTimeoutSeconds: got 5000; allowed: an integer from 1 to 4000 \(Application Load Balancer idle timeout/],
    ['a drain above the deregistration maximum', { drainSeconds: 4000 },
      /timeouts\.drainSeconds: got 4000; allowed: an integer from 0 to 3600 \(target group deregistration delay/],
    ['a negative tool call', { longestToolCallSeconds: -1 },
      /timeouts\.longestToolCallSeconds: got -1; allowed: a positive whole number of seconds/],
  ])('refuses %s', (_name, o, message) => {
    expect(() => TimeoutChain.of({ ...GOOD, ...o })).toThrow(message);
  });

  test('reports every broken link at once', () => {
    expect(() => TimeoutChain.of({ ...GOOD, idleTimeoutSeconds: 60, keepAliveSeconds: 60, drainSeconds: 10 })).toThrow(/3 invalid settings/);
  });

  test('property: the chain is accepted exactly when every link holds', () => {
    const secs = fc.integer({ min: 1, max: 4000 });
    fc.assert(fc.property(secs, secs, secs, secs, fc.integer({ min: 0, max: 3600 }), (tool, origin, idle, keepAlive, drain) => {
      const holds = tool < origin && origin < idle && keepAlive < idle && drain >= tool;
      const build = () => TimeoutChain.of({
        longestToolCallSeconds: tool, originReadTimeoutSeconds: origin, idleTimeoutSeconds: idle, keepAliveSeconds: keepAlive, drainSeconds: drain,
      });
      if (holds) expect(build).not.toThrow();
      else expect(build).toThrow(/timeouts\./);
    }), { numRuns: 500 });
  });
});
