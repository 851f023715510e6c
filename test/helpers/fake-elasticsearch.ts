/**
 * An HTTP(S) server on 127.0.0.1 that answers like Elasticsearch 8 for what a log shipper uses: `GET /`
 * (cluster info with `X-Elastic-Product`), `HEAD /`, index templates (`_index_template`, `_template`), and
 * the bulk API (`POST [/<prefix>]/_bulk`, NDJSON, gzip request bodies) with its documented response shape:
 * `{"took","errors","items":[{"<action>":{"_index","_id","status",…,"error":{"type","reason"}}}]}`.
 *
 * Documents are stored per index. Like Elasticsearch's dynamic mapping, the first value of a field fixes
 * its type: a later document with a non-numeric string in a numeric field fails with 400
 * `mapper_parsing_exception`. `create` of an existing id fails with 409 `version_conflict_engine_exception`;
 * `update` of a missing document 404 `document_missing_exception` unless upserted; `delete` of a missing one
 * is a 404 `not_found` result. Tests can script whole-request failures (429, 503), per-item failures
 * (`itemStatus`), basic auth, TLS, and stop/restart the server on the same port. With
 * `distribution: 'opensearch'` it answers like OpenSearch 2.x instead.
 */
import http from 'node:http';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface BulkOp { action: string; index: string; id: string | undefined; meta: Record<string, unknown>; doc: Record<string, unknown> | undefined }

export interface FakeEsOptions {
  /** `user:password` required as HTTP basic auth. */
  auth?: string;
  /** An API key (`id:key`) accepted as `Authorization: ApiKey base64(id:key)`. */
  apiKey?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Path prefix the API lives under (a proxy remapping the root). */
  prefix?: string;
  /** Per item: a status to answer instead of indexing (429, 503…), or undefined to index normally. */
  itemStatus?: (op: BulkOp, attempt: number) => number | undefined;
  port?: number;
  version?: string;
  /**
   * `opensearch`: answer `GET /` as OpenSearch does (`version.distribution: "opensearch"`, number 2.x by
   * default, the OpenSearch tagline) and send no `X-Elastic-Product` header.
   */
  distribution?: 'elasticsearch' | 'opensearch';
  /** Answer `GET /` with 404 (Amazon OpenSearch Serverless has no such endpoint). */
  noRootInfo?: boolean;
}

export interface BulkRequestLog { bytes: number; gzip: boolean; items: number; status: number; headers: http.IncomingHttpHeaders; path: string }

const ERROR_TYPES: Record<number, { type: string; reason: string }> = {
  429: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024, max_coordinating_and_primary_bytes=107374182]' },
  500: { type: 'exception', reason: 'internal error' },
  503: { type: 'unavailable_shards_exception', reason: '[logs][0] primary shard is not active Timeout: [1m]' },
};

export class FakeElasticsearch {
  readonly docs = new Map<string, Map<string, Record<string, unknown>>>();
  readonly templates = new Map<string, unknown>();
  readonly legacyTemplates = new Map<string, unknown>();
  readonly bulks: BulkRequestLog[] = [];
  /** Every bulk item received, in order (action, metadata line, source). */
  readonly ops: BulkOp[] = [];
  readonly requests: { method: string; path: string; headers: http.IncomingHttpHeaders }[] = [];
  /** Statuses answered to the next whole bulk requests, in order (429, 503…). */
  readonly failNext: number[] = [];
  readonly #mappings = new Map<string, Map<string, 'number' | 'string' | 'boolean' | 'object'>>();
  readonly #attempts = new Map<string, number>();
  #server: http.Server | undefined;
  #port = 0;
  #seq = 0;

  constructor(readonly options: FakeEsOptions = {}) { this.#port = options.port ?? 0; }

  get port(): number { return this.#port; }
  get url(): string { return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.#port}${this.options.prefix ?? ''}`; }

  /** Every stored document of an index (or of all indices). */
  all(index?: string): Record<string, unknown>[] {
    const maps = index === undefined ? [...this.docs.values()] : [this.docs.get(index) ?? new Map()];
    return maps.flatMap((m) => [...m.values()]);
  }

  count(): number { return this.all().length; }

  async start(): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => { void this.#handle(req, res); };
    const server = this.options.tls ? https.createServer({ key: this.options.tls.key, cert: this.options.tls.cert }, handler) : http.createServer(handler);
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  /** Stop listening and drop every connection (the host is down). */
  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => { s.close(() => resolve()); s.closeAllConnections(); });
  }

  #json(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    const product = this.options.distribution === 'opensearch' ? {} : { 'x-elastic-product': 'Elasticsearch' };
    res.writeHead(status, { 'content-type': 'application/json', ...product, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  #authorized(req: http.IncomingMessage): boolean {
    const { auth, apiKey } = this.options;
    if (auth === undefined && apiKey === undefined) return true;
    const h = req.headers.authorization ?? '';
    if (auth !== undefined && h === `Basic ${Buffer.from(auth).toString('base64')}`) return true;
    if (apiKey !== undefined && h === `ApiKey ${Buffer.from(apiKey).toString('base64')}`) return true;
    return false;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks);
    const gz = req.headers['content-encoding'] === 'gzip';
    if (gz) body = gunzipSync(body);
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const prefix = this.options.prefix ?? '';
    if (!url.pathname.startsWith(prefix)) { this.#json(res, 404, { error: 'no handler', status: 404 }); return; }
    const path = url.pathname.slice(prefix.length) || '/';
    if (!this.#authorized(req)) {
      res.setHeader('www-authenticate', 'Basic realm="security" charset="UTF-8"');
      this.#json(res, 401, { error: { root_cause: [{ type: 'security_exception', reason: 'missing authentication credentials for REST request [/]' }], type: 'security_exception', reason: 'missing authentication credentials for REST request [/]' }, status: 401 });
      return;
    }
    if (path === '/' && req.method === 'GET' && this.options.noRootInfo) {
      this.#json(res, 404, { error: 'no handler', status: 404 });
      return;
    }
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD') && this.options.distribution === 'opensearch') {
      this.#json(res, 200, { name: 'fake-os', cluster_name: 'fake', cluster_uuid: 'abc', version: { distribution: 'opensearch', number: this.options.version ?? '2.11.1', build_type: 'tar', build_hash: '0000000', build_date: '2023-11-29T21:43:10.135035992Z', build_snapshot: false, lucene_version: '9.7.0', minimum_wire_compatibility_version: '7.10.0', minimum_index_compatibility_version: '7.0.0' }, tagline: 'The OpenSearch Project: https://opensearch.org/' });
      return;
    }
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      this.#json(res, 200, { name: 'fake-es', cluster_name: 'fake', cluster_uuid: 'abc', version: { number: this.options.version ?? '8.15.0', build_flavor: 'default', lucene_version: '9.11.1', minimum_wire_compatibility_version: '7.17.0', minimum_index_compatibility_version: '7.0.0' }, tagline: 'You Know, for Search' });
      return;
    }
    const tpl = /^\/(_index_template|_template)\/([^/]+)$/.exec(path);
    if (tpl) {
      const store = tpl[1] === '_index_template' ? this.templates : this.legacyTemplates;
      const name = decodeURIComponent(tpl[2]!);
      if (req.method === 'HEAD' || req.method === 'GET') { this.#json(res, store.has(name) ? 200 : 404, store.has(name) ? { [name]: store.get(name) } : {}); return; }
      if (req.method === 'PUT') { store.set(name, JSON.parse(body.toString('utf8'))); this.#json(res, 200, { acknowledged: true }); return; }
    }
    const bulk = /^(?:\/([^/_][^/]*))?\/_bulk$/.exec(path);
    if (bulk && (req.method === 'POST' || req.method === 'PUT')) {
      const failure = this.failNext.shift();
      const log: BulkRequestLog = { bytes: body.length, gzip: gz, items: 0, status: failure ?? 200, headers: req.headers, path: req.url ?? '' };
      this.bulks.push(log);
      if (failure !== undefined) {
        const e = ERROR_TYPES[failure] ?? { type: 'exception', reason: `status ${failure}` };
        this.#json(res, failure, { error: { root_cause: [e], ...e }, status: failure });
        return;
      }
      this.#bulk(body.toString('utf8'), bulk[1], res, log);
      return;
    }
    this.#json(res, 404, { error: { type: 'illegal_argument_exception', reason: `no handler found for uri [${path}] and method [${req.method}]` }, status: 404 });
  }

  #bulk(text: string, defaultIndex: string | undefined, res: http.ServerResponse, log: BulkRequestLog): void {
    const lines = text.split('\n');
    if (lines[lines.length - 1] !== '') {
      this.#json(res, 400, { error: { type: 'illegal_argument_exception', reason: 'The bulk request must be terminated by a newline [\\n]' }, status: 400 });
      return;
    }
    const items: Record<string, unknown>[] = [];
    let errors = false;
    for (let i = 0; i < lines.length - 1; i++) {
      const line = lines[i]!;
      if (line === '') continue;
      const head = JSON.parse(line) as Record<string, Record<string, unknown>>;
      const action = Object.keys(head)[0]!;
      const meta = head[action]!;
      let doc: Record<string, unknown> | undefined;
      if (action !== 'delete') doc = JSON.parse(lines[++i]!) as Record<string, unknown>;
      const index = String(meta._index ?? defaultIndex ?? '');
      const id = meta._id === undefined ? undefined : String(meta._id);
      const op: BulkOp = { action, index, id, meta, doc };
      this.ops.push(op);
      const r = this.#apply(op);
      if (r.status >= 300) errors = true;
      items.push({ [action]: r });
    }
    log.items = items.length;
    this.#json(res, 200, { errors, took: 3, items });
  }

  #apply(op: BulkOp): Record<string, unknown> {
    const { action, index } = op;
    const key = JSON.stringify([action, index, op.id, op.doc]);
    const attempt = this.#attempts.get(key) ?? 0;
    this.#attempts.set(key, attempt + 1);
    const forced = this.options.itemStatus?.(op, attempt);
    const base = { _index: index, _id: op.id ?? null };
    if (forced !== undefined) {
      const e = ERROR_TYPES[forced] ?? { type: 'exception', reason: `status ${forced}` };
      return { ...base, status: forced, error: e };
    }
    if (index === '' || /[\\/*?"<>| ,#:A-Z]/.test(index) || index.startsWith('_')) {
      return { ...base, status: 400, error: { type: 'invalid_index_name_exception', reason: `Invalid index name [${index}]`, index } };
    }
    const store = this.docs.get(index) ?? new Map<string, Record<string, unknown>>();
    const id = op.id ?? randomBytes(15).toString('base64url').slice(0, 20);
    const existing = store.get(id);
    const ok = (status: number, result: string, version = 1): Record<string, unknown> => ({ ...base, _id: id, _version: version, result, _shards: { total: 2, successful: 1, failed: 0 }, _seq_no: this.#seq++, _primary_term: 1, status });
    if (action === 'delete') {
      if (!existing) return { ...ok(404, 'not_found') };
      store.delete(id);
      return ok(200, 'deleted', 2);
    }
    let doc = op.doc ?? {};
    if (action === 'update') {
      const partial = (doc.doc ?? {}) as Record<string, unknown>;
      if (!existing) {
        if (doc.doc_as_upsert === true) doc = partial;
        else if (doc.upsert !== undefined) doc = doc.upsert as Record<string, unknown>;
        else return { ...base, status: 404, error: { type: 'document_missing_exception', reason: `[${id}]: document missing`, index_uuid: 'x', shard: '0', index } };
      } else doc = { ...existing, ...partial };
    } else if (action === 'create' && existing) {
      return { ...base, _id: id, status: 409, error: { type: 'version_conflict_engine_exception', reason: `[${id}]: version conflict, document already exists (current version [1])`, index_uuid: 'x', shard: '0', index } };
    } else if (action !== 'index' && action !== 'create') {
      return { ...base, status: 400, error: { type: 'illegal_argument_exception', reason: `Malformed action/metadata line, expected one of [create, delete, index, update] but found [${action}]` } };
    }
    const mapErr = this.#map(index, doc, '');
    if (mapErr) return { ...base, _id: id, status: 400, error: { type: 'document_parsing_exception', reason: mapErr, caused_by: { type: 'illegal_argument_exception', reason: 'For input string' } } };
    store.set(id, doc);
    this.docs.set(index, store);
    return action === 'create' || !existing ? ok(201, 'created') : ok(200, 'updated', 2);
  }

  /** Dynamic mapping: the first value of a field fixes its type. */
  #map(index: string, doc: Record<string, unknown>, prefix: string): string | undefined {
    const m = this.#mappings.get(index) ?? new Map<string, 'number' | 'string' | 'boolean' | 'object'>();
    this.#mappings.set(index, m);
    for (const [k, v] of Object.entries(doc)) {
      const field = prefix + k;
      if (v === null || Array.isArray(v)) continue;
      const t = typeof v === 'object' ? 'object' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string';
      const known = m.get(field);
      if (known === undefined) { m.set(field, t); }
      else if (known === 'number' && t === 'string' && Number.isNaN(Number(v))) {
        return `[1:2] failed to parse field [${field}] of type [long] in document. Preview of field's value: '${String(v)}'`;
      } else if (known === 'object' && t !== 'object') {
        return `object mapping for [${field}] tried to parse field [${field}] as object, but found a concrete value`;
      }
      if (t === 'object') { const e = this.#map(index, v as Record<string, unknown>, `${field}.`); if (e) return e; }
    }
    return undefined;
  }
}

/**
 * For a test file: `fake()` starts a FakeElasticsearch (with `defaults` under the test's own options),
 * stopped after each test.
 */
export function fakeElasticsearchPerTest(defaults: FakeEsOptions = {}): (o?: FakeEsOptions) => Promise<FakeElasticsearch> {
  const servers: FakeElasticsearch[] = [];
  afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.stop())); });
  return async (o = {}) => {
    const s = await new FakeElasticsearch({ ...defaults, ...o }).start();
    servers.push(s);
    return s;
  };
}

/** Events as the JSON lines `stdin { codec => json_lines }` reads. */
export const jsonLinesInput = (events: Record<string, unknown>[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
