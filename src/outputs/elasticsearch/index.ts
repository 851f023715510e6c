/**
 * elasticsearch: indexes events with the Elasticsearch bulk API, with the option names and behaviour of
 * Logstash's elasticsearch output (logstash-output-elasticsearch 11/12):
 * - `hosts` (several, each with an optional path prefix; round-robin; a host that fails at the connection
 *   level is taken out and health-checked back in every `resurrect_delay` seconds) or `cloud_id`;
 * - data streams: `data_stream => auto` (the default) writes to `<type>-<dataset>-<namespace>`
 *   (`logs-generic-default`) when ECS is on and no option incompatible with data streams is set, with
 *   `create` actions and the `data_stream.*` fields synced into each document; otherwise `index`
 *   (default `logstash-%{+yyyy.MM.dd}`, `ecs-logstash-%{+yyyy.MM.dd}` with ECS) and an index template
 *   installed with `manage_template`;
 * - `action` index/create/update/delete (or a sprintf), `document_id`, `routing`, `pipeline`,
 *   `retry_on_conflict`, `doc_as_upsert`, `upsert`;
 * - a batch is cut into bulk requests of at most `target_bulk_bytes` (20 MiB) uncompressed, gzipped with
 *   `compression_level` (default 1). A request that fails as a whole (connection error, 429, 5xx, any
 *   non-200) has its events retried with back-off; those of the requests that succeeded are not resent.
 *   Per item: 200/201 written; 409 logged, counted and dropped; 400/404 (and `dlq_custom_codes`) rejected
 *   for good (to the dead letter queue when enabled); anything else (429, 5xx) retried alone.
 */
import { compileSprintf, isTemplate, type Formatter } from '../../event/sprintf.js';
import type { Event } from '../../event/event.js';
import { isHash, stringifyValue, type Hash } from '../../event/values.js';
import { defineOutput, PluginConfigError } from '../../plugins/api.js';
import { secretValue, tlsSettings, TlsConfigError } from '../../io/tls.js';
import { cloudIdHost, HostConfigError, HostPool, parseHost, type HostUrl } from './hosts.js';
import { actionLines, bulkMetrics, bulkWriter, CONFLICT, DLQ_CODES, headLines, SUCCESS, VALID_ACTIONS } from './bulk.js';
import { defaultTemplate } from './template.js';

const TARGET_BULK_BYTES = 20 * 1024 * 1024;
const DS_IDENTIFIER_BAD = /[\\/*?"<>| ,#:]/;

/** Options that may be set with data streams (Logstash's APIConfigs plus routing, pipeline, action create). */
const DS_COMPATIBLE = new Set([
  'hosts', 'cloud_id', 'cloud_auth', 'user', 'password', 'api_key', 'document_id', 'path', 'bulk_path', 'parameters',
  'ssl_enabled', 'ssl_verification_mode', 'ssl_certificate_authorities', 'ssl_certificate', 'ssl_key', 'ssl_supported_protocols',
  'ssl_cipher_suites', 'ssl_truststore_path', 'ssl_truststore_type', 'ssl_truststore_password', 'ssl_keystore_path',
  'ssl_keystore_type', 'ssl_keystore_password', 'ca_trusted_fingerprint', 'ssl', 'ssl_certificate_verification', 'cacert',
  'truststore', 'truststore_password', 'keystore', 'keystore_password', 'sniffing', 'sniffing_delay', 'sniffing_path', 'proxy',
  'timeout', 'failure_type_logging_whitelist', 'silence_errors_in_log', 'pool_max', 'pool_max_per_route', 'healthcheck_path',
  'resurrect_delay', 'validate_after_inactivity', 'http_compression', 'compression_level', 'custom_headers',
  'retry_initial_interval', 'retry_max_interval', 'dlq_custom_codes', 'dlq_on_failed_indexname_interpolation',
  'routing', 'pipeline', 'ecs_compatibility', 'id', 'enable_metric', 'codec', 'workers', 'target_bulk_bytes',
]);

const UNSUPPORTED = new Map<string, string>();
const unsupported = (why: string) => ({ type: 'any', doc: `Not supported by sluice: ${why}.` } as const);

export default defineOutput({
  name: 'elasticsearch',
  doc: 'Indexes events into Elasticsearch with the bulk API (data streams by default with ECS on, or `index`), retrying throttled and failed requests and sending mapping errors to the dead letter queue.',
  options: {
    hosts: { type: 'array', list: true, doc: 'Elasticsearch URLs (`host`, `host:port`, `https://host:9200/prefix`); default `//127.0.0.1` (http://127.0.0.1:9200). Requests are spread round-robin.' },
    cloud_id: { type: 'string', doc: 'Elastic Cloud id; replaces `hosts`.' },
    cloud_auth: { type: 'password', doc: 'Elastic Cloud `user:password`; replaces `user`/`password`.' },
    user: { type: 'string', doc: 'User for HTTP basic authentication.' },
    password: { type: 'password', doc: 'Password for HTTP basic authentication.' },
    api_key: { type: 'password', doc: 'API key `id:api_key` (sent as `Authorization: ApiKey base64(id:api_key)`); needs TLS.' },
    path: { type: 'string', doc: 'Path prefix of the Elasticsearch API (not together with paths in `hosts`).' },
    bulk_path: { type: 'string', doc: 'Path of bulk requests (default `<path>/_bulk?filter_path=errors,items.*.error,items.*.status`).' },
    parameters: { type: 'hash', doc: 'Query parameters added to every request.' },
    custom_headers: { type: 'hash', default: {}, doc: 'HTTP headers added to every request.' },
    index: { type: 'string', doc: 'Index to write to, sprintf allowed (default `logstash-%{+yyyy.MM.dd}`, `ecs-logstash-%{+yyyy.MM.dd}` with ECS); not with data streams.' },
    action: { type: 'string', doc: 'Bulk action: index, create, update, delete, or a sprintf resolving to one (default `create` for data streams, else `index`).' },
    document_id: { type: 'string', doc: 'Document id, sprintf allowed.' },
    routing: { type: 'string', doc: 'Routing value, sprintf allowed.' },
    pipeline: { type: 'string', doc: 'Ingest pipeline, sprintf allowed (an empty result sends none).' },
    retry_on_conflict: { type: 'number', doc: 'Elasticsearch\'s retry_on_conflict for `update` actions (default 1).' },
    doc_as_upsert: { type: 'boolean', doc: 'With `update`: create the document from the event when it does not exist.' },
    upsert: { type: 'string', doc: 'With `update`: JSON document (sprintf allowed) used when the document does not exist.' },
    data_stream: { type: 'string', values: ['true', 'false', 'auto'], doc: 'Write to a data stream: `auto` (default) when ECS is on and the options allow it.' },
    data_stream_type: { type: 'string', values: ['logs', 'metrics', 'synthetics', 'traces'], doc: 'Data stream type (default `logs`).' },
    data_stream_dataset: { type: 'string', doc: 'Data stream dataset (default `generic`).' },
    data_stream_namespace: { type: 'string', doc: 'Data stream namespace (default `default`).' },
    data_stream_sync_fields: { type: 'boolean', doc: 'Set the `data_stream.*` fields of each document to the stream written to (default true).' },
    data_stream_auto_routing: { type: 'boolean', doc: 'Route by the event\'s `data_stream.*` fields when present (default true).' },
    manage_template: { type: 'boolean', doc: 'Install an index template at start-up (default true; never for data streams).' },
    template: { type: 'path', doc: 'JSON file of the index template to install instead of the default one.' },
    template_name: { type: 'string', doc: 'Name of the index template (default `logstash`, `ecs-logstash` with ECS).' },
    template_overwrite: { type: 'boolean', doc: 'Replace an existing template of that name (default false).' },
    template_api: { type: 'string', values: ['auto', 'legacy', 'composable'], doc: 'Template API: `auto` (composable on Elasticsearch 8+), `legacy` or `composable`.' },
    ssl_enabled: { type: 'boolean', doc: 'Use HTTPS (default: as the `hosts` URLs say).' },
    ssl_certificate_authorities: { type: 'array', list: true, doc: 'PEM CA files the server certificate must chain to.' },
    ssl_verification_mode: { type: 'string', values: ['full', 'none'], default: 'full', doc: 'Verify the server certificate and host name (`full`) or not (`none`).' },
    ssl_certificate: { type: 'path', doc: 'PEM client certificate.' },
    ssl_key: { type: 'path', doc: 'PEM private key of `ssl_certificate`.' },
    ssl_supported_protocols: { type: 'array', list: true, values: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], default: [], doc: 'Allowed TLS versions.' },
    ssl_cipher_suites: { type: 'array', list: true, default: [], doc: 'Cipher suites (OpenSSL names).' },
    ssl: { type: 'boolean', deprecated: 'Set \'ssl_enabled\' instead.', doc: 'Deprecated name of `ssl_enabled`.' },
    cacert: { type: 'path', deprecated: 'Set \'ssl_certificate_authorities\' instead.', doc: 'Deprecated name of `ssl_certificate_authorities`.' },
    ssl_certificate_verification: { type: 'boolean', deprecated: 'Set \'ssl_verification_mode\' instead.', doc: 'Deprecated: false = `ssl_verification_mode => none`.' },
    compression_level: { type: 'number', values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], default: 1, doc: 'Gzip level of request bodies; 0 sends them uncompressed.' },
    http_compression: { type: 'boolean', deprecated: 'Set \'compression_level\' instead.', doc: 'Deprecated: true = level 1, false = 0.' },
    timeout: { type: 'number', default: 60, doc: 'Seconds before a request times out (then retried).' },
    pool_max: { type: 'number', default: 1000, doc: 'Maximum open connections in all.' },
    pool_max_per_route: { type: 'number', default: 100, doc: 'Maximum open connections per host.' },
    resurrect_delay: { type: 'number', default: 5, doc: 'Seconds between health checks of a host marked dead.' },
    healthcheck_path: { type: 'string', doc: 'Path of the HEAD request checking a dead host (default `/`).' },
    retry_initial_interval: { type: 'number', default: 2, doc: 'Seconds before the first retry; doubled each time up to `retry_max_interval`.' },
    retry_max_interval: { type: 'number', default: 64, doc: 'Longest wait between retries, in seconds.' },
    dlq_custom_codes: { type: 'array', list: true, default: [], doc: 'Per-item HTTP statuses sent to the dead letter queue besides 400 and 404.' },
    dlq_on_failed_indexname_interpolation: { type: 'boolean', default: true, doc: 'Send events whose index still holds `%{…}` after sprintf to the dead letter queue.' },
    silence_errors_in_log: { type: 'array', default: [], doc: 'Error types (`version_conflict_engine_exception`) not logged.' },
    failure_type_logging_whitelist: { type: 'array', deprecated: 'Set \'silence_errors_in_log\' instead.', doc: 'Deprecated name of `silence_errors_in_log`.' },
    target_bulk_bytes: { type: 'bytes', default: TARGET_BULK_BYTES, doc: 'sluice: uncompressed size above which a batch is split into several bulk requests (Logstash\'s fixed 20 MiB).' },
    validate_after_inactivity: { type: 'number', default: 10000, doc: 'Accepted for compatibility (undici validates idle connections itself).' },
    sniffing: { type: 'boolean', default: false, doc: 'Not supported: true is a start-up error.' },
    sniffing_delay: { type: 'number', default: 5, doc: 'Accepted with `sniffing`, unused.' },
    sniffing_path: { type: 'string', doc: 'Accepted with `sniffing`, unused.' },
    ilm_enabled: { type: 'string', values: ['true', 'false', 'auto'], doc: 'Index lifecycle management: `true` is not supported (start-up error); `auto` behaves as `false`.' },
    ilm_rollover_alias: unsupported('index lifecycle management is not implemented'),
    ilm_pattern: unsupported('index lifecycle management is not implemented'),
    ilm_policy: unsupported('index lifecycle management is not implemented'),
    proxy: unsupported('HTTP proxies are not implemented'),
    ca_trusted_fingerprint: unsupported('use ssl_certificate_authorities'),
    ssl_truststore_path: unsupported('JKS/PKCS#12 stores are Java formats; use ssl_certificate_authorities (PEM)'),
    ssl_truststore_type: unsupported('JKS/PKCS#12 stores are Java formats'),
    ssl_truststore_password: unsupported('JKS/PKCS#12 stores are Java formats'),
    ssl_keystore_path: unsupported('JKS/PKCS#12 stores are Java formats; use ssl_certificate and ssl_key (PEM)'),
    ssl_keystore_type: unsupported('JKS/PKCS#12 stores are Java formats'),
    ssl_keystore_password: unsupported('JKS/PKCS#12 stores are Java formats'),
    truststore: unsupported('JKS stores are a Java format'),
    truststore_password: unsupported('JKS stores are a Java format'),
    keystore: unsupported('JKS stores are a Java format'),
    keystore_password: unsupported('JKS stores are a Java format'),
    script: unsupported('scripted updates are not implemented'),
    script_lang: unsupported('scripted updates are not implemented'),
    script_type: unsupported('scripted updates are not implemented'),
    script_var_name: unsupported('scripted updates are not implemented'),
    scripted_upsert: unsupported('scripted updates are not implemented'),
    version: unsupported('external versioning is not implemented'),
    version_type: unsupported('external versioning is not implemented'),
    document_type: {
      type: 'string',
      deprecated: 'Document types are being deprecated in Elasticsearch 6.0, and removed entirely in 7.0. You should avoid this feature',
      doc: 'Deprecated: the mapping type (`_type`, sprintf allowed), sent only to Elasticsearch 7 and earlier; ignored by Elasticsearch 8.',
    },
    parent: unsupported('parent/child via `parent` is gone since Elasticsearch 6'),
  },
  create(options, ctx) {
    const fail = (message: string, option: string): never => { throw new PluginConfigError(`elasticsearch output: ${message}`, option); };
    const set = new Set(Object.entries(options).filter(([, v]) => v !== undefined).map(([k]) => k));
    // Options with defaults are always present: only the ones a config may leave unset tell what the user wrote.
    for (const k of ['ssl_verification_mode', 'ssl_supported_protocols', 'ssl_cipher_suites', 'compression_level', 'timeout', 'pool_max',
      'pool_max_per_route', 'resurrect_delay', 'retry_initial_interval', 'retry_max_interval', 'dlq_custom_codes',
      'dlq_on_failed_indexname_interpolation', 'silence_errors_in_log', 'target_bulk_bytes', 'validate_after_inactivity',
      'sniffing', 'sniffing_delay', 'custom_headers', 'workers', 'enable_metric']) set.delete(k);
    for (const [k, v] of Object.entries(options)) {
      const why = UNSUPPORTED.get(k);
      if (why !== undefined && v !== undefined) fail(`option \`${k}\` is not supported (${why})`, k);
    }
    if (options.sniffing) fail('`sniffing` is not supported; list the nodes in `hosts`', 'sniffing');
    if (options.ilm_enabled === 'true') fail('index lifecycle management (`ilm_enabled => true`) is not supported; set `ilm_enabled => false` and an `index`', 'ilm_enabled');

    // ---- data streams ----
    const ecsOn = ctx.ecs !== 'disabled';
    const invalidForDs = [...set].filter((k) => !(k.startsWith('data_stream') || DS_COMPATIBLE.has(k) || (k === 'action' && options.action === 'create'))
);
    const dsParams = [...set].filter((k) => k.startsWith('data_stream_'));
    let useDs: boolean;
    if (options.data_stream === 'true') {
      if (invalidForDs.length > 0) fail(`Invalid data stream configuration: ${JSON.stringify(invalidForDs)}`, invalidForDs[0]!);
      if (!ecsOn) fail('Invalid data stream configuration: `ecs_compatibility => disabled`', 'data_stream');
      useDs = true;
    } else if (options.data_stream === 'false') {
      useDs = false;
    } else {
      useDs = ecsOn && invalidForDs.length === 0;
      ctx.logger.info(`Data streams auto configuration (\`data_stream => auto\` or unset) resolved to \`${useDs}\``);
    }
    if (!useDs && dsParams.length > 0) {
      fail(`Ambiguous configuration; data stream settings must not be present when data streams are disabled: ${JSON.stringify(dsParams)}`, dsParams[0]!);
    }
    const dsType = options.data_stream_type ?? 'logs';
    const dsDataset = options.data_stream_dataset ?? 'generic';
    const dsNamespace = options.data_stream_namespace ?? 'default';
    for (const [name, v] of [['data_stream_dataset', dsDataset], ['data_stream_namespace', dsNamespace]] as const) {
      if (v === '' || Buffer.byteLength(v) > 100 || DS_IDENTIFIER_BAD.test(v)) fail(`invalid ${name} ${JSON.stringify(v)}: must be 1 to 100 bytes without \\ / * ? " < > | space , # :`, name);
    }
    const dsSync = options.data_stream_sync_fields ?? true;
    const dsAutoRouting = options.data_stream_auto_routing ?? true;

    // ---- actions ----
    const actionText = options.action ?? (useDs ? 'create' : 'index');
    if (actionText === '') fail('No action specified!', 'action');
    const actionDynamic = /%\{.+\}/.test(actionText);
    if (!actionDynamic && !VALID_ACTIONS.has(actionText)) fail(`Action '${actionText}' is invalid! Pick one of ["index", "delete", "create", "update"] or use a sprintf style statement`, 'action');
    if (actionText === 'update' && options.document_id === undefined) fail('Specifying action => \'update\' needs a document_id.', 'document_id');
    const actionOf: Formatter = compileSprintf(actionText);
    const indexText = options.index ?? (ecsOn ? 'ecs-logstash-%{+yyyy.MM.dd}' : 'logstash-%{+yyyy.MM.dd}');
    const indexOf = compileSprintf(indexText);
    const idOf = options.document_id !== undefined ? compileSprintf(options.document_id) : undefined;
    const routingOf = options.routing !== undefined ? compileSprintf(options.routing) : undefined;
    const typeOf = options.document_type !== undefined ? compileSprintf(options.document_type) : undefined;
    const pipelineOf = options.pipeline !== undefined ? compileSprintf(options.pipeline) : undefined;
    const upsertOf = options.upsert !== undefined ? compileSprintf(options.upsert) : undefined;
    const retryOnConflict = options.retry_on_conflict ?? 1;
    const customCodes = (options.dlq_custom_codes ?? []).map(Number);
    const dlqCodes = new Set([...DLQ_CODES, ...customCodes]);
    for (const c of customCodes) {
      if ([...SUCCESS, CONFLICT, ...DLQ_CODES].includes(c)) fail(`dlq_custom_codes: ${c} is a predefined code (200, 201, 400, 404, 409) and cannot be redefined`, 'dlq_custom_codes');
    }
    const silenced = new Set([...(options.silence_errors_in_log ?? []), ...(options.failure_type_logging_whitelist ?? [])].map(String));

    // ---- hosts, auth, TLS ----
    const sslOpt = options.ssl_enabled ?? options.ssl;
    if (options.cloud_id !== undefined && options.hosts !== undefined) fail('cloud_id and hosts specified, please remove one of them', 'cloud_id');
    if (options.cloud_auth !== undefined && (options.user !== undefined || options.password !== undefined)) fail('Both cloud_auth and user/password specified, please only use one.', 'cloud_auth');
    if (options.api_key !== undefined && (options.user !== undefined || options.password !== undefined || options.cloud_auth !== undefined)) fail('Multiple authentication options are specified, please only use one of user/password, cloud_auth or api_key', 'api_key');
    let hosts: HostUrl[];
    try {
      const entries = options.cloud_id !== undefined ? [cloudIdHost(options.cloud_id)] : (options.hosts && options.hosts.length > 0 ? options.hosts.map(String) : ['//127.0.0.1']);
      hosts = entries.map((h) => parseHost(h, sslOpt));
    } catch (err) {
      if (err instanceof HostConfigError) fail(err.message, options.cloud_id !== undefined ? 'cloud_id' : 'hosts');
      throw err;
    }
    if (options.path !== undefined) {
      if (hosts.some((h) => h.prefix !== '')) fail('`path` and a path in `hosts` are both set; use one of them', 'path');
      const p = options.path.replace(/\/+$/, '');
      hosts = hosts.map((h) => ({ ...h, prefix: p === '' ? '' : p.startsWith('/') ? p : `/${p}` }));
    }
    const https = hosts.some((h) => h.origin.startsWith('https:'));
    if (options.api_key !== undefined && !https) fail('Using api_key authentication requires SSL/TLS secured communication using the `ssl_enabled => true` option', 'api_key');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(options.custom_headers ?? {})) headers[k.toLowerCase()] = String(v);
    const user = options.user;
    const pass = secretValue(options.password);
    const cloudAuth = secretValue(options.cloud_auth);
    const apiKey = secretValue(options.api_key);
    if (apiKey !== undefined) headers.authorization = `ApiKey ${Buffer.from(apiKey).toString('base64')}`;
    else if (cloudAuth !== undefined) headers.authorization = `Basic ${Buffer.from(cloudAuth).toString('base64')}`;
    else if (user !== undefined) headers.authorization = `Basic ${Buffer.from(`${user}:${pass ?? ''}`).toString('base64')}`;
    let tls;
    if (https) {
      try {
        const verify = options.ssl_certificate_verification === false ? 'none' : options.ssl_verification_mode;
        tls = tlsSettings({
          ssl_enabled: true,
          ssl_certificate: options.ssl_certificate,
          ssl_key: options.ssl_key,
          ssl_certificate_authorities: [...((options.ssl_certificate_authorities ?? []).map(String)), ...(options.cacert !== undefined ? [options.cacert] : [])],
          ssl_verification_mode: verify,
          ssl_supported_protocols: options.ssl_supported_protocols ?? [],
          ssl_cipher_suites: options.ssl_cipher_suites ?? [],
        }, 'client', ctx.logger, ctx.cwd).client;
      } catch (err) {
        if (err instanceof TlsConfigError) fail(err.message, 'ssl_certificate_authorities');
        throw err;
      }
    }
    const level = options.http_compression === false && !set.has('compression_level') ? 0 : options.compression_level;
    const bulkPath = options.bulk_path ?? '/_bulk?filter_path=errors,items.*.error,items.*.status';
    const parameters = new URLSearchParams(Object.entries(options.parameters ?? {}).map(([k, v]) => [k, String(v)])).toString();
    const label = `elasticsearch output ${ctx.id}`;
    const pool = new HostPool({
      hosts, ...(tls ? { tls } : {}), headers, parameters, timeoutMs: options.timeout * 1000,
      connections: Math.max(1, Math.min(options.pool_max_per_route, options.pool_max)),
      resurrectMs: options.resurrect_delay * 1000, healthcheckPath: options.healthcheck_path, logger: ctx.logger, label,
    });

    const metrics = bulkMetrics(ctx.metrics);

    // ---- start-up against the cluster: version, template (done once a host answers) ----
    let esMajor: number | undefined;
    let setupDone: Promise<void> | undefined;
    const manageTemplate = !useDs && (options.manage_template ?? true);
    const setup = async (): Promise<void> => {
      const res = await pool.request('GET', '/');
      if (res.status === 401 || res.status === 403) throw new Error(`Elasticsearch answered ${res.status} to GET /: check user/password or api_key`);
      if (res.status >= 200 && res.status < 300) {
        try {
          const info = JSON.parse(res.body.toString('utf8')) as { version?: { number?: string } };
          const v = info.version?.number;
          if (v) esMajor = Number(v.split('.')[0]);
        } catch { /* not JSON: keep the default */ }
        if (!res.headers['x-elastic-product'] && (esMajor ?? 8) >= 8) ctx.logger.warn(`${label}: the server did not send X-Elastic-Product: Elasticsearch`);
      } else {
        throw new Error(`Elasticsearch answered ${res.status} to GET /`);
      }
      if (esMajor !== undefined && esMajor < 8 && useDs && esMajor < 7) throw new Error('A data_stream configuration is only supported since Elasticsearch 7.9.0');
      if (manageTemplate) await installTemplate();
    };
    const installTemplate = async (): Promise<void> => {
      const api = options.template_api ?? 'auto';
      const composable = api === 'composable' || (api === 'auto' && (esMajor ?? 8) >= 8);
      const name = options.template_name ?? (ecsOn ? 'ecs-logstash' : 'logstash');
      const path = composable ? `/_index_template/${encodeURIComponent(name)}` : `/_template/${encodeURIComponent(name)}`;
      let body: unknown;
      if (options.template !== undefined) {
        const { readFileSync } = await import('node:fs');
        body = JSON.parse(readFileSync(options.template, 'utf8'));
      } else {
        body = defaultTemplate(ecsOn ? 'ecs-logstash-*' : 'logstash-*', composable);
      }
      if (!(options.template_overwrite ?? false)) {
        const head = await pool.request('HEAD', path);
        if (head.status === 200) { ctx.logger.info(`${label}: template ${name} exists, not overwriting (template_overwrite => false)`); return; }
      }
      const put = await pool.request('PUT', path, JSON.stringify(body));
      if (put.status >= 300) ctx.logger.error(`${label}: failed to install template ${name}`, { status: put.status, body: put.body.toString('utf8').slice(0, 500) });
      else ctx.logger.info(`${label}: installed index template ${name}`);
    };
    const ensureSetup = (): Promise<void> => {
      setupDone ??= setup().catch((err: unknown) => { setupDone = undefined; throw err; });
      return setupDone;
    };

    // ---- one event to its bulk lines ----
    const source = (event: Event, dsName: { type: string; dataset: string; namespace: string } | undefined): string => {
      if (!dsName || !dsSync) return event.toJSON();
      const ds = event.data.data_stream;
      if (isHash(ds) && ds.type === dsName.type && ds.dataset === dsName.dataset && ds.namespace === dsName.namespace) return event.toJSON();
      const data: Hash = { ...event.data };
      const cur = isHash(ds) ? { ...ds } : {};
      if (ds !== undefined && !isHash(ds)) ctx.logger.warn(`${label}: Invalid 'data_stream' field type, due fields sync will overwrite`, { value: String(ds) });
      if (!dsAutoRouting) for (const k of ['type', 'dataset', 'namespace'] as const) if (cur[k] !== undefined && cur[k] !== dsName[k]) delete cur[k];
      cur.type ??= dsName.type; cur.dataset ??= dsName.dataset; cur.namespace ??= dsName.namespace;
      data.data_stream = cur;
      return stringifyValue(data);
    };

    const toAction = (event: Event): { line: string } | { reason: string } => {
      let params: Record<string, unknown>;
      let action: string;
      let ds: { type: string; dataset: string; namespace: string } | undefined;
      if (useDs) {
        action = 'create';
        const f = event.data.data_stream;
        ds = { type: dsType, dataset: dsDataset, namespace: dsNamespace };
        if (dsAutoRouting && isHash(f)) {
          if (typeof f.type === 'string' && f.type) ds.type = f.type;
          if (typeof f.dataset === 'string' && f.dataset) ds.dataset = f.dataset;
          if (typeof f.namespace === 'string' && f.namespace) ds.namespace = f.namespace;
        }
        params = { _index: `${ds.type}-${ds.dataset}-${ds.namespace}` };
      } else {
        action = actionDynamic ? actionOf(event) : actionText;
        if (!VALID_ACTIONS.has(action)) return { reason: `Elasticsearch doesn't support [${action}] action` };
        const index = indexOf(event);
        if (options.dlq_on_failed_indexname_interpolation && isTemplate(index)) return { reason: `Badly formatted index, after interpolation still contains placeholder: [${index}]` };
        params = { _index: index };
      }
      if (idOf) { const id = idOf(event); if (id !== '') params._id = id; }
      if (routingOf) { const r = routingOf(event); if (r !== '') params.routing = r; }
      // As Logstash's use_event_type?: the type goes to Elasticsearch 7 (and earlier) only; 8 has none.
      if (typeOf && esMajor !== undefined && esMajor < 8) params._type = typeOf(event);
      if (pipelineOf) { const p = pipelineOf(event); if (p !== '') params.pipeline = p; }
      if (action === 'update') params.retry_on_conflict = retryOnConflict;
      return actionLines(headLine(action, params), action, () => source(event, ds), { docAsUpsert: options.doc_as_upsert ?? false, upsert: action === 'update' && upsertOf ? upsertOf(event) : undefined });
    };

    const headLine = headLines();

    return {
      retryPolicy: { initialMs: options.retry_initial_interval * 1000, maxMs: options.retry_max_interval * 1000 },
      receive: bulkWriter({
        pool, label, product: 'Elasticsearch', logger: ctx.logger, metrics, targetBytes: options.target_bulk_bytes, level, bulkPath,
        dlqCodes, silenced, toAction, ensureSetup,
      }),
      async close() { await pool.close(); },
    };
  },
});

for (const [name, why] of [
  ...['ilm_rollover_alias', 'ilm_pattern', 'ilm_policy'].map((n) => [n, 'index lifecycle management is not implemented'] as const),
  ['proxy', 'HTTP proxies are not implemented'], ['ca_trusted_fingerprint', 'use ssl_certificate_authorities'],
  ...['ssl_truststore_path', 'ssl_truststore_type', 'ssl_truststore_password', 'ssl_keystore_path', 'ssl_keystore_type', 'ssl_keystore_password',
    'truststore', 'truststore_password', 'keystore', 'keystore_password'].map((n) => [n, 'JKS/PKCS#12 stores are Java formats; use the PEM options ssl_certificate_authorities, ssl_certificate and ssl_key'] as const),
  ...['script', 'script_lang', 'script_type', 'script_var_name', 'scripted_upsert'].map((n) => [n, 'scripted updates are not implemented'] as const),
  ['version', 'external versioning is not implemented'], ['version_type', 'external versioning is not implemented'],
  ['parent', 'parent/child via `parent` is gone since Elasticsearch 6'],
] as const) UNSUPPORTED.set(name, why);
