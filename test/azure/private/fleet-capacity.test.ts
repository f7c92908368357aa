/**
 * lib/azure/private/fleet-capacity.ts directly. Requirement (FleetCapacity's doc comments, lib/azure/fleet.ts):
 * min defaults to the larger of the baseline and the tier's minCapacity (one running instance per zone); max
 * defaults to twice the baseline, at least min; what the user gives is kept as given (McpFleet refuses a min
 * below the tier's, with its message, rather than raising it silently).
 */
import { resolveFleetCapacity } from '../../../lib/azure/private/fleet-capacity';
import { AvailabilityTier, resolveTier } from '../../../lib/core/tiers';

describe('resolveFleetCapacity', () => {
  test('defaults: min is the baseline when it is above the tier\'s minCapacity; max twice the baseline', () => {
    const p = resolveTier(AvailabilityTier.BUSINESS_CRITICAL);
    const baseline = p.minCapacity + 3;
    expect(resolveFleetCapacity({ baseline }, p)).toEqual({ baseline, min: baseline, max: 2 * baseline });
  });

  test('defaults: a baseline below the tier\'s minCapacity still runs minCapacity instances, and max is at least min', () => {
    for (const tier of Object.values(AvailabilityTier)) {
      const p = resolveTier(tier);
      expect(resolveFleetCapacity({ baseline: 1 }, p)).toEqual({ baseline: 1, min: p.minCapacity, max: Math.max(2, p.minCapacity) });
    }
  });

  test('the documented tier floors: three zones (3 instances) for mission- and business-critical, two for standard', () => {
    expect(resolveFleetCapacity({ baseline: 1 }, resolveTier(AvailabilityTier.MISSION_CRITICAL)).min).toBe(3);
    expect(resolveFleetCapacity({ baseline: 1 }, resolveTier(AvailabilityTier.BUSINESS_CRITICAL)).min).toBe(3);
    expect(resolveFleetCapacity({ baseline: 1 }, resolveTier(AvailabilityTier.STANDARD)).min).toBe(2);
  });

  test('a given min and max are kept as given; the default max follows a given min', () => {
    const p = resolveTier(AvailabilityTier.MISSION_CRITICAL);
    expect(resolveFleetCapacity({ baseline: 4, min: 5, max: 7 }, p)).toEqual({ baseline: 4, min: 5, max: 7 });
    expect(resolveFleetCapacity({ baseline: 4, min: 10 }, p)).toEqual({ baseline: 4, min: 10, max: 10 });
    expect(resolveFleetCapacity({ baseline: 4, max: 20 }, p)).toEqual({ baseline: 4, min: 4, max: 20 });
    // Below the tier's floor: not raised here (McpFleet refuses it, naming capacity.min).
    expect(resolveFleetCapacity({ baseline: 4, min: 1 }, p).min).toBe(1);
  });
});
