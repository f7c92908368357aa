/**
 * The Azure side of validation: a core Validator that knows the construct path
 * and CDKTF tokens, the region table, and the autoscale time-zone check.
 */
import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { Validator } from '../core/errors';
import { AZURE_REGIONS } from './facts';

export { windowsTimeZoneForAzure, nearbyAcceptedTimeZone } from './private/time-zones';

/** A validator whose errors name `scope`'s construct path and that skips unresolved CDKTF tokens. */
export function validatorFor(scope: IConstruct): Validator {
  return new Validator({ constructPath: scope.node.path, isUnresolved: (v) => Token.isUnresolved(v) });
}

/** True when `region` is a known Azure region with availability zones. */
export function regionHasZones(region: string): boolean {
  return AZURE_REGIONS.withZones.includes(region);
}

/**
 * Records a problem unless `region` is a known Azure region with availability
 * zones (every building block is zone-redundant across zones 1-3).
 */
export function validateZonalRegion(v: Validator, prop: string, region: string): void {
  if (typeof region === 'string' && AZURE_REGIONS.withoutZones.includes(region)) {
    v.add(prop, region, `a region with availability zones (${region} has none, ${AZURE_REGIONS.docUrl}); `
      + 'the gateway, scale set and cache are zone-redundant across zones 1-3');
  } else if (!regionHasZones(region)) {
    v.add(prop, region, `an Azure region name as "az account list-locations" prints it (e.g. "westeurope", "eastus2"), `
      + `with availability zones (${AZURE_REGIONS.docUrl})`);
  }
}

/** Surfaces core warnings (accepted with enforceBudget: false) on the construct's metadata. */
export function addWarnings(scope: IConstruct, warnings: readonly string[]): void {
  warnings.forEach((w) => scope.node.addMetadata('mcp-ha:warning', w));
}
