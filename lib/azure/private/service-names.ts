/** Names and checks the three Azure topologies share (not public: the entry point exports none of them). */
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Validator } from '../../core/errors';
import { SUMMARY_KEY, StackSummary } from '../../core/summary';
import { AzureMcpServiceProps, McpDomain } from '../topologies/props';

/** The fully qualified service name. */
export function serviceName(domain: McpDomain): string {
  return domain.recordName === '' ? domain.zoneName : `${domain.recordName}.${domain.zoneName}`;
}

/** The name of one region's deployment (`mcp-westeurope.example.com`). */
export function regionalName(domain: McpDomain, region: string): string {
  const label = domain.recordName === '' ? region : `${domain.recordName}-${region}`;
  return `${label}.${domain.zoneName}`;
}

/** Validates what every topology shares (before anything is built). */
export function validateServiceProps(v: Validator, props: AzureMcpServiceProps, regions: readonly string[]): void {
  v.check(typeof props.namePrefix === 'string' && /^[a-z][a-z0-9]{2,10}$/.test(props.namePrefix), 'namePrefix', props.namePrefix,
    '3-11 lowercase letters and digits starting with a letter (Key Vault names are at most 24 characters and global)');
  const d = props.domain;
  v.check(!!d && typeof d.zoneName === 'string' && /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$/.test(d.zoneName), 'domain.zoneName', d?.zoneName,
    'a DNS zone name such as "example.com"');
  v.check(!!d && typeof d.recordName === 'string' && /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/.test(d.recordName), 'domain.recordName', d?.recordName,
    'one DNS label ("mcp") or "" for the zone apex');
  (props.deployerIpRanges ?? []).forEach((r, i) => v.check(isIpv4OrCidr(r), `deployerIpRanges[${i}]`, r, 'an IPv4 address or CIDR range'));
  for (const r of Object.keys(props.networks ?? {})) {
    v.check(regions.includes(r), `networks.${r}`, r, `a region of the service (${regions.join(', ')})`);
  }
  const dup = regions.filter((r, i) => regions.indexOf(r) !== i);
  v.check(dup.length === 0, 'regions', regions, `distinct regions (${[...new Set(dup)].join(', ')} given twice): two deployments in one region fail together`);
}

/** `a.b.c.d` with each part 0-255, optionally `/0`-`/32`. */
function isIpv4OrCidr(r: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(r);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && (m[5] === undefined || Number(m[5]) <= 32);
}

/** Short, stable suffix of a region for global names (`westeurope` -> 6 characters). */
export function regionSuffix(region: string): string {
  let h = 5381;
  for (const ch of region) h = ((h * 33) ^ ch.charCodeAt(0)) >>> 0;
  return h.toString(36).slice(0, 6).padStart(6, '0');
}

/** Writes the summary as the stack's Terraform output `McpHa_Summary` (`npm run synth` reads it). */
export function recordSummary(scope: Construct, summary: StackSummary): TerraformOutput {
  const stack = TerraformStack.of(scope);
  const name = SUMMARY_KEY.replace(/\W+/g, '_');
  const output = new TerraformOutput(stack, name, { value: JSON.stringify(summary), description: 'mcp-ha-constructs stack summary' });
  output.overrideLogicalId(name);
  return output;
}
