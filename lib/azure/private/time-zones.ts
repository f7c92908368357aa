/**
 * IANA -> Windows time zone for Azure autoscale, restricted to the names the
 * rendered azurerm provider accepts; a refused name comes with the nearest
 * accepted zone (same UTC offsets in January and July where one exists).
 */
import { Validator } from '../../core/errors';
import { mappedIanaTimeZones, utcOffsetMinutes, windowsTimeZone } from '../../core/timezones';
import { AZURERM_AUTOSCALE_TIME_ZONES } from './autoscale-time-zones';

const ACCEPTED = new Set(AZURERM_AUTOSCALE_TIME_ZONES);
/** A fixed year keeps synthesis deterministic: offsets as of 2026. */
const REFERENCE_YEAR = 2026;

function offsets(iana: string): [number, number] {
  return [
    utcOffsetMinutes(iana, new Date(Date.UTC(REFERENCE_YEAR, 0, 15, 12))),
    utcOffsetMinutes(iana, new Date(Date.UTC(REFERENCE_YEAR, 6, 15, 12))),
  ];
}

/**
 * The accepted Windows zone closest to `iana`: same January and July offsets
 * first (same daylight-saving shape), else the smallest offset distance.
 */
export function nearbyAcceptedTimeZone(iana: string): { windows: string; iana: string } {
  const [jan, jul] = offsets(iana);
  let best: { windows: string; iana: string; score: number } | undefined;
  for (const candidate of mappedIanaTimeZones()) {
    const windows = windowsTimeZone(candidate);
    if (!ACCEPTED.has(windows) || candidate.startsWith('Etc/')) continue;
    const [cj, cl] = offsets(candidate);
    const score = Math.abs(cj - jan) + Math.abs(cl - jul);
    if (best === undefined || score < best.score) best = { windows, iana: candidate, score };
    if (score === 0) break;
  }
  return { windows: best!.windows, iana: best!.iana };
}

/**
 * The Windows name azurerm accepts for `iana`, or a problem in `v` naming a
 * nearby accepted zone (undefined then).
 */
export function windowsTimeZoneForAzure(iana: string, v: Validator, prop = 'schedule.timeZone'): string | undefined {
  let windows: string;
  try {
    windows = windowsTimeZone(iana);
  } catch {
    v.add(prop, iana, 'an IANA time zone with a Windows mapping (e.g. "UTC", "Europe/Berlin", "America/New_York")');
    return undefined;
  }
  if (ACCEPTED.has(windows)) return windows;
  const near = nearbyAcceptedTimeZone(iana);
  v.add(prop, iana,
    `a time zone azurerm 4.55 accepts for autoscale profiles: ${JSON.stringify(iana)} maps to ${JSON.stringify(windows)}, `
    + 'which the provider refuses (its list: internal/services/monitor/monitor_autoscale_setting_resource.go at v4.55.0). '
    + `Nearby accepted zone: ${JSON.stringify(near.iana)} (${JSON.stringify(near.windows)}); check that its daylight-saving `
    + 'dates match yours before using it');
  return undefined;
}
