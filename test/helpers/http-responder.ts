/**
 * A real HTTP server on 127.0.0.1 for tests of HTTP clients (the http filter): it records every request
 * (method, path with query, headers as sent, body) and answers with whatever the current `respond` says.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  /** Header names and values as they came, in order (`rawHeaders` pairs). */
  rawHeaders: [string, string][];
  /** Lower-cased names; a repeated header joined as Node does. */
  headers: IncomingMessage['headers'];
  body: string;
}

export type Respond = (req: RecordedRequest, res: ServerResponse) => void;

export interface HttpResponder {
  readonly base: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  respond: Respond;
  /** Values of one header as sent (any case), in order. */
  headerValues(req: RecordedRequest, name: string): string[];
  close(): Promise<void>;
}

/** A plain 200 with a text body and optional headers. */
export function answer(code: number, body: string | undefined, headers: Record<string, string | string[]> = {}): Respond {
  return (_req, res) => {
    res.statusCode = code;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(body);
  };
}

export async function startResponder(respond: Respond = answer(200, 'ok')): Promise<HttpResponder> {
  const requests: RecordedRequest[] = [];
  const state = { respond };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw: [string, string][] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) raw.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', rawHeaders: raw, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(rec);
      state.respond(rec, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    requests,
    get respond() { return state.respond; },
    set respond(r: Respond) { state.respond = r; },
    headerValues: (req, name) => req.rawHeaders.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
