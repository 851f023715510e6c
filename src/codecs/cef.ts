/**
 * cef: ArcSight Common Event Format, as logstash-codec-cef 6.x. Decoding reads the seven pipe-separated
 * header fields (an optional syslog header before `CEF:`), then the extension's `key=value` pairs, keys
 * expanded from their short CEF form to the CEF name (ECS disabled) or the ECS field (v1/v8), where the
 * timestamp fields are also normalized (`rt` sets @timestamp). A payload that is not CEF becomes an event
 * with the payload in `message`, tagged `_cefparsefailure`. Without `delimiter` each chunk or frame is one
 * message. Encoding writes `CEF:0|vendor|product|version|signature|name|severity|` then the `fields`.
 */
import { Event } from '../event/event.js';
import { compileSprintf } from '../event/sprintf.js';
import { Timestamp } from '../event/timestamp.js';
import { localZone, resolveZone, utcFromFields, wallToUtc, type Zone } from '../event/timezone.js';
import { formatFloat, isHash, LsFloat, stringifyValue, type Value } from '../event/values.js';
import {
  cefMappings, EXTENSION_KEY_ARRAY, EXTENSION_NEXT_KEY_VALUE, HEADER_NEXT_FIELD, headerFields, sanitizeExtensionKey,
  sanitizeExtensionValue, sanitizeHeaderField, unescapeExtensionValue, unescapeHeader, validSeverity,
} from '../formats/cef.js';
import { lineConverter } from '../formats/charset.js';
import { LineTokenizer } from '../formats/lines.js';
import { defineCodec, PluginConfigError } from '../plugins/api.js';
import { asBytes } from './_text.js';

export const CEF_FAILURE_TAG = '_cefparsefailure';
const DEFAULTS = { vendor: 'Elasticsearch', product: 'Logstash', version: '1.0', signature: 'Logstash', name: 'Logstash', severity: '6' } as const;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const CEF_TIME = /^([A-Za-z]{3}) (\d{2})(?: (\d{4}))? (\d{2}):(\d{2}):(\d{2})(?:\.(\d{9}|\d{6}|\d{3}))?(?: (\S+))?$/;

class CefError extends Error {}

/**
 * A CEF timestamp: milliseconds since the epoch, or `MMM dd[ yyyy] HH:mm:ss[.SSS…][ zone]` in the device's
 * zone (else `default_timezone`, else the system's); without a year, the year that puts it closest to now
 * (at most 2 days ahead), as the upstream TimestampNormalizer does.
 */
export function normalizeCefTimestamp(value: string, zone: Zone, now = Date.now()): Timestamp {
  if (/^[1-9][0-9]*(?:\.[0-9]+)?$/.test(value)) {
    const [whole, frac = ''] = value.split('.');
    return new Timestamp(Number(whole), Number(frac.slice(0, 6).padEnd(6, '0')));
  }
  const m = CEF_TIME.exec(value);
  const month = m ? MONTHS.indexOf(m[1]!.toLowerCase()) + 1 : 0;
  if (!m || month === 0) throw new CefError(`Not a valid CEF timestamp: \`${value}\``);
  let z = zone;
  if (m[8] !== undefined) {
    const named = resolveZone(m[8]);
    if (named === undefined) throw new CefError(`Not a valid CEF timestamp: \`${value}\``);
    z = named;
  }
  const frac = (m[7] ?? '').padEnd(9, '0');
  const ms = Number(frac.slice(0, 3));
  const nanos = Number(frac.slice(3));
  const [d, h, mi, s] = [m[2], m[4], m[5], m[6]].map(Number) as [number, number, number, number];
  const at = (y: number): number => wallToUtc(z, y, month, d, h, mi, s, ms);
  let epoch: number;
  if (m[3] !== undefined) epoch = at(Number(m[3]));
  else {
    const offset = z.offsetAt(now) * 60_000;
    const nowWall = new Date(now + offset);
    const year = nowWall.getUTCFullYear();
    const twoDays = 2 * 86_400_000;
    epoch = at(year);
    if (epoch > now + twoDays) epoch = at(year - 1);
    else if (nowWall.getUTCMonth() === 11 && at(year + 1) <= now + twoDays) epoch = at(year + 1);
  }
  if (Number.isNaN(utcFromFields(2000, month, d, h, mi, s, ms))) throw new CefError(`Not a valid CEF timestamp: \`${value}\``);
  return new Timestamp(epoch, nanos);
}

export default defineCodec({
  name: 'cef',
  doc: 'ArcSight Common Event Format: decodes CEF messages into events (CEF names or ECS fields) and encodes events as CEF.',
  options: {
    vendor: { type: 'string', default: DEFAULTS.vendor, doc: 'Device vendor header field when encoding (sprintf allowed).' },
    product: { type: 'string', default: DEFAULTS.product, doc: 'Device product header field when encoding (sprintf allowed).' },
    version: { type: 'string', default: DEFAULTS.version, doc: 'Device version header field when encoding (sprintf allowed).' },
    signature: { type: 'string', default: DEFAULTS.signature, doc: 'Signature ID header field when encoding (sprintf allowed).' },
    name: { type: 'string', default: DEFAULTS.name, doc: 'Name header field when encoding (sprintf allowed).' },
    severity: { type: 'string', default: DEFAULTS.severity, doc: 'Severity header field when encoding (sprintf allowed); anything but an integer 0–10 becomes 6.' },
    fields: { type: 'array', default: [], doc: 'Fields written as extension key/value pairs when encoding.' },
    reverse_mapping: { type: 'boolean', default: false, doc: 'Encode with the short CEF keys (`src`) instead of the CEF names (`sourceAddress`).' },
    delimiter: { type: 'string', doc: 'Delimiter between CEF messages in the input (`\\r\\n` and `\\n` escapes understood); also appended to each encoded event. Without it, each chunk is one message.' },
    default_timezone: { type: 'string', doc: 'Time zone of CEF timestamps that carry none when the message has no `dtz` (default: the system zone).' },
    locale: { type: 'string', doc: 'Locale of month names in CEF timestamps (only English month names are understood).' },
    raw_data_field: { type: 'string', doc: 'Field to keep the raw message in when decoding.' },
    device: { type: 'string', values: ['observer', 'host'], default: 'observer', doc: 'ECS mode: whether device fields describe the `observer` or the `host`.' },
  },
  check: 'create',
  create(o, ctx) {
    const ecs = ctx.ecs !== 'disabled';
    const headers = headerFields(ecs);
    const syslogHeader = ecs ? '[log][syslog][header]' : 'syslog';
    const maps = cefMappings({ ecs, device: o.device, reverseMapping: o.reverse_mapping });
    const delimiter = o.delimiter === undefined ? undefined : o.delimiter.replace(/\\r/g, '\r').replace(/\\n/g, '\n');
    if (delimiter === '') throw new PluginConfigError('cef codec: delimiter must not be empty', 'delimiter');
    let defaultZone: Zone | undefined;
    if (o.default_timezone !== undefined) {
      defaultZone = resolveZone(o.default_timezone);
      if (defaultZone === undefined) throw new PluginConfigError(`cef codec: unknown time zone ${JSON.stringify(o.default_timezone)}`, 'default_timezone', 'use an IANA zone name such as Europe/Paris, or an offset such as +02:00');
    }
    const failures = ctx.metrics.counter('decode_failures');
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    const lenient = lineConverter('UTF-8');

    const parse = (input: string, raw: string): Event => {
      const event = new Event();
      if (o.raw_data_field !== undefined) event.set(o.raw_data_field, raw);
      let data = input;
      if (data[0] === '"') data = data.slice(1, -1);
      let rest = data.replace(/(\r\n|\n|\r)$/, '');
      if (rest.includes('\n')) {
        throw new CefError('message is not valid CEF because it contains unescaped newline characters; use the `delimiter` setting to enable in-codec buffering and delimiter-splitting');
      }
      for (let i = 0; i < headers.length; i++) {
        const m = HEADER_NEXT_FIELD.exec(rest);
        if (!m) throw new CefError(`message is not valid CEF; found ${i} of 7 required pipe-terminated header fields`);
        event.set(headers[i]!, unescapeHeader(m[1]!));
        rest = rest.slice(m[0].length);
      }
      const versionField = headers[0]!;
      let version = String(event.get(versionField));
      const space = version.lastIndexOf(' ');
      if (space >= 0) {
        event.set(syslogHeader, version.slice(0, space));
        version = version.slice(space + 1);
      }
      event.set(versionField, version.startsWith('CEF:') ? version.slice(4) : version);

      let message = rest.trim();
      if (message !== '') {
        const ext = new Map<string, Value>();
        for (;;) {
          EXTENSION_NEXT_KEY_VALUE.lastIndex = 0;
          const m = EXTENSION_NEXT_KEY_VALUE.exec(message);
          if (!m || m[0].length === 0) break;
          message = message.slice(m[0].length);
          let key = maps.decode.get(m[1]!) ?? m[1]!;
          if (key.endsWith(']')) key = key.replace(EXTENSION_KEY_ARRAY, '[$1]$2');
          ext.set(key, unescapeExtensionValue(m[2]!));
        }
        if (message !== '') throw new CefError(`invalid extensions; keyless value present \`${message}\``);
        if (ecs) {
          const tz = ext.get('[event][timezone]');
          let zone = defaultZone ?? localZone();
          if (typeof tz === 'string') {
            const z = resolveZone(tz);
            if (z === undefined) throw new CefError(`unknown device time zone \`${tz}\``);
            zone = z;
          }
          for (const field of maps.timestampFields) {
            const raw = ext.get(field);
            if (raw === undefined) continue;
            ext.delete(field);
            const text = String(raw);
            if (text.trim() === '') { if (field !== '@timestamp') event.set(field, null); continue; }
            try {
              event.set(field, normalizeCefTimestamp(text, zone));
            } catch (e) {
              ctx.logger.error(`Failed to parse CEF timestamp value \`${text}\` (${(e as Error).message})`);
              throw e;
            }
          }
        }
        for (const [k, v] of ext) event.set(k, v);
      }
      return event;
    };

    const handle = (bytes: Buffer, emit: (e: Event) => void): void => {
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        text = lenient(bytes);
        failures.inc();
        ctx.logger.error('Failed to decode CEF payload. Generating failure event with payload in message field.', { exception: 'invalid byte sequence in UTF-8', original_data: text });
        emit(new Event({ message: text, tags: [CEF_FAILURE_TAG] }));
        return;
      }
      try {
        emit(parse(text, text));
      } catch (e) {
        failures.inc();
        ctx.logger.error('Failed to decode CEF payload. Generating failure event with payload in message field.', { exception: (e as Error).message, original_data: text });
        const data = text[0] === '"' ? text.slice(1, -1) : text;
        emit(new Event({ message: data, tags: [CEF_FAILURE_TAG] }));
      }
    };

    const fmt = {
      vendor: compileSprintf(o.vendor), product: compileSprintf(o.product), version: compileSprintf(o.version),
      signature: compileSprintf(o.signature), name: compileSprintf(o.name),
    };
    const severity = compileSprintf(o.severity);
    const fields = o.fields.map(String);

    const extension = (field: string, event: Event): string | undefined => {
      const val = event.get(field);
      if (val === undefined || val === null) return undefined;
      const key = sanitizeExtensionKey(maps.encode.get(field) ?? field);
      if (Array.isArray(val) || isHash(val)) return `${key}=${sanitizeExtensionValue(stringifyValue(val))}`;
      if (val instanceof Timestamp) return `${key}=${val.toString()}`;
      const s = val instanceof LsFloat ? formatFloat(val.value) : String(val);
      return `${key}=${sanitizeExtensionValue(s)}`;
    };

    return {
      decoder(emit, stream) {
        const fieldsOf = stream?.fields;
        const out = (e: Event): void => { fieldsOf?.(e); emit(e); };
        if (delimiter === undefined) {
          return { push(chunk) { handle(asBytes(chunk), out); }, end() {} };
        }
        const tok = new LineTokenizer(Buffer.from(delimiter, 'utf8'));
        return {
          push(chunk) { tok.push(asBytes(chunk), (b) => handle(b, out)); },
          line(bytes) { handle(bytes, out); },
          end() { const rest = tok.flush(); if (rest.length > 0) handle(rest, out); },
        };
      },
      decodeFrame(frame, emit) {
        if (delimiter === undefined) { handle(asBytes(frame), emit); return; }
        const tok = new LineTokenizer(Buffer.from(delimiter, 'utf8'));
        tok.push(asBytes(frame), (b) => handle(b, emit));
        const rest = tok.flush();
        if (rest.length > 0) handle(rest, emit);
      },
      encode(event) {
        const head = (k: keyof typeof fmt): string => {
          const v = sanitizeHeaderField(fmt[k](event));
          return v === '' ? DEFAULTS[k] : v;
        };
        let sev = sanitizeHeaderField(severity(event)).trim();
        if (!validSeverity(sev)) sev = DEFAULTS.severity;
        // Ruby's String#to_i: the leading integer (`10.0` → 10).
        const sevOut = String(Number.parseInt(sev.replace(/_/g, ''), 10));
        const header = ['CEF:0', head('vendor'), head('product'), head('version'), head('signature'), head('name'), sevOut].join('|');
        const values = fields.map((f) => extension(f, event)).filter((v): v is string => v !== undefined).join(' ');
        return `${header}|${values}${delimiter ?? ''}`;
      },
    };
  },
});
