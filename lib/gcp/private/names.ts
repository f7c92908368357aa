/**
 * Deterministic Google Cloud resource names: `<prefix>-<suffix>`, within 63
 * characters (a short hash replaces what does not fit), lowercase, starting with a
 * letter.
 */
import { createHash } from 'crypto';
import { IConstruct } from 'constructs';

const MAX = 63;

/** A name prefix derived from a construct path (`Stack/Mcp/Lb` -> `mcp-lb`), at most 40 characters. */
export function defaultPrefix(scope: IConstruct): string {
  const parts = scope.node.scopes.slice(1).map((s) => s.node.id).filter((id) => id !== '');
  const raw = parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  const base = /^[a-z]/.test(raw) ? raw : `mcp-${raw}`;
  return fit(base || 'mcp', 40);
}

/** `<prefix>-<suffix>` within 63 characters. */
export function resourceName(prefix: string, suffix: string): string {
  return fit(suffix === '' ? prefix : `${prefix}-${suffix}`, MAX);
}

function fit(name: string, max: number): string {
  if (name.length <= max) return name.replace(/-+$/, '');
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${name.slice(0, max - 7).replace(/-+$/, '')}-${hash}`;
}
