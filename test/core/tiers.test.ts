import {
  AvailabilityTier, GUIDE_ESCALATION, RoutingMechanism, downtimeMinutesPerYear, extendedOutageSeconds, resolveTier,
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
