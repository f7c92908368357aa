/**
 * Edges of lib/core the mutation run found unguarded (docs/TESTING.md lists the survivors and their
 * resolution): documented limits at exactly the limit and one past it, formats anchored at both ends,
 * and summary cells that must not print a figure the stack does not have.
 */
import { AuthorizationMode, McpAuthorization, ResolvedAuthorization, UNAUTHENTICATED_SUMMARY, resolveServiceAuthorization } from '../../lib/core/authorization';
import { VaultAuthMethod, countPemCertificates, isCertificateDnsName, resolveVaultCertificatePolicy } from '../../lib/core/certificate';
import { describeAllowed } from '../../lib/core/cloud-limits';
import { McpHaValidationError, Validator, formatValue } from '../../lib/core/errors';
import { ScalingSchedule, ScalingScheduleProps, Weekday } from '../../lib/core/schedule';
import { formatSummaryTable, formatWriteRecovery } from '../../lib/core/summary';

describe('a certificate DNS name is at most 253 characters (RFC 1035 / RFC 5280 dNSName)', () => {
  // Three labels of 63 characters (the label limit) and `com`: a first label of 57 makes 253 characters.
  const nameOf = (length: number) => {
    const rest = ['b'.repeat(63), 'c'.repeat(63), 'd'.repeat(63), 'com'].join('.');
    return `${'a'.repeat(length - rest.length - 1)}.${rest}`;
  };
  test('253 accepted, 254 refused', () => {
    expect(nameOf(253)).toHaveLength(253);
    expect(isCertificateDnsName(nameOf(253))).toBe(true);
    expect(nameOf(254)).toHaveLength(254);
    expect(isCertificateDnsName(nameOf(254))).toBe(false);
  });
  test('two labels are enough (example.com), one is not (localhost)', () => {
    expect([isCertificateDnsName('example.com'), isCertificateDnsName('localhost')]).toEqual([true, false]);
  });
  test('an IPv4 address is not a DNS name (all-numeric last label); a last label with digits and letters is', () => {
    expect(['10.0.0.10', '192.168.1.1', 'mcp.example.10'].map(isCertificateDnsName)).toEqual([false, false, false]);
    expect(['mcp.lab.b2', 'mcp.lab.3com', 'mcp.lab.k8s'].map(isCertificateDnsName)).toEqual([true, true, true]);
  });
  test('the empty name and non-strings are refused', () => {
    expect([isCertificateDnsName(''), isCertificateDnsName(undefined), isCertificateDnsName(42)]).toEqual([false, false, false]);
  });
});

describe('schedule times are exactly HH:MM, anchored at both ends', () => {
  const every = Object.values(Weekday);
  const props = (start: string, end: string): ScalingScheduleProps => ({
    timeZone: 'UTC',
    windows: [
      { name: 'day', times: [{ weekdays: every, start, end }], minPercent: 100, maxPercent: 150 },
      { name: 'night', times: [{ weekdays: every, start: end === '24:00' ? '00:00' : end, end: start }], minPercent: 50, maxPercent: 100 },
    ],
  });
  test.each(['108:00', 'x08:00', '08:000', '08:00x', ' 08:00', '08:00 '])('start %p is refused with the format', (start) => {
    const build = () => ScalingSchedule.of(props(start, '20:00'));
    expect(build).toThrow(McpHaValidationError);
    expect(build).toThrow(`schedule.windows[0].times[0].start: got ${JSON.stringify(start)}; allowed: a time 'HH:MM' from 00:00 to 23:59 (24:00 only as an end)`);
  });
  test('the same times written exactly are accepted', () => {
    expect(() => ScalingSchedule.of(props('08:00', '20:00'))).not.toThrow();
  });
});

describe('the write-recovery cell prints only what the stack has', () => {
  test('no cache model: "-", even when a recovery figure is present (no "undefined 30 s")', () => {
    expect(formatWriteRecovery({ cloud: 'aws', topology: 'active-active', tier: 'standard', writeRecoverySeconds: 30 })).toBe('-');
    expect(formatWriteRecovery({ cloud: 'aws', topology: 'active-active', tier: 'standard', cacheWriteModel: 'single-region' })).toBe('-');
    expect(formatWriteRecovery(undefined)).toBe('-');
  });
  test('every read-only region is named, comma-separated', () => {
    expect(formatWriteRecovery({ cloud: 'aws', topology: 'multi-region', tier: 'standard', cacheWriteModel: 'single-writer', writeRecoverySeconds: 420,
      regionWriteModes: { a: 'local', b: 'read-only-unless-promoted', c: 'read-only-unless-promoted' } })).toBe('single-writer 420 s (b, c read-only)');
  });
  test('a model without read-only regions names none', () => {
    expect(formatWriteRecovery({ cloud: 'aws', topology: 'multi-region', tier: 'standard', cacheWriteModel: 'multi-writer', writeRecoverySeconds: 0,
      regionWriteModes: { a: 'local', b: 'local' } })).toBe('multi-writer 0 s');
  });
});

describe('the weekly instance-hours cell', () => {
  const row = (summary: Record<string, unknown>) => formatSummaryTable([{ stack: 'S', resources: 1,
    summary: { cloud: 'aws', topology: 'active-active', tier: 'standard', ...summary } }]).split('\n')[2];
  test('the flat-peak comparison is printed when there is one, and only then', () => {
    expect(row({ weeklyInstanceHours: 504, flatPeakInstanceHours: 1008 })).toMatch(/\s504 \(flat 1008\)\s/);
    expect(row({ weeklyInstanceHours: 504 })).toMatch(/\s504\s+-$/);
    expect(row({ weeklyInstanceHours: 504, flatPeakInstanceHours: 0 })).toMatch(/\s504\s+-$/);
  });
});

describe('allowed values in a message', () => {
  test('a range, two values ("a or b"), more values ("one of a, b, c")', () => {
    expect(describeAllowed({ min: 5, max: 300 })).toBe('an integer from 5 to 300');
    expect(describeAllowed([10, 30])).toBe('10 or 30');
    expect(describeAllowed([1, 2, 3])).toBe('one of 1, 2, 3');
  });
});

describe('authorization messages at their edges', () => {
  const resolve = (auth: McpAuthorization, context: { serviceName?: string; internetFacing: boolean }) => {
    const v = new Validator({ constructPath: 'App/S/Mcp' });
    const r = resolveServiceAuthorization(v, auth, { mcpPath: '/mcp', ...context });
    return { r, problems: v.problems.map((p) => `${p.prop}: ${p.allowed}`) };
  };
  const issuer = McpAuthorization.cognitoIssuer('us-east-1', 'us-east-1_AbCdEf123');

  test('an audience that is not a URL: the allowed form names the service\'s own resource URL when there is one', () => {
    expect(resolve(McpAuthorization.oauth({ issuer, audience: 'not a url' }), { serviceName: 'mcp.example.com', internetFacing: true }).problems)
      .toEqual(['authorization.audience: an absolute https URL naming this service (https://mcp.example.com/mcp)']);
    expect(resolve(McpAuthorization.oauth({ issuer, audience: 'not a url' }), { internetFacing: true }).problems)
      .toEqual(['authorization.audience: an absolute https URL naming this service']);
  });

  test('the opt-out without a reason warns without an empty "()"; a private service gets no warning', () => {
    expect(resolve(McpAuthorization.allowUnauthenticated(), { serviceName: 'mcp.example.com', internetFacing: true }).r?.warnings).toEqual([
      'authorization: McpAuthorization.allowUnauthenticated(): the internet-facing MCP endpoint checks no token; anyone who reaches it can call every tool',
    ]);
    expect(resolve(McpAuthorization.allowUnauthenticated('x'), { internetFacing: false }).r?.warnings).toEqual([]);
  });
});

describe('several scopes reach the server as one space-separated list (the OAuth scope syntax, RFC 6749 section 3.3)', () => {
  test('read and write scopes', () => {
    const v = new Validator();
    const r = resolveServiceAuthorization(v, McpAuthorization.oauth({
      issuer: McpAuthorization.cognitoIssuer('us-east-1', 'us-east-1_AbCdEf123'), readScopes: ['mcp:read', 'mcp:list'], writeScopes: ['mcp:write', 'mcp:admin'],
    }), { serviceName: 'mcp.example.com', mcpPath: '/mcp', internetFacing: true });
    expect(v.problems).toEqual([]);
    const env = r!.environment();
    expect(env.MCP_AUTH_SCOPES_READ).toBe('mcp:read mcp:list');
    expect(env.MCP_AUTH_SCOPES_WRITE).toBe('mcp:write mcp:admin');
    expect(env.MCP_AUTH_SCOPES_READ.split(' ')).toEqual(['mcp:read', 'mcp:list']);
  });
});

describe('an unauthenticated authorization checks no token, whatever else it carries', () => {
  test('built by hand with an issuer and an audience: no auth environment, the opt-out in the summary', () => {
    const r = new ResolvedAuthorization({
      mode: AuthorizationMode.UNAUTHENTICATED, issuer: 'https://issuer.example.com', audience: 'https://mcp.example.com/mcp',
      readScopes: ['mcp:read'], writeScopes: ['mcp:write'], jwksCacheMaxAgeSeconds: 600, jwksCooldownSeconds: 30, clockSkewSeconds: 60,
      algorithms: ['RS256'], warnings: [],
    });
    expect(r.environment()).toEqual({});
    expect(r.summary).toBe(UNAUTHENTICATED_SUMMARY);
  });
});

describe('the Vault address must parse as a URL', () => {
  test.each(['vault.example.com:8200', 'not a url', '', 'https://user@vault.example.com', 'https://:secret@vault.example.com',
    'https://vault.example.com:8200/?token=x', 'https://vault.example.com:8200/#frag'])('%p is refused', (vaultAddress) => {
    expect(() => resolveVaultCertificatePolicy({ vaultAddress, role: 'mcp', commonName: 'mcp.example.com' }))
      .toThrow(/vaultAddress: got .*; allowed: an https:\/\/ URL of Vault/);
  });
});

describe('a coverage gap reads as the minutes it spans', () => {
  const every = Object.values(Weekday);
  const gapOf = (windows: ScalingScheduleProps['windows']) => {
    try {
      ScalingSchedule.of({ timeZone: 'UTC', windows });
    } catch (e) {
      return (e as Error).message.match(/schedule\.windows: got "([^"]+)"; allowed: every minute/)?.[1];
    }
    return undefined;
  };
  test('one uncovered minute each day: "MON 20:00-20:00"', () => {
    expect(gapOf([
      { name: 'day', times: [{ weekdays: every, start: '08:00', end: '20:00' }], minPercent: 100, maxPercent: 150 },
      { name: 'night', times: [{ weekdays: every, start: '20:01', end: '08:00' }], minPercent: 50, maxPercent: 100 },
    ])).toBe('MON 20:00-20:00');
  });
  test('a gap that wraps the week back into its first day names both days', () => {
    // Only Monday 10:00-11:00 is covered: the gap runs from MON 11:00 round the week to MON 09:59.
    expect(gapOf([{ name: 'only', times: [{ weekdays: [Weekday.MONDAY], start: '10:00', end: '11:00' }], minPercent: 100, maxPercent: 100 }]))
      .toBe('MON 11:00-MON 09:59');
  });
});

describe('a CA bundle counts only when every block is a certificate', () => {
  const block = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
  test('one real-sized block and one truncated block: not a bundle (0)', () => {
    const real = block('A'.repeat(64));
    expect(countPemCertificates(real)).toBe(1);
    expect(countPemCertificates(real + block('AAAA'))).toBe(0);
    expect(countPemCertificates(real + real)).toBe(2);
  });
  test('the size is counted without line breaks: 60 characters on 6 lines are too few, 64 on 2 lines enough', () => {
    expect(countPemCertificates(block(Array(6).fill('A'.repeat(10)).join('\n')))).toBe(0);
    expect(countPemCertificates(block(`${'A'.repeat(32)}\n${'A'.repeat(32)}`))).toBe(1);
  });
});

describe('Microsoft Entra ID issuers carry the tenant GUID in lower case', () => {
  test('a v2.0 (login.microsoftonline.com) issuer is refused with the v1.0 issuer to use instead, its tenant filled in when the URL has one', () => {
    const message = (issuer: string) => {
      const v = new Validator();
      resolveServiceAuthorization(v, McpAuthorization.oauth({ issuer }), { serviceName: 'mcp.example.com', mcpPath: '/mcp', internetFacing: true });
      return v.problems.find((p) => p.prop === 'authorization.issuer')?.allowed ?? '';
    };
    expect(message('https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0'))
      .toMatch(/^the issuer of Entra ID v1\.0 access tokens, https:\/\/sts\.windows\.net\/11111111-2222-3333-4444-555555555555\/ /);
    expect(message('https://login.microsoftonline.com/')).toMatch(/^the issuer of Entra ID v1\.0 access tokens, https:\/\/sts\.windows\.net\/<tenantId>\/ /);
  });
  test('an upper-case tenant id gives the issuer the tokens carry', () => {
    expect(McpAuthorization.entraIdIssuer('AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE')).toBe('https://sts.windows.net/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/');
  });
});

describe('a bad string is shown whole, however long (only objects are cut at 120 characters)', () => {
  test('a 200-character URL', () => {
    const url = `https://${'a'.repeat(180)}.example.com/mcp`;
    expect(formatValue(url)).toBe(JSON.stringify(url));
    expect(formatValue(url).endsWith('...')).toBe(false);
  });
});

describe('a bad number reads as itself in an error, never as JSON\'s "null"', () => {
  test('NaN and the infinities (a division by zero in a computed prop)', () => {
    expect([NaN, Infinity, -Infinity].map(formatValue)).toEqual(['NaN', 'Infinity', '-Infinity']);
    expect(new McpHaValidationError([{ prop: 'capacity.baseline', value: NaN, allowed: 'a whole number' }]).message)
      .toBe('1 invalid setting\n  - capacity.baseline: got NaN; allowed: a whole number');
  });
});

describe('Vault\'s IAM server ID header is a printable HTTP header value (it is signed into the login request)', () => {
  const policy = (iamServerIdHeader: string) => () => resolveVaultCertificatePolicy({
    vaultAddress: 'https://vault.example.com:8200', role: 'mcp', commonName: 'mcp.example.com',
    auth: { method: VaultAuthMethod.AWS_IAM, vaultRole: 'mcp', iamServerIdHeader },
  });
  test.each(['', ' leading-space', 'tab\there', 'x'.repeat(256), 'caf\u00e9'])('%p is refused', (header) => {
    expect(policy(header)).toThrow(/auth\.iamServerIdHeader: got .*; allowed: 1 to 255 printable ASCII characters/);
  });
  test.each(['vault.example.com', 'x'.repeat(255), 'a b'])('%p is accepted', (header) => {
    expect(policy(header)).not.toThrow();
  });
});

describe('cron day lists: runs of three or more compress, others are listed', () => {
  const cronOf = (weekdays: Weekday[]) => {
    const others = Object.values(Weekday).filter((d) => !weekdays.includes(d));
    const schedule = ScalingSchedule.of({
      timeZone: 'UTC',
      windows: [
        { name: 'on', times: [{ weekdays, start: '07:00', end: '19:00' }], minPercent: 100, maxPercent: 150 },
        { name: 'off', times: [{ weekdays, start: '00:00', end: '07:00' }, { weekdays, start: '19:00', end: '24:00' },
          ...(others.length ? [{ weekdays: others, start: '00:00', end: '24:00' }] : [])],
          minPercent: 50, maxPercent: 100 },
      ],
    });
    return schedule.transitions().find((t) => t.name.startsWith('on-'))!.cronExpression;
  };
  test('MON, WED, FRI: 1,3,5 (no run); MON-WED and FRI: 1-3,5; MON-TUE: 1,2', () => {
    expect(cronOf([Weekday.MONDAY, Weekday.WEDNESDAY, Weekday.FRIDAY])).toBe('0 7 * * 1,3,5');
    expect(cronOf([Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.FRIDAY])).toBe('0 7 * * 1-3,5');
    expect(cronOf([Weekday.MONDAY, Weekday.TUESDAY])).toBe('0 7 * * 1,2');
  });
});

describe('the key-refetch cooldown outside its range is refused by name', () => {
  test.each([0, 3601])('%p', (jwksCooldownSeconds) => {
    const v = new Validator();
    resolveServiceAuthorization(v, McpAuthorization.oauth({ issuer: McpAuthorization.cognitoIssuer('us-east-1', 'us-east-1_AbCdEf123'), jwksCooldownSeconds }),
      { serviceName: 'mcp.example.com', mcpPath: '/mcp', internetFacing: true });
    expect(v.problems.map((p) => `${p.prop}: ${String(p.value)}: ${p.allowed}`)).toContain(`authorization.jwksCooldownSeconds: ${jwksCooldownSeconds}: an integer from 1 to 3600`);
  });
});

describe('the opt-out advertises nothing a token could be checked against', () => {
  test('no scopes, no algorithms', () => {
    const v = new Validator();
    const r = resolveServiceAuthorization(v, McpAuthorization.allowUnauthenticated('internal'), { mcpPath: '/mcp', internetFacing: false })!;
    expect([r.readScopes, r.writeScopes, r.algorithms, r.scopesSupported]).toEqual([[], [], [], []]);
  });
});

describe('range and choice messages name their documented source', () => {
  test('numberInRange and oneOf append "(source)" when given, nothing when not', () => {
    const v = new Validator();
    v.numberInRange('ratio', 2, { min: 0, max: 1 }, 'the docs').numberInRange('ratio2', 2, { min: 0, max: 1 })
      .oneOf('interval', 15, [10, 30], 'Route 53').oneOf('interval2', 15, [10, 30]);
    expect(v.problems.map((p) => p.allowed)).toEqual([
      'a number from 0 to 1 (the docs)', 'a number from 0 to 1', 'one of 10, 30 (Route 53)', 'one of 10, 30',
    ]);
  });
});
