/**
 * Google-specific bad inputs, refused at synth with the construct path, the prop,
 * the value and what is allowed (one table; the per-construct files test more).
 */
import { McpAuthorization } from '../../lib/core/authorization';
import { ScalingSchedule, Weekday } from '../../lib/core/schedule';
import { AvailabilityTier } from '../../lib/core/tiers';
import { CachePersistence, CacheService, McpCache } from '../../lib/gcp/cache';
import { McpCertificate } from '../../lib/gcp/certificate';
import { McpDnsFailover } from '../../lib/gcp/dns-failover';
import { McpFleet } from '../../lib/gcp/fleet';
import { LoadBalancerScope, McpLoadBalancer } from '../../lib/gcp/load-balancer';
import { McpProbe } from '../../lib/gcp/mcp-probe';
import { McpNetwork } from '../../lib/gcp/network';
import { ActivePassiveMcpService } from '../../lib/gcp/topologies/active-passive';
import { MultiRegionMcpService } from '../../lib/gcp/topologies/multi-region';
import { Construct } from 'constructs';
import { CERT, errorOf, server } from './support';

const auth = McpAuthorization.oauth({ issuer: 'https://auth.example.com/realms/mcp' });
const net = (s: Construct, regions = ['us-east1']) => new McpNetwork(s, 'N', { regions, serverPort: 8080 });
const domain = { managedZone: 'example-com', zoneName: 'example.com', recordName: 'mcp' };
const cert = McpCertificate.existing({ global: [CERT], 'us-east1': [CERT], 'us-central1': [CERT] });

const CASES: [string, (s: Construct) => void, RegExp][] = [
  ['an unknown region', (s) => net(s, ['us-eastt1']),
    /^test\/N: 1 invalid setting\n {2}- regions\[0\]: got "us-eastt1"; allowed: a Compute Engine region such as "us-central1"/],
  ['a zone outside the region', (s) => new McpFleet(s, 'F', { network: net(s), region: 'us-east1', server, capacity: { baseline: 3 }, zones: ['us-east1-b', 'us-east1-c', 'us-west1-a'] }),
    /^test\/F: 1 invalid setting\n {2}- zones: got "us-west1-a"; allowed: zones of us-east1 \(us-east1-b, us-east1-c, us-east1-d\)/],
  ['an instance group in fewer zones than the tier', (s) => new McpFleet(s, 'F', { network: net(s), region: 'us-east1', server, capacity: { baseline: 3 }, zones: ['us-east1-b', 'us-east1-c'] }),
    /^test\/F: \d invalid settings?\n[\s\S]*zones: got \["us-east1-b","us-east1-c"\]; allowed: at least 3 zones of us-east1: the business-critical tier/],
  ['a surge a regional group refuses', (s) => new McpFleet(s, 'F', { network: net(s), region: 'us-east1', server, capacity: { baseline: 3 }, maxSurge: 2 }),
    /^test\/F: 1 invalid setting\n {2}- maxSurge: got 2; allowed: 0 or at least the number of zones \(3\)/],
  ['a cache without replicas for a critical tier', (s) => new McpCache(s, 'C', { network: net(s), region: 'us-east1', tier: AvailabilityTier.MISSION_CRITICAL, replicaCount: 0 }),
    /^test\/C: 1 invalid setting\n {2}- replicaCount: got 0; allowed: an integer from 1 to 5 \(mission-critical needs automatic failover/],
  ['a critical cache without persistence', (s) => new McpCache(s, 'C', { network: net(s), region: 'us-east1', persistence: CachePersistence.DISABLED }),
    /^test\/C: 1 invalid setting\n {2}- persistence: got "DISABLED"; allowed: AOF or RDB: business-critical keeps its state/],
  ['Redis STANDARD_HA (2 zones) for a 3-zone tier', (s) => new McpCache(s, 'C', { network: net(s), region: 'us-east1', service: CacheService.REDIS_STANDARD_HA }),
    /^test\/C: 1 invalid setting\n {2}- service: got "redis-standard-ha"; allowed: valkey: Memorystore for Redis STANDARD_HA spans 2 zones/],
  ['a schedule window shorter than 300 s', (s) => new McpFleet(s, 'F', {
    network: net(s), region: 'us-east1', server, capacity: { baseline: 3 },
    schedule: ScalingSchedule.of({
      timeZone: 'UTC',
      windows: [
        { name: 'blip', times: [{ weekdays: [Weekday.MONDAY], start: '12:00', end: '12:04' }], minPercent: 300, maxPercent: 300 },
        {
          name: 'rest', minPercent: 100, maxPercent: 300,
          times: [
            { weekdays: [Weekday.MONDAY], start: '00:00', end: '12:00' }, { weekdays: [Weekday.MONDAY], start: '12:04', end: '24:00' },
            { weekdays: [Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY, Weekday.SATURDAY, Weekday.SUNDAY], start: '00:00', end: '24:00' },
          ],
        },
      ],
    }),
  }), /^test\/F: 1 invalid setting\n {2}- schedule\.windows\[0\]\.times: got "blip: 240 s"; allowed: windows of at least 300 s: Google's scaling schedule duration_sec minimum/],
  ['a holiday window (schedules only raise the minimum)', (s) => new McpFleet(s, 'F', {
    network: net(s), region: 'us-east1', server, capacity: { baseline: 3 }, schedule: ScalingSchedule.guidePreset('UTC', { holidays: [{ month: 1, day: 1 }] }),
  }), /^test\/F: 1 invalid setting\n {2}- schedule\.holidays\[0\]: got "holiday"; allowed: no holiday windows on Google Cloud/],
  ['a backend timeout shorter than the longest tool call', (s) => new McpLoadBalancer(s, 'L', {
    network: net(s), server, sslCertificates: [CERT], tierOverrides: { timeouts: { longestToolCallSeconds: 200, drainSeconds: 200 } },
  }), /^test\/L: 1 invalid setting\n {2}- timeouts\.originReadTimeoutSeconds: got 150; allowed: more than longestToolCallSeconds \(200\)/],
  ['an SSL policy below MODERN', (s) => new McpLoadBalancer(s, 'L', { network: net(s), server, sslCertificates: [CERT], sslPolicyProfile: 'COMPATIBLE' as never }),
    /^test\/L: 1 invalid setting\n {2}- sslPolicyProfile: got "COMPATIBLE"; allowed: one of "MODERN", "RESTRICTED"/],
  ['a regional load balancer without a proxy-only subnet', (s) => new McpLoadBalancer(s, 'L', { network: net(s), server, sslCertificates: [CERT], scope: LoadBalancerScope.REGIONAL, region: 'us-east1' }),
    /^test\/L: 1 invalid setting\n {2}- region: got "us-east1"; allowed: a region whose network has a proxy-only subnet/],
  ['a Cloud Armor interval Google does not offer', (s) => new McpLoadBalancer(s, 'L', { network: net(s), server, sslCertificates: [CERT], waf: { rateLimitIntervalSeconds: 45 } }),
    /^test\/L: 1 invalid setting\n {2}- waf\.rateLimitIntervalSeconds: got 45; allowed: one of 10, 30, 60, 120/],
  ['a Cloud DNS check faster than 30 s', (s) => new McpDnsFailover(s, 'D', {
    zone: domain, primary: { region: 'us-east1', ipAddress: '192.0.2.1' }, backup: { region: 'us-central1', ipAddress: '192.0.2.2' }, healthPath: '/health/ready',
    tierOverrides: { dnsHealthCheck: { requestIntervalSeconds: 10 } },
  }), /^test\/D: 1 invalid setting\n {2}- tierOverrides\.dnsHealthCheck\.requestIntervalSeconds: got 10; allowed: an integer from 30 to 300 \(Google Cloud health check with source regions/],
  ['DNS checkers from 2 source regions', (s) => new McpDnsFailover(s, 'D', {
    zone: domain, primary: { region: 'us-east1', ipAddress: '192.0.2.1' }, backup: { region: 'us-central1', ipAddress: '192.0.2.2' }, healthPath: '/health/ready',
    sourceRegions: ['us-east1', 'europe-west1'],
  }), /^test\/D: 1 invalid setting\n {2}- sourceRegions: got \["us-east1","europe-west1"\]; allowed: exactly 3 distinct regions/],
  ['an uptime check period Google does not offer', (s) => new McpProbe(s, 'P', { host: 'mcp.example.com', server, intervalSeconds: 30 }),
    /^test\/P: 1 invalid setting\n {2}- intervalSeconds: got 30; allowed: one of 60, 300, 600, 900/],
  ['active-passive behind the global load balancer', (s) => new ActivePassiveMcpService(s, 'A', {
    primaryRegion: 'us-east1', standbyRegion: 'us-central1', server, capacity: { baseline: 3 }, certificate: cert, domain, authorization: auth,
    routing: { mechanism: 'anycast' } as never,
  }), /^test\/A: 1 invalid setting\n {2}- routing: got "anycast"; allowed: TrafficRouting\.dns\(\): Google's global load balancer/],
  ['active-passive whose DNS budget Google cannot keep', (s) => new ActivePassiveMcpService(s, 'A', {
    primaryRegion: 'us-east1', standbyRegion: 'us-central1', server, capacity: { baseline: 3 }, certificate: cert, domain, authorization: auth,
  }), /^test\/A: 1 invalid setting\n {2}- routing: got "dns"; allowed: a configuration whose active-passive failover budget is at most the business-critical target of 60 s; now 85 s/],
  ['a multi-region service in one region', (s) => new MultiRegionMcpService(s, 'M', { regions: ['us-east1'], server, capacity: { baseline: 3 }, certificate: cert, authorization: auth, domain }),
    /^test\/M: 1 invalid setting\n {2}- regions: got \["us-east1"\]; allowed: at least two regions/],
  ['a certificate missing for a region', (s) => new ActivePassiveMcpService(s, 'A', {
    primaryRegion: 'us-east1', standbyRegion: 'europe-west1', server, capacity: { baseline: 3 }, certificate: McpCertificate.existing({ 'us-east1': [CERT] }), domain, authorization: auth,
    overrides: { dnsHealthCheck: { failureThreshold: 1 } },
  }), /^test\/A: 1 invalid setting\n {2}- certificate\.europe-west1: got undefined; allowed: at least one SSL certificate self link for the load balancer in europe-west1/],
];

describe('Google-specific bad inputs', () => {
  test(`${CASES.length} are refused (at least 15)`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });
  test.each(CASES)('%s', (_name, build, message) => {
    expect(errorOf(build)).toMatch(message);
  });
});
