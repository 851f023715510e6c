/**
 * A TCP (optionally TLS) listener that tracks its connections, so an input can stop accepting, close every
 * connection and know when each one has flushed its pending data.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../services/logger.js';
import { peerSubject } from './tls.js';
import { drainBuffered, plainIp } from './pump.js';

export interface Peer {
  ip: string;
  port: number;
  /** Subject of the verified client certificate (TLS with client authentication). */
  sslSubject?: string;
}

export interface ListenerOptions {
  host: string;
  port: number;
  /** TLS server options; plain TCP when absent. */
  tls?: tls.TlsOptions;
  keepAlive?: boolean;
  logger: Logger;
  /** For log lines: `tcp input`, `syslog input`. */
  label: string;
  /** Handle one connection; resolve once its data is flushed. */
  onConnection(socket: net.Socket, peer: Peer): Promise<void>;
}

/** A bind failure with the address and a hint, instead of Node's bare `listen EADDRINUSE`. */
export function bindError(label: string, host: string, port: number, err: NodeJS.ErrnoException): Error {
  const hint = err.code === 'EADDRINUSE' ? 'address already in use (another process listens there; pick another port)'
    : err.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges; 5514 is the usual unprivileged syslog port)'
      : err.message;
  const e = new Error(`${label}: cannot listen on ${host}:${port}: ${hint}`);
  (e as NodeJS.ErrnoException).code = err.code;
  return e;
}

export class TcpListener {
  readonly #o: ListenerOptions;
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();
  readonly #handlers = new Set<Promise<void>>();
  #closed = false;

  constructor(options: ListenerOptions) { this.#o = options; }

  /** The bound port (useful with port 0). */
  get port(): number {
    const a = this.#server?.address();
    return a && typeof a === 'object' ? a.port : this.#o.port;
  }

  get connectionCount(): number { return this.#sockets.size; }

  /** Bind and start accepting. Rejects when the address cannot be bound. */
  listen(): Promise<void> {
    const o = this.#o;
    const server = o.tls
      ? tls.createServer(o.tls, (s) => this.#accept(s, true))
      : net.createServer((s) => this.#accept(s, false));
    if (o.tls) {
      server.on('tlsClientError', (err: Error, s: tls.TLSSocket) => {
        o.logger.warn(`${o.label}: TLS handshake failed`, { client: `${plainIp(s.remoteAddress)}:${s.remotePort}`, error: err.message });
      });
    }
    this.#server = server;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => { reject(bindError(o.label, o.host, o.port, err)); };
      server.once('error', onError);
      server.listen({ host: o.host, port: o.port }, () => {
        server.off('error', onError);
        server.on('error', (err) => { o.logger.error(`${o.label}: listener error`, { error: err.message }); });
        o.logger.info(`${o.label}: listening`, { address: `${o.host}:${this.port}`, ssl_enabled: Boolean(o.tls) });
        resolve();
      });
    });
  }

  #accept(socket: net.Socket, secure: boolean): void {
    const o = this.#o;
    if (this.#closed) { socket.destroy(); return; }
    // Until the handler attaches its own, an error (reset during a reverse lookup) must not crash the process.
    socket.on('error', () => undefined);
    const peer: Peer = { ip: plainIp(socket.remoteAddress), port: socket.remotePort ?? 0 };
    if (secure) {
      const ts = socket as tls.TLSSocket;
      const auth = o.tls?.requestCert === true;
      if (auth) {
        const cert = ts.getPeerCertificate();
        const presented = cert && Object.keys(cert).length > 0;
        // `optional`: a client may present no certificate, but one it presents must verify.
        if (presented && !ts.authorized) {
          o.logger.warn(`${o.label}: client certificate rejected`, { client: `${peer.ip}:${peer.port}`, reason: String(ts.authorizationError) });
          socket.destroy();
          return;
        }
        if (presented) peer.sslSubject = peerSubject(ts);
      }
    }
    if (o.keepAlive) socket.setKeepAlive(true);
    this.#sockets.add(socket);
    o.logger.debug(`${o.label}: new connection`, { client: `${peer.ip}:${peer.port}` });
    const h = o.onConnection(socket, peer).catch((err: unknown) => {
      o.logger.error(`${o.label}: connection handler failed`, { client: `${peer.ip}:${peer.port}`, error: String(err) });
      socket.destroy();
    }).finally(() => {
      this.#sockets.delete(socket);
      this.#handlers.delete(h);
    });
    this.#handlers.add(h);
  }

  /** Stop accepting, close every connection, and resolve once every connection has flushed. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      const server = this.#server;
      if (server) {
        await new Promise<void>((r) => {
          server.close(() => r());
          for (const s of this.#sockets) { drainBuffered(s); s.destroy(); }
        });
      }
    }
    while (this.#handlers.size > 0) await Promise.all([...this.#handlers]);
  }
}

/**
 * Connect to `host:port` (TLS when `tls` is given, with SNI for host names), resolving once the
 * connection (or handshake) is made. Errors after that destroy the socket (a writer then sees it closed);
 * what the peer sends is read and dropped so it cannot stall the connection.
 */
export function connectClient(host: string, port: number, tlsOptions: tls.ConnectionOptions | undefined, onError?: (err: Error) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = tlsOptions
      ? tls.connect({ host, port, ...tlsOptions, ...(net.isIP(host) ? {} : { servername: host }) })
      : net.connect({ host, port });
    const failed = (err: Error): void => { s.destroy(); reject(err); };
    s.once('error', failed);
    s.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      s.off('error', failed);
      s.on('error', (err) => { onError?.(err); s.destroy(); });
      s.on('data', () => undefined);
      resolve(s);
    });
  });
}

/** End a client socket politely, waiting at most two seconds for the peer. */
export async function endClient(s: net.Socket | undefined): Promise<void> {
  if (s && !s.destroyed) await new Promise<void>((r) => { s.end(() => r()); setTimeout(r, 2000).unref(); });
}
