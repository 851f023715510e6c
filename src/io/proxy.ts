/**
 * PROXY protocol v1 (HAProxy): a first line `PROXY TCP4 <src ip> <dst ip> <src port> <dst port>\r\n`
 * that a load balancer sends before the client's bytes. Only v1 is supported, as in Logstash.
 */

export interface ProxyInfo {
  /** The original client. */
  clientIp: string;
  clientPort: number;
  /** The proxy's side of the connection, as the header gives it. */
  proxyIp: string;
  proxyPort: number;
}

import type { Socket } from 'node:net';
import type { Logger } from '../services/logger.js';

/** The spec caps the v1 line at 107 bytes including CRLF. */
const MAX_HEADER = 107;

export type ProxyResult =
  | { status: 'more' }
  | { status: 'ok'; info: ProxyInfo | undefined; rest: Buffer }
  | { status: 'error'; reason: string };

/** Accumulates the first bytes of a connection until the PROXY line is complete. */
export class ProxyHeaderReader {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): ProxyResult {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const lf = this.#buf.indexOf(0x0a);
    if (lf < 0) {
      return this.#buf.length >= MAX_HEADER ? { status: 'error', reason: 'PROXY header line too long' } : { status: 'more' };
    }
    const line = this.#buf.subarray(0, lf).toString('latin1').replace(/\r$/, '');
    const rest = this.#buf.subarray(lf + 1);
    const parts = line.split(' ');
    if (parts[0] !== 'PROXY') return { status: 'error', reason: `invalid proxy protocol header label: ${JSON.stringify(line.slice(0, 40))}` };
    if (parts[1] === 'UNKNOWN') return { status: 'ok', info: undefined, rest };
    if ((parts[1] !== 'TCP4' && parts[1] !== 'TCP6') || parts.length !== 6) {
      return { status: 'error', reason: `malformed PROXY header: ${JSON.stringify(line)}` };
    }
    const clientPort = Number(parts[4]);
    const proxyPort = Number(parts[5]);
    if (!Number.isInteger(clientPort) || !Number.isInteger(proxyPort)) return { status: 'error', reason: `malformed PROXY header ports: ${JSON.stringify(line)}` };
    return { status: 'ok', info: { clientIp: parts[2]!, proxyIp: parts[3]!, clientPort, proxyPort }, rest };
  }
}

/**
 * A connection's byte consumer that, when `enabled`, first reads the PROXY header: `onHeader` learns the
 * original client, then every byte after the header goes to `next`. An invalid header is logged and closes
 * the connection (its data cannot be attributed).
 */
export function proxiedConsumer(opts: {
  enabled: boolean;
  socket: Socket;
  logger: Logger;
  /** Who is reading, for the log line (`tcp input`). */
  reader: string;
  peer: string;
  onHeader: (info: ProxyInfo) => void;
  next: (chunk: Buffer) => void;
}): (chunk: Buffer) => void {
  let proxy = opts.enabled ? new ProxyHeaderReader() : undefined;
  return (chunk) => {
    if (!proxy) { opts.next(chunk); return; }
    const r = proxy.push(chunk);
    if (r.status === 'more') return;
    proxy = undefined;
    if (r.status === 'error') {
      opts.logger.error(`${opts.reader}: invalid PROXY header, closing connection`, { client: opts.peer, reason: r.reason });
      opts.socket.destroy();
      return;
    }
    if (r.info) opts.onHeader(r.info);
    if (r.rest.length > 0) opts.next(r.rest);
  };
}
