/**
 * Time zones: IANA names (AWS scheduled actions, Google Cloud scaling schedules)
 * and the Windows names Azure autoscale profiles need.
 *
 * The mapping is the Unicode CLDR Windows-to-IANA table, windowsZones.xml
 * (mapTimezones otherVersion="7e11800" typeVersion="2021a"):
 * https://github.com/unicode-org/cldr/blob/main/common/supplemental/windowsZones.xml
 * Every `mapZone` row is included, for every territory: the first IANA name of
 * each entry is the territory "001" (golden) zone, the others are the regional
 * names CLDR lists for the same Windows zone (plus its "ZZ" Etc/GMT±N zone).
 * CLDR writes some zones by their older tzdb names (Asia/Calcutta, Europe/Kiev);
 * the current names (Asia/Kolkata, Europe/Kyiv) are accepted through `IANA_ALIASES`.
 */
import { Validator } from './errors';

/** [Windows zone name, IANA names separated by spaces (territory "001" first)], from windowsZones.xml. */
const WINDOWS_ZONES: ReadonlyArray<readonly [string, string]> = [
  ['Dateline Standard Time', 'Etc/GMT+12'],
  ['UTC-11', 'Etc/GMT+11 Pacific/Pago_Pago Pacific/Niue Pacific/Midway'],
  ['Aleutian Standard Time', 'America/Adak'],
  ['Hawaiian Standard Time', 'Pacific/Honolulu Pacific/Rarotonga Pacific/Tahiti Pacific/Johnston Etc/GMT+10'],
  ['Marquesas Standard Time', 'Pacific/Marquesas'],
  ['Alaskan Standard Time', 'America/Anchorage America/Juneau America/Metlakatla America/Nome America/Sitka America/Yakutat'],
  ['UTC-09', 'Etc/GMT+9 Pacific/Gambier'],
  ['Pacific Standard Time (Mexico)', 'America/Tijuana America/Santa_Isabel'],
  ['UTC-08', 'Etc/GMT+8 Pacific/Pitcairn'],
  ['Pacific Standard Time', 'America/Los_Angeles America/Vancouver PST8PDT'],
  ['US Mountain Standard Time', 'America/Phoenix America/Hermosillo Etc/GMT+7'],
  ['Mountain Standard Time (Mexico)', 'America/Chihuahua America/Mazatlan'],
  ['Mountain Standard Time', 'America/Denver America/Edmonton America/Cambridge_Bay America/Inuvik America/Yellowknife America/Ojinaga America/Boise MST7MDT'],
  ['Yukon Standard Time', 'America/Whitehorse America/Creston America/Dawson America/Dawson_Creek America/Fort_Nelson'],
  ['Central America Standard Time', 'America/Guatemala America/Belize America/Costa_Rica Pacific/Galapagos America/Tegucigalpa America/Managua America/El_Salvador Etc/GMT+6'],
  ['Central Standard Time', 'America/Chicago America/Winnipeg America/Rainy_River America/Rankin_Inlet America/Resolute America/Matamoros America/Indiana/Knox America/Indiana/Tell_City America/Menominee America/North_Dakota/Beulah America/North_Dakota/Center America/North_Dakota/New_Salem CST6CDT'],
  ['Easter Island Standard Time', 'Pacific/Easter'],
  ['Central Standard Time (Mexico)', 'America/Mexico_City America/Bahia_Banderas America/Merida America/Monterrey'],
  ['Canada Central Standard Time', 'America/Regina America/Swift_Current'],
  ['SA Pacific Standard Time', 'America/Bogota America/Rio_Branco America/Eirunepe America/Coral_Harbour America/Guayaquil America/Jamaica America/Cayman America/Panama America/Lima Etc/GMT+5'],
  ['Eastern Standard Time (Mexico)', 'America/Cancun'],
  ['Eastern Standard Time', 'America/New_York America/Nassau America/Toronto America/Iqaluit America/Montreal America/Nipigon America/Pangnirtung America/Thunder_Bay America/Detroit America/Indiana/Petersburg America/Indiana/Vincennes America/Indiana/Winamac America/Kentucky/Monticello America/Louisville EST5EDT'],
  ['Haiti Standard Time', 'America/Port-au-Prince'],
  ['Cuba Standard Time', 'America/Havana'],
  ['US Eastern Standard Time', 'America/Indianapolis America/Indiana/Marengo America/Indiana/Vevay'],
  ['Turks And Caicos Standard Time', 'America/Grand_Turk'],
  ['Paraguay Standard Time', 'America/Asuncion'],
  ['Atlantic Standard Time', 'America/Halifax Atlantic/Bermuda America/Glace_Bay America/Goose_Bay America/Moncton America/Thule'],
  ['Venezuela Standard Time', 'America/Caracas'],
  ['Central Brazilian Standard Time', 'America/Cuiaba America/Campo_Grande'],
  ['SA Western Standard Time', 'America/La_Paz America/Antigua America/Anguilla America/Aruba America/Barbados America/St_Barthelemy America/Kralendijk America/Manaus America/Boa_Vista America/Porto_Velho America/Blanc-Sablon America/Curacao America/Dominica America/Santo_Domingo America/Grenada America/Guadeloupe America/Guyana America/St_Kitts America/St_Lucia America/Marigot America/Martinique America/Montserrat America/Puerto_Rico America/Lower_Princes America/Port_of_Spain America/St_Vincent America/Tortola America/St_Thomas Etc/GMT+4'],
  ['Pacific SA Standard Time', 'America/Santiago'],
  ['Newfoundland Standard Time', 'America/St_Johns'],
  ['Tocantins Standard Time', 'America/Araguaina'],
  ['E. South America Standard Time', 'America/Sao_Paulo'],
  ['SA Eastern Standard Time', 'America/Cayenne Antarctica/Rothera Antarctica/Palmer America/Fortaleza America/Belem America/Maceio America/Recife America/Santarem Atlantic/Stanley America/Paramaribo Etc/GMT+3'],
  ['Argentina Standard Time', 'America/Buenos_Aires America/Argentina/La_Rioja America/Argentina/Rio_Gallegos America/Argentina/Salta America/Argentina/San_Juan America/Argentina/San_Luis America/Argentina/Tucuman America/Argentina/Ushuaia America/Catamarca America/Cordoba America/Jujuy America/Mendoza'],
  ['Greenland Standard Time', 'America/Godthab'],
  ['Montevideo Standard Time', 'America/Montevideo'],
  ['Magallanes Standard Time', 'America/Punta_Arenas'],
  ['Saint Pierre Standard Time', 'America/Miquelon'],
  ['Bahia Standard Time', 'America/Bahia'],
  ['UTC-02', 'Etc/GMT+2 America/Noronha Atlantic/South_Georgia'],
  ['Azores Standard Time', 'Atlantic/Azores America/Scoresbysund'],
  ['Cape Verde Standard Time', 'Atlantic/Cape_Verde Etc/GMT+1'],
  ['UTC', 'Etc/UTC Etc/GMT'],
  ['GMT Standard Time', 'Europe/London Atlantic/Canary Atlantic/Faeroe Europe/Guernsey Europe/Dublin Europe/Isle_of_Man Europe/Jersey Europe/Lisbon Atlantic/Madeira'],
  ['Greenwich Standard Time', 'Atlantic/Reykjavik Africa/Ouagadougou Africa/Abidjan Africa/Accra America/Danmarkshavn Africa/Banjul Africa/Conakry Africa/Bissau Africa/Monrovia Africa/Bamako Africa/Nouakchott Atlantic/St_Helena Africa/Freetown Africa/Dakar Africa/Lome'],
  ['Sao Tome Standard Time', 'Africa/Sao_Tome'],
  ['Morocco Standard Time', 'Africa/Casablanca Africa/El_Aaiun'],
  ['W. Europe Standard Time', 'Europe/Berlin Europe/Andorra Europe/Vienna Europe/Zurich Europe/Busingen Europe/Gibraltar Europe/Rome Europe/Vaduz Europe/Luxembourg Europe/Monaco Europe/Malta Europe/Amsterdam Europe/Oslo Europe/Stockholm Arctic/Longyearbyen Europe/San_Marino Europe/Vatican'],
  ['Central Europe Standard Time', 'Europe/Budapest Europe/Tirane Europe/Prague Europe/Podgorica Europe/Belgrade Europe/Ljubljana Europe/Bratislava'],
  ['Romance Standard Time', 'Europe/Paris Europe/Brussels Europe/Copenhagen Europe/Madrid Africa/Ceuta'],
  ['Central European Standard Time', 'Europe/Warsaw Europe/Sarajevo Europe/Zagreb Europe/Skopje'],
  ['W. Central Africa Standard Time', 'Africa/Lagos Africa/Luanda Africa/Porto-Novo Africa/Kinshasa Africa/Bangui Africa/Brazzaville Africa/Douala Africa/Algiers Africa/Libreville Africa/Malabo Africa/Niamey Africa/Ndjamena Africa/Tunis Etc/GMT-1'],
  ['Jordan Standard Time', 'Asia/Amman'],
  ['GTB Standard Time', 'Europe/Bucharest Asia/Nicosia Asia/Famagusta Europe/Athens'],
  ['Middle East Standard Time', 'Asia/Beirut'],
  ['Egypt Standard Time', 'Africa/Cairo'],
  ['E. Europe Standard Time', 'Europe/Chisinau'],
  ['Syria Standard Time', 'Asia/Damascus'],
  ['West Bank Standard Time', 'Asia/Hebron Asia/Gaza'],
  ['South Africa Standard Time', 'Africa/Johannesburg Africa/Bujumbura Africa/Gaborone Africa/Lubumbashi Africa/Maseru Africa/Blantyre Africa/Maputo Africa/Kigali Africa/Juba Africa/Mbabane Africa/Lusaka Africa/Harare Etc/GMT-2'],
  ['FLE Standard Time', 'Europe/Kiev Europe/Mariehamn Europe/Sofia Europe/Tallinn Europe/Helsinki Europe/Vilnius Europe/Riga Europe/Uzhgorod Europe/Zaporozhye'],
  ['Israel Standard Time', 'Asia/Jerusalem'],
  ['Kaliningrad Standard Time', 'Europe/Kaliningrad'],
  ['Sudan Standard Time', 'Africa/Khartoum'],
  ['Libya Standard Time', 'Africa/Tripoli'],
  ['Namibia Standard Time', 'Africa/Windhoek'],
  ['Arabic Standard Time', 'Asia/Baghdad'],
  ['Turkey Standard Time', 'Europe/Istanbul'],
  ['Arab Standard Time', 'Asia/Riyadh Asia/Bahrain Asia/Kuwait Asia/Qatar Asia/Aden'],
  ['Belarus Standard Time', 'Europe/Minsk'],
  ['Russian Standard Time', 'Europe/Moscow Europe/Kirov Europe/Simferopol'],
  ['E. Africa Standard Time', 'Africa/Nairobi Antarctica/Syowa Africa/Djibouti Africa/Asmera Africa/Addis_Ababa Indian/Comoro Indian/Antananarivo Africa/Mogadishu Africa/Dar_es_Salaam Africa/Kampala Indian/Mayotte Etc/GMT-3'],
  ['Iran Standard Time', 'Asia/Tehran'],
  ['Arabian Standard Time', 'Asia/Dubai Asia/Muscat Etc/GMT-4'],
  ['Astrakhan Standard Time', 'Europe/Astrakhan Europe/Ulyanovsk'],
  ['Azerbaijan Standard Time', 'Asia/Baku'],
  ['Russia Time Zone 3', 'Europe/Samara'],
  ['Mauritius Standard Time', 'Indian/Mauritius Indian/Reunion Indian/Mahe'],
  ['Saratov Standard Time', 'Europe/Saratov'],
  ['Georgian Standard Time', 'Asia/Tbilisi'],
  ['Volgograd Standard Time', 'Europe/Volgograd'],
  ['Caucasus Standard Time', 'Asia/Yerevan'],
  ['Afghanistan Standard Time', 'Asia/Kabul'],
  ['West Asia Standard Time', 'Asia/Tashkent Antarctica/Mawson Asia/Oral Asia/Aqtau Asia/Aqtobe Asia/Atyrau Indian/Maldives Indian/Kerguelen Asia/Dushanbe Asia/Ashgabat Asia/Samarkand Etc/GMT-5'],
  ['Ekaterinburg Standard Time', 'Asia/Yekaterinburg'],
  ['Pakistan Standard Time', 'Asia/Karachi'],
  ['Qyzylorda Standard Time', 'Asia/Qyzylorda'],
  ['India Standard Time', 'Asia/Calcutta'],
  ['Sri Lanka Standard Time', 'Asia/Colombo'],
  ['Nepal Standard Time', 'Asia/Katmandu'],
  ['Central Asia Standard Time', 'Asia/Almaty Antarctica/Vostok Asia/Urumqi Indian/Chagos Asia/Bishkek Asia/Qostanay Etc/GMT-6'],
  ['Bangladesh Standard Time', 'Asia/Dhaka Asia/Thimphu'],
  ['Omsk Standard Time', 'Asia/Omsk'],
  ['Myanmar Standard Time', 'Asia/Rangoon Indian/Cocos'],
  ['SE Asia Standard Time', 'Asia/Bangkok Antarctica/Davis Indian/Christmas Asia/Jakarta Asia/Pontianak Asia/Phnom_Penh Asia/Vientiane Asia/Saigon Etc/GMT-7'],
  ['Altai Standard Time', 'Asia/Barnaul'],
  ['W. Mongolia Standard Time', 'Asia/Hovd'],
  ['North Asia Standard Time', 'Asia/Krasnoyarsk Asia/Novokuznetsk'],
  ['N. Central Asia Standard Time', 'Asia/Novosibirsk'],
  ['Tomsk Standard Time', 'Asia/Tomsk'],
  ['China Standard Time', 'Asia/Shanghai Asia/Hong_Kong Asia/Macau'],
  ['North Asia East Standard Time', 'Asia/Irkutsk'],
  ['Singapore Standard Time', 'Asia/Singapore Asia/Brunei Asia/Makassar Asia/Kuala_Lumpur Asia/Kuching Asia/Manila Etc/GMT-8'],
  ['W. Australia Standard Time', 'Australia/Perth'],
  ['Taipei Standard Time', 'Asia/Taipei'],
  ['Ulaanbaatar Standard Time', 'Asia/Ulaanbaatar Asia/Choibalsan'],
  ['Aus Central W. Standard Time', 'Australia/Eucla'],
  ['Transbaikal Standard Time', 'Asia/Chita'],
  ['Tokyo Standard Time', 'Asia/Tokyo Asia/Jayapura Pacific/Palau Asia/Dili Etc/GMT-9'],
  ['North Korea Standard Time', 'Asia/Pyongyang'],
  ['Korea Standard Time', 'Asia/Seoul'],
  ['Yakutsk Standard Time', 'Asia/Yakutsk Asia/Khandyga'],
  ['Cen. Australia Standard Time', 'Australia/Adelaide Australia/Broken_Hill'],
  ['AUS Central Standard Time', 'Australia/Darwin'],
  ['E. Australia Standard Time', 'Australia/Brisbane Australia/Lindeman'],
  ['AUS Eastern Standard Time', 'Australia/Sydney Australia/Melbourne'],
  ['West Pacific Standard Time', 'Pacific/Port_Moresby Antarctica/DumontDUrville Pacific/Truk Pacific/Guam Pacific/Saipan Etc/GMT-10'],
  ['Tasmania Standard Time', 'Australia/Hobart Australia/Currie Antarctica/Macquarie'],
  ['Vladivostok Standard Time', 'Asia/Vladivostok Asia/Ust-Nera'],
  ['Lord Howe Standard Time', 'Australia/Lord_Howe'],
  ['Bougainville Standard Time', 'Pacific/Bougainville'],
  ['Russia Time Zone 10', 'Asia/Srednekolymsk'],
  ['Magadan Standard Time', 'Asia/Magadan'],
  ['Norfolk Standard Time', 'Pacific/Norfolk'],
  ['Sakhalin Standard Time', 'Asia/Sakhalin'],
  ['Central Pacific Standard Time', 'Pacific/Guadalcanal Antarctica/Casey Pacific/Ponape Pacific/Kosrae Pacific/Noumea Pacific/Efate Etc/GMT-11'],
  ['Russia Time Zone 11', 'Asia/Kamchatka Asia/Anadyr'],
  ['New Zealand Standard Time', 'Pacific/Auckland Antarctica/McMurdo'],
  ['UTC+12', 'Etc/GMT-12 Pacific/Tarawa Pacific/Majuro Pacific/Kwajalein Pacific/Nauru Pacific/Funafuti Pacific/Wake Pacific/Wallis'],
  ['Fiji Standard Time', 'Pacific/Fiji'],
  ['Chatham Islands Standard Time', 'Pacific/Chatham'],
  ['UTC+13', 'Etc/GMT-13 Pacific/Enderbury Pacific/Fakaofo'],
  ['Tonga Standard Time', 'Pacific/Tongatapu'],
  ['Samoa Standard Time', 'Pacific/Apia'],
  ['Line Islands Standard Time', 'Pacific/Kiritimati Etc/GMT-14'],
];

/**
 * Current tzdb names (and the bare `UTC`/`GMT`) for zones CLDR lists under an
 * older name: alias -> the name used in `WINDOWS_ZONES`.
 */
const IANA_ALIASES: Readonly<Record<string, string>> = {
  'UTC': 'Etc/UTC',
  'GMT': 'Etc/GMT',
  'Etc/UCT': 'Etc/UTC',
  'Etc/Universal': 'Etc/UTC',
  'Etc/Zulu': 'Etc/UTC',
  'Asia/Kolkata': 'Asia/Calcutta',
  'Asia/Kathmandu': 'Asia/Katmandu',
  'Asia/Yangon': 'Asia/Rangoon',
  'Asia/Ho_Chi_Minh': 'Asia/Saigon',
  'Europe/Kyiv': 'Europe/Kiev',
  'America/Nuuk': 'America/Godthab',
  'America/Argentina/Buenos_Aires': 'America/Buenos_Aires',
  'America/Argentina/Catamarca': 'America/Catamarca',
  'America/Argentina/Cordoba': 'America/Cordoba',
  'America/Argentina/Jujuy': 'America/Jujuy',
  'America/Argentina/Mendoza': 'America/Mendoza',
  'America/Indiana/Indianapolis': 'America/Indianapolis',
  'America/Kentucky/Louisville': 'America/Louisville',
  'America/Atikokan': 'America/Coral_Harbour',
  'Africa/Asmara': 'Africa/Asmera',
  'Atlantic/Faroe': 'Atlantic/Faeroe',
  'Pacific/Chuuk': 'Pacific/Truk',
  'Pacific/Pohnpei': 'Pacific/Ponape',
  'Pacific/Kanton': 'Pacific/Enderbury',
};

const IANA_TO_WINDOWS: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  for (const [windows, ianaNames] of WINDOWS_ZONES) {
    for (const iana of ianaNames.split(' ')) {
      if (!map.has(iana)) map.set(iana, windows);
    }
  }
  for (const [alias, target] of Object.entries(IANA_ALIASES)) {
    const windows = map.get(target);
    if (windows !== undefined && !map.has(alias)) map.set(alias, windows);
  }
  return map;
})();

/** Every IANA name `windowsTimeZone` maps, sorted. */
export function mappedIanaTimeZones(): string[] {
  return [...IANA_TO_WINDOWS.keys()].sort();
}

/** Every Windows time zone name of the CLDR table, in its order (west to east). */
export function windowsTimeZoneNames(): string[] {
  return WINDOWS_ZONES.map(([windows]) => windows);
}

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = FORMATTERS.get(timeZone);
  if (formatter === undefined) {
    if (!ianaTimeZoneExists(timeZone)) {
      new Validator().add('timeZone', timeZone, 'an IANA time zone name (e.g. "UTC", "America/New_York")').throwIfInvalid();
    }
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    FORMATTERS.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * True when `name` is an IANA time zone this runtime knows (checked with `Intl`),
 * spelled with its exact case (`america/new_york` is refused: clouds compare names exactly).
 */
export function ianaTimeZoneExists(name: string): boolean {
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) return false;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat(undefined, { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return false;
  }
  // Intl matches names case-insensitively; refuse a name that only differs in case from what it resolves to.
  return resolved === name || resolved.toLowerCase() !== name.toLowerCase();
}

/**
 * The Windows time zone name (as Azure autoscale profiles take it) for an IANA name.
 * @throws McpHaValidationError naming `timeZone`, the value and examples of what is allowed
 */
export function windowsTimeZone(iana: string): string {
  const windows = IANA_TO_WINDOWS.get(iana);
  if (windows === undefined) {
    const validator = new Validator();
    validator.add(
      'timeZone',
      iana,
      'an IANA time zone name with a Windows time zone mapping in the Unicode CLDR windowsZones.xml table ' +
        '(e.g. "UTC", "America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney")',
    );
    validator.throwIfInvalid();
  }
  return windows as string;
}

/** A wall-clock reading in a time zone. */
export interface LocalWallTime {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
  /** 0..23 */
  readonly hour: number;
  /** 0..59 */
  readonly minute: number;
  /** Day of the week, 0 = Monday .. 6 = Sunday. */
  readonly weekdayIndex: number;
}

const WEEKDAY_INDEX: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** The local wall-clock time of `instant` in `timeZone` (an IANA name), to the minute. */
export function localWallTime(timeZone: string, instant: Date): LocalWallTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const weekdayIndex = WEEKDAY_INDEX[parts.weekday] ?? -1;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekdayIndex,
  };
}

/** Offset of local wall time from UTC at `instant`, in minutes (New York in winter: -300). */
export function utcOffsetMinutes(timeZone: string, instant: Date): number {
  const local = localWallTime(timeZone, instant);
  const wallMs = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const instantMinuteMs = Math.floor(instant.getTime() / 60_000) * 60_000;
  return Math.round((wallMs - instantMinuteMs) / 60_000);
}

/**
 * True when the zone observes daylight saving time in `year` (its UTC offsets on
 * January 1 and July 1 differ). @default year - the current year
 */
export function observesDaylightSaving(timeZone: string, year: number = new Date().getUTCFullYear()): boolean {
  const january = utcOffsetMinutes(timeZone, new Date(Date.UTC(year, 0, 1, 12)));
  const july = utcOffsetMinutes(timeZone, new Date(Date.UTC(year, 6, 1, 12)));
  return january !== july;
}

/** A range of local wall-clock minutes of the day, [start, end), 0 <= start < end <= 1440. */
export interface WallMinuteRange {
  readonly start: number;
  readonly end: number;
}

const dstRangeCache = new Map<string, WallMinuteRange[]>();

/**
 * The local wall-clock minutes of the day that `timeZone` skips or repeats on its
 * daylight-saving change days in `years` (read from the runtime's time zone data):
 * spring forward skips [local time of the change, + the shift); fall back repeats
 * [local time after the change, + the shift). Most zones change at 01:00, 02:00 or
 * 03:00, but not all: America/Santiago, America/Havana, Africa/Cairo and
 * Atlantic/Azores change at midnight, America/Nuuk at 23:00, Pacific/Chatham at
 * 02:45, Australia/Lord_Howe by 30 minutes. Sorted and merged; ranges that cross
 * midnight are split. Empty for a zone without daylight saving time.
 * @default years - the current year and the next
 */
export function daylightSavingWallRanges(timeZone: string, years?: readonly number[]): WallMinuteRange[] {
  const thisYear = new Date().getUTCFullYear();
  const ys = years ?? [thisYear, thisYear + 1];
  const key = `${timeZone}|${ys.join(',')}`;
  const cached = dstRangeCache.get(key);
  if (cached) return cached;
  const raw: WallMinuteRange[] = [];
  const step = 12 * 3_600_000; // no zone changes its offset twice within 12 hours
  for (const year of ys) {
    let t = Date.UTC(year, 0, 1);
    let before = utcOffsetMinutes(timeZone, new Date(t));
    for (const end = Date.UTC(year + 1, 0, 1); t < end; t += step) {
      const after = utcOffsetMinutes(timeZone, new Date(t + step));
      if (after === before) continue;
      // The first minute with the new offset, by bisection between t and t + step.
      let lo = t;
      let hi = t + step;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (utcOffsetMinutes(timeZone, new Date(mid)) === before) lo = mid;
        else hi = mid;
      }
      const changeMinute = Math.floor(hi / 60_000);
      const startWall = changeMinute + Math.min(before, after); // local wall minute (since the epoch) where the gap or overlap starts
      const length = Math.abs(after - before);
      const start = ((startWall % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
      if (start + length <= MINUTES_PER_DAY) raw.push({ start, end: start + length });
      else raw.push({ start, end: MINUTES_PER_DAY }, { start: 0, end: start + length - MINUTES_PER_DAY });
      before = after;
    }
  }
  const merged = mergeWallRanges(raw);
  dstRangeCache.set(key, merged);
  return merged;
}

const MINUTES_PER_DAY = 1440;

/** Sorts and merges overlapping or touching ranges. */
export function mergeWallRanges(ranges: readonly WallMinuteRange[]): WallMinuteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: WallMinuteRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else out.push({ ...r });
  }
  return out;
}
