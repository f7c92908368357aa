import { McpHaValidationError } from '../../lib/core/errors';
import {
  daylightSavingWallRanges,
  ianaTimeZoneExists,
  localWallTime,
  mappedIanaTimeZones,
  observesDaylightSaving,
  utcOffsetMinutes,
  windowsTimeZone,
  windowsTimeZoneNames,
} from '../../lib/core/timezones';

describe('windowsTimeZone', () => {
  test.each([
    ['America/New_York', 'Eastern Standard Time'],
    ['America/Chicago', 'Central Standard Time'],
    ['America/Los_Angeles', 'Pacific Standard Time'],
    ['America/Toronto', 'Eastern Standard Time'],
    ['America/Sao_Paulo', 'E. South America Standard Time'],
    ['Europe/Berlin', 'W. Europe Standard Time'],
    ['Europe/London', 'GMT Standard Time'],
    ['Europe/Paris', 'Romance Standard Time'],
    ['Europe/Warsaw', 'Central European Standard Time'],
    ['Asia/Tokyo', 'Tokyo Standard Time'],
    ['Asia/Singapore', 'Singapore Standard Time'],
    ['Asia/Kolkata', 'India Standard Time'],
    ['Asia/Calcutta', 'India Standard Time'],
    ['Europe/Kyiv', 'FLE Standard Time'],
    ['Australia/Sydney', 'AUS Eastern Standard Time'],
    ['Australia/Melbourne', 'AUS Eastern Standard Time'],
    ['Pacific/Auckland', 'New Zealand Standard Time'],
    ['UTC', 'UTC'],
    ['Etc/UTC', 'UTC'],
    ['Etc/GMT', 'UTC'],
  ])('GIVEN %s WHEN mapped THEN it is %s', (iana, windows) => {
    expect(windowsTimeZone(iana)).toBe(windows);
  });

  test('GIVEN an unknown zone WHEN mapped THEN the error names timeZone, the value and examples of allowed names', () => {
    // WHEN
    let error: unknown;
    try {
      windowsTimeZone('Mars/Olympus_Mons');
    } catch (e) {
      error = e;
    }
    // THEN
    expect(error).toBeInstanceOf(McpHaValidationError);
    const message = (error as Error).message;
    expect(message).toContain('timeZone: got "Mars/Olympus_Mons"; allowed: an IANA time zone name with a Windows time zone mapping');
    expect(message).toContain('"America/New_York"');
    expect(message).toContain('"Europe/Berlin"');
  });

  test('GIVEN a valid IANA name in the wrong case WHEN mapped THEN it is refused', () => {
    expect(() => windowsTimeZone('america/new_york')).toThrow(/timeZone: got "america\/new_york"; allowed: an IANA time zone name/);
  });

  test('GIVEN every mapped IANA name WHEN checked with Intl THEN each is a valid time zone', () => {
    // GIVEN
    const names = mappedIanaTimeZones();
    expect(names.length).toBeGreaterThan(300);
    // THEN
    const invalid = names.filter((n) => !ianaTimeZoneExists(n));
    expect(invalid).toEqual([]);
  });

  test('GIVEN the CLDR table WHEN listing Windows zones THEN names are unique and include the common ones', () => {
    const windowsNames = windowsTimeZoneNames();
    expect(windowsNames.length).toBeGreaterThanOrEqual(130);
    expect(new Set(windowsNames).size).toBe(windowsNames.length);
    for (const name of ['Eastern Standard Time', 'W. Europe Standard Time', 'Tokyo Standard Time', 'UTC', 'AUS Eastern Standard Time']) {
      expect(windowsNames).toContain(name);
    }
  });
});

describe('ianaTimeZoneExists', () => {
  test.each([
    ['UTC', true],
    ['Etc/UTC', true],
    ['America/New_York', true],
    ['Asia/Kolkata', true],
    ['america/new_york', false],
    ['Mars/Olympus_Mons', false],
    ['', false],
    ['EST+5', false],
  ])('GIVEN %p THEN exists is %p', (name, exists) => {
    expect(ianaTimeZoneExists(name)).toBe(exists);
  });
});

describe('local wall time helpers', () => {
  test('GIVEN New York WHEN reading winter and summer instants THEN offsets are -300 and -240 minutes', () => {
    expect(utcOffsetMinutes('America/New_York', new Date(Date.UTC(2025, 0, 15, 12)))).toBe(-300);
    expect(utcOffsetMinutes('America/New_York', new Date(Date.UTC(2025, 6, 15, 12)))).toBe(-240);
    expect(utcOffsetMinutes('Asia/Kolkata', new Date(Date.UTC(2025, 6, 15, 12)))).toBe(330);
  });

  test('GIVEN an instant WHEN converted to Sydney wall time THEN date, time and weekday are local', () => {
    // 2025-03-01T14:30Z is Sunday 2025-03-02 01:30 in Sydney (UTC+11 in summer)
    expect(localWallTime('Australia/Sydney', new Date(Date.UTC(2025, 2, 1, 14, 30)))).toEqual({
      year: 2025,
      month: 3,
      day: 2,
      hour: 1,
      minute: 30,
      weekdayIndex: 6,
    });
  });

  test('GIVEN zones WHEN asked about daylight saving THEN only the ones that change offset observe it', () => {
    expect(observesDaylightSaving('America/New_York', 2025)).toBe(true);
    expect(observesDaylightSaving('Europe/Berlin', 2025)).toBe(true);
    expect(observesDaylightSaving('Australia/Sydney', 2025)).toBe(true);
    expect(observesDaylightSaving('UTC', 2025)).toBe(false);
    expect(observesDaylightSaving('Asia/Tokyo', 2025)).toBe(false);
  });

  test('GIVEN an unknown zone WHEN reading wall time THEN the error names timeZone', () => {
    expect(() => localWallTime('Mars/Olympus_Mons', new Date(0))).toThrow(/timeZone: got "Mars\/Olympus_Mons"; allowed: an IANA time zone name/);
  });
});

describe('the wall-clock minutes daylight saving skips or repeats (issue 16 mutation survivors)', () => {
  test('a change at midnight\'s edge: Nuuk moves at 23:00 both ways, one range [23:00, 24:00) and nothing after midnight', () => {
    expect(daylightSavingWallRanges('America/Nuuk', [2025])).toEqual([{ start: 1380, end: 1440 }]);
  });

  test('a range that crosses midnight is split: Moncton (1995) changed at 00:01, so 23:01-00:01 repeats in the autumn', () => {
    // spring: 00:01-01:01 skipped; autumn: 23:01 to 00:01 repeated -> [1381, 1440) and [0, 1), merged with [1, 61)
    expect(daylightSavingWallRanges('America/Moncton', [1995])).toEqual([{ start: 0, end: 61 }, { start: 1381, end: 1440 }]);
  });

  test('only changes within the years asked count: Lima\'s change of 1 January 1986 is not in 1985', () => {
    expect(daylightSavingWallRanges('America/Lima', [1985])).toEqual([]);
    expect(daylightSavingWallRanges('America/Lima', [1986])).toEqual([{ start: 0, end: 60 }, { start: 1380, end: 1440 }]);
  });

  test('distinct year lists never share an answer (years 198 and 1906 are not 1986)', () => {
    expect(daylightSavingWallRanges('America/Lima', [198, 6])).toEqual([]);
    expect(daylightSavingWallRanges('America/Lima', [1986])).toEqual([{ start: 0, end: 60 }, { start: 1380, end: 1440 }]);
  });

  test('by default, the current year and the next: in 1985, Lima\'s 1986 daylight saving counts', () => {
    jest.useFakeTimers({ now: Date.UTC(1985, 5, 1) });
    try {
      expect(daylightSavingWallRanges('America/Lima')).toEqual([{ start: 0, end: 60 }, { start: 1380, end: 1440 }]);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('ianaTimeZoneExists refuses what is not an IANA name', () => {
  test('a non-string, even one that reads as a zone', () => {
    expect(ianaTimeZoneExists(['UTC'] as never)).toBe(false);
    expect(ianaTimeZoneExists(42 as never)).toBe(false);
  });

  test('a UTC offset (Intl accepts it from Node 22; clouds take IANA names only)', () => {
    expect(ianaTimeZoneExists('+01:00')).toBe(false);
  });
});
