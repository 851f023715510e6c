/**
 * The RFC 3339 timestamp of RFC 5424 (`2003-10-11T22:14:15.003Z`, `2003-08-24T05:14:15.000003-07:00`),
 * scanned by hand: it is on the hot path of every RFC 5424 message.
 */
import { Timestamp } from '../../event/timestamp.js';
import { daysInMonth, utcFromFields } from '../../event/timezone.js';

export interface TimeScan {
  /** Index just past the timestamp, or -1 on error. */
  end: number;
  /** Where the error was found (when end is -1). */
  errorAt: number;
  time: Timestamp | null;
}

export interface TimeRules {
  /** Lowercase `t`/`z`, up to 9 fraction digits, `+hhmm` offsets, second 60. */
  lenient: boolean;
}

/** The value of `n` decimal digits of `s` at `at`, or -1 when one of them is not a digit. */
export function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(at + i) - 48;
    // Past the end charCodeAt is NaN, which no comparison rejects: test for a digit, not for a non-digit.
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

const fail = (at: number): TimeScan => ({ end: -1, errorAt: at, time: null });

export function scanRfc3339(s: string, at: number, rules: TimeRules): TimeScan {
  const y = digits(s, at, 4);
  if (y < 0 || s.charCodeAt(at + 4) !== 45 /* - */) return fail(at);
  const mo = digits(s, at + 5, 2);
  if (mo < 1 || mo > 12 || s.charCodeAt(at + 7) !== 45) return fail(at + 5);
  const d = digits(s, at + 8, 2);
  if (d < 1 || d > 31) return fail(at + 8);
  const t = s.charCodeAt(at + 10);
  if (!(t === 84 /* T */ || (rules.lenient && t === 116 /* t */))) return fail(at + 10);
  const h = digits(s, at + 11, 2);
  if (h < 0 || h > 23 || s.charCodeAt(at + 13) !== 58 /* : */) return fail(at + 11);
  const mi = digits(s, at + 14, 2);
  if (mi < 0 || mi > 59 || s.charCodeAt(at + 16) !== 58) return fail(at + 14);
  const sec = digits(s, at + 17, 2);
  if (sec < 0 || sec > (rules.lenient ? 60 : 59)) return fail(at + 17);
  let p = at + 19;
  let nanos = 0;
  if (s.charCodeAt(p) === 46 /* . */) {
    p++;
    const start = p;
    while (p < s.length) { const c = s.charCodeAt(p); if (c < 48 || c > 57) break; p++; }
    const n = p - start;
    if (n === 0 || n > (rules.lenient ? 9 : 6)) return fail(p);
    nanos = Number(s.slice(start, p)) * 10 ** (9 - n);
  }
  let offsetMin = 0;
  const z = s.charCodeAt(p);
  if (z === 90 /* Z */ || (rules.lenient && z === 122 /* z */)) {
    p++;
  } else if (z === 43 /* + */ || z === 45 /* - */) {
    const oh = digits(s, p + 1, 2);
    if (oh < 0 || oh > 23) return fail(p + 1);
    let q = p + 3;
    if (s.charCodeAt(q) === 58) q++;
    else if (!rules.lenient) return fail(q);
    const om = digits(s, q, 2);
    if (om < 0 || om > 59) return fail(q);
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
    p = q + 2;
  } else {
    return fail(p);
  }
  if (d > daysInMonth(y, mo)) return fail(p);
  const ms = utcFromFields(y, mo, d, h, mi, sec, 0) - offsetMin * 60_000 + Math.floor(nanos / 1e6);
  return { end: p, errorAt: -1, time: new Timestamp(ms, nanos % 1e6) };
}
