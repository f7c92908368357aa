/**
 * The Google Cloud adapter of the cache promotion (lib/core/promotion.ts decides):
 * switches a Memorystore for Valkey cross-region secondary over to primary when the
 * writer region has been down for the escalation ladder's extended-outage time
 * (Memorystore never switches over by itself).
 *
 * Runs as a Cloud Run function on the Pub/Sub messages of the trigger alert's
 * notification channel. Only an incident that OPENS acts: a closed incident, or a
 * message without an incident, does nothing (a probe that stops reporting never
 * promotes; the alert itself treats missing data as no incident).
 *
 * Never quiet: a blocked decision (a change in progress, no replica, no healthy
 * candidate) throws, so the function's retry policy redelivers the message for as
 * long as the outage lasts and the construct's error alert fires. A refusal because
 * the writer region answered the re-check returns normally: the trigger was wrong.
 *
 * The switchover request (`switchoverRequest`): Memorystore for Valkey has no
 * dedicated switchover method (the v1 instance methods are create, delete, get,
 * getCertificateAuthority, list, patch, rescheduleMaintenance and backup; `gcloud
 * memorystore instances` has no switchover command either: it is `update
 * --cross-instance-replication-config-role=primary`). A switchover is
 * `projects.locations.instances.patch` on the secondary that becomes primary, with
 * `updateMask=crossInstanceReplicationConfig` and its `crossInstanceReplicationConfig`
 * set to `instanceRole: PRIMARY` and `secondaryInstances` listing every other member
 * (the former primary included): exactly what the google provider v6.50.0 sends when
 * `cross_instance_replication_config.instance_role` changes to PRIMARY
 * (google/services/memorystore/resource_memorystore_instance.go, resourceMemorystoreInstanceUpdate,
 * exercised by its TestAccMemorystoreInstance_switchoverAndDetachSecondary). Sources:
 * https://cloud.google.com/memorystore/docs/valkey/reference/rest/v1/projects.locations.instances/patch ,
 * https://cloud.google.com/sdk/gcloud/reference/memorystore/instances/update ,
 * https://cloud.google.com/memorystore/docs/valkey/create-manage-cross-region-replication .
 * The call returns a long-running operation; the core decision then polls the members
 * until the new writer reports PRIMARY. Not exercised against the live API here (no
 * cloud access).
 */
import * as https from 'node:https';
import * as tls from 'node:tls';
import {
  CacheApi, CacheMember, CacheState, Candidate, Decision, Fetch, PromotionAction, PromotionConfig, promote,
} from '../../core/promotion';

export { CacheApi, Candidate, Decision, Fetch, PromotionAction, PromotionConfig, promote };

/** Environment the construct renders into the function. */
export enum GcpPromotionEnv {
  /** JSON: the core PromotionConfig (members, candidates, health URLs, timeouts). */
  CONFIG = 'PROMOTION_CONFIG',
  /** JSON array: full names of every member instance (`projects/p/locations/r/instances/i`). */
  MEMBERS = 'PROMOTION_MEMBERS',
  /** PEM of the CA that issued the service's certificate (a private Vault CA), trusted besides the public roots. */
  TRUSTED_CA = 'PROMOTION_TRUSTED_CA',
}

/**
 * A Fetch (GET, status only) that trusts the public roots and `caPem`: the health
 * URLs are the service's own names, whose certificate a private Vault CA may issue.
 * Without it every probe of a healthy region fails TLS and the promotion is blocked.
 */
export function trustingFetch(caPem?: string): Fetch {
  const ca = caPem ? [...tls.rootCertificates, caPem] : undefined;
  return (url, init) => new Promise((resolve, reject) => {
    const req = https.get(url, { ca, signal: init.signal }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
    });
    req.on('error', reject);
  });
}

export const MEMORYSTORE_API = 'https://memorystore.googleapis.com/v1';

/** A minimal HTTP client: the function's `fetch` with the service account's token. */
export type HttpJson = (method: string, url: string, body?: unknown) => Promise<{ status: number; json: Record<string, unknown> }>;

/** Where the switchover request is documented (the instance `patch` method). */
export const SWITCHOVER_DOC = 'https://cloud.google.com/memorystore/docs/valkey/reference/rest/v1/projects.locations.instances/patch';

/** One HTTP request to the Memorystore API. */
export interface MemorystoreRequest {
  readonly method: 'PATCH';
  readonly url: string;
  readonly body: { readonly crossInstanceReplicationConfig: { readonly instanceRole: 'PRIMARY'; readonly secondaryInstances: { readonly instance: string }[] } };
}

/**
 * The switchover of `instance` (a secondary, `projects/p/locations/r/instances/i`) to primary of the
 * collection `members`: `instances.patch` with `updateMask=crossInstanceReplicationConfig` (SWITCHOVER_DOC),
 * the new primary listing every other member as its secondaries.
 */
export function switchoverRequest(instance: string, members: readonly string[]): MemorystoreRequest {
  return {
    method: 'PATCH',
    url: `${MEMORYSTORE_API}/${instance}?updateMask=crossInstanceReplicationConfig`,
    body: {
      crossInstanceReplicationConfig: {
        instanceRole: 'PRIMARY',
        secondaryInstances: members.filter((m) => m !== instance).map((m) => ({ instance: m })),
      },
    },
  };
}

/** The region of `projects/p/locations/<region>/instances/i`. */
export function regionOfInstance(name: string): string {
  return name.split('/')[3];
}

/** Memorystore for Valkey as the core's CacheApi. */
export class MemorystoreApi implements CacheApi {
  constructor(private readonly http: HttpJson, private readonly members: readonly string[]) {}

  public async describe(): Promise<CacheState> {
    const found: CacheMember[] = [];
    const states: string[] = [];
    for (const name of this.members) {
      // A member in a lost region may not answer: it is left out (it cannot be the writer we promote to).
      const res = await this.http('GET', `${MEMORYSTORE_API}/${name}`).catch(() => undefined);
      if (!res || res.status !== 200) continue;
      const cfg = (res.json.crossInstanceReplicationConfig ?? {}) as { instanceRole?: string };
      states.push(String(res.json.state ?? ''));
      found.push({ region: regionOfInstance(name), replicationGroupId: name, role: cfg.instanceRole });
    }
    // Only a collection whose answering members are all ACTIVE accepts a switchover.
    const status = states.length > 0 && states.every((s) => s === 'ACTIVE') ? 'available' : (states.find((s) => s !== 'ACTIVE') ?? 'unreachable');
    return { status, members: found };
  }

  public async failover(_id: string, _region: string, instance: string): Promise<void> {
    const req = switchoverRequest(instance, this.members);
    const res = await this.http(req.method, req.url, req.body);
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`switchover of ${instance} refused: HTTP ${res.status} ${JSON.stringify(res.json).slice(0, 300)}`);
    }
  }
}

/** Thrown for a blocked decision: the function's retry policy redelivers the message. */
export class PromotionBlockedError extends Error {
  constructor(public readonly decision: Decision) {
    super(`cache promotion blocked (${decision.action}): ${decision.reason}`);
    this.name = 'PromotionBlockedError';
  }
}

/** The incident a Cloud Monitoring Pub/Sub notification carries (`incident.state`: open | closed). */
export interface AlertNotification {
  readonly incident?: { readonly state?: string; readonly policy_name?: string };
}

/** Decodes the Pub/Sub message of a CloudEvent (`message.data` is base64 JSON). */
export function notificationOf(event: { data?: { message?: { data?: string } } }): AlertNotification {
  const data = event.data?.message?.data;
  if (!data) return {};
  try {
    return JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as AlertNotification;
  } catch {
    return {};
  }
}

export type RunResult = Decision | { readonly action: 'idle'; readonly reason: string };

/**
 * One run: acts only on an incident that opens; throws on a blocked decision.
 * Every run writes one JSON line.
 */
export async function run(
  notification: AlertNotification, config: PromotionConfig, api: CacheApi, fetchFn: Fetch,
  write: (line: string) => void = console.log,
): Promise<RunResult> {
  const state = notification.incident?.state;
  if (state !== 'open') {
    const idle = { action: 'idle' as const, reason: state === undefined ? 'no incident in the message' : `incident ${state}` };
    write(JSON.stringify(idle));
    return idle;
  }
  const decision = await promote(config, api, fetchFn);
  write(JSON.stringify({ ...decision, promoted: decision.action === PromotionAction.PROMOTED }));
  if (decision.blocked) throw new PromotionBlockedError(decision);
  return decision;
}

/** Access token of the function's service account (metadata server). */
async function token(): Promise<string> {
  const res = await fetch('http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token', {
    headers: { 'Metadata-Flavor': 'Google' },
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

const http: HttpJson = async (method, url, body) => {
  const res = await fetch(url, {
    method,
    headers: { Authorization: `Bearer ${await token()}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
};

/** The Cloud Run function entry point (CloudEvent, Pub/Sub). */
export async function handler(event: { data?: { message?: { data?: string } } }): Promise<RunResult> {
  const config = JSON.parse(process.env[GcpPromotionEnv.CONFIG] ?? '{}') as PromotionConfig;
  const members = JSON.parse(process.env[GcpPromotionEnv.MEMBERS] ?? '[]') as string[];
  return run(notificationOf(event), config, new MemorystoreApi(http, members), trustingFetch(process.env[GcpPromotionEnv.TRUSTED_CA] || undefined));
}
