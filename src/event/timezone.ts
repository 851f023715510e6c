/**
 * Wall-clock time in a named zone → UTC instant. Zones are IANA names resolved through Intl (as Joda's
 * `DateTimeZone.forID` does in Logstash), fixed offsets (`+01:00`, `-0500`, `UTC+2`), or `UTC`/`Z`.
 * Used by the RFC 3164 decoder (its timestamps carry no zone) and by the date filter.
 */

export interface Zone {
  /** The name as given (for messages). */
  readonly id: string;
  /** Offset from UTC in minutes at the given UTC instant (east positive). */
  offsetAt(utcMs: number): number;
}

const fixedCache = new Map<number, Zone>();

function fixed(minutes: number, id: string): Zone {
  let z = fixedCache.get(minutes);
  if (!z) {
    z = { id, offsetAt: () => minutes };
    fixedCache.set(minutes, z);
  }
  return z;
}

export const UTC_ZONE: Zone = fixed(0, 'UTC');

const namedCache = new Map<string, Zone | null>();

/**
 * Parse a zone id. Returns undefined for an unknown name (callers report a config error or a
 * parse failure, never throw per event).
 */
export function resolveZone(id: string): Zone | undefined {
  const s = id.trim();
  if (s === '' ) return undefined;
  const up = s.toUpperCase();
  if (up === 'UTC' || up === 'Z' || up === 'GMT' || up === 'ETC/UTC' || up === 'UT') return UTC_ZONE;
  const off = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(s);
  if (off) {
    const h = Number(off[2]);
    const m = Number(off[3] ?? '0');
    if (h > 23 || m > 59) return undefined;
    return fixed((off[1] === '-' ? -1 : 1) * (h * 60 + m), s);
  }
  if (namedCache.has(s)) return namedCache.get(s) ?? undefined;
  let zone: Zone | null = null;
  try {
    const fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: s, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', era: 'short',
    });
    // Offsets only change at quarter-hour instants in the tz database: cache per 15 minutes, since
    // asking Intl costs microseconds and every event of a stream falls in the same few buckets.
    const cache = new Map<number, number>();
    zone = {
      id: s,
      offsetAt: (utcMs: number) => {
        const bucket = Math.floor(utcMs / 900_000);
        let off = cache.get(bucket);
        if (off === undefined) {
          off = intlOffset(fmt, bucket * 900_000);
          if (cache.size > 4096) cache.clear();
          cache.set(bucket, off);
        }
        return off;
      },
    };
  } catch {
    zone = null;
  }
  namedCache.set(s, zone);
  return zone ?? undefined;
}

/** The process's zone (Logstash's "platform default"), from TZ or the system setting. */
let local: { tz: string | undefined; zone: Zone } | undefined;
export function localZone(): Zone {
  const tz = process.env.TZ;
  if (local === undefined || local.tz !== tz) {
    const id = Intl.DateTimeFormat().resolvedOptions().timeZone;
    local = { tz, zone: (id && resolveZone(id)) || UTC_ZONE };
  }
  return local.zone;
}

function intlOffset(fmt: Intl.DateTimeFormat, utcMs: number): number {
  // Offsets change at whole seconds at most; format the instant and read the wall clock back.
  const base = Math.floor(utcMs / 1000) * 1000;
  const parts = fmt.formatToParts(new Date(base));
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, bc = false;
  for (const p of parts) {
    switch (p.type) {
      case 'year': y = Number(p.value); break;
      case 'month': mo = Number(p.value); break;
      case 'day': d = Number(p.value); break;
      case 'hour': h = Number(p.value); break;
      case 'minute': mi = Number(p.value); break;
      case 'second': s = Number(p.value); break;
      case 'era': bc = p.value === 'BC' || p.value === 'B'; break;
      default: break;
    }
  }
  if (bc) y = 1 - y;
  const wall = utcFromFields(y, mo, d, h, mi, s, 0);
  return Math.round((wall - base) / 60_000);
}

/**
 * Milliseconds since the epoch of a UTC date-time (proleptic Gregorian), like Date.UTC but without its
 * 0..99 → 1900s quirk and faster (Hinnant's days-from-civil). Month 1-12; other fields may overflow
 * (second 60 becomes the next minute).
 */
export function utcFromFields(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const yy = mo <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return (((days * 24 + h) * 60 + mi) * 60 + s) * 1000 + ms;
}

/**
 * The UTC instant of a wall-clock time in a zone. In a DST gap the time is moved forward by the gap;
 * in an overlap the first candidate found wins.
 */
export function wallToUtc(zone: Zone, y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  const wall = utcFromFields(y, mo, d, h, mi, s, ms);
  const o1 = zone.offsetAt(wall);
  let utc = wall - o1 * 60_000;
  const o2 = zone.offsetAt(utc);
  if (o2 !== o1) {
    const alt = wall - o2 * 60_000;
    if (zone.offsetAt(alt) === o2) utc = Math.min(utc, alt);
    // A gap (the offset grows): shift forward by the gap, i.e. use the offset before it.
    else utc = wall - Math.min(o1, o2) * 60_000;
  }
  return utc;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Year, month (1-12) of an instant seen in a zone: what "now" means for year guessing. */
export function yearMonthIn(zone: Zone, utcMs: number): { year: number; month: number } {
  const d = new Date(utcMs + zone.offsetAt(utcMs) * 60_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1 };
}

/**
 * Logstash's year guess for timestamps without a year (logstash-filter-date JodaParser): the current
 * year, except a December event seen in January belongs to the previous year and a January event
 * seen in December to the next one.
 */
export function guessYear(eventMonth: number, now: { year: number; month: number }): number {
  if (eventMonth === 12 && now.month === 1) return now.year - 1;
  if (eventMonth === 1 && now.month === 12) return now.year + 1;
  return now.year;
}
