/**
 * RFC 3164 ("BSD syslog") decoder. The RFC describes what senders do rather than a grammar, so this
 * follows the forms real senders use: `<PRI>TIMESTAMP HOSTNAME TAG: MSG`, where HOSTNAME and TAG may be
 * missing, TAG is `name:` or `name[pid]:`, and TIMESTAMP is `Mmm dd hh:mm:ss` (day space-padded or
 * zero-padded, optional fraction) or RFC 3339, which Logstash's syslog input also accepts.
 */
import { Timestamp } from '../../event/timestamp.js';
import { digits, scanRfc3339 } from './rfc3339.js';
import { daysInMonth, guessYear, localZone, utcFromFields, wallToUtc, yearMonthIn, type Zone } from '../../event/timezone.js';
import type { SyslogMessage, SyslogResult } from './types.js';

export const LENIENT_3164 = [
  'a missing PRI (priority fields are then left out)',
  'month names in any letter case, and in the configured locale',
  'a year after the day (`Jan 23 2008 13:27:53`), second 60, up to 9 fraction digits',
  'ISO 8601 timestamps with a space for `T` or without an offset (`2024-05-01 10:00:00`, read in the configured zone)',
  'Cisco IOS headers: message counter, sequence number, hostname and a `*`/`.` clock marker before the timestamp; a `:` after the timestamp (Cisco IOS and ASA)',
  'a missing HOSTNAME and TAG after the timestamp (empty message), control characters in HOSTNAME',
  'a TAG `name[pid]` without the colon',
] as const;

const MONTHS: ReadonlyMap<string, number> = new Map(
  ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((m, i) => [m, i + 1]),
);

export interface Options3164 {
  lenient: boolean;
  nowMs: number;
  zone: Zone | undefined;
  monthNames: ReadonlyMap<string, number> | undefined;
}

type Fail = { ok: false; error: string; offset: number; format: 'rfc3164' };
const fail = (error: string, offset: number): Fail => ({ ok: false, error, offset, format: 'rfc3164' });


interface BsdTime { end: number; text: string; time: Timestamp }

/** `Mmm dd hh:mm:ss[.frac]` (plus a year in lenient mode). Returns an error offset as a number. */
function scanBsd(s: string, at: number, o: Options3164): BsdTime | number {
  const word = /^[A-Za-z\u00C0-\uFFFF.]+/.exec(s.slice(at, at + 16));
  if (!word) return at;
  let month = MONTHS.get(word[0]);
  if (month === undefined && o.lenient) {
    const w = word[0];
    month = MONTHS.get(w.charAt(0).toUpperCase() + w.slice(1, 3).toLowerCase());
    if (month !== undefined && w.length !== 3) month = undefined;
    if (month === undefined) month = o.monthNames?.get(w.toLowerCase());
  } else if (month === undefined) {
    month = o.monthNames?.get(word[0].toLowerCase());
  }
  if (month === undefined) return at;
  let p = at + word[0].length;
  if (s.charCodeAt(p) !== 32) return p;
  p++;
  let day: number;
  if (s.charCodeAt(p) === 32) {
    day = digits(s, p + 1, 1);
    p += 2;
  } else if (digits(s, p + 1, 1) >= 0) {
    day = digits(s, p, 2);
    p += 2;
  } else {
    // `Jan 1`: not what RFC 3164 prescribes, but Logstash reads it (MONTHDAY, then Joda's `dd`).
    day = digits(s, p, 1);
    p += 1;
  }
  if (day < 1 || day > 31) return p - 1;
  if (s.charCodeAt(p) !== 32) return p;
  p++;
  let year = -1;
  if (o.lenient && digits(s, p, 4) >= 0 && s.charCodeAt(p + 4) === 32) {
    year = digits(s, p, 4);
    p += 5;
  }
  const h = digits(s, p, 2);
  if (h < 0 || h > 23 || s.charCodeAt(p + 2) !== 58) return p;
  const mi = digits(s, p + 3, 2);
  if (mi < 0 || mi > 59 || s.charCodeAt(p + 5) !== 58) return p + 3;
  const sec = digits(s, p + 6, 2);
  if (sec < 0 || sec > (o.lenient ? 60 : 59)) return p + 6;
  p += 8;
  let nanos = 0;
  if (s.charCodeAt(p) === 46 /* . */) {
    const start = ++p;
    while (p < s.length && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) p++;
    const k = p - start;
    if (k === 0 || k > (o.lenient ? 9 : 6)) return p;
    nanos = Number(s.slice(start, p)) * 10 ** (9 - k);
  }
  const zone = o.zone ?? localZone();
  if (year < 0) {
    year = guessYear(month, yearMonthIn(zone, o.nowMs));
    // Logstash's date filter reads year-less dates in leap year 2000 and then moves them to the
    // guessed year, so Feb 29 becomes Feb 28; do the same.
    if (month === 2 && day === 29 && daysInMonth(year, 2) === 28) day = 28;
  }
  if (day > daysInMonth(year, month)) return at;
  const ms = wallToUtc(zone, year, month, day, h, mi, sec, 0) + Math.floor(nanos / 1e6);
  return { end: p, text: s.slice(at, p), time: new Timestamp(ms, nanos % 1e6) };
}

const LOOSE_ISO = /^(\d{4})-(\d{2})-(\d{2})[ Tt](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?(?= |$)/;

/** `2024-05-01 10:00:00[.fff][zone]` and RFC 3339 without an offset (lenient mode): read in the zone. */
function scanLooseIso(s: string, at: number, o: Options3164): BsdTime | null {
  const m = LOOSE_ISO.exec(s.slice(at, at + 40));
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac = '', z] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 60) return null;
  const nanos = frac === '' ? 0 : Number(frac) * 10 ** (9 - frac.length);
  let ms: number;
  if (z === undefined) {
    ms = wallToUtc(o.zone ?? localZone(), year, month, day, Number(h), Number(mi), Number(sec), 0);
  } else {
    const off = z === 'Z' || z === 'z' ? 0 : (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(-2)));
    ms = utcFromFields(year, month, day, Number(h), Number(mi), Number(sec), 0) - off * 60_000;
  }
  return { end: at + m[0].length, text: m[0], time: new Timestamp(ms + Math.floor(nanos / 1e6), nanos % 1e6) };
}

/** TAG forms: `name:` and `name[pid]:` (and `name[pid]` in lenient mode). */
function parseTag(tok: string, lenient: boolean): { app: string; pid: string | null } | null {
  let t = tok;
  const colon = t.length > 1 && t.charCodeAt(t.length - 1) === 58;
  if (colon) t = t.slice(0, -1);
  if (t.endsWith(']')) {
    const open = t.indexOf('[');
    if (open > 0 && (colon || lenient)) {
      const pid = t.slice(open + 1, -1);
      if (pid.length > 0 && !pid.includes('[')) return { app: t.slice(0, open), pid };
    }
  }
  if (!colon) return null;
  return t.length > 0 ? { app: t, pid: null } : null;
}

export function decode3164(input: string, o: Options3164): SyslogResult {
  // A trailing line end belongs to the transport, not the message.
  let s = input;
  if (s.endsWith('\n')) s = s.slice(0, s.endsWith('\r\n') ? -2 : -1);
  const n = s.length;
  let p = 0;
  let priority: number | null = null;
  if (s.charCodeAt(0) === 60 /* < */) {
    p = 1;
    let v = 0;
    while (p < n && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) { v = v * 10 + s.charCodeAt(p) - 48; p++; }
    if (p === 1 || p > 4 || v > 191) return fail('PRI must be <0> to <191>', 1);
    if (s.charCodeAt(p) !== 62) return fail('PRI must end with >', p);
    p++;
    priority = v;
  } else if (!o.lenient) {
    return fail('expecting a PRI like <13> at the start', 0);
  }
  // Some senders put a space after PRI.
  if (s.charCodeAt(p) === 32) { p++; if (o.lenient) while (s.charCodeAt(p) === 32) p++; }

  let ciscoCounter: number | undefined;
  let ciscoSequence: number | undefined;
  let hostname: string | null = null;
  let cisco = false;
  if (o.lenient) {
    // Cisco IOS: `643: `, `105: 000104: `, `: `, then maybe `host: `, then `*`/`.` before the time.
    const m = /^(\d*): (?:(\d+): )?(?:([A-Za-z0-9][\w.-]*): )?(?=[*.]?[A-Za-z]{3} )/.exec(s.slice(p, p + 120));
    if (m) {
      cisco = true;
      ciscoCounter = m[1] ? Number(m[1]) : 0;
      if (m[2]) ciscoSequence = Number(m[2]);
      if (m[3]) hostname = m[3];
      p += m[0].length;
    }
    if (s.charCodeAt(p) === 42 /* * */ || s.charCodeAt(p) === 46 /* . */) p++;
  }

  // TIMESTAMP
  let text: string;
  let time: Timestamp | null;
  const c0 = s.charCodeAt(p);
  if (c0 >= 48 && c0 <= 57) {
    const t = scanRfc3339(s, p, { lenient: o.lenient });
    const loose = t.end < 0 && o.lenient ? scanLooseIso(s, p, o) : null;
    if (loose) {
      text = loose.text;
      time = loose.time;
      p = loose.end;
    } else {
      if (t.end < 0) return fail('TIMESTAMP must be Mmm dd hh:mm:ss or RFC 3339', t.errorAt);
      text = s.slice(p, t.end);
      time = t.time;
      p = t.end;
    }
  } else {
    const t = scanBsd(s, p, o);
    if (typeof t === 'number') return fail('TIMESTAMP must be Mmm dd hh:mm:ss or RFC 3339', t);
    text = t.text;
    time = t.time;
    p = t.end;
  }
  // Cisco IOS and ASA put a colon after the time (`Jan 05 2024 10:20:30: %ASA-6-…`).
  if (o.lenient && s.charCodeAt(p) === 58 && (p + 1 === n || s.charCodeAt(p + 1) === 32)) p++;

  let appname: string | null = null;
  let procid: string | null = null;
  if (p >= n) {
    if (!o.lenient) return fail('expecting HOSTNAME or TAG after the timestamp', p);
  } else {
    if (s.charCodeAt(p) !== 32) return fail('expecting SP after the timestamp', p);
    while (s.charCodeAt(p) === 32) p++;
    // First word: a TAG (no HOSTNAME), else the HOSTNAME followed by an optional TAG.
    let end = s.indexOf(' ', p);
    if (end < 0) end = n;
    let tok = s.slice(p, end);
    let tag = cisco || hostname === null ? parseTag(tok, o.lenient) : null;
    if (tag === null && !cisco && tok.length > 0) {
      if (!o.lenient) {
        for (let i = 0; i < tok.length; i++) {
          const c = tok.charCodeAt(i);
          if (c < 33 || c > 126) return fail('HOSTNAME must be printable US-ASCII', p + i);
        }
      }
      hostname = tok;
      p = end;
      while (s.charCodeAt(p) === 32) p++;
      end = s.indexOf(' ', p);
      if (end < 0) end = n;
      tok = s.slice(p, end);
      tag = parseTag(tok, o.lenient);
    }
    if (tag !== null) {
      appname = tag.app;
      procid = tag.pid;
      p = end;
      if (s.charCodeAt(p) === 32) p++;
    }
  }
  const rest = s.slice(p);
  const bom = rest.charCodeAt(0) === 0xfeff;
  const value: SyslogMessage = {
    format: 'rfc3164',
    priority,
    facility: priority === null ? null : priority >> 3,
    severity: priority === null ? null : priority & 7,
    version: null,
    timestamp: text,
    time,
    hostname,
    appname,
    procid,
    msgid: null,
    structuredData: null,
    structuredDataText: null,
    message: bom ? rest.slice(1) : rest,
    bom,
  };
  if (ciscoCounter !== undefined) value.ciscoCounter = ciscoCounter;
  if (ciscoSequence !== undefined) value.ciscoSequence = ciscoSequence;
  return { ok: true, value };
}
