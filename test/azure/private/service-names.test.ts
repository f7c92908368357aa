/**
 * lib/azure/private/service-names.ts directly: the service and regional DNS names, the shared prop checks of the
 * three Azure topologies (each refusal names the prop, the value and what is allowed), the region suffix of global
 * names, and the summary output `npm run synth` reads back (scripts/synth.ts: `SUMMARY_KEY` with non-word runs as `_`).
 */
import { App, TerraformStack, Testing } from 'cdktf';
import { AZURE_REGIONS } from '../../../lib/azure/facts';
import { recordSummary, regionSuffix, regionalName, serviceName, validateServiceProps } from '../../../lib/azure/private/service-names';
import type { AzureMcpServiceProps } from '../../../lib/azure/topologies/props';
import { Validator } from '../../../lib/core/errors';
import { SUMMARY_KEY, StackSummary } from '../../../lib/core/summary';

/** The props validateServiceProps reads, over a valid base. */
function props(over: Partial<Record<'namePrefix' | 'domain' | 'deployerIpRanges' | 'networks', unknown>> = {}): AzureMcpServiceProps {
  return { namePrefix: 'acme', domain: { zoneName: 'example.com', recordName: 'mcp' }, ...over } as unknown as AzureMcpServiceProps;
}

function problems(p: AzureMcpServiceProps, regions: readonly string[] = ['westeurope', 'northeurope']) {
  const v = new Validator();
  validateServiceProps(v, p, regions);
  return v.problems;
}

const PREFIX_ALLOWED = '3-11 lowercase letters and digits starting with a letter (Key Vault names are at most 24 characters and global)';

describe('serviceName and regionalName', () => {
  test('a record below the zone: mcp.example.com, and mcp-<region>.example.com per region', () => {
    const d = { zoneName: 'example.com', recordName: 'mcp' };
    expect(serviceName(d)).toBe('mcp.example.com');
    expect(regionalName(d, 'westeurope')).toBe('mcp-westeurope.example.com');
  });

  test('the zone apex: the zone itself, and <region>.<zone> per region (never a leading "-")', () => {
    const d = { zoneName: 'example.com', recordName: '' };
    expect(serviceName(d)).toBe('example.com');
    expect(regionalName(d, 'northeurope')).toBe('northeurope.example.com');
  });
});

describe('validateServiceProps', () => {
  test('valid props: no problem', () => {
    expect(problems(props())).toEqual([]);
    expect(problems(props({ domain: { zoneName: 'sub.example.co.uk', recordName: '' }, deployerIpRanges: ['203.0.113.7', '198.51.100.0/24'] }))).toEqual([]);
  });

  test('namePrefix: 3 to 11 lowercase letters and digits, starting with a letter', () => {
    for (const ok of ['abc', 'a1b2c3d4e5f']) expect(problems(props({ namePrefix: ok }))).toEqual([]);
    for (const bad of ['ab', 'a1b2c3d4e5f6', 'Acme', '1acme', 'ac-me', undefined]) {
      expect(problems(props({ namePrefix: bad }))).toEqual([{ prop: 'namePrefix', value: bad, allowed: PREFIX_ALLOWED }]);
    }
  });

  test('domain.zoneName: a DNS zone name', () => {
    for (const bad of ['example', 'Example.com', 'example..com', '-example.com', '']) {
      expect(problems(props({ domain: { zoneName: bad, recordName: 'mcp' } })))
        .toEqual([{ prop: 'domain.zoneName', value: bad, allowed: 'a DNS zone name such as "example.com"' }]);
    }
  });

  test('domain.recordName: one DNS label or "" for the apex', () => {
    for (const bad of ['mcp.api', '-mcp', 'mcp-', 'MCP', 'a'.repeat(64)]) {
      expect(problems(props({ domain: { zoneName: 'example.com', recordName: bad } })))
        .toEqual([{ prop: 'domain.recordName', value: bad, allowed: 'one DNS label ("mcp") or "" for the zone apex' }]);
    }
    expect(problems(props({ domain: { zoneName: 'example.com', recordName: 'a'.repeat(63) } }))).toEqual([]);
  });

  test('a missing domain is reported on both of its names', () => {
    expect(problems(props({ domain: undefined }))).toEqual([
      { prop: 'domain.zoneName', value: undefined, allowed: 'a DNS zone name such as "example.com"' },
      { prop: 'domain.recordName', value: undefined, allowed: 'one DNS label ("mcp") or "" for the zone apex' },
    ]);
  });

  test('deployerIpRanges: each an IPv4 address or CIDR range, named by its index', () => {
    expect(problems(props({ deployerIpRanges: ['203.0.113.7', '2001:db8::/32', 'office'] }))).toEqual([
      { prop: 'deployerIpRanges[1]', value: '2001:db8::/32', allowed: 'an IPv4 address or CIDR range' },
      { prop: 'deployerIpRanges[2]', value: 'office', allowed: 'an IPv4 address or CIDR range' },
    ]);
  });

  test('deployerIpRanges: octets above 255 and prefixes above /32 are neither an IPv4 address nor a CIDR range', () => {
    for (const ok of ['0.0.0.0/0', '255.255.255.255', '10.0.0.0/32']) expect(problems(props({ deployerIpRanges: [ok] }))).toEqual([]);
    for (const bad of ['256.1.1.1', '10.0.0.0/33', '999.999.999.999/99']) {
      expect(problems(props({ deployerIpRanges: [bad] }))).toEqual([{ prop: 'deployerIpRanges[0]', value: bad, allowed: 'an IPv4 address or CIDR range' }]);
    }
  });

  test('networks: only for a region of the service', () => {
    expect(problems(props({ networks: { westeurope: {}, eastus: {} } }))).toEqual([
      { prop: 'networks.eastus', value: 'eastus', allowed: 'a region of the service (westeurope, northeurope)' },
    ]);
  });

  test('regions: distinct, the duplicates named once each', () => {
    const regions = ['westeurope', 'northeurope', 'westeurope', 'northeurope', 'westeurope'];
    expect(problems(props(), regions)).toEqual([{
      prop: 'regions', value: regions,
      allowed: 'distinct regions (westeurope, northeurope given twice): two deployments in one region fail together',
    }]);
  });

  test('every problem is collected in one run', () => {
    expect(problems(props({ namePrefix: 'X', deployerIpRanges: ['x'] }), ['westeurope', 'westeurope']).map((p) => p.prop))
      .toEqual(['namePrefix', 'deployerIpRanges[0]', 'regions']);
  });
});

describe('regionSuffix', () => {
  test('six lowercase letters or digits, the same every time for a region', () => {
    for (const r of ['westeurope', 'a', 'australiacentral2']) {
      expect(regionSuffix(r)).toMatch(/^[0-9a-z]{6}$/);
      expect(regionSuffix(r)).toBe(regionSuffix(`${r}`));
    }
  });

  test('distinct for every Azure region (global names of two regions never collide)', () => {
    const all = [...AZURE_REGIONS.withZones, ...AZURE_REGIONS.withoutZones];
    const suffixes = new Map<string, string[]>();
    for (const r of all) suffixes.set(regionSuffix(r), [...(suffixes.get(regionSuffix(r)) ?? []), r]);
    expect([...suffixes.values()].filter((rs) => rs.length > 1)).toEqual([]);
  });
});

describe('recordSummary', () => {
  test('writes the summary as the Terraform output scripts/synth.ts reads (McpHa_Summary), as JSON', () => {
    const stack = new TerraformStack(Testing.app() as App, 'summary');
    const summary = { cloud: 'azure', rows: [{ a: 1 }] } as unknown as StackSummary;
    recordSummary(stack, summary);
    const tf = JSON.parse(Testing.synth(stack)) as { output: Record<string, { value: string; description: string }> };
    const name = SUMMARY_KEY.replace(/\W+/g, '_');
    expect(name).toBe('McpHa_Summary');
    expect(Object.keys(tf.output)).toEqual([name]);
    expect(JSON.parse(tf.output[name].value)).toEqual(summary);
    expect(tf.output[name].description).toBe('mcp-ha-constructs stack summary');
  });
});
