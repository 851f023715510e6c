/**
 * tcp: writes encoded events (codec default `json`, as in Logstash) to a TCP socket. In `client` mode (the
 * default) it connects to `host:port`; while the connection cannot be made or breaks, the batch is
 * retried every `reconnect_interval` seconds, so nothing is lost and the pipeline is held meanwhile. In
 * `server` mode it listens on `host:port` and writes every event to each connected client (with no client
 * connected the events go nowhere, as in Logstash). TLS with the `ssl_*` options of Logstash's tcp output.
 */
import net from 'node:net';
import { defineOutput, PluginConfigError } from '../plugins/api.js';
import { TLS_OPTION_SPECS, TlsConfigError, tlsSettings } from '../io/tls.js';
import { connectClient, endClient, TcpListener } from '../io/tcp.js';
import { encodeBatch, writeWithBackpressure } from './_write.js';

export default defineOutput({
  name: 'tcp',
  doc: 'Writes events over TCP (optionally TLS), as a client connecting to `host:port` or as a server its clients connect to.',
  options: {
    host: { type: 'string', required: true, doc: 'Host to connect to (client) or address to listen on (server).' },
    port: { type: 'number', required: true, doc: 'Port to connect to (client) or listen on (server).' },
    mode: { type: 'string', default: 'client', values: ['server', 'client'], doc: '`client` connects to host:port; `server` listens there.' },
    reconnect_interval: { type: 'number', default: 10, doc: 'Seconds between connection attempts in client mode.' },
    codec: { type: 'codec', default: 'json', doc: 'Codec encoding each event (default `json`; `json_lines` for one JSON document per line).' },
    ...TLS_OPTION_SPECS,
  },
  async create(options, ctx) {
    let conf;
    try { conf = tlsSettings(options, options.mode, ctx.logger, ctx.cwd); } catch (err) {
      if (err instanceof TlsConfigError) throw new PluginConfigError(`tcp output: ${err.message}`, 'ssl_enabled');
      throw err;
    }
    const { codec } = options;
    const label = `tcp output ${ctx.id}`;
    if (options.mode === 'server') {
      const clients = new Set<net.Socket>();
      const listener = new TcpListener({
        host: options.host, port: options.port, ...(conf.server ? { tls: conf.server } : {}), logger: ctx.logger, label,
        onConnection: (socket) => new Promise<void>((resolve) => {
          clients.add(socket);
          socket.on('error', () => undefined);
          socket.on('data', () => undefined);
          socket.once('close', () => { clients.delete(socket); resolve(); });
        }),
      });
      await listener.listen();
      return {
        async receive(events) {
          if (clients.size === 0) return;
          const data = encodeBatch(codec, events);
          await Promise.all([...clients].map((s) => Promise.resolve(writeWithBackpressure(s, data)).catch(() => { clients.delete(s); s.destroy(); })));
        },
        async close() { await listener.close(); },
      };
    }

    let socket: net.Socket | undefined;
    let connecting: Promise<net.Socket> | undefined;
    const connect = (): Promise<net.Socket> => {
      connecting ??= connectClient(options.host, options.port, conf.client, (err) => { ctx.logger.warn(`${label}: connection error`, { error: err.message }); })
        .then((s) => { s.once('close', () => { if (socket === s) socket = undefined; }); return s; })
        .finally(() => { connecting = undefined; });
      return connecting;
    };
    return {
      retryPolicy: { initialMs: options.reconnect_interval * 1000, maxMs: options.reconnect_interval * 1000 },
      async receive(events) {
        if (!socket || socket.destroyed) {
          try { socket = await connect(); } catch (err) {
            ctx.logger.warn(`${label}: Failed to connect to ${options.host}:${options.port}; retrying in ${options.reconnect_interval}s`, { error: (err as Error).message });
            throw err;
          }
        }
        const s = socket;
        try {
          await writeWithBackpressure(s, encodeBatch(codec, events));
        } catch (err) {
          s.destroy();
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
