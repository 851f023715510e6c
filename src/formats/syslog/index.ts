/**
 * Syslog decoding: RFC 5424 and RFC 3164, detected automatically. Pure functions, no I/O.
 *
 *   decodeSyslog('<34>1 2003-10-11T22:14:15.003Z host su - ID47 - hello', { mode: 'strict' })
 *   → { ok: true, value: { format: 'rfc5424', priority: 34, … } } | { ok: false, error, offset, format }
 *
 * Detection: after `<PRI>`, one to three digits and a space are RFC 5424's VERSION; anything else
 * is RFC 3164. Without a PRI (lenient mode only), `1 ` followed by a timestamp or `-` is RFC 5424.
 */
import { decode3164, LENIENT_3164 } from './rfc3164.js';
import { decode5424, LENIENT_5424 } from './rfc5424.js';
import type { DecodeOptions, SyslogFormat, SyslogResult } from './types.js';

export type { DecodeOptions, StructuredData, SyslogFormat, SyslogMessage, SyslogResult } from './types.js';
export { LENIENT_3164, LENIENT_5424 };
export { resolveZone, localZone, UTC_ZONE, guessYear, type Zone } from '../../event/timezone.js';
export { FACILITY_LABELS, SEVERITY_LABELS } from './labels.js';

/** Which format a message is in, judged from its first characters. */
export function detectFormat(text: string): SyslogFormat {
  let p = 0;
  if (text.charCodeAt(0) === 60 /* < */) {
    p = text.indexOf('>', 1);
    if (p < 0 || p > 5) {
      // A broken PRI: judge by what follows the digits, defaulting to 5424's error messages.
      return /^<[^>\s]*\d{1,3} /.test(text) ? 'rfc5424' : 'rfc3164';
    }
    p++;
  }
  let q = p;
  while (q < text.length && q - p < 4) {
    const c = text.charCodeAt(q);
    if (c < 48 || c > 57) break;
    q++;
  }
  if (q === p || q - p > 3 || text.charCodeAt(q) !== 32) {
    return 'rfc3164';
  }
  if (p > 0) return 'rfc5424';
  // No PRI: RFC 5424 only when a timestamp or NILVALUE follows the version.
  return /^\d{1,3} (?:-|\d{4}-\d\d-\d\d[Tt])/.test(text) ? 'rfc5424' : 'rfc3164';
}

/** Decode one whole syslog message (one frame, without its transport framing). */
export function decodeSyslog(text: string, opts: DecodeOptions = {}): SyslogResult {
  const lenient = opts.mode === 'lenient';
  if (text.length === 0) return { ok: false, error: 'empty message', offset: 0, format: null };
  const format = opts.format === undefined || opts.format === 'auto' ? detectFormat(text) : opts.format;
  if (format === 'rfc5424') return decode5424(text, lenient);
  const now = opts.now === undefined ? Date.now() : typeof opts.now === 'number' ? opts.now : opts.now.getTime();
  return decode3164(text, { lenient, nowMs: now, zone: opts.zone, monthNames: opts.monthNames });
}
