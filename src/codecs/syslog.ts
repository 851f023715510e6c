/**
 * The `syslog` codec: decodes RFC 5424 and RFC 3164 messages (detected per message) into events with
 * Logstash's field names, on any input. `decodeFrame` takes one whole message (a datagram, an RFC 6587
 * frame); `decoder()` splits a byte stream on LF. A message that does not decode becomes an event with
 * the raw text in `message` and the tag `_syslogparsefailure`: nothing is dropped.
 *
 * Fields, ECS mode (v1, v8): [log][syslog][priority|version|hostname|appname|procid|msgid|structured_data],
 * [log][syslog][facility|severity][code|name], [host][hostname], [process][name], [process][pid] (integer),
 * message, @timestamp from the header, [event][original] (the raw message, as Logstash codecs keep it).
 * Legacy mode (disabled): priority, facility, severity, facility_label, severity_label, then for RFC 3164
 * timestamp, logsource, program, pid (the syslog input's names) and for RFC 5424 the SYSLOG5424LINE grok
 * names syslog5424_pri, _ver, _ts, _host, _app, _proc, _msgid, _sd (raw text); message is MSG.
 */
import { isUtf8 } from 'node:buffer';
import { Event } from '../event/event.js';
import { Timestamp } from '../event/timestamp.js';
import { isHash, valueToString, type Hash, type Value } from '../event/values.js';
import { defineCodec, type CodecInstance, type Decoder, type StreamInfo } from '../plugins/api.js';
import type { EcsMode } from '../plugins/options.js';
import {
  decodeSyslog, FACILITY_LABELS, SEVERITY_LABELS, LENIENT_3164, LENIENT_5424, localZone, resolveZone,
  type DecodeOptions, type SyslogMessage, type Zone,
} from '../formats/syslog/index.js';
import { monthNamesFor } from '../formats/syslog/locale.js';
import { LineTokenizer } from '../formats/lines.js';

export const SYSLOG_FAILURE_TAG = '_syslogparsefailure';

export interface SyslogCodecConfig {
  ecs: EcsMode;
  lenient: boolean;
  format: 'auto' | 'rfc5424' | 'rfc3164';
  /** Zone of RFC 3164 timestamps; undefined = the process's zone (looked up once, when the codec is made). */
  zone: Zone | undefined;
  monthNames: ReadonlyMap<string, number> | undefined;
  useLabels: boolean;
  facilityLabels: readonly string[];
  severityLabels: readonly string[];
  /** Clock for year guessing (tests). */
  now?: () => number;
}

/** Text of a frame: UTF-8 when the bytes are valid UTF-8, else ISO-8859-1 (every byte kept as one character). */
export function frameText(frame: Buffer | string): string {
  if (typeof frame === 'string') return frame;
  return isUtf8(frame) ? frame.toString('utf8') : frame.toString('latin1');
}

function pidOf(procid: string): number | null {
  // ECS process.pid is a long: only all-digit PROCIDs become one.
  if (procid.length === 0 || procid.length > 15) return null;
  for (let i = 0; i < procid.length; i++) {
    const c = procid.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  return Number(procid);
}

/** Turn a decoded message into event data (exported for the corpus tests and other plugins). */
export function messageToData(m: SyslogMessage, raw: string, cfg: SyslogCodecConfig): Hash {
  const data: Hash = {};
  if (m.time) data['@timestamp'] = m.time;
  const fLabel = m.facility !== null && cfg.useLabels ? cfg.facilityLabels[m.facility] : undefined;
  const sLabel = m.severity !== null && cfg.useLabels ? cfg.severityLabels[m.severity] : undefined;
  if (cfg.ecs !== 'disabled') {
    const syslog: Hash = {};
    if (m.priority !== null) {
      syslog.priority = m.priority;
      const facility: Hash = { code: m.facility };
      if (fLabel !== undefined) facility.name = fLabel;
      const severity: Hash = { code: m.severity };
      if (sLabel !== undefined) severity.name = sLabel;
      syslog.facility = facility;
      syslog.severity = severity;
    }
    if (m.version !== null) syslog.version = m.version;
    if (m.hostname !== null) syslog.hostname = m.hostname;
    if (m.appname !== null) syslog.appname = m.appname;
    if (m.procid !== null) syslog.procid = m.procid;
    if (m.msgid !== null) syslog.msgid = m.msgid;
    if (m.structuredData !== null) syslog.structured_data = m.structuredData;
    data.log = { syslog };
    if (m.hostname !== null) data.host = { hostname: m.hostname };
    if (m.appname !== null || m.procid !== null) {
      const proc: Hash = {};
      if (m.appname !== null) proc.name = m.appname;
      const pid = m.procid === null ? null : pidOf(m.procid);
      if (pid !== null) proc.pid = pid;
      data.process = proc;
    }
    data.message = m.message ?? '';
    // [event][original] as Logstash codecs keep it in ECS mode; a Cisco sequence number is event.sequence.
    data.event = m.ciscoSequence !== undefined ? { sequence: m.ciscoSequence, original: raw } : { original: raw };
    return data;
  }
  if (m.priority !== null) {
    data.priority = m.priority;
    data.facility = m.facility;
    data.severity = m.severity;
    if (fLabel !== undefined) data.facility_label = fLabel;
    if (sLabel !== undefined) data.severity_label = sLabel;
  }
  if (m.format === 'rfc3164') {
    if (m.timestamp !== null) data.timestamp = m.timestamp;
    if (m.hostname !== null) data.logsource = m.hostname;
    if (m.appname !== null) data.program = m.appname;
    if (m.procid !== null) data.pid = m.procid;
    if (m.ciscoSequence !== undefined) data.sequence = m.ciscoSequence;
  } else {
    if (m.priority !== null) data.syslog5424_pri = String(m.priority);
    data.syslog5424_ver = String(m.version);
    if (m.timestamp !== null) data.syslog5424_ts = m.timestamp;
    if (m.hostname !== null) data.syslog5424_host = m.hostname;
    if (m.appname !== null) data.syslog5424_app = m.appname;
    if (m.procid !== null) data.syslog5424_proc = m.procid;
    if (m.msgid !== null) data.syslog5424_msgid = m.msgid;
    if (m.structuredDataText !== null) data.syslog5424_sd = m.structuredDataText;
  }
  data.message = m.message ?? '';
  return data;
}

function failureData(raw: string, error: string, cfg: SyslogCodecConfig): Hash {
  const data: Hash = { message: raw, tags: [SYSLOG_FAILURE_TAG] };
  if (cfg.ecs !== 'disabled') data.event = { original: raw };
  data['@metadata'] = { syslog: { error } };
  return data;
}

/** Decode one message text into an event (never throws, never returns nothing). */
export function decodeToEvent(text: string, cfg: SyslogCodecConfig): Event {
  let s = text;
  // A trailing LF (CR LF) is transport, as RFC 6587's non-transparent trailer.
  if (s.charCodeAt(s.length - 1) === 10) s = s.slice(0, s.charCodeAt(s.length - 2) === 13 ? -2 : -1);
  const opts: DecodeOptions = {
    mode: cfg.lenient ? 'lenient' : 'strict',
    format: cfg.format,
    zone: cfg.zone ?? localZone(),
  };
  if (cfg.monthNames) opts.monthNames = cfg.monthNames;
  if (cfg.now) opts.now = cfg.now();
  const r = decodeSyslog(s, opts);
  return new Event(r.ok ? messageToData(r.value, s, cfg) : failureData(s, `${r.error} at ${r.offset}`, cfg));
}

// ---- encoding: an RFC 5424 line ----------------------------------------------------------------

function first(e: Event, refs: string[]): string | undefined {
  for (const r of refs) {
    const v = e.get(r);
    if (v !== undefined && v !== null && !isHash(v) && !Array.isArray(v)) return valueToString(v);
  }
  return undefined;
}

/** A header field: printable US-ASCII, no spaces, bounded length, `-` when absent. */
function headerField(v: string | undefined, max: number): string {
  if (v === undefined || v === '') return '-';
  let out = '';
  for (const ch of v) {
    const c = ch.charCodeAt(0);
    out += c >= 33 && c <= 126 ? ch : '_';
    if (out.length >= max) break;
  }
  return out;
}

function sdText(sd: Value | undefined): string {
  if (!isHash(sd)) return '-';
  let out = '';
  for (const id of Object.keys(sd)) {
    const params = sd[id];
    out += `[${headerField(id.replace(/[= \]"]/g, '_'), 32)}`;
    if (isHash(params)) {
      for (const k of Object.keys(params)) {
        const v = valueToString(params[k]).replace(/[\\"\]]/g, (c) => `\\${c}`);
        out += ` ${headerField(k.replace(/[= \]"]/g, '_'), 32)}="${v}"`;
      }
    }
    out += ']';
  }
  return out === '' ? '-' : out;
}

export function encodeRfc5424(e: Event): string {
  const priRaw = first(e, ['[log][syslog][priority]', 'priority', 'syslog5424_pri']);
  const pri = priRaw !== undefined && /^\d{1,3}$/.test(priRaw) && Number(priRaw) <= 191 ? Number(priRaw) : 13;
  const ts = e.get('@timestamp');
  const time = ts instanceof Timestamp ? ts.toString() : '-';
  const host = headerField(first(e, ['[log][syslog][hostname]', '[host][hostname]', 'logsource', 'syslog5424_host']), 255);
  const app = headerField(first(e, ['[log][syslog][appname]', '[process][name]', 'program', 'syslog5424_app']), 48);
  const proc = headerField(first(e, ['[log][syslog][procid]', '[process][pid]', 'pid', 'syslog5424_proc']), 128);
  const msgid = headerField(first(e, ['[log][syslog][msgid]', 'syslog5424_msgid']), 32);
  const sd = sdText(e.get('[log][syslog][structured_data]'));
  const msg = first(e, ['message']);
  return `<${pri}>1 ${time} ${host} ${app} ${proc} ${msgid} ${sd}${msg !== undefined && msg !== '' ? ` ${msg}` : ''}\n`;
}

// ---- the plugin ------------------------------------------------------------------------------------

/**
 * Longest line the stream decoder holds without an LF: past it the line is cut (each piece is decoded and,
 * not being a whole message, comes out tagged _syslogparsefailure), so an endless line cannot exhaust memory.
 * Well above what senders use (RFC 5424 asks receivers for 2048 bytes; the syslog input's frames default to 64 KiB).
 */
const MAX_LINE_BYTES = 1024 * 1024;
const LF = Buffer.from('\n');

class LineDecoder implements Decoder {
  readonly #lines = new LineTokenizer(LF, MAX_LINE_BYTES);
  readonly #onLine = (bytes: Buffer): void => this.#line(bytes);
  constructor(private readonly cfg: SyslogCodecConfig, private readonly emit: (e: Event) => void, private readonly stream?: StreamInfo) {}

  #line(bytes: Buffer): void {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 13) end--;
    if (end === 0) return; // blank lines carry no message
    const e = decodeToEvent(frameText(bytes.subarray(0, end)), this.cfg);
    this.stream?.fields?.(e);
    this.emit(e);
  }

  push(chunk: Buffer | string): void {
    this.#lines.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk, this.#onLine);
  }

  line(bytes: Buffer): void { this.#line(bytes); }

  end(): void {
    const rest = this.#lines.flush();
    if (rest.length > 0) this.#line(rest);
  }
}

export function createSyslogCodec(config: SyslogCodecConfig): CodecInstance {
  const cfg: SyslogCodecConfig = { ...config, zone: config.zone ?? localZone() };
  return {
    decoder: (emit, stream) => new LineDecoder(cfg, emit, stream),
    decodeFrame(frame, emit) { emit(decodeToEvent(frameText(frame), cfg)); },
    encode: encodeRfc5424,
  };
}

export default defineCodec({
  name: 'syslog',
  doc: 'Decodes syslog messages, RFC 5424 and RFC 3164 (detected per message), into events with Logstash\'s field names (ECS or legacy). '
    + 'A message that does not decode keeps its raw text in `message` and is tagged `_syslogparsefailure`. Encodes events as RFC 5424 lines.',
  options: {
    lenient: {
      type: 'boolean', default: false,
      doc: `Accept what real senders emit besides the RFCs. RFC 5424: ${LENIENT_5424.join('; ')}. RFC 3164: ${LENIENT_3164.join('; ')}.`,
    },
    format: { type: 'string', values: ['auto', 'rfc5424', 'rfc3164'], default: 'auto', doc: 'Decode every message as this format instead of detecting it per message.' },
    timezone: { type: 'string', doc: 'Zone of RFC 3164 timestamps, which carry none: an IANA name (`Europe/Paris`) or an offset (`-05:00`). Default: the machine\'s zone, as Logstash.' },
    locale: { type: 'string', doc: 'Locale of month names in RFC 3164 timestamps (BCP 47, `fr` or `fr-FR`); English names are always accepted.' },
    use_labels: { type: 'boolean', default: true, doc: 'Add facility and severity names.' },
    facility_labels: { type: 'array', default: [...FACILITY_LABELS], doc: 'Facility names by code (the syslog input\'s defaults).' },
    severity_labels: { type: 'array', default: [...SEVERITY_LABELS], doc: 'Severity names by code (the syslog input\'s defaults).' },
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  create(options, ctx) {
    let zone: Zone | undefined;
    if (options.timezone !== undefined) {
      zone = resolveZone(options.timezone);
      if (!zone) throw new Error(`syslog codec: unknown timezone "${options.timezone}" (use an IANA name such as Europe/Paris, or an offset such as -05:00)`);
    }
    let monthNames: ReadonlyMap<string, number> | undefined;
    if (options.locale !== undefined) {
      monthNames = monthNamesFor(options.locale);
      if (!monthNames) throw new Error(`syslog codec: unknown locale "${options.locale}"`);
    }
    return createSyslogCodec({
      ecs: ctx.ecs,
      lenient: options.lenient,
      format: options.format,
      zone,
      monthNames,
      useLabels: options.use_labels,
      facilityLabels: options.facility_labels.map(String),
      severityLabels: options.severity_labels.map(String),
    });
  },
});
