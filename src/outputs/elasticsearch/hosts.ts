/**
 * The elasticsearch output's view of its cluster: the `hosts` (or `cloud_id`) turned into base URLs, one
 * undici pool per host, round-robin over the hosts that are alive. A host that fails at the connection
 * level is taken out and health-checked (HEAD `healthcheck_path`) every `resurrect_delay` seconds until
 * it answers, as Logstash's connection pool does; when none is alive a request fails with
 * "No Available connections", which the pipeline retries with back-off.
 */
import { Pool, type Dispatcher } from 'undici';
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../../plugins/api.js';

export class HostConfigError extends Error {}

export interface HostUrl {
  /** `http://host:9200` */
  origin: string;
  /** Path prefix without a trailing slash (`/es`), or ''. */
  prefix: string;
  /** Query string from the host URL, without `?`. */
  query: string;
}

/** Parses one `hosts` entry as Logstash does: `host`, `host:port`, `//host`, `scheme://host:port/path`. */
export function parseHost(entry: string, ssl: boolean | undefined): HostUrl {
  let text = entry.trim();
  if (text.startsWith('//')) text = text.slice(2);
  const explicit = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  if (explicit && ssl === false && /^https:/i.test(text)) {
    throw new HostConfigError(`hosts: ${entry} is an HTTPS URL but ssl_enabled is false`);
  }
  if (explicit && ssl === true && /^http:/i.test(text)) {
    throw new HostConfigError(`hosts: ${entry} is an HTTP URL but ssl_enabled is true`);
  }
  const url = new URL(explicit ? text : `${ssl ? 'https' : 'http'}://${text}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HostConfigError(`hosts: unsupported scheme in ${entry}`);
  if (!url.port) url.port = '9200';
  const prefix = url.pathname.replace(/\/+$/, '');
  return { origin: `${url.protocol}//${url.host}`, prefix, query: url.search.replace(/^\?/, '') };
}

/** `cloud_id` (`label:base64(domain$es_uuid$kibana_uuid)`) to the cluster's HTTPS URL. */
export function cloudIdHost(cloudId: string): string {
  const colon = cloudId.indexOf(':');
  const encoded = colon >= 0 ? cloudId.slice(colon + 1) : cloudId;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const parts = decoded.split('$');
  if (parts.length < 2 || !parts[0] || !parts[1]) throw new HostConfigError(`cloud_id: invalid value (expected label:base64(domain$es_uuid$kibana_uuid))`);
  let domain = parts[0];
  let port = '443';
  const m = /^(.*):(\d+)$/.exec(domain);
  if (m) { domain = m[1]!; port = m[2]!; }
  let esId = parts[1];
  const m2 = /^(.*):(\d+)$/.exec(esId);
  if (m2) { esId = m2[1]!; port = m2[2]!; }
  return `https://${esId}.${domain}:${port}`;
}

/** A connection-level failure: the host is taken out of the pool. */
export class ConnectionError extends Error {}

export interface Response { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

export interface HostPoolOptions {
  hosts: HostUrl[];
  tls?: ConnectionOptions;
  headers: Record<string, string>;
  /** Query parameters added to every request (`parameters`). */
  parameters: string;
  timeoutMs: number;
  connections: number;
  resurrectMs: number;
  healthcheckPath: string | undefined;
  logger: Logger;
  label: string;
  /** How the health-check log line names the server (`ES`, `OpenSearch`). */
  product?: string;
}

interface Host { url: HostUrl; pool: Pool; alive: boolean; timer?: NodeJS.Timeout; checking: boolean }

export class HostPool {
  readonly #o: HostPoolOptions;
  readonly #hosts: Host[];
  #next = 0;
  #closed = false;
  /** Called when a host comes back (the output re-runs its setup there). */
  onAlive: ((url: HostUrl) => void) | undefined;

  constructor(o: HostPoolOptions) {
    this.#o = o;
    this.#hosts = o.hosts.map((url) => ({
      url,
      alive: true,
      checking: false,
      pool: new Pool(url.origin, {
        connections: o.connections,
        ...(o.tls ? { connect: { ...o.tls } } : {}),
        headersTimeout: o.timeoutMs,
        bodyTimeout: o.timeoutMs,
        connectTimeout: Math.min(o.timeoutMs, 10_000),
      }),
    }));
  }

  get aliveCount(): number { return this.#hosts.filter((h) => h.alive).length; }

  /** Sends a request to the next live host (round-robin). Throws ConnectionError when none can be reached. */
  async request(method: Dispatcher.HttpMethod, path: string, body?: Buffer | string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response & { host: HostUrl }> {
    const live = this.#hosts.filter((h) => h.alive);
    if (live.length === 0) throw new ConnectionError('No Available connections');
    const host = live[this.#next++ % live.length]!;
    try {
      try {
        return { ...(await this.#send(host, method, path, body, headers, signal)), host: host.url };
      } catch (err) {
        // A kept-alive connection the server closed meanwhile: one immediate retry on a fresh one.
        const code = (err as NodeJS.ErrnoException).code;
        if (signal?.aborted || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET' && code !== 'EPIPE')) throw err;
        return { ...(await this.#send(host, method, path, body, headers, signal)), host: host.url };
      }
    } catch (err) {
      if (signal?.aborted) throw err;
      this.#markDead(host, err);
      throw new ConnectionError(`${host.url.origin}${host.url.prefix}: ${errorText(err)}`);
    }
  }

  async #send(host: Host, method: Dispatcher.HttpMethod, path: string, body: Buffer | string | undefined, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    const url = host.url;
    const query = [url.query, this.#o.parameters].filter(Boolean).join('&');
    const full = `${url.prefix}${path.startsWith('/') ? path : `/${path}`}`;
    const withQuery = query ? `${full}${full.includes('?') ? '&' : '?'}${query}` : full;
    const res = await host.pool.request({
      method, path: withQuery, headers: { ...this.#o.headers, ...headers }, body: body ?? null,
      ...(signal ? { signal } : {}),
    });
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(c as Buffer);
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
  }

  #markDead(host: Host, err: unknown): void {
    if (!host.alive || this.#closed) return;
    host.alive = false;
    this.#o.logger.warn(`${this.#o.label}: Marking url as dead. Last error: ${errorText(err)}`, { url: `${host.url.origin}${host.url.prefix}` });
    this.#scheduleCheck(host);
  }

  #scheduleCheck(host: Host): void {
    if (this.#closed) return;
    host.timer = setTimeout(() => { void this.#check(host); }, this.#o.resurrectMs);
    host.timer.unref();
  }

  async #check(host: Host): Promise<void> {
    if (this.#closed || host.checking) return;
    host.checking = true;
    try {
      const res = await this.#send(host, 'HEAD', this.#o.healthcheckPath ?? '/', undefined, {});
      if (res.status >= 200 && res.status < 300) {
        host.alive = true;
        this.#o.logger.warn(`${this.#o.label}: Restored connection to ${this.#o.product ?? 'ES'} instance`, { url: `${host.url.origin}${host.url.prefix}` });
        this.onAlive?.(host.url);
        return;
      }
    } catch { /* still down */ } finally { host.checking = false; }
    if (!host.alive) this.#scheduleCheck(host);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const h of this.#hosts) if (h.timer) clearTimeout(h.timer);
    await Promise.all(this.#hosts.map((h) => h.pool.close().catch(() => undefined)));
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = (err as { cause?: unknown }).cause;
    const inner = cause instanceof Error ? ` (${cause.message})` : '';
    return `${code ? `${code}: ` : ''}${err.message}${inner}`;
  }
  return String(err);
}
