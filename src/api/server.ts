/**
 * The monitoring API (Logstash's, on `api.http.host`:`api.http.port`, the first free port of the range):
 * `GET /`, `/_node[/pipelines|os|jvm]`, `/_node/pipelines/:id`, `/_node/stats[/events|jvm|process|
 * reloads|os|pipelines[/:id]]`, `/_node/plugins`, `/_health_report`, with `?pretty`; Prometheus text at
 * `/metrics`; the grok debugger at `/grok`. Basic auth (`api.auth.type: basic`) and TLS (`api.ssl.*`, PEM).
 */
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../services/logger.js';
import { createHttpServer, type HttpServer } from '../io/http.js';
import { healthReport, nodeInfo, nodePlugins, nodeStats, rootInfo, type ApiSource } from './stats.js';
import { prometheusText, PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
import { registerGrokDebugger } from './grok-page.js';

export interface ApiServer {
  readonly port: number;
  close(): Promise<void>;
}

function send(req: FastifyRequest, reply: FastifyReply, body: unknown, status = 200): void {
  const q = req.query as Record<string, string | undefined>;
  const pretty = q.pretty !== undefined && q.pretty !== 'false';
  void reply.code(status).header('content-type', 'application/json').send(pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body));
}

function notFound(req: FastifyRequest, reply: FastifyReply): void {
  send(req, reply, { path: req.url.split('?')[0], status: 404, error: { message: 'Not Found' } }, 404);
}

/** Bind the first free port of the range; undefined when every one is taken. */
async function bindRange(make: (port: number) => HttpServer, lo: number, hi: number): Promise<{ server: HttpServer; port: number } | undefined> {
  for (let port = lo; port <= hi; port++) {
    const server = make(port);
    try {
      return { server, port: await server.listen() };
    } catch (err) {
      await server.close().catch(() => undefined);
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  return undefined;
}

/** Start the API when `api.enabled`; logs the port as Logstash does. */
export async function startApiServer(src: ApiSource, log: Logger): Promise<ApiServer | undefined> {
  const s = src.settings;
  if (!s.boolean('api.enabled')) return undefined;
  const host = s.string('api.http.host') ?? '127.0.0.1';
  const range = s.get('api.http.port') as [number, number];
  const [lo, hi] = Array.isArray(range) ? range : [Number(range), Number(range)];
  let tls: { cert: Buffer; key: Buffer } | undefined;
  if (s.boolean('api.ssl.enabled')) {
    const cert = s.string('api.ssl.certificate');
    const key = s.string('api.ssl.key');
    if (!cert || !key) throw new Error('api.ssl.enabled needs api.ssl.certificate and api.ssl.key (PEM files)');
    tls = { cert: readFileSync(cert), key: readFileSync(key) };
  }
  let auth: string | undefined;
  if (s.string('api.auth.type') === 'basic') {
    const user = s.string('api.auth.basic.username');
    const pass = s.string('api.auth.basic.password');
    if (!user || !pass) throw new Error('api.auth.type: basic needs api.auth.basic.username and api.auth.basic.password');
    auth = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  let address = '';
  const make = (port: number): HttpServer => {
    const server = createHttpServer({ host, port, tls, label: 'monitoring API', bodyLimit: 1024 * 1024 });
    const app = server.app;
    if (auth !== undefined) {
      app.addHook('onRequest', (req, reply, done) => {
        if (req.headers.authorization === auth) return done();
        void reply.code(401).header('www-authenticate', 'Basic realm="Logstash API"').header('content-type', 'application/json')
          .send(JSON.stringify({ path: req.url, status: 401, error: { message: 'Unauthorized' } }));
      });
    }
    app.get('/', (req, reply) => send(req, reply, rootInfo(src, address)));
    app.get('/_node', (req, reply) => send(req, reply, nodeInfo(src, address)));
    app.get('/_node/:part', (req, reply) => {
      const { part } = req.params as { part: string };
      if (part === 'stats') return send(req, reply, nodeStats(src, address));
      if (part === 'plugins') return send(req, reply, nodePlugins(src, address));
      if (!['pipelines', 'os', 'jvm'].includes(part)) return notFound(req, reply);
      return send(req, reply, nodeInfo(src, address, part));
    });
    app.get('/_node/pipelines/:id', (req, reply) => {
      const { id } = req.params as { id: string };
      const info = nodeInfo(src, address, 'pipelines') as { pipelines: Record<string, unknown> };
      if (!(id in info.pipelines)) return notFound(req, reply);
      return send(req, reply, { ...info, pipelines: { [id]: info.pipelines[id] } });
    });
    app.get('/_node/stats/:part', (req, reply) => {
      const r = nodeStats(src, address, (req.params as { part: string }).part);
      return r === undefined ? notFound(req, reply) : send(req, reply, r);
    });
    app.get('/_node/stats/pipelines/:id', (req, reply) => {
      const r = nodeStats(src, address, 'pipelines', (req.params as { id: string }).id);
      return r === undefined ? notFound(req, reply) : send(req, reply, r);
    });
    app.get('/_health_report', (req, reply) => send(req, reply, healthReport(src, address)));
    app.get('/metrics', (_req, reply) => { void reply.header('content-type', PROMETHEUS_CONTENT_TYPE).send(prometheusText(src.metrics)); });
    registerGrokDebugger(app, s);
    app.setNotFoundHandler((req, reply) => notFound(req, reply));
    return server;
  };
  const bound = await bindRange(make, lo, hi);
  if (!bound) {
    log.warn(`Unable to start the Logstash API endpoint: every port of ${host}:${lo}-${hi} is in use`);
    return undefined;
  }
  // The API never keeps the process alive by itself: a run whose inputs are finished ends as before.
  bound.server.app.server.unref();
  address = `${host}:${bound.port}`;
  log.info('Successfully started Logstash API endpoint', { port: bound.port, ssl_enabled: tls !== undefined });
  return { port: bound.port, close: () => bound.server.close() };
}
