/**
 * The Google Cloud side of validation: a core Validator that knows the construct
 * path and CDKTF tokens, the regions and zones the library knows, and Google's
 * resource-name rule.
 */
import { Annotations, Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { Validator } from '../core/errors';

/** A validator whose errors name `scope`'s construct path and that skips unresolved CDKTF tokens. */
export function validatorFor(scope: IConstruct): Validator {
  return new Validator({ constructPath: scope.node.path, isUnresolved: (v) => Token.isUnresolved(v) });
}

/** Surfaces core warnings (accepted with enforceBudget: false, for instance) as CDKTF warnings on `scope`. */
export function addWarnings(scope: IConstruct, warnings: readonly string[]): void {
  warnings.forEach((w) => Annotations.of(scope).addWarning(w));
}

/**
 * Compute Engine regions and their zones, as published on
 * https://cloud.google.com/compute/docs/regions-zones (zone suffixes differ by
 * region: us-central1 has a, b, c and f; us-east1 and europe-west1 start at b).
 * A region missing here is refused at synth time rather than surfacing later as a
 * Terraform apply error; extend the list when Google opens a region.
 */
export const GCP_REGION_ZONES: Readonly<Record<string, readonly string[]>> = {
  'us-central1': ['a', 'b', 'c', 'f'],
  'us-east1': ['b', 'c', 'd'],
  'us-east4': ['a', 'b', 'c'],
  'us-east5': ['a', 'b', 'c'],
  'us-south1': ['a', 'b', 'c'],
  'us-west1': ['a', 'b', 'c'],
  'us-west2': ['a', 'b', 'c'],
  'us-west3': ['a', 'b', 'c'],
  'us-west4': ['a', 'b', 'c'],
  'northamerica-northeast1': ['a', 'b', 'c'],
  'northamerica-northeast2': ['a', 'b', 'c'],
  'southamerica-east1': ['a', 'b', 'c'],
  'southamerica-west1': ['a', 'b', 'c'],
  'europe-west1': ['b', 'c', 'd'],
  'europe-west2': ['a', 'b', 'c'],
  'europe-west3': ['a', 'b', 'c'],
  'europe-west4': ['a', 'b', 'c'],
  'europe-west6': ['a', 'b', 'c'],
  'europe-west8': ['a', 'b', 'c'],
  'europe-west9': ['a', 'b', 'c'],
  'europe-west10': ['a', 'b', 'c'],
  'europe-west12': ['a', 'b', 'c'],
  'europe-north1': ['a', 'b', 'c'],
  'europe-central2': ['a', 'b', 'c'],
  'europe-southwest1': ['a', 'b', 'c'],
  'asia-east1': ['a', 'b', 'c'],
  'asia-east2': ['a', 'b', 'c'],
  'asia-northeast1': ['a', 'b', 'c'],
  'asia-northeast2': ['a', 'b', 'c'],
  'asia-northeast3': ['a', 'b', 'c'],
  'asia-south1': ['a', 'b', 'c'],
  'asia-south2': ['a', 'b', 'c'],
  'asia-southeast1': ['a', 'b', 'c'],
  'asia-southeast2': ['a', 'b', 'c'],
  'australia-southeast1': ['a', 'b', 'c'],
  'australia-southeast2': ['a', 'b', 'c'],
  'me-central1': ['a', 'b', 'c'],
  'me-west1': ['a', 'b', 'c'],
  'africa-south1': ['a', 'b', 'c'],
};

export const REGIONS_DOC = 'https://cloud.google.com/compute/docs/regions-zones';

/** True for a region this library knows. */
export function isKnownRegion(region: string): boolean {
  return Object.prototype.hasOwnProperty.call(GCP_REGION_ZONES, region);
}

/** The zones of a known region (`us-east1-b`, ...). */
export function zonesOf(region: string): string[] {
  return (GCP_REGION_ZONES[region] ?? []).map((z) => `${region}-${z}`);
}

/** Records a problem for an unknown region; true when the region is known. */
export function checkRegion(v: Validator, prop: string, region: string): boolean {
  if (Token.isUnresolved(region)) return false;
  const ok = typeof region === 'string' && isKnownRegion(region);
  v.check(ok, prop, region, `a Compute Engine region such as "us-central1" or "europe-west1" (${REGIONS_DOC})`);
  return ok;
}

/**
 * Resolves the zones a regional resource spans: `zones` when given (each must be a
 * zone of `region`), else the first `count` zones of the region.
 */
export function resolveZones(v: Validator, prop: string, region: string, count: number, zones?: readonly string[]): string[] {
  const known = zonesOf(region);
  if (zones === undefined) return known.slice(0, count);
  for (const z of zones) {
    v.check(known.length === 0 || known.includes(z), prop, z,
      `zones of ${region} (${known.join(', ') || 'unknown region'}); ${REGIONS_DOC}`);
  }
  v.check(new Set(zones).size === zones.length, prop, zones, 'distinct zones');
  return [...zones];
}

/** Google's resource-name rule (RFC 1035 label): https://cloud.google.com/compute/docs/naming-resources */
export const NAME_PATTERN = /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
export const NAME_ALLOWED =
  '1 to 63 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen '
  + '(https://cloud.google.com/compute/docs/naming-resources)';
