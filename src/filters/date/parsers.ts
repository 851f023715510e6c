/**
 * The date filter's parsers, one per `match` format: ISO8601, UNIX, UNIX_MS, TAI64N and Joda patterns.
 * Each takes the field value and the per-event zone, and returns epoch milliseconds or undefined
 * (Logstash's date filter keeps millisecond precision: it goes through Joda's Instant).
 */
import { isNumeric, LsFloat, type Value } from '../../event/values.js';
import type { LocaleNames } from '../../formats/syslog/locale.js';
import { guessYear, utcFromFields, wallToUtc, yearMonthIn, type Zone } from '../../event/timezone.js';
import { compileJoda, localFields, runJoda } from './joda-parse.js';

export interface ParseContext {
  /** The zone for text without an offset (the `timezone` option, per event when it is a template). */
  zone: Zone;
  now: number;
}

export type DateParser = (value: Value, ctx: ParseContext) => number | undefined;

const MAX_EPOCH_SECONDS = 2 ** 31 - 1;

/** UNIX: seconds since the epoch, integer or with a fraction (kept to milliseconds). */
export const parseUnix: DateParser = (v) => {
  if (typeof v === 'string') {
    const m = /^(-?\d+)(?:\.(\d*))?$/.exec(v);
    if (!m) return undefined;
    const secs = Number(m[1]);
    if (secs > MAX_EPOCH_SECONDS) return undefined;
    const frac = (m[2] ?? '').slice(0, 3);
    const sub = frac === '' ? 0 : Number(frac) * 10 ** (3 - frac.length);
    return secs * 1000 + (m[1]!.startsWith('-') ? -sub : sub);
  }
  if (v instanceof LsFloat) {
    if (!Number.isFinite(v.value) || Math.trunc(v.value) > MAX_EPOCH_SECONDS) return undefined;
    return Math.trunc(v.value * 1000);
  }
  if (typeof v === 'number' || typeof v === 'bigint') {
    const n = Number(v);
    if (n > MAX_EPOCH_SECONDS) return undefined;
    return Math.trunc(n) * 1000;
  }
  return undefined;
};

/** UNIX_MS: integer milliseconds since the epoch. */
export const parseUnixMs: DateParser = (v) => {
  if (typeof v === 'string') return /^[-+]?\d{1,19}$/.test(v) ? Number(v) : undefined;
  if (isNumeric(v)) {
    const n = v instanceof LsFloat ? Math.trunc(v.value) : Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
};

/** TAI64N: `@` + 16 hex digits of TAI seconds (offset 2^62) + 8 hex digits of nanoseconds. */
export const parseTai64n: DateParser = (v) => {
  if (typeof v !== 'string') return undefined;
  const s = v.startsWith('@') ? v.slice(1) : v;
  if (!/^[0-9a-fA-F]{24}/.test(s)) return undefined;
  const secs = BigInt(`0x${s.slice(0, 16)}`) & ((1n << 62n) - 1n);
  const nanos = parseInt(s.slice(16, 24), 16);
  // Logstash subtracts 10 s for TAI → UTC (a fixed approximation of leap seconds, kept as is).
  return Number(secs - 10n) * 1000 + Math.floor(nanos / 1e6);
};

const ISO_DATE = /^([+-]?\d{4,9})(?:-(\d{2})(?:-(\d{2}))?|-W(\d{2})(?:-(\d))?|-(\d{3}))?(?:[Tt](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const ALMOST_ISO = /^([+-]?\d{4,9})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})[.,](\d{1,9})(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function offsetMinutes(z: string): number {
  if (z === 'Z' || z === 'z') return 0;
  const digits = z.slice(1).replace(':', '');
  return (z[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
}

function fromParts(ctx: ParseContext, y: number, mo: number, d: number, h: number, mi: number, s: number, frac: string, zone: string | undefined): number | undefined {
  const lf = localFields({ year: y, month: mo, day: d, hour: h, minute: mi, second: s, millis: Number(frac.slice(0, 3).padEnd(3, '0')) }, y);
  if (!lf) return undefined;
  if (zone !== undefined) {
    const off = offsetMinutes(zone);
    if (Math.abs(off) >= 24 * 60) return undefined;
    return utcFromFields(lf.y, lf.mo, lf.d, lf.h, lf.mi, lf.s, lf.ms) - off * 60_000;
  }
  return wallToUtc(ctx.zone, lf.y, lf.mo, lf.d, lf.h, lf.mi, lf.s, lf.ms);
}

/**
 * ISO8601: Joda's ISODateTimeFormat.dateTimeParser (date with optional time and offset; week and
 * ordinal dates) plus Logstash's "almost ISO" fallbacks `yyyy-MM-dd HH:mm:ss.SSS[Z]` (also with `,`).
 */
export const parseIso8601: DateParser = (v, ctx) => {
  if (typeof v !== 'string') return undefined;
  const m = ISO_DATE.exec(v);
  if (m) {
    const y = Number(m[1]);
    let mo = Number(m[2] ?? '1');
    let d = Number(m[3] ?? '1');
    if (m[4] !== undefined) {
      // ISO week date: Monday of week 1 is the Monday on or before January 4th.
      const jan4 = new Date(Date.UTC(y, 0, 4));
      const mondayW1 = Date.UTC(y, 0, 4 - ((jan4.getUTCDay() + 6) % 7));
      const day = new Date(mondayW1 + ((Number(m[4]) - 1) * 7 + (Number(m[5] ?? '1') - 1)) * 86_400_000);
      mo = day.getUTCMonth() + 1;
      d = day.getUTCDate();
    } else if (m[6] !== undefined) {
      const day = new Date(Date.UTC(y, 0, Number(m[6])));
      if (day.getUTCFullYear() !== y || Number(m[6]) < 1) return undefined;
      mo = day.getUTCMonth() + 1;
      d = day.getUTCDate();
    }
    return fromParts(ctx, y, mo, d, Number(m[7] ?? '0'), Number(m[8] ?? '0'), Number(m[9] ?? '0'), m[10] ?? '', m[11]);
  }
  const a = ALMOST_ISO.exec(v);
  if (a) return fromParts(ctx, Number(a[1]), Number(a[2]), Number(a[3]), Number(a[4]), Number(a[5]), Number(a[6]), a[7]!, a[8]);
  return undefined;
};

/**
 * A Joda pattern. Like Logstash's JodaParser: a pattern with no `y`/`Y` gets the current year, a
 * December date seen in January the previous one and a January date seen in December the next one.
 */
export function jodaParser(pattern: string, names: LocaleNames): DateParser {
  const steps = compileJoda(pattern);
  const hasYear = /[yY]/.test(pattern);
  // Consecutive events often carry the same time text (several lines a second): with a year in the
  // pattern the result depends only on the text, the zone and (for a two-digit year's pivot) the
  // current year, so the last one is kept for the day.
  let lastText: string | undefined;
  let lastZone: Zone | undefined;
  let lastDay = Number.NaN;
  let lastResult: number | undefined;
  return (v, ctx) => {
    if (typeof v !== 'string') return undefined;
    const day = Math.floor(ctx.now / 86_400_000);
    if (hasYear && v === lastText && ctx.zone === lastZone && day === lastDay) return lastResult;
    const result = parseJoda(v, ctx);
    if (hasYear) { lastText = v; lastZone = ctx.zone; lastDay = day; lastResult = result; }
    return result;
  };

  function parseJoda(v: string, ctx: ParseContext): number | undefined {
    const f = runJoda(steps, v, names, ctx.now);
    if (!f) return undefined;
    let year = f.year ?? 1970;
    let clampDay = false;
    if (!hasYear) {
      year = guessYear(f.month ?? 1, yearMonthIn(f.zone ?? ctx.zone, ctx.now));
      // Joda parses year-less dates in the leap year 2000, then moves them: Feb 29 becomes Feb 28.
      clampDay = true;
    }
    if (clampDay && f.month === 2 && f.day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) f.day = 28;
    const lf = localFields(f, year);
    if (!lf) return undefined;
    if (f.offsetMin !== undefined) return utcFromFields(lf.y, lf.mo, lf.d, lf.h, lf.mi, lf.s, lf.ms) - f.offsetMin * 60_000;
    return wallToUtc(f.zone ?? ctx.zone, lf.y, lf.mo, lf.d, lf.h, lf.mi, lf.s, lf.ms);
  }
}
