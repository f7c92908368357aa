/**
 * Edges of lib/core the mutation run found unguarded (docs/TESTING.md lists the survivors and their
 * resolution): documented limits at exactly the limit and one past it, formats anchored at both ends,
 * and summary cells that must not print a figure the stack does not have.
 */
import { isCertificateDnsName } from '../../lib/core/certificate';
import { McpHaValidationError } from '../../lib/core/errors';
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
