/** Capacity resolved against the tier, shared by McpFleet and the topologies (internal). */
import { TierProfile } from '../../core/tiers';
import type { FleetCapacity, ResolvedFleetCapacity } from '../fleet';

/** Resolves capacity against the tier (min at least the tier's minCapacity). */
export function resolveFleetCapacity(capacity: FleetCapacity, profile: TierProfile): ResolvedFleetCapacity {
  const min = capacity.min ?? Math.max(capacity.baseline, profile.minCapacity);
  return { baseline: capacity.baseline, min, max: capacity.max ?? Math.max(2 * capacity.baseline, min) };
}
