/**
 * RFC 5424 decoder: a single left-to-right scan over the string, no regular expressions, so a
 * message costs a few microseconds. Strict mode follows the RFC's ABNF (and go-syslog's reading
 * of it); lenient mode relaxes the rules listed in LENIENT_5424.
 */
import { scanRfc3339 } from './rfc3339.js';
import type { StructuredData, SyslogMessage, SyslogResult } from './types.js';

/** What lenient mode accepts on top of RFC 5424 (documented in the codec reference). */
export const LENIENT_5424 = [
  'runs of spaces between header fields',
  'a missing PRI (the message starts with VERSION), and PRI values with leading zeros',
  'lowercase `t`/`z` in TIMESTAMP, up to 9 fraction digits, `+hhmm` offsets, second 60 (leap second)',
  'header fields longer than the RFC maximums (HOSTNAME 255, APP-NAME 48, PROCID 128, MSGID 32, SD names 32)',
  'unescaped `]` inside quoted SD values, a backslash before another character kept as is (RFC 5424 §6.3.3)',
  'unquoted SD values (`[meta sequenceId=10]`), and a repeated SD-ID (its parameters are merged)',
  'a missing STRUCTURED-DATA field (MSG follows MSGID), and runs of spaces before MSG',
] as const;

const MAX_HOST = 255;
const MAX_APP = 48;
const MAX_PROC = 128;
const MAX_MSGID = 32;
const MAX_SDNAME = 32;

type Fail = { ok: false; error: string; offset: number; format: 'rfc5424' };
const fail = (error: string, offset: number): Fail => ({ ok: false, error, offset, format: 'rfc5424' });

/** SD-NAME: PRINTUSASCII except `=`, SP, `]`, `"`. */
const isSdName = (c: number): boolean => c >= 33 && c <= 126 && c !== 61 && c !== 93 && c !== 34;

export function decode5424(s: string, lenient: boolean): SyslogResult {
  const n = s.length;
  let p = 0;
  let priority: number | null = null;

  // PRI
  if (s.charCodeAt(0) === 60 /* < */) {
    p = 1;
    const start = p;
    let v = 0;
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      p++;
    }
    const len = p - start;
    if (len === 0 || len > 3 || v > 191 || (!lenient && len > 1 && s.charCodeAt(start) === 48)) {
      return fail('PRI must be <0> to <191> without leading zeros', start);
    }
    if (s.charCodeAt(p) !== 62 /* > */) return fail('PRI must end with >', p);
    p++;
    priority = v;
  } else if (!lenient) {
    return fail('expecting a PRI like <13> at the start', 0);
  }

  // VERSION: NONZERO-DIGIT 0*2DIGIT
  let version = 0;
  {
    const start = p;
    let v = 0;
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
      p++;
    }
    if (p === start || p - start > 3 || s.charCodeAt(start) === 48) return fail('VERSION must be 1 to 999', start);
    version = v;
  }

  // Header fields are separated by SP (a run of SP in lenient mode). No closures over `p` here:
  // a captured, mutated local would live in a heap context and slow every access down.
  if (s.charCodeAt(p) !== 32) return fail('expecting SP after VERSION', p);
  p = skipSp(s, p, lenient);

  // TIMESTAMP
  let timestamp: string | null = null;
  let time: SyslogMessage['time'] = null;
  if (s.charCodeAt(p) === 45 /* - */ && s.charCodeAt(p + 1) === 32) {
    p++;
  } else {
    const t = scanRfc3339(s, p, lenient ? LENIENT_TIME : STRICT_TIME);
    if (t.end < 0) return fail('TIMESTAMP must be RFC 3339 (2003-10-11T22:14:15.003Z) or -', t.errorAt);
    timestamp = s.slice(p, t.end);
    time = t.time;
    p = t.end;
  }

  // HOSTNAME, APP-NAME, PROCID, MSGID: NILVALUE or 1*PRINTUSASCII up to a maximum length.
  const fields: (string | null)[] = [null, null, null, null];
  for (let i = 0; i < 4; i++) {
    if (s.charCodeAt(p) !== 32) return fail(`expecting SP before ${FIELD_NAMES[i]}`, p);
    p = skipSp(s, p, lenient);
    const end = fieldEnd(s, p, n, FIELD_MAX[i]!, lenient);
    if (end < 0) return fail(`${FIELD_NAMES[i]} must be 1 to ${FIELD_MAX[i]} printable US-ASCII characters, or -`, ~end);
    if (!(end - p === 1 && s.charCodeAt(p) === 45)) fields[i] = s.slice(p, end);
    p = end;
  }
  const [hostname, appname, procid, msgid] = fields as [string | null, string | null, string | null, string | null];

  // STRUCTURED-DATA
  if (s.charCodeAt(p) !== 32) return fail('expecting SP before STRUCTURED-DATA', p);
  p = skipSp(s, p, lenient);
  let structuredData: StructuredData | null = null;
  let structuredDataText: string | null = null;
  const sdStart = p;
  if (s.charCodeAt(p) === 45 /* - */) {
    p++;
  } else if (s.charCodeAt(p) === 91 /* [ */) {
    structuredData = {};
    while (s.charCodeAt(p) === 91) {
      p++;
      const idStart = p;
      while (p < n && isSdName(s.charCodeAt(p))) p++;
      if (p === idStart || (!lenient && p - idStart > MAX_SDNAME)) return fail('SD-ID must be 1 to 32 printable characters except = ] " and SP', p === idStart ? p : idStart + MAX_SDNAME);
      const id = s.slice(idStart, p);
      let params = structuredData[id];
      if (params !== undefined) {
        if (!lenient) return fail(`duplicate SD-ID ${id}`, idStart);
      } else {
        params = {};
        structuredData[id] = params;
      }
      for (;;) {
        const c = s.charCodeAt(p);
        if (c === 93 /* ] */) { p++; break; }
        if (c !== 32) return fail('expecting SP, PARAM or ] in SD-ELEMENT', p);
        p = skipSp(s, p, lenient);
        if (lenient && s.charCodeAt(p) === 93) { p++; break; }
        const nameStart = p;
        while (p < n && isSdName(s.charCodeAt(p))) p++;
        if (p === nameStart || (!lenient && p - nameStart > MAX_SDNAME)) return fail('PARAM-NAME must be 1 to 32 printable characters except = ] " and SP', p);
        const name = s.slice(nameStart, p);
        if (s.charCodeAt(p) !== 61 /* = */) return fail('expecting = after PARAM-NAME', p);
        p++;
        if (s.charCodeAt(p) !== 34 /* " */) {
          if (!lenient) return fail('PARAM-VALUE must be quoted', p);
          const vStart = p;
          while (p < n) { const d = s.charCodeAt(p); if (d === 32 || d === 93) break; p++; }
          params[name] = s.slice(vStart, p);
          continue;
        }
        p++;
        // PARAM-VALUE: anything up to an unescaped `"`; `\"`, `\\` and `\]` are unescaped.
        let value = '';
        const start = p;
        let chunk = p;
        for (;;) {
          if (p >= n) return fail('unterminated PARAM-VALUE', p);
          const d = s.charCodeAt(p);
          if (d === 34) break;
          if (d === 92 /* \ */) {
            const e = s.charCodeAt(p + 1);
            if (e === 34 || e === 92 || e === 93) {
              value += s.slice(chunk, p);
              chunk = p + 1;
              p += 2;
              continue;
            }
            if (!lenient) return fail('a backslash in PARAM-VALUE must escape ", \\ or ]', p + 1);
            p++;
            continue;
          }
          if (d === 93 && !lenient) return fail('] must be escaped in PARAM-VALUE', p);
          p++;
        }
        value = chunk === start ? s.slice(start, p) : value + s.slice(chunk, p);
        p++; // closing quote
        params[name] = value;
      }
    }
  } else if (lenient) {
    // Grok's `(?:%{SYSLOG5424SD}|-|)`: STRUCTURED-DATA may be missing altogether; MSG starts here.
    p--;
  } else {
    return fail('STRUCTURED-DATA must be - or [SD-ELEMENT]', p);
  }
  if (structuredData !== null) structuredDataText = s.slice(sdStart, p);

  // MSG
  let message: string | null = null;
  let bom = false;
  if (p < n) {
    if (s.charCodeAt(p) !== 32) return fail('expecting SP before MSG', p);
    p++;
    // Grok's SYSLOG5424LINE joins MSG with ` +`: lenient mode drops the extra spaces too.
    if (lenient) while (s.charCodeAt(p) === 32) p++;
    if (p < n) {
      if (s.charCodeAt(p) === 0xfeff) { bom = true; p++; }
      message = s.slice(p);
    }
  }

  return {
    ok: true,
    value: {
      format: 'rfc5424',
      priority,
      facility: priority === null ? null : priority >> 3,
      severity: priority === null ? null : priority & 7,
      version,
      timestamp,
      time,
      hostname,
      appname,
      procid,
      msgid,
      structuredData,
      structuredDataText,
      message,
      bom,
    },
  };
}

const FIELD_NAMES = ['HOSTNAME', 'APP-NAME', 'PROCID', 'MSGID'] as const;
const FIELD_MAX = [MAX_HOST, MAX_APP, MAX_PROC, MAX_MSGID] as const;
const STRICT_TIME = { lenient: false };
const LENIENT_TIME = { lenient: true };

/** Past the SP at p (and, in lenient mode, the SPs after it). */
function skipSp(s: string, p: number, lenient: boolean): number {
  p++;
  if (lenient) while (s.charCodeAt(p) === 32) p++;
  return p;
}

/** End of a header field starting at `start`, or ~position of the error. */
function fieldEnd(s: string, start: number, n: number, max: number, lenient: boolean): number {
  let p = start;
  while (p < n) {
    const c = s.charCodeAt(p);
    if (c < 33 || c > 126) break;
    p++;
  }
  const len = p - start;
  if (len === 0) return ~p;
  if (!lenient && len > max) return ~(start + max);
  if (p < n && s.charCodeAt(p) !== 32) return ~p;
  return p;
}
