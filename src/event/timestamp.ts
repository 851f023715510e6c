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
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text.trim());
    if (!m) return undefined;
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
    let ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s);
    if (Number.isNaN(ms)) return undefined;
    if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h > 24 || +mi > 59 || +s > 60) return undefined;
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
    const iso = new Date(this.epochMs).toISOString(); // always has .mmm
    if (this.nanoOfMilli === 0) return iso;
    const sub = String(this.nanoOfMilli).padStart(6, '0');
    const extra = sub.endsWith('000') ? sub.slice(0, 3) : sub;
    return `${iso.slice(0, -1)}${extra}Z`;
  }

  toJSON(): string { return this.toString(); }

  equals(o: Timestamp): boolean { return o.epochMs === this.epochMs && o.nanoOfMilli === this.nanoOfMilli; }
}
