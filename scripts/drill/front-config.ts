/**
 * The region drill's front: a third HAProxy that routes between the regions' load
 * balancers with the region-health semantics core renders, scaled down.
 *
 * - ANYCAST (Global Accelerator; the mission-critical default): an accelerator follows
 *   each Application Load Balancer's own target health; core's budget adds the
 *   `anycast-reroute` term (assumed) after the load balancer has detected. The front
 *   checks each region's `GET /health/ready` through that region's load balancer (503
 *   once it has no ready target, or a ready target's own 503), with `fall 2` and
 *   `inter = anycast-reroute / 2`, so it acts within the reroute term after the
 *   region's answer turns.
 * - DNS (Route 53 failover records): the DNS health check's request interval and
 *   failure threshold (Route 53 uses the threshold in both directions), and its
 *   documented timeout (`dns-probe-timeout`).
 *
 * Every time is multiplied by the drill's probe scale and rendered in milliseconds.
 * Like an accelerator, the front retries only connections a region refused
 * (`retry-on conn-failure`); a call that was running in a region that dies fails.
 */
import type { FailoverBudget } from '../../lib/core/failover-budget';
import { RoutingMechanism, TierProfile } from '../../lib/core/tiers';
import type { TimeoutChain } from '../../lib/core/timeouts';

export const FRONT_BACKEND = 'regions';

/** The front's region check, in milliseconds (already scaled), and where each figure comes from. */
export interface FrontCheck {
  readonly routing: RoutingMechanism;
  readonly interMs: number;
  readonly fall: number;
  readonly rise: number;
  readonly timeoutMs: number;
  readonly path: string;
  readonly source: string;
}

/** The region check for `routing`, from the tier and the budget's terms, times `scale`. */
export function frontCheck(profile: TierProfile, budget: FailoverBudget, routing: RoutingMechanism, scale: number): FrontCheck {
  const ms = (seconds: number): number => Math.max(1, Math.round(seconds * scale * 1000));
  const path = profile.healthProbe.path;
  if (routing === RoutingMechanism.ANYCAST) {
    const reroute = budget.terms.find((t) => t.name === 'anycast-reroute');
    if (!reroute) throw new Error('frontCheck: the budget has no anycast-reroute term');
    const fall = 2;
    return {
      routing, interMs: ms(reroute.seconds / fall), fall, rise: 2, timeoutMs: ms(profile.healthProbe.timeoutSeconds), path,
      source: `anycast: the accelerator follows the load balancer's target health and acts within anycast-reroute (${reroute.seconds} s, `
        + `${reroute.source}): fall ${fall} x inter ${reroute.seconds / fall} s, x ${scale}`,
    };
  }
  if (routing === RoutingMechanism.DNS) {
    const dns = profile.dnsHealthCheck;
    const timeout = budget.terms.find((t) => t.name === 'dns-probe-timeout')?.seconds ?? profile.healthProbe.timeoutSeconds;
    return {
      routing, interMs: ms(dns.requestIntervalSeconds), fall: dns.failureThreshold, rise: dns.failureThreshold,
      timeoutMs: ms(Math.min(timeout, dns.requestIntervalSeconds)), path,
      source: `dns: the health check's ${dns.failureThreshold} x ${dns.requestIntervalSeconds} s (timeout ${timeout} s), x ${scale}; `
        + 'DNS TTL and checker aggregation are not reproduced locally (no resolver cache): they stay in the budget',
    };
  }
  throw new Error(`frontCheck: routing ${routing} has no front (a multi-region topology needs ${RoutingMechanism.ANYCAST} or ${RoutingMechanism.DNS})`);
}

export interface FrontConfigInput {
  readonly check: FrontCheck;
  readonly regions: readonly { readonly name: string; readonly port: number }[];
  readonly bindPort: number;
  readonly statsSocket: string;
  readonly timeouts: TimeoutChain;
}

export function renderFrontConfig(input: FrontConfigInput): string {
  const c = input.check;
  for (const r of input.regions) {
    if (!/^[A-Za-z0-9_.-]+$/.test(r.name)) throw new Error(`renderFrontConfig: region name ${JSON.stringify(r.name)} (letters, digits, "_", ".", "-")`);
  }
  return [
    `# Rendered by scripts/drill/front-config.ts. Region health: ${c.source}.`,
    'global',
    '  log stdout format raw local0 info',
    `  stats socket ${input.statsSocket} mode 600 level operator`,
    '  nbthread 1',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  option dontlog-normal',
    '  option log-health-checks',
    '  option http-server-close',
    `  timeout connect ${c.timeoutMs}ms`,
    `  timeout client ${input.timeouts.idleTimeoutSeconds}s`,
    `  timeout server ${input.timeouts.idleTimeoutSeconds}s`,
    '  timeout http-request 10s',
    `  timeout check ${c.timeoutMs}ms`,
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure',
    '',
    'frontend front',
    `  bind 127.0.0.1:${input.bindPort}`,
    `  default_backend ${FRONT_BACKEND}`,
    '',
    `backend ${FRONT_BACKEND}`,
    '  balance roundrobin',
    `  option httpchk GET ${c.path}`,
    '  http-check expect status 200',
    `  default-server inter ${c.interMs}ms fall ${c.fall} rise ${c.rise}`,
    ...input.regions.map((r) => `  server ${r.name} 127.0.0.1:${r.port} check`),
    '',
  ].join('\n');
}
