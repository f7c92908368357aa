import { McpHaValidationError } from '../../lib/core/errors';
import {
  AvailabilityTier, EscalationStep, GUIDE_ESCALATION, RoutingMechanism, TierOverrides, downtimeMinutesPerYear, extendedOutageSeconds, mergeOverrides, resolveTier,
} from '../../lib/core/tiers';

describe('availability tiers', () => {
  test.each([
    [AvailabilityTier.MISSION_CRITICAL, 99.99, 52.6, 3, RoutingMechanism.ANYCAST],
    [AvailabilityTier.BUSINESS_CRITICAL, 99.9, 525.96, 3, RoutingMechanism.DNS],
    [AvailabilityTier.STANDARD, 99.5, 2629.8, 2, RoutingMechanism.DNS],
  ])('%s: %d %% allows %d minutes a year, spans %d zones, routes by %s', (tier, pct, minutes, zones, routing) => {
    const p = resolveTier(tier);
    expect(p.availabilityPercent).toBe(pct);
    expect(p.downtimeMinutesPerYear).toBeCloseTo(minutes, 1);
    expect(p.minZones).toBe(zones);
    expect(p.minCapacity).toBeGreaterThanOrEqual(zones);
    expect(p.defaultRouting).toBe(routing);
  });

  test('mission-critical probes at the ALB floor: 5 s interval, 2 failures, 2 s timeout', () => {
    const p = resolveTier(AvailabilityTier.MISSION_CRITICAL);
    expect(p.healthProbe.toOptions()).toEqual({
      path: '/health/ready', livenessPath: '/health/live', healthyHttpStatus: 200,
      intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 2,
    });
    expect(p.healthProbe.detectionSeconds).toBeLessThanOrEqual(p.targets.activeActiveDetectionSeconds);
    expect(p.targets).toEqual({ activeActiveDetectionSeconds: 12, activePassiveRtoSeconds: 30, multiRegionRtoSeconds: 60 });
  });

  test('every tier keeps its own active-active target with its default probe', () => {
    for (const tier of Object.values(AvailabilityTier)) {
      const p = resolveTier(tier);
      expect(p.healthProbe.detectionSeconds).toBeLessThanOrEqual(p.targets.activeActiveDetectionSeconds);
    }
  });

  test('the guide\'s alarm thresholds and escalation ladder are the defaults', () => {
    const p = resolveTier(AvailabilityTier.BUSINESS_CRITICAL);
    expect(p.alarms).toEqual({
      p95LatencyMs: 500, latencyEvaluationMinutes: 2, errorRatePercent: 1, cpuPercent: 80, cpuEvaluationMinutes: 5,
      targetCpuPercent: 70, memoryPercent: 90, connectionPoolPercent: 80,
    });
    expect(p.escalation.map((s) => [s.name, s.afterSeconds])).toEqual([
      ['transient', 0], ['degraded', 30], ['critical', 60], ['extended-outage', 300],
    ]);
    expect(extendedOutageSeconds(p)).toBe(300);
  });

  test('overrides replace single fields and keep the rest of the tier', () => {
    const p = resolveTier(AvailabilityTier.STANDARD, {
      healthCheck: { intervalSeconds: 6 }, alarms: { p95LatencyMs: 800 }, timeouts: { longestToolCallSeconds: 30 }, minZones: 3, minCapacity: 4,
    });
    expect(p.healthProbe.intervalSeconds).toBe(6);
    expect(p.healthProbe.timeoutSeconds).toBe(5);
    expect(p.alarms.p95LatencyMs).toBe(800);
    expect(p.alarms.cpuPercent).toBe(80);
    expect(p.timeouts.longestToolCallSeconds).toBe(30);
    expect(p.timeouts.idleTimeoutSeconds).toBe(180);
    expect([p.minZones, p.minCapacity]).toEqual([3, 4]);
  });

  test('an override set to undefined keeps the default', () => {
    expect(resolveTier(AvailabilityTier.STANDARD, { healthCheck: { intervalSeconds: undefined } }).healthProbe.intervalSeconds).toBe(10);
  });

  test.each<[string, Parameters<typeof resolveTier>[1], RegExp]>([
    ['fewer zones than the tier', { minZones: 2 }, /minZones: got 2; allowed: an integer from 3 to 6 \(mission-critical spans at least 3 zones/],
    ['capacity below one per zone', { minCapacity: 2 }, /minCapacity: got 2; allowed: a whole number of at least minZones \(3\)/],
    ['a record TTL over two days', { recordTtlSeconds: 200000 }, /recordTtlSeconds: got 200000; allowed: an integer from 0 to 172800/],
    ['DNS failure threshold 0', { dnsHealthCheck: { failureThreshold: 0 } }, /dnsHealthCheck\.failureThreshold: got 0; allowed: an integer from 1 to 10/],
    ['target CPU above the CPU alarm', { alarms: { targetCpuPercent: 85 } }, /alarms\.targetCpuPercent: got 85; allowed: less than cpuPercent \(80\)/],
    ['an escalation ladder out of order', { escalation: [GUIDE_ESCALATION[0], { name: 'late', afterSeconds: 0, action: 'x' }] },
      /escalation\[1\]\.afterSeconds: got 0; allowed: more than the previous step's 0 s/],
    ['an escalation ladder not starting at 0', { escalation: [{ name: 'x', afterSeconds: 5, action: 'x' }] },
      /escalation\[0\]\.afterSeconds: got 5; allowed: 0: the first step starts with the failure/],
    ['no cache replica', { cacheReplicasPerShard: 0 }, /cacheReplicasPerShard: got 0; allowed: an integer from 1 to 5 \(Multi-AZ automatic failover needs at least 1 replica/],
    ['36 days of cache snapshots', { cacheSnapshotRetentionDays: 36 }, /cacheSnapshotRetentionDays: got 36; allowed: an integer from 1 to 35/],
    ['an unknown routing', { routing: 'carrier-pigeon' as RoutingMechanism }, /routing: got "carrier-pigeon"; allowed: one of "load-balancer", "dns", "anycast"/],
    ['a zero target', { targets: { multiRegionRtoSeconds: 0 } }, /targets\.multiRegionRtoSeconds: got 0; allowed: a positive number of seconds/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => resolveTier(AvailabilityTier.MISSION_CRITICAL, overrides)).toThrow(message);
  });

  test('refuses an unknown tier', () => {
    expect(() => resolveTier('platinum' as AvailabilityTier)).toThrow(/tier: got "platinum"; allowed: one of "mission-critical", "business-critical", "standard"/);
  });

  test('downtime arithmetic', () => {
    expect(downtimeMinutesPerYear(100)).toBe(0);
    expect(downtimeMinutesPerYear(99.99)).toBeCloseTo(52.6, 1);
  });
});

describe('tier overrides: each refusal names its setting, the value and what is allowed (one override at a time)', () => {
  /** The problems resolveTier reports for one override, as `prop=value: allowed`. */
  const problems = (overrides: TierOverrides, tier = AvailabilityTier.BUSINESS_CRITICAL): string[] => {
    try {
      resolveTier(tier, overrides);
      return [];
    } catch (e) {
      return (e as McpHaValidationError).problems.map((p) => `${p.prop}=${JSON.stringify(p.value)}: ${p.allowed}`);
    }
  };

  test.each<[string, TierOverrides, string[]]>([
    ['minHealthyPercent above 100', { minHealthyPercent: 101 }, ['minHealthyPercent=101: an integer from 0 to 100']],
    ['minHealthyPercent below 0', { minHealthyPercent: -1 }, ['minHealthyPercent=-1: an integer from 0 to 100']],
    ['a DNS check every 0 s', { dnsHealthCheck: { requestIntervalSeconds: 0 } }, ['dnsHealthCheck.requestIntervalSeconds=0: a positive whole number of seconds']],
    ['a DNS check every 1.5 s', { dnsHealthCheck: { requestIntervalSeconds: 1.5 } }, ['dnsHealthCheck.requestIntervalSeconds=1.5: a positive whole number of seconds']],
    ['a DNS failure threshold of 11', { dnsHealthCheck: { failureThreshold: 11 } },
      ['dnsHealthCheck.failureThreshold=11: an integer from 1 to 10 (Route 53, Traffic Manager and Cloud DNS all accept 1 to 10)']],
    ['a record TTL above 2 days', { recordTtlSeconds: 172801 },
      ['recordTtlSeconds=172801: an integer from 0 to 172800 (seconds; Route 53 accepts 0 to 2147483647, we refuse more than 2 days for a failover record)']],
    ['an idle timeout of 0', { timeouts: { idleTimeoutSeconds: 0, keepAliveSeconds: 1, originReadTimeoutSeconds: 2 } },
      expect.arrayContaining([expect.stringMatching(/^timeouts\.idleTimeoutSeconds=0: /)]) as unknown as string[]],
    ['a p95 latency alarm at 0 ms', { alarms: { p95LatencyMs: 0 } }, ['alarms.p95LatencyMs=0: a positive number of milliseconds']],
    ['a latency evaluation of 61 minutes', { alarms: { latencyEvaluationMinutes: 61 } }, ['alarms.latencyEvaluationMinutes=61: an integer from 1 to 60']],
    ['an error-rate alarm at 0 %', { alarms: { errorRatePercent: 0 } }, ['alarms.errorRatePercent=0: a number from 0.01 to 100']],
    ['a memory alarm at 101 %', { alarms: { memoryPercent: 101 } }, ['alarms.memoryPercent=101: an integer from 1 to 100']],
    ['a connection-pool alarm at 0 %', { alarms: { connectionPoolPercent: 0 } }, ['alarms.connectionPoolPercent=0: an integer from 1 to 100']],
    ['a CPU evaluation of 0 minutes', { alarms: { cpuEvaluationMinutes: 0 } }, ['alarms.cpuEvaluationMinutes=0: an integer from 1 to 60']],
    ['a scaling target equal to the CPU alarm', { alarms: { targetCpuPercent: 80, cpuPercent: 80 } },
      ['alarms.targetCpuPercent=80: less than cpuPercent (80): scaling must act before the alarm fires']],
    ['a target of 0 s', { targets: { multiRegionRtoSeconds: 0 } }, ['targets.multiRegionRtoSeconds=0: a positive number of seconds']],
    ['no cache replica', { cacheReplicasPerShard: 0 },
      ['cacheReplicasPerShard=0: an integer from 1 to 5 (Multi-AZ automatic failover needs at least 1 replica; ElastiCache allows up to 5 per shard)']],
    ['no cache snapshot', { cacheSnapshotRetentionDays: 0 },
      ['cacheSnapshotRetentionDays=0: an integer from 1 to 35 (ElastiCache keeps automatic snapshots 1 to 35 days; 0 would turn backups off)']],
    ['an empty escalation ladder', { escalation: [] }, ['escalation=[]: at least one step']],
    ['a ladder not starting at 0 s', { escalation: [{ name: 'late', afterSeconds: 5, action: 'a' }] }, ['escalation[0].afterSeconds=5: 0: the first step starts with the failure']],
    ['a step name with capitals', { escalation: [{ name: 'Transient', afterSeconds: 0, action: 'a' }] },
      ['escalation[0].name="Transient": lowercase letters, digits and hyphens, starting with a letter, at most 40 characters']],
    ['a step name with a suffix the pattern does not allow', { escalation: [{ name: 'ok-name!', afterSeconds: 0, action: 'a' }] },
      ['escalation[0].name="ok-name!": lowercase letters, digits and hyphens, starting with a letter, at most 40 characters']],
    ['a step name with a prefix the pattern does not allow', { escalation: [{ name: '9lives', afterSeconds: 0, action: 'a' }] },
      ['escalation[0].name="9lives": lowercase letters, digits and hyphens, starting with a letter, at most 40 characters']],
    ['a step name of 41 characters', { escalation: [{ name: `a${'b'.repeat(40)}`, afterSeconds: 0, action: 'a' }] },
      [`escalation[0].name="a${'b'.repeat(40)}": lowercase letters, digits and hyphens, starting with a letter, at most 40 characters`]],
    // A JavaScript caller may leave the name out: "undefined" would match the pattern as text.
    ['a step without a name', { escalation: [{ afterSeconds: 0, action: 'a' } as unknown as EscalationStep] },
      ['escalation[0].name=undefined: lowercase letters, digits and hyphens, starting with a letter, at most 40 characters']],
    ['steps out of time order', { escalation: [{ name: 'a', afterSeconds: 0, action: 'a' }, { name: 'b', afterSeconds: 0, action: 'b' }] },
      ["escalation[1].afterSeconds=0: more than the previous step's 0 s: steps escalate in time order"]],
  ])('%s', (_name, overrides, expected) => {
    expect(problems(overrides)).toEqual(expected);
  });

  test('the values just inside each range are accepted', () => {
    expect(problems({
      minHealthyPercent: 0, dnsHealthCheck: { requestIntervalSeconds: 1, failureThreshold: 10 }, recordTtlSeconds: 172800,
      alarms: { p95LatencyMs: 0.5, latencyEvaluationMinutes: 60, errorRatePercent: 0.01, cpuPercent: 100, targetCpuPercent: 99, cpuEvaluationMinutes: 60 },
      cacheReplicasPerShard: 5, cacheSnapshotRetentionDays: 35, escalation: [{ name: 'a', afterSeconds: 0, action: 'x' }, { name: `a${'b'.repeat(39)}`, afterSeconds: 1, action: 'y' }],
    })).toEqual([]);
    expect(problems({ minHealthyPercent: 100 })).toEqual([]);
  });

  test('the health check overrides are validated against the MCP path /mcp (a health path may not be the MCP endpoint)', () => {
    expect(problems({ healthCheck: { path: '/mcp' } })).toEqual([
      'healthCheck.path="/mcp": a plain GET path distinct from the MCP endpoint /mcp (an MCP request is a POST that health checkers cannot send)',
    ]);
  });
});

describe('mergeOverrides', () => {
  test('nested structs merge field by field, the top winning; a struct neither side sets stays undefined', () => {
    const merged = mergeOverrides({ alarms: { cpuPercent: 90, memoryPercent: 85 }, minZones: 3 }, { alarms: { cpuPercent: 75 }, minCapacity: 6 });
    expect(merged.alarms).toEqual({ cpuPercent: 75, memoryPercent: 85 });
    expect([merged.minZones, merged.minCapacity]).toEqual([3, 6]);
    expect([merged.healthCheck, merged.dnsHealthCheck, merged.timeouts, merged.targets]).toEqual([undefined, undefined, undefined, undefined]);
    expect(mergeOverrides(undefined, { targets: { multiRegionRtoSeconds: 90 } }).targets).toEqual({ multiRegionRtoSeconds: 90 });
    expect(mergeOverrides({ healthCheck: { intervalSeconds: 10 } }, undefined).healthCheck).toEqual({ intervalSeconds: 10 });
  });
});
