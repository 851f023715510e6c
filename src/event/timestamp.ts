/**
 * Logstash's Timestamp: an instant with nanosecond precision, printed in UTC as ISO 8601 with at least
 * millisecond digits and more when the value has them (`2024-05-01T10:00:00.000Z`,
 * `2024-05-01T10:00:00.123456Z`).
 */
export class Timestamp {
  /** @param epochMs whole milliseconds since the epoch; @param nanoOfMilli extra nanoseconds 0..999_999 */
  constructor(readonly epochMs: number, readonly nanoOfMilli = 0) {}

  static now(): Timestamp { return new Timestamp(Date.now()); }

  static fromDate(d: Date): Timestamp { return new Timestamp(d.getTime()); }

  /** Seconds (possibly fractional) since the epoch, as UNIX timestamps are written. */
  static fromEpochSeconds(s: number): Timestamp {
    const ms = Math.floor(s * 1000);
    const nanos = Math.round((s * 1000 - ms) * 1e6);
    return new Timestamp(ms, Math.min(nanos, 999_999));
  }

  /**
   * Parse ISO 8601 as Logstash accepts for `@timestamp` (`2024-05-01T10:00:00Z`, offsets, fractions up to
   * nanoseconds, a space instead of `T`). Returns undefined when the text is not such a timestamp.
   */
  static parse(text: string): Timestamp | undefined {
    const fast = parseCanonical(text);
    if (fast !== undefined) return fast;
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
    if (!m) return undefined;
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
    let ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
    if (Number.isNaN(ms)) return undefined;
    if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h > 24 || +mi > 59 || +s > 60) return undefined;
    // Date.UTC rolls Feb 30 over to March; such a date is invalid.
    if (new Date(Date.UTC(+y!, +mo! - 1, +d!)).getUTCDate() !== +d!) return undefined;
    if (zone && zone !== 'Z' && zone !== 'z') {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0');
      ms -= sign * offMin * 60_000;
    }
    const nanos = Number(frac.padEnd(9, '0') || '0');
    return new Timestamp(ms + Math.floor(nanos / 1e6), nanos % 1e6);
  }

  toDate(): Date { return new Date(this.epochMs); }

  /** Nanoseconds within the second, 0..999_999_999. */
  get nanoOfSecond(): number {
    const msOfSecond = ((this.epochMs % 1000) + 1000) % 1000;
    return msOfSecond * 1e6 + this.nanoOfMilli;
  }

  toString(): string {
    const ms = this.epochMs;
    const msOfSecond = ((ms % 1000) + 1000) % 1000;
    const second = ms - msOfSecond;
    // Consecutive events mostly fall in the same second, else in the same day: the second's
    // "YYYY-MM-DDTHH:MM:SS" text is reused, or made from the day's "YYYY-MM-DDT" and the time of day.
    if (second !== lastSecond) {
      lastSecond = second;
      const day = Math.floor(second / 86_400_000);
      if (day !== lastDay) {
        lastDay = day;
        const iso = new Date(day * 86_400_000).toISOString();
        lastDayText = iso.slice(0, iso.indexOf('T') + 1);
      }
      const ofDay = (second - day * 86_400_000) / 1000;
      const h = Math.floor(ofDay / 3600);
      const mi = Math.floor((ofDay % 3600) / 60);
      lastSecondText = `${lastDayText}${TWO_DIGITS[h]}:${TWO_DIGITS[mi]}:${TWO_DIGITS[ofDay % 60]}`;
    }
    const milli = msOfSecond < 10 ? `00${msOfSecond}` : msOfSecond < 100 ? `0${msOfSecond}` : String(msOfSecond);
    if (this.nanoOfMilli === 0) return `${lastSecondText}.${milli}Z`;
    const sub = String(this.nanoOfMilli).padStart(6, '0');
    const extra = sub.endsWith('000') ? sub.slice(0, 3) : sub;
    return `${lastSecondText}.${milli}${extra}Z`;
  }

  toJSON(): string { return this.toString(); }

  equals(o: Timestamp): boolean { return o.epochMs === this.epochMs && o.nanoOfMilli === this.nanoOfMilli; }
}

let lastSecond = Number.NaN;
let lastSecondText = '';
let lastDay = Number.NaN;
let lastDayText = '';
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

let lastDayKey = -1;
let lastDayMs = 0;

/** Two ASCII digits at i as a number, or -1. */
function two(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48;
  const b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Fast path for the form Logstash itself writes, `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (the common case when
 * reading JSON events); anything else goes to the general parser.
 */
function parseCanonical(t: string): Timestamp | undefined {
  const n = t.length;
  if (n < 20 || t.charCodeAt(n - 1) !== 90 /* Z */ || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45
    || t.charCodeAt(10) !== 84 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  const y1 = two(t, 0); const y2 = two(t, 2);
  const mo = two(t, 5); const d = two(t, 8);
  const h = two(t, 11); const mi = two(t, 14); const s = two(t, 17);
  if (y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return undefined;
  let nanos = 0;
  if (n > 20) {
    if (t.charCodeAt(19) !== 46 /* . */ || n - 21 > 9 || n - 21 < 1) return undefined;
    for (let i = 20; i < n - 1; i++) {
      const c = t.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      nanos = nanos * 10 + c;
    }
    nanos *= 10 ** (9 - (n - 21));
  } else if (n !== 20) return undefined;
  const year = y1 * 100 + y2;
  const dayKey = (year * 100 + mo) * 100 + d;
  if (dayKey !== lastDayKey) {
    const dayMs = Date.UTC(year, mo - 1, d);
    if (new Date(dayMs).getUTCDate() !== d) return undefined; // e.g. Feb 30: let the general parser decide
    lastDayKey = dayKey;
    lastDayMs = dayMs;
  }
  const ms = lastDayMs + ((h * 60 + mi) * 60 + s) * 1000 + Math.floor(nanos / 1e6);
  return new Timestamp(ms, nanos % 1e6);
}
