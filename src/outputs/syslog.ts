/**
 * syslog: sends each event as a syslog message (RFC 3164 by default, or RFC 5424) over UDP, TCP or TLS
 * (`protocol => "ssl-tcp"`), as logstash-output-syslog builds it:
 *
 *     RFC 3164: <PRI>MMM dd HH:mm:ss SOURCEHOST APPNAME[PROCID]: MESSAGE
 *     RFC 5424: <PRI>1 TIMESTAMP SOURCEHOST APPNAME PROCID MSGID STRUCTURED-DATA MESSAGE
 *
 * each followed by a newline. The priority comes from the `facility` and `severity` labels (`use_labels`,
 * the default) or from the sprintf'd `priority` number (13 when it is not one in 0..191). A message's line
 * breaks are written as `\n`, so one event stays one line. Over UDP a send that fails is given up, as
 * Logstash does; over TCP the batch is retried every `reconnect_interval` seconds until it is written.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type tls from 'node:tls';
import { compileSprintf } from '../event/sprintf.js';
import type { Event } from '../event/event.js';
import { defineOutput, PluginConfigError, type CodecInstance } from '../plugins/api.js';
import { TlsConfigError, tlsSettings } from '../io/tls.js';
import { codecNameOf, codecOptionsOf } from '../plugins/context.js';
import { connectClient, endClient } from '../io/tcp.js';
import { writeWithBackpressure } from './_write.js';

const FACILITY_LABELS = [
  'kernel', 'user-level', 'mail', 'daemon', 'security/authorization', 'syslogd', 'line printer', 'network news',
  'uucp', 'clock', 'ftp', 'ntp', 'log audit', 'log alert', 'local0', 'local1', 'local2', 'local3', 'local4',
  'local5', 'local6', 'local7',
];
const SEVERITY_LABELS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'];

export default defineOutput({
  name: 'syslog',
  doc: 'Sends each event as a syslog message (RFC 3164 or RFC 5424) over UDP, TCP or TLS.',
  options: {
    host: { type: 'string', required: true, doc: 'Syslog server address.' },
    port: { type: 'number', required: true, doc: 'Syslog server port.' },
    protocol: { type: 'string', default: 'udp', values: ['tcp', 'udp', 'ssl-tcp'], doc: 'Transport: `udp`, `tcp`, or `ssl-tcp` (TLS).' },
    rfc: { type: 'string', default: 'rfc3164', values: ['rfc3164', 'rfc5424'], doc: 'Message format.' },
    reconnect_interval: { type: 'number', default: 1, doc: 'Seconds between reconnection attempts over TCP.' },
    use_labels: { type: 'boolean', default: true, doc: 'Take the priority from the `facility` and `severity` labels (else from `priority`).' },
    priority: { type: 'string', default: '%{syslog_pri}', doc: 'Priority number when `use_labels` is false (sprintf).' },
    facility: { type: 'string', default: 'user-level', doc: 'Facility label (sprintf): kernel, user-level, mail, daemon, …, local0…local7.' },
    severity: { type: 'string', default: 'notice', doc: 'Severity label (sprintf): emergency, alert, critical, error, warning, notice, informational, debug.' },
    sourcehost: { type: 'string', default: '%{host}', doc: 'Host name in the message (sprintf).' },
    appname: { type: 'string', default: 'LOGSTASH', doc: 'Application name (sprintf).' },
    procid: { type: 'string', default: '-', doc: 'Process id (sprintf).' },
    msgid: { type: 'string', default: '-', doc: 'RFC 5424 message id (sprintf).' },
    message: { type: 'string', default: '%{message}', doc: 'Message text (sprintf), used when the codec is `plain` without a `format`.' },
    structured_data: { type: 'string', default: '', doc: 'RFC 5424 structured data (sprintf), e.g. `[origin@123 ip="%{ip}"]`.' },
    codec: { type: 'codec', default: 'plain', doc: 'Codec encoding the message part (default: `plain` printing `message`).' },
    ssl_verify: { type: 'boolean', default: false, doc: 'ssl-tcp: verify the server certificate against `ssl_certificate_authorities`.' },
    ssl_certificate_authorities: { type: 'path', list: true, doc: 'ssl-tcp: PEM files or directories of CAs for `ssl_verify`.' },
    ssl_cacert: { type: 'path', deprecated: "Use 'ssl_certificate_authorities' instead.", doc: 'Deprecated name of `ssl_certificate_authorities`.' },
    ssl_certificate: { type: 'path', doc: 'ssl-tcp: PEM client certificate.' },
    ssl_cert: { type: 'path', deprecated: "Use 'ssl_certificate' instead.", doc: 'Deprecated name of `ssl_certificate`.' },
    ssl_key: { type: 'path', doc: 'ssl-tcp: PEM private key of `ssl_certificate`.' },
    ssl_key_passphrase: { type: 'password', doc: 'ssl-tcp: passphrase of `ssl_key`.' },
    ssl_cipher_suites: { type: 'string', list: true, doc: 'ssl-tcp: cipher suites (OpenSSL names).' },
    ssl_supported_protocols: { type: 'string', list: true, values: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], doc: 'ssl-tcp: allowed TLS versions.' },
    ssl_crl_path: { type: 'path', doc: 'Not supported by sluice: certificate revocation lists.' },
    ssl_crl_check: { type: 'string', list: true, values: ['leaf', 'chain'], default: ['leaf'], doc: 'Not supported by sluice (see `ssl_crl_path`).' },
  },
  check(options) {
    const problems: PluginConfigError[] = [];
    if (options.rfc === 'rfc3164' && options.structured_data !== '') problems.push(new PluginConfigError('Structured data is not supported for RFC3164', 'structured_data'));
    if (options.ssl_crl_path !== undefined) problems.push(new PluginConfigError('ssl_crl_path: certificate revocation lists are not supported by sluice', 'ssl_crl_path'));
    return problems;
  },
  create(options, ctx) {
    const label = `syslog output ${ctx.id}`;
    const fmt = {
      appname: compileSprintf(options.appname), procid: compileSprintf(options.procid), sourcehost: compileSprintf(options.sourcehost),
      msgid: compileSprintf(options.msgid), facility: compileSprintf(options.facility), severity: compileSprintf(options.severity),
      priority: compileSprintf(options.priority), structured: compileSprintf(options.structured_data),
      stamp3164: compileSprintf('%{+MMM dd HH:mm:ss}'), stamp5424: compileSprintf("%{+YYYY-MM-dd'T'HH:mm:ss.SSSZZ}"),
    };
    // Logstash gives a plain codec without `format` the `message` option as its format.
    const codec = options.codec;
    const messageOf: (e: Event) => string = codecIsBarePlain(codec)
      ? compileSprintf(options.message)
      : (e) => { const out = codec.encode(e); return typeof out === 'string' ? out : out.toString('utf8'); };
    const rfc3164 = options.rfc === 'rfc3164';

    const render = (e: Event): string => {
      const message = messageOf(e).trimEnd().replace(/\r\n/g, '\n').replace(/\n/g, '\\n');
      let priority: number;
      if (options.use_labels) {
        const f = FACILITY_LABELS.indexOf(fmt.facility(e));
        const s = SEVERITY_LABELS.indexOf(fmt.severity(e));
        priority = (f < 0 ? 1 : f) * 8 + (s < 0 ? 5 : s);
      } else {
        const text = fmt.priority(e).trim();
        priority = /^[+-]?\d+$/.test(text) ? Number(text) : 13;
        if (priority < 0 || priority > 191) priority = 13;
      }
      if (rfc3164) return `<${priority}>${fmt.stamp3164(e)} ${fmt.sourcehost(e)} ${fmt.appname(e)}[${fmt.procid(e)}]: ${message}\n`;
      const sd = options.structured_data === '' ? '-' : fmt.structured(e);
      return `<${priority}>1 ${fmt.stamp5424(e)} ${fmt.sourcehost(e)} ${fmt.appname(e)} ${fmt.procid(e)} ${fmt.msgid(e)} ${sd} ${message}\n`;
    };

    if (options.protocol === 'udp') {
      const socket = dgram.createSocket(net.isIPv6(options.host) ? 'udp6' : 'udp4');
      socket.on('error', (err) => { ctx.logger.warn(`${label}: socket error`, { error: err.message }); });
      socket.unref();
      return {
        async receive(events) {
          // A UDP send that fails is given up, as Logstash's does.
          await Promise.all(events.map((e) => new Promise<void>((resolve) => socket.send(Buffer.from(render(e)), options.port, options.host, () => resolve()))));
        },
        close() { return new Promise<void>((r) => { try { socket.close(() => r()); } catch { r(); } }); },
      };
    }

    let clientTls: tls.ConnectionOptions | undefined;
    if (options.protocol === 'ssl-tcp') {
      try {
        clientTls = tlsSettings({
          ssl_enabled: true,
          ssl_certificate: options.ssl_certificate ?? options.ssl_cert,
          ssl_key: options.ssl_key,
          ssl_key_passphrase: options.ssl_key_passphrase,
          ssl_certificate_authorities: options.ssl_certificate_authorities ?? (options.ssl_cacert === undefined ? [] : [options.ssl_cacert]),
          ssl_verification_mode: options.ssl_verify ? 'full' : 'none',
          ssl_cipher_suites: options.ssl_cipher_suites ?? [],
          ssl_supported_protocols: options.ssl_supported_protocols ?? [],
        }, 'client', ctx.logger, ctx.cwd).client;
      } catch (err) {
        if (err instanceof TlsConfigError) throw new PluginConfigError(`syslog output: ${err.message}`, 'ssl_certificate');
        throw err;
      }
    }
    let socket: net.Socket | undefined;
    const connect = (): Promise<net.Socket> => connectClient(options.host, options.port, clientTls)
      .then((s) => { s.once('close', () => { if (socket === s) socket = undefined; }); return s; });
    return {
      // Logstash reconnects every reconnect_interval and resends: the batch is retried at that pace.
      retryPolicy: { initialMs: options.reconnect_interval * 1000, maxMs: options.reconnect_interval * 1000 },
      async receive(events) {
        const text = events.map(render).join('');
        try {
          socket ??= await connect();
          await writeWithBackpressure(socket, text);
        } catch (err) {
          ctx.logger.warn(`syslog ${options.protocol} output exception: closing, reconnecting and resending event`, { host: options.host, port: options.port, exception: (err as Error).message });
          socket?.destroy();
          socket = undefined;
          throw err;
        }
      },
      async close() {
        const s = socket;
        socket = undefined;
        await endClient(s);
      },
    };
  },
});

/** A `plain` codec without `format`: Logstash replaces it by one whose format is the `message` option. */
function codecIsBarePlain(codec: CodecInstance): boolean {
  return (codecNameOf(codec) ?? 'plain') === 'plain' && codecOptionsOf(codec)?.format === undefined;
}
