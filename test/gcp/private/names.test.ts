import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { defaultPrefix, resourceName } from '../../../lib/gcp/private/names';

describe('Google resource names', () => {
  test('prefix and suffix joined; a long name keeps 63 characters, deterministic and distinct by a hash of the whole', () => {
    expect(resourceName('mcp-lb', 'us-east1')).toBe('mcp-lb-us-east1');
    expect(resourceName('mcp-lb', '')).toBe('mcp-lb');
    const long = resourceName('a'.repeat(50), 'us-central1-backend');
    expect(long).toHaveLength(63);
    expect(long).toMatch(/^a{50}-us-ce-[0-9a-f]{6}$/);
    expect(resourceName('a'.repeat(50), 'us-central1-backend')).toBe(long);
    expect(resourceName('a'.repeat(50), 'us-central1-backendx')).not.toBe(long);
    expect(resourceName('x'.repeat(63), '')).toBe('x'.repeat(63));
  });

  test('the default prefix follows the construct path, lowercase, starting with a letter, at most 40 characters', () => {
    const stack = new TerraformStack(new App(), 'Stack');
    expect(defaultPrefix(new Construct(new Construct(stack, 'Mcp'), 'Lb_Main'))).toBe('stack-mcp-lb-main');
    expect(defaultPrefix(new Construct(new TerraformStack(new App(), '9Stack'), 'Svc'))).toBe('mcp-9stack-svc');
    const deep = defaultPrefix(new Construct(stack, 'VeryLongServiceNameThatGoesOnAndOnForeverAndEver'));
    expect(deep).toHaveLength(40);
    expect(deep).toMatch(/^[a-z][a-z0-9-]*-[0-9a-f]{6}$/);
  });
});
