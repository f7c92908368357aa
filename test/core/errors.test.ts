import { McpHaValidationError, Validator, formatValue, looksUnresolved } from '../../lib/core/errors';

describe('Validator', () => {
  test('collects every problem and throws them together, naming the construct path', () => {
    // GIVEN a validator for a construct
    const v = new Validator({ constructPath: 'App/Stack/Mcp' });
    // WHEN two checks fail
    v.integerInRange('intervalSeconds', 3, { min: 5, max: 300 }, 'ALB');
    v.oneOf('requestIntervalSeconds', 15, [10, 30]);
    // THEN one error lists both, with path, prop, value and what is allowed
    expect(() => v.throwIfInvalid()).toThrow(McpHaValidationError);
    try {
      v.throwIfInvalid();
    } catch (e) {
      const err = e as McpHaValidationError;
      expect(err.problems).toHaveLength(2);
      expect(err.constructPath).toBe('App/Stack/Mcp');
      expect(err.message).toBe([
        'App/Stack/Mcp: 2 invalid settings',
        '  - intervalSeconds: got 3; allowed: an integer from 5 to 300 (ALB)',
        '  - requestIntervalSeconds: got 15; allowed: one of 10, 30',
      ].join('\n'));
    }
  });

  test('does not throw when nothing is wrong', () => {
    const v = new Validator();
    v.integerInRange('x', 5, { min: 5, max: 5 }).check(true, 'y', 1, 'anything');
    expect(v.valid).toBe(true);
    expect(() => v.throwIfInvalid()).not.toThrow();
  });

  test('nested validators prefix props and report into the parent', () => {
    const v = new Validator();
    v.nested('healthCheck').add('intervalSeconds', 1, 'more');
    v.nested('escalation').add('[0].name', 'X', 'lowercase');
    v.nested('schedule').add('', [], 'at least one window');
    expect(v.problems.map((p) => p.prop)).toEqual(['healthCheck.intervalSeconds', 'escalation[0].name', 'schedule']);
  });

  test('skips unresolved tokens (CDK and CDKTF encodings) but not ordinary values', () => {
    const v = new Validator();
    v.integerInRange('a', -1.8881545897087626e289, { min: 1, max: 2 });
    v.check(false, 'b', '${Token[TOKEN.123]}', 'x');
    v.check(false, 'c', '${TfToken[TOKEN.1]}', 'x');
    v.check(false, 'd', 'plain', 'x');
    expect(v.problems.map((p) => p.prop)).toEqual(['d']);
    expect(looksUnresolved(['${Token[X.1]}'])).toBe(true);
    expect(looksUnresolved(42)).toBe(false);
  });

  test('a custom token detector replaces the default', () => {
    const v = new Validator({ isUnresolved: (x) => x === 'LATER' });
    v.check(false, 'a', 'LATER', 'x').check(false, 'b', '${Token[X.1]}', 'x');
    expect(v.problems.map((p) => p.prop)).toEqual(['b']);
  });

  test('integers are required where the cloud takes integers', () => {
    const v = new Validator();
    v.integerInRange('a', 5.5, { min: 1, max: 10 }).numberInRange('b', 5.5, { min: 1, max: 10 });
    expect(v.problems.map((p) => p.prop)).toEqual(['a']);
  });

  test('formats values for messages', () => {
    expect(formatValue('x')).toBe('"x"');
    expect(formatValue(undefined)).toBe('undefined');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue('y'.repeat(200)).length).toBeLessThan(210);
    expect(formatValue({ s: 'y'.repeat(200) })).toMatch(/\.\.\.$/);
  });

  test('a single problem reads "1 invalid setting"', () => {
    expect(() => new Validator().add('p', 1, 'two').throwIfInvalid()).toThrow(/^1 invalid setting\n {2}- p: got 1; allowed: two$/);
  });
});
