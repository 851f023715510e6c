/**
 * The fastify HTTP(S) server shared by the http and kinesis_firehose inputs and the monitoring API: bodies
 * arrive as raw bytes (the plugin decides how to decode them), `Content-Encoding: gzip|deflate` is undone,
 * and a bind failure is reported with the address and a hint.
 */
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';
import type { TlsOptions } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { bindError } from './tcp.js';
import { plainIp } from './pump.js';

export interface HttpServerOptions {
  host: string;
  port: number;
  /** HTTPS when present. */
  tls?: TlsOptions | undefined;
  /** Largest body in bytes; a larger one is answered 413. */
  bodyLimit?: number;
  /** For errors: `http input`, `monitoring API`. */
  label: string;
}

export interface HttpServer {
  readonly app: FastifyInstance;
  /** Bind; resolves with the bound port (useful with port 0), rejects with a readable bind error. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** An undecodable compressed body: answered 400, as Netty's HttpContentDecompressor does. */
export class DecompressionError extends Error {}

function decompress(encoding: string | undefined, body: Buffer): Buffer {
  const enc = (encoding ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(body);
    if (enc === 'deflate') return inflateSync(body);
    if (enc === 'br') return brotliDecompressSync(body);
  } catch (err) {
    throw new DecompressionError(`cannot decompress the ${enc} body: ${(err as Error).message}`);
  }
  return body;
}

export function createHttpServer(o: HttpServerOptions): HttpServer {
  const app = Fastify({
    logger: false,
    bodyLimit: o.bodyLimit ?? 100 * 1024 * 1024,
    exposeHeadRoutes: false,
    ...(o.tls ? { https: o.tls } : {}),
  }) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    try {
      done(null, decompress(req.headers['content-encoding'] as string | undefined, body as Buffer));
    } catch (err) {
      const e = err as Error & { statusCode?: number };
      e.statusCode = 400;
      done(e, undefined);
    }
  });
  let port = o.port;
  return {
    app,
    async listen() {
      try {
        await app.listen({ host: o.host, port: o.port });
      } catch (err) {
        throw bindError(o.label, o.host, o.port, err as NodeJS.ErrnoException);
      }
      const a = app.server.address();
      if (a && typeof a === 'object') port = a.port;
      return port;
    },
    async close() { await app.close(); },
  };
}

/** The request body as bytes (empty when there is none). */
export function bodyOf(req: FastifyRequest): Buffer {
  const b = req.body;
  if (Buffer.isBuffer(b)) return b;
  if (typeof b === 'string') return Buffer.from(b);
  return Buffer.alloc(0);
}

/** The client's IP without the IPv4-mapped prefix. */
export function remoteIp(req: FastifyRequest): string {
  return plainIp(req.raw.socket.remoteAddress);
}
