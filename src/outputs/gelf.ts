/**
 * The `gelf` output (logstash-output-gelf 3.1, which sends through the gelf-rb 3.0 notifier): each event
 * becomes a GELF document — `short_message` (the event's `message`, or the `short_message` field when it is
 * set), `full_message` (sprintf of `full_message`), `host` (sprintf of `sender`), `level` (the first of
 * `level` that resolves, by name through the syslog severity table or as a number), with `ship_metadata`
 * every other top-level field as `_name` (arrays joined with ", ", hashes one level flattened as
 * `_name_key`, `id` as `__id`), `_tags`, `custom_fields`, and gelf-rb's `version` "1.0", `facility`
 * "gelf-rb" and `timestamp` (the event's, in seconds). UDP sends the JSON zlib-compressed, chunked above
 * `chunksize` bytes; TCP sends it NUL-terminated, uncompressed.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import type { Event } from '../event/event.js';
import { compileSprintf, type Formatter } from '../event/sprintf.js';
import { isHash, stringifyValue, type Hash, type Value } from '../event/values.js';
import { defineOutput, type Logger } from '../plugins/api.js';
import { chunkPayload } from '../formats/gelf/index.js';

const LEVELS: Record<string, number> = {
  debug: 7, d: 7, info: 6, i: 6, informational: 6, notice: 5, n: 5, warn: 4, w: 4, warning: 4,
  // Logstash's table lists "e" twice; the later entry (emergency, 0) wins in a Ruby hash literal.
  error: 3, e: 0, critical: 2, c: 2, alert: 1, a: 1, emergency: 0,
};

/** Ruby's String#to_i: the leading integer, else 0. */
function rubyToI(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s.replace(/_(?=\d)/g, ''));
  return m ? Number.parseInt(m[0], 10) : 0;
}

function joinArray(v: Value[]): string {
  return v.map((x) => (typeof x === 'string' ? x : isHash(x) || Array.isArray(x) ? stringifyValue(x) : String(x))).join(', ');
}

class TcpSender {
  #socket: net.Socket | undefined;
  #connecting: Promise<net.Socket> | undefined;
  constructor(readonly host: string, readonly port: number, readonly log: Logger) {}
  async #connect(): Promise<net.Socket> {
    if (this.#socket && !this.#socket.destroyed) return this.#socket;
    this.#connecting ??= new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host: this.host, port: this.port });
      s.once('connect', () => { s.off('error', reject); s.on('error', (err) => { this.log.warn('gelf output: connection error', { error: err.message }); }); this.#socket = s; resolve(s); });
      s.once('error', reject);
    }).finally(() => { this.#connecting = undefined; });
    return this.#connecting;
  }
  async send(data: Buffer): Promise<void> {
    const s = await this.#connect();
    await new Promise<void>((resolve, reject) => {
      s.write(data, (err) => { if (err) { s.destroy(); reject(err); } else resolve(); });
    });
  }
  close(): void { this.#socket?.end(); }
}

export default defineOutput({
  name: 'gelf',
  doc: 'Sends events as GELF to Graylog (or any GELF receiver) over UDP (compressed, chunked) or TCP.',
  options: {
    codec: { type: 'codec', default: 'plain', doc: 'Accepted as in Logstash; events are encoded as GELF.' },
    host: { type: 'string', required: true, doc: 'The GELF server\'s address.' },
    port: { type: 'number', default: 12201, doc: 'The GELF server\'s port.' },
    chunksize: { type: 'number', default: 1420, doc: 'Largest UDP payload per datagram before a message is chunked (bytes, without the 12-byte chunk header).' },
    protocol: { type: 'string', values: ['TCP', 'UDP'], default: 'UDP', doc: '`UDP` or `TCP`.' },
    sender: { type: 'string', default: '%{host}', doc: 'The GELF `host` (sprintf).' },
    level: { type: 'array', default: ['%{severity}', 'INFO'], doc: 'Candidates for the GELF level (sprintf); the first that resolves is used, by name (debug, info, warn…) or number.' },
    ship_metadata: { type: 'boolean', default: true, doc: 'Send the event\'s other fields as `_` additional fields.' },
    ship_tags: { type: 'boolean', default: true, doc: 'Send `tags` as `_tags`, joined with ", ".' },
    ignore_metadata: { type: 'array', default: ['@timestamp', '@version', 'severity', 'host', 'source_host', 'source_path', 'short_message'], doc: 'Fields not sent with `ship_metadata`.' },
    custom_fields: { type: 'hash', default: {}, doc: 'Extra fields sent as `_name` (without the underscore here).' },
    full_message: { type: 'string', default: '%{message}', doc: 'The GELF `full_message` (sprintf).' },
    short_message: { type: 'string', default: 'short_message', doc: 'Field whose value, when set and not empty, is the `short_message` instead of `message`.' },
  },
  create(options, ctx) {
    const full: Formatter = compileSprintf(options.full_message);
    const sender: Formatter = compileSprintf(options.sender);
    const levels = options.level.map((l) => ({ raw: String(l), fmt: compileSprintf(String(l)) }));
    const ignore = new Set(options.ignore_metadata.map(String));
    const custom = Object.entries(options.custom_fields).filter(([k]) => k !== 'id');
    const shortField = options.short_message;
    const udp = options.protocol === 'UDP' ? dgram.createSocket(net.isIPv6(options.host) ? 'udp6' : 'udp4') : undefined;
    udp?.on('error', (err) => { ctx.logger.warn('gelf output: socket error', { error: err.message }); });
    udp?.unref();
    const tcp = udp ? undefined : new TcpSender(options.host, options.port, ctx.logger);

    const document = (event: Event): Hash => {
      const m: Hash = { version: '1.0', host: '', level: 1, facility: 'gelf-rb' };
      m.short_message = event.get('message') ?? null;
      const sv = event.get(shortField);
      if (sv !== undefined && sv !== null && sv !== false) {
        const v = Array.isArray(sv) && sv.length === 1 ? sv[0]! : sv;
        const text = typeof v === 'string' ? v : stringifyValue(v);
        if (text !== '') m.short_message = text;
      }
      m.full_message = full(event);
      m.host = sender(event);
      if (options.ship_metadata) {
        for (const [key, value] of Object.entries(event.data)) {
          if (value === null || value === undefined || key === 'message') continue;
          let name = key.startsWith('_') ? key.slice(1) : key;
          if (name === 'id') name = '_id';
          if (ignore.has(name)) continue;
          if (Array.isArray(value)) m[`_${name}`] = joinArray(value);
          else if (isHash(value)) for (const [k, v] of Object.entries(value)) m[`_${name}_${k}`] = v;
          else m[`_${name}`] = value;
        }
      }
      const tags = event.get('tags');
      if (options.ship_tags && Array.isArray(tags)) m._tags = joinArray(tags);
      for (const [k, v] of custom) m[`_${k}`] = v as Value;
      let level: string | undefined;
      for (const l of levels) {
        const out = l.fmt(event);
        if (l.raw.includes('%{') && out === l.raw) continue;
        level = out;
        break;
      }
      const byName = level === undefined ? undefined : LEVELS[level.toLowerCase()];
      m.level = byName ?? (level === undefined ? 0 : rubyToI(level));
      m.timestamp = event.timestamp.epochMs / 1000;
      return m;
    };

    return {
      async receive(events) {
        for (const event of events) {
          const json = stringifyValue(document(event));
          if (udp) {
            const datagrams = chunkPayload(zlib.deflateSync(json), options.chunksize, randomBytes(8));
            for (const d of datagrams) {
              await new Promise<void>((resolve) => {
                udp.send(d, options.port, options.host, (err) => {
                  if (err) ctx.logger.warn('Trouble sending GELF event', { error: err.message });
                  resolve();
                });
              });
            }
          } else {
            await tcp!.send(Buffer.from(`${json}\0`));
          }
        }
      },
      close() { try { udp?.close(); } catch { /* closed */ } tcp?.close(); },
    };
  },
});
