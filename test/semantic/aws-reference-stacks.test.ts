/**
 * Semantic tests over every synthesized AWS reference topology: what each failover
 * path does when the failure happens, derived from the requirement (issue 11), not
 * from today's template. Written once (test/support/semantic.ts) and run for every
 * stack of:
 * - the reference app (examples/aws/reference.ts: active-active, active-passive in
 *   other zones, multi-region behind Global Accelerator);
 * - the cross-region active-passive variant the reference app does not build (the
 *   reference props, a standby region, a Vault certificate, DNS failover: the watcher's
 *   scale-up, the cache promotion and the private-CA probes all live there);
 * - an apex variant (multi-region, accelerator, `recordName: ''`).
 *
 * Each app is synthesized once, at module level. Guards ("the check sees ...")
 * make sure no check passes vacuously because it found nothing to check.
 */
import { App, CfnElement, Stack, Stage } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  EXAMPLE_ACCOUNT, EXAMPLE_VAULT, EXAMPLE_ZONE, REFERENCE_MULTI_REGION_REGIONS, buildActiveActive, buildActivePassive, buildMultiRegion,
  referenceSchedule, referenceServer,
} from '../../examples/aws/reference';
import { CrossRegionActivePassiveMcpStage, McpCertificate, MultiRegionMcpStage, RegionalProbeCredentials, TrafficRouting } from '../../lib/aws';
import { OAUTH_ENV } from '../../lib/aws/mcp-probe-handler/oauth';
import { AvailabilityTier, McpAuthorization } from '../../lib/core';
import { testApp } from '../support/app';
import {
  CfnModel, alarmActions, apexCnames, destructiveOnMissingData, dnsRecords, fleets, httpsHosts, privateCaTrust, probeTargets, stepScalingCoverage,
  unresolvedAlarmRules, writeEndpoints,
} from '../support/semantic';

const ZONES = { [EXAMPLE_ZONE.hostedZoneId]: EXAMPLE_ZONE.zoneName };

function modelsOf(app: App, stacks: Stack[]): CfnModel[] {
  app.synth();
  // A stack inside a Stage (the multi-region and cross-region topologies) is in its Stage's nested assembly.
  return stacks.map((s) => new CfnModel(s.stackName, Stage.of(s)!.synth().getStackArtifact(s.artifactId).template, s.region));
}

function stacksOf(app: App): Stack[] {
  return app.node.findAll().filter((c): c is Stack => c instanceof Stack);
}

function logicalId(c: Construct): string {
  const el = (c.node.defaultChild ?? c) as CfnElement;
  return Stack.of(el).getLogicalId(el);
}

// GIVEN the reference topologies (one server bundle shared), synthesized once
const server = referenceServer();
const refApp = testApp();
const activeActive = buildActiveActive(refApp, server);
const activePassive = buildActivePassive(refApp, server);
const multiRegion = buildMultiRegion(refApp, REFERENCE_MULTI_REGION_REGIONS, server);
const reference = modelsOf(refApp, stacksOf(refApp));

// ... the cross-region active-passive variant (reference props, standby in us-west-2, Vault certificate, DNS failover;
// business-critical: a mission-critical 30 s RTO across regions is refused once Global Accelerator's documented 30 s counts)
const crossApp = testApp();
const crossRegion = new CrossRegionActivePassiveMcpStage(crossApp, 'McpCrossRegion', {
  tier: AvailabilityTier.BUSINESS_CRITICAL,
  server,
  capacity: { baseline: 6 },
  schedule: referenceSchedule(),
  standbyRegion: 'us-west-2',
  account: EXAMPLE_ACCOUNT,
  primaryRegion: 'us-east-1',
  certificate: McpCertificate.vault(EXAMPLE_VAULT),
  domain: { ...EXAMPLE_ZONE, recordName: 'mcp-xr' },
  routing: TrafficRouting.dns(),
  // An issuer outside the service's zone: (g) reads every example.com name a function calls as a service name.
  authorization: McpAuthorization.oauth({ issuer: McpAuthorization.cognitoIssuer('us-east-1', 'us-east-1_EXAMPLE01') }),
  // Its probes authenticate: a client secret replicated to both regions (issue 13).
  probeClientCredentialsByRegion: RegionalProbeCredentials.replicated('mcp/probe-credentials'),
});
const cross = modelsOf(crossApp, stacksOf(crossApp));

// ... and the apex variant: either refused at synth, or rendered without an apex CNAME
const apexApp = testApp();
let apexError: Error | undefined;
let apex: CfnModel[] = [];
try {
  new MultiRegionMcpStage(apexApp, 'McpApex', {
    tier: AvailabilityTier.MISSION_CRITICAL, regions: REFERENCE_MULTI_REGION_REGIONS, account: EXAMPLE_ACCOUNT, server,
    capacity: { baseline: 6 }, certificate: McpCertificate.dnsValidated(), domain: { ...EXAMPLE_ZONE, recordName: '' },
    routing: TrafficRouting.accelerator(), authorization: McpAuthorization.oauth({ issuer: 'https://idp.example.com' }),
  });
  apex = modelsOf(apexApp, stacksOf(apexApp));
} catch (e) {
  apexError = e as Error;
}

const APPS: Record<string, CfnModel[]> = { reference, 'cross-region active-passive': cross };
const ALL: [string, CfnModel][] = [...reference, ...cross].map((m) => [m.name, m]);

describe('semantic checks see what they check', () => {
  test('every reference stack and variant stack is analysed', () => {
    expect(reference.map((m) => m.name).sort()).toEqual([
      'McpActiveActive', 'McpActivePassive', 'McpMultiRegion-eu-west-1', 'McpMultiRegion-global', 'McpMultiRegion-us-east-1',
    ]);
    expect(cross.map((m) => m.name).sort()).toEqual(['McpCrossRegion-us-east-1', 'McpCrossRegion-us-west-2']);
  });

  test('every EventBridge rule on an alarm state change names its alarm by reference (so the chains can be followed)', () => {
    expect(ALL.flatMap(([, m]) => unresolvedAlarmRules(m))).toEqual([]);
  });

  test('(a) the standby scale-ups are among the alarm -> step scaling edges checked', () => {
    const sameRegion = reference.find((m) => m.name === 'McpActivePassive')!;
    const standbyGroup = logicalId(activePassive.standby.fleet.autoScalingGroup);
    const scaleUps = (m: CfnModel, group: string): string[] => alarmActions(m)
      .filter((a) => m.resource(a.targetId)?.Type === 'AWS::AutoScaling::ScalingPolicy')
      .filter((a) => m.refOf(m.resource(a.targetId)!.Properties!.AutoScalingGroupName)?.id === group)
      .filter((a) => m.resource(a.targetId)!.Properties!.PolicyType === 'StepScaling')
      .filter((a) => !/Latency/.test(a.targetId)).map((a) => a.targetId);
    expect(scaleUps(sameRegion, standbyGroup)).not.toEqual([]);
    const standbyRegion = crossRegion.standby;
    const crossStandby = cross.find((m) => m.name === 'McpCrossRegion-us-west-2')!;
    expect(scaleUps(crossStandby, logicalId(standbyRegion.deployment.fleet.autoScalingGroup))).not.toEqual([]);
  });

  test('(b) the cache promotions are among the destructive chains checked', () => {
    const promotions = [...Object.values(multiRegion.regions), ...Object.values(crossRegion.regions)]
      .filter((r) => r.cachePromotion).map((r) => `${Stack.of(r).stackName}/${logicalId(r.cachePromotion!.handler.function)}`);
    expect(promotions).toContain(`McpCrossRegion-us-west-2/${logicalId(crossRegion.standby.cachePromotion!.handler.function)}`);
    const checked = ALL.flatMap(([, m]) => destructiveOnMissingData(m).checked);
    for (const p of promotions) {
      const [stack, fn] = p.split('/');
      expect(checked.filter((c) => c.startsWith(`${stack}:`) && c.includes(`-> ${fn}, which`))).not.toEqual([]);
    }
  });

  test('(c) every fleet of a topology with a cache gets a cache URL, so every fleet is checked', () => {
    for (const [, m] of ALL) {
      const hasCache = m.resources().some(([, r]) => /ElastiCache::ReplicationGroup|MemoryDB::Cluster/.test(r.Type));
      for (const f of fleets(m)) expect({ fleet: `${m.name}/${f.id}`, url: hasCache ? 'REDIS_URL' in f.env : true }).toEqual({ fleet: `${m.name}/${f.id}`, url: true });
    }
    expect(writeEndpoints([...reference, ...cross]).checked.length).toBe(7); // AA 1, AP 2, multi-region 2, cross-region AP 2
  });

  test('(d) the probes of the Vault-certified names and the cross-region watcher and promotion are checked', () => {
    const checked = [...privateCaTrust(reference).checked, ...privateCaTrust(cross).checked];
    const aaProbe = logicalId(activeActive.probe!.function);
    expect(checked.filter((c) => c.startsWith(`McpActiveActive/${aaProbe} `))).not.toEqual([]);
    const standby = crossRegion.standby;
    for (const fn of [standby.primaryWatch!.function, standby.cachePromotion!.handler.function]) {
      expect(checked.filter((c) => c.startsWith(`McpCrossRegion-us-west-2/${logicalId(fn)} `))).not.toEqual([]);
    }
  });
});

describe('the two blind spots only snapshots caught, replayed on the real templates', () => {
  /** A copy of `m` whose template went through `edit` (as JSON text). */
  const mutated = (m: CfnModel, edit: (json: string) => string): CfnModel => new CfnModel(m.name, JSON.parse(edit(JSON.stringify(m.template))), m.region);

  test('servers sending REDIS_URL to the reader endpoint are reported in every region', () => {
    for (const models of Object.values(APPS)) {
      const honest = writeEndpoints(models).violations.filter((v) => /not a writer endpoint/.test(v));
      expect(honest).toEqual([]);
      const readers = models.map((m) => mutated(m, (t) => t.replace(/"PrimaryEndPoint\.Address"/g, '"ReaderEndPoint.Address"')));
      const reported = writeEndpoints(readers).violations.filter((v) => /REDIS_URL points at \w+\.ReaderEndPoint\.Address .*not a writer endpoint/.test(v));
      expect(reported.length).toBe(readers.flatMap(fleets).filter((f) => /ReaderEndPoint/.test(f.env.REDIS_URL ?? '')).length);
      expect(reported.length).toBeGreaterThan(0);
    }
  });

  test('an MCP probe calling the readiness path instead of the MCP endpoint is reported', () => {
    for (const models of Object.values(APPS)) {
      const probes = probeTargets(models, ZONES).checked.length;
      const readiness = models.map((m) => mutated(m, (t) => t.replace(/("MCP_PROBE_URL":\s*"https:\/\/[^/"]+)\/mcp"/g, '$1/health/ready"')));
      const { violations } = probeTargets(readiness, ZONES);
      expect(violations.filter((v) => /probe calls \/health\/ready \(a health path/.test(v)).length).toBe(probes);
    }
  });
});

describe.each(Object.entries(APPS))('%s', (_name, models) => {
  test.each(models.map((m) => [m.name, m] as const))(
    '(a) %s: every alarm that triggers a step scaling policy has a step covering its breach side', (_stack, m) => {
      expect(stepScalingCoverage(m).violations).toEqual([]);
    });

  test.each(models.map((m) => [m.name, m] as const))(
    '(b) %s: no alarm that triggers a destructive action (promotion, scale-in) treats missing data as its firing state', (_stack, m) => {
      expect(destructiveOnMissingData(m).violations).toEqual([]);
    });

  test('(c) every server\'s cache URL is a writer endpoint in its region, and its write mode matches its cache member', () => {
    expect(writeEndpoints(models).violations).toEqual([]);
  });

  test('(d) every function that calls the service\'s own HTTPS names trusts the certificate\'s CA', () => {
    expect(privateCaTrust(models).violations).toEqual([]);
  });

  test.each(models.map((m) => [m.name, m] as const))('(e) %s: no CNAME at a zone apex', (_stack, m) => {
    expect(apexCnames(dnsRecords(m, ZONES))).toEqual([]);
  });

  test('(f) every MCP probe calls the MCP endpoint of a published name, not a health path', () => {
    const { checked, violations } = probeTargets(models, ZONES);
    expect(checked.length).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });

  test('(g) every fleet enforces a Host allow-list, and every name the service\'s own functions call is on it where it lands', () => {
    // Requirement (MCP transport security): servers check Host against the service's names (403 otherwise), so a
    // probe, watcher or promotion calling a name the fleet behind it does not list would fail as an outage.
    const allowed = (m: CfnModel) => fleets(m).map((f) => (f.env.MCP_ALLOWED_HOSTS ?? '').split(',').filter(Boolean));
    for (const m of models) for (const hosts of allowed(m)) expect({ stack: m.name, hosts: hosts.length > 0 }).toEqual({ stack: m.name, hosts: true });
    const everyAllowed = new Set(models.flatMap((m) => allowed(m).flat()));
    const called = models.flatMap((m) => m.resources('AWS::Lambda::Function').flatMap(([id]) => httpsHosts(m.functionEnvironment(id))))
      .filter((h) => h.endsWith(EXAMPLE_ZONE.zoneName));
    expect(called.length).toBeGreaterThan(0);
    expect(called.filter((h) => !everyAllowed.has(h))).toEqual([]);
  });
});

describe('(h) MCP probes that authenticate read their client secret in their own region (issue 13)', () => {
  // Requirement: a probe's Secrets Manager client calls the function's own region, so a secret of another region
  // is a probe that never gets a token; and its role reads that secret only (least privilege, per region).
  test('every authenticating probe function names a secret of its stack\'s region, and its role may read only that one there', () => {
    const checked: string[] = [];
    for (const [, m] of ALL) {
      for (const [id] of m.resources('AWS::Lambda::Function')) {
        const env = m.functionEnvironment(id);
        if (env.MCP_PROBE_URL === undefined || env[OAUTH_ENV.credentialsSecretArn] === undefined) continue;
        checked.push(`${m.name}/${id}`);
        const secretRegion = /^arn:[^:]+:secretsmanager:([a-z0-9-]+):/.exec(env[OAUTH_ENV.credentialsSecretArn])?.[1] ?? env[OAUTH_ENV.credentialsSecretArn];
        const grants = m.roleStatements(m.functionRole(id)!).filter((st) => st.actions.some((a) => a.startsWith('secretsmanager:')));
        const granted = grants.flatMap((st) => st.resources.map((r) => m.render(r)));
        expect({ probe: `${m.name}/${id}`, secretRegion, wildcard: grants.some((st) => st.actions.some((a) => a.includes('*'))) })
          .toEqual({ probe: `${m.name}/${id}`, secretRegion: m.region, wildcard: false });
        expect(granted).toEqual([`${env[OAUTH_ENV.credentialsSecretArn]}-??????`]);
      }
    }
    // The cross-region variant's probes: the primary's, the standby's and the standby's watch of the primary.
    expect(checked.filter((c) => c.startsWith('McpCrossRegion-'))).toHaveLength(3);
  });
});

describe('apex variant (multi-region, accelerator, recordName "")', () => {
  test('(e) is refused at synth naming recordName, or renders no CNAME at the zone apex', () => {
    if (apexError) {
      expect(apexError.message).toMatch(/recordName/);
      return;
    }
    const records = apex.flatMap((m) => dnsRecords(m, ZONES));
    // The apex name is served (an alias A/AAAA record): the refusal is not dodged by rendering nothing.
    expect(records.filter((r) => r.name.replace(/\.$/, '') === EXAMPLE_ZONE.zoneName).map((r) => r.type)).not.toEqual([]);
    expect(apexCnames(records)).toEqual([]);
  });
});
