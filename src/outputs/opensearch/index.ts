/**
 * opensearch: indexes events into OpenSearch with the bulk API, with the option names, defaults and
 * behaviour of the OpenSearch project's logstash-output-opensearch (2.x), a fork of the elasticsearch
 * output. The bulk half (batching, gzip, per-item verdicts, retries, DLQ) is the elasticsearch output's
 * (../elasticsearch/bulk.ts); what differs is the plugin's own:
 * - options from lib/logstash/plugin_mixins/opensearch/api_configs.rb and outputs/opensearch.rb: `ssl`,
 *   `cacert`, `tls_certificate`/`tls_key`, `ssl_certificate_verification`, `http_compression` (default off),
 *   `target_bulk_bytes` (9 MiB), `auth_type => { type => basic user => … password => … }`, `legacy_template`
 *   (default true: `_template`), `default_server_major_version`, `failure_type_logging_whitelist`;
 * - no data streams, ILM, `cloud_id`, `api_key` or `dlq_custom_codes` (the plugin has none): `index`
 *   defaults to `logstash-%{+yyyy.MM.dd}` (`ecs-logstash-%{+yyyy.MM.dd}` with ECS), `action` to `index`;
 *   writing to an existing data stream is `index => "my-stream" action => "create"`;
 * - at start it reads the server version from `GET /` (OpenSearch answers
 *   `{"version":{"distribution":"opensearch","number":"2.x"}}`); when that is a 404 or empty (Amazon
 *   OpenSearch Serverless) `default_server_major_version` is used, and without it start-up fails as in the plugin.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { compileSprintf, type Formatter } from '../../event/sprintf.js';
import type { Event } from '../../event/event.js';
import { defineOutput, PluginConfigError } from '../../plugins/api.js';
import { secretValue, tlsSettings, TlsConfigError } from '../../io/tls.js';
import { HostConfigError, HostPool, parseHost, type HostUrl } from '../elasticsearch/hosts.js';
import { actionLines, bulkMetrics, bulkWriter, DLQ_CODES, headLines, VALID_ACTIONS, type ActionResult } from '../elasticsearch/bulk.js';
import { defaultTemplate } from './template.js';

const TARGET_BULK_BYTES = 9 * 1024 * 1024;
const EXTERNAL_VERSION_TYPES = new Set(['external', 'external_gt', 'external_gte']);
const unsupported = (why: string) => ({ type: 'any', doc: `Not supported by sluice: ${why}.` } as const);
const JAVA_STORES = 'JKS/PKCS#12 stores are Java formats; use the PEM options cacert, tls_certificate and tls_key';

export default defineOutput({
  name: 'opensearch',
  doc: 'Indexes events into OpenSearch with the bulk API (logstash-output-opensearch\'s options), retrying throttled and failed requests and sending mapping errors to the dead letter queue.',
  options: {
    hosts: { type: 'array', list: true, doc: 'OpenSearch URLs (`host`, `host:port`, `https://host:9200/prefix`); default `//127.0.0.1` (http://127.0.0.1:9200). Requests are spread round-robin.' },
    user: { type: 'string', doc: 'User for HTTP basic authentication (with `password`).' },
    password: { type: 'password', doc: 'Password for HTTP basic authentication.' },
    auth_type: { type: 'hash', doc: 'Authentication as a hash: `{ type => basic user => … password => … }`; `type => aws_iam` (SigV4) is not supported (start-up error).' },
    document_id: { type: 'string', doc: 'Document id, sprintf allowed.' },
    path: { type: 'string', doc: 'Path prefix of the OpenSearch API (not together with paths in `hosts`).' },
    bulk_path: { type: 'string', doc: 'Path of bulk requests (default `<path>/_bulk`).' },
    target_bulk_bytes: { type: 'number', default: TARGET_BULK_BYTES, doc: 'Uncompressed size above which a batch is split into several bulk requests (9 MiB: Amazon OpenSearch Service refuses 10 MiB).' },
    parameters: { type: 'hash', doc: 'Query parameters added to every request.' },
    ssl: { type: 'boolean', doc: 'Use HTTPS (default: as the `hosts` URLs say); false with an https host is a start-up error.' },
    ssl_certificate_verification: { type: 'boolean', default: true, doc: 'Verify the server certificate and host name; false disables it (with a warning).' },
    cacert: { type: 'path', doc: 'PEM CA file the server certificate must chain to.' },
    truststore: unsupported(JAVA_STORES),
    truststore_password: unsupported(JAVA_STORES),
    keystore: unsupported(JAVA_STORES),
    keystore_password: unsupported(JAVA_STORES),
    tls_certificate: { type: 'path', doc: 'PEM client certificate (with `tls_key`).' },
    tls_key: { type: 'path', doc: 'PEM private key of `tls_certificate`.' },
    sniffing: { type: 'boolean', default: false, doc: 'Not supported: true is a start-up error.' },
    sniffing_delay: { type: 'number', default: 5, doc: 'Accepted with `sniffing`, unused.' },
    sniffing_path: { type: 'string', doc: 'Accepted with `sniffing`, unused.' },
    proxy: { type: 'string', doc: 'Not supported: an HTTP proxy is a start-up error (an empty string is accepted with a warning, as in the plugin).' },
    timeout: { type: 'number', default: 60, doc: 'Seconds before a request times out (then retried).' },
    failure_type_logging_whitelist: { type: 'array', default: [], doc: 'Error types (`version_conflict_engine_exception`) not logged.' },
    pool_max: { type: 'number', default: 1000, doc: 'Maximum open connections in all.' },
    pool_max_per_route: { type: 'number', default: 100, doc: 'Maximum open connections per host.' },
    healthcheck_path: { type: 'string', doc: 'Path of the HEAD request checking a dead host (default `<path>/`).' },
    resurrect_delay: { type: 'number', default: 5, doc: 'Seconds between health checks of a host marked dead.' },
    validate_after_inactivity: { type: 'number', default: 10000, doc: 'Accepted for compatibility (undici validates idle connections itself).' },
    http_compression: { type: 'boolean', default: false, doc: 'Gzip request bodies.' },
    custom_headers: { type: 'hash', default: {}, doc: 'HTTP headers added to every request.' },
    retry_initial_interval: { type: 'number', default: 2, doc: 'Seconds before the first retry; doubled each time up to `retry_max_interval`.' },
    retry_max_interval: { type: 'number', default: 64, doc: 'Longest wait between retries, in seconds.' },
    action: { type: 'string', default: 'index', doc: 'Bulk action: index, create, update, delete, or a sprintf resolving to one.' },
    index: { type: 'string', doc: 'Index (or data stream, with `action => create`) to write to, sprintf allowed (default `logstash-%{+yyyy.MM.dd}`, `ecs-logstash-%{+yyyy.MM.dd}` with ECS).' },
    document_type: { type: 'string', deprecated: 'Document types are removed entirely. You should avoid this feature', doc: 'Deprecated: the mapping type (`_type`, sprintf allowed), sent as the plugin does when set.' },
    manage_template: { type: 'boolean', default: true, doc: 'Install an index template at start-up.' },
    template_name: { type: 'string', doc: 'Name of the index template (default `logstash`, `ecs-logstash` with ECS).' },
    template: { type: 'path', doc: 'JSON file of the index template to install instead of the default one.' },
    template_overwrite: { type: 'boolean', default: false, doc: 'Replace an existing template of that name.' },
    legacy_template: { type: 'boolean', default: true, doc: 'Install a legacy template (`_template`); false installs an index template (`_index_template`).' },
    default_server_major_version: { type: 'number', doc: 'Server major version to use when `GET /` does not tell it (404 or empty, as OpenSearch Serverless).' },
    version: { type: 'string', doc: 'Document version, sprintf allowed.' },
    version_type: { type: 'string', values: ['internal', 'external', 'external_gt', 'external_gte', 'force'], doc: 'Version type sent with `version`.' },
    routing: { type: 'string', doc: 'Routing value, sprintf allowed.' },
    parent: { type: 'string', doc: 'Not supported: parent/child documents (a start-up error).' },
    join_field: { type: 'string', doc: 'Not supported: parent/child documents (a start-up error).' },
    upsert: { type: 'string', default: '', doc: 'With `update`: JSON document (sprintf allowed) used when the document does not exist.' },
    doc_as_upsert: { type: 'boolean', default: false, doc: 'With `update`: create the document from the event when it does not exist.' },
    script: { type: 'string', default: '', doc: 'Not supported: scripted updates (a non-empty value is a start-up error).' },
    script_type: { type: 'array', list: true, values: ['inline', 'indexed', 'file'], default: ['inline'], doc: 'Accepted with `script`, unused.' },
    script_lang: { type: 'string', default: 'painless', doc: 'Accepted with `script`, unused.' },
    script_var_name: { type: 'string', default: 'event', doc: 'Accepted with `script`, unused.' },
    scripted_upsert: { type: 'boolean', default: false, doc: 'Not supported: scripted updates (true is a start-up error).' },
    retry_on_conflict: { type: 'number', default: 1, doc: 'OpenSearch\'s retry_on_conflict for `update` actions.' },
    pipeline: { type: 'string', doc: 'Ingest pipeline, sprintf allowed (an empty result sends none).' },
  },
  check: 'create',
  create(options, ctx) {
    const fail = (message: string, option: string): never => { throw new PluginConfigError(`opensearch output: ${message}`, option); };
    for (const k of ['truststore', 'truststore_password', 'keystore', 'keystore_password'] as const) {
      if (options[k] !== undefined) fail(`option \`${k}\` is not supported (${JAVA_STORES})`, k);
    }
    if (options.sniffing) fail('`sniffing` is not supported; list the nodes in `hosts`', 'sniffing');
    if (options.proxy !== undefined && options.proxy !== '') fail('`proxy` is not supported (HTTP proxies are not implemented)', 'proxy');
    if (options.proxy === '') ctx.logger.warn('Supplied proxy setting (proxy => \'\') has no effect');
    if (options.parent !== undefined || options.join_field !== undefined) fail('parent/child documents (`parent`, `join_field`) are not supported', options.parent !== undefined ? 'parent' : 'join_field');
    if (options.script !== '') fail('scripted updates (`script`) are not supported', 'script');
    if (options.scripted_upsert) fail('scripted updates (`scripted_upsert`) are not supported', 'scripted_upsert');

    // ---- actions (outputs/opensearch.rb check_action_validity, http_client_builder.rb) ----
    const actionText = options.action;
    if (actionText === '') fail('No action specified!', 'action');
    const actionDynamic = /%\{.+\}/.test(actionText);
    if (!actionDynamic && !VALID_ACTIONS.has(actionText)) fail(`Action '${actionText}' is invalid! Pick one of ["index", "delete", "create", "update"] or use a sprintf style statement`, 'action');
    const versionType = options.version_type;
    if (versionType !== undefined && EXTERNAL_VERSION_TYPES.has(versionType)) {
      if (options.version === undefined) fail('External versioning requires the presence of a version number.', 'version');
      if (actionText === 'create') fail('External versioning is not supported by the create action.', 'version_type');
      if (actionText === 'update') fail('External versioning is not supported by the update action.', 'version_type');
    }
    if (actionText === 'update' && (options.document_id ?? '') === '') fail('Specifying action => \'update\' needs a document_id.', 'document_id');
    const ecsOn = ctx.ecs !== 'disabled';
    const actionOf: Formatter = compileSprintf(actionText);
    const indexOf = compileSprintf(options.index ?? (ecsOn ? 'ecs-logstash-%{+yyyy.MM.dd}' : 'logstash-%{+yyyy.MM.dd}'));
    const sprintf = (v: string | undefined): Formatter | undefined => (v !== undefined ? compileSprintf(v) : undefined);
    const idOf = sprintf(options.document_id);
    const routingOf = sprintf(options.routing);
    const typeOf = sprintf(options.document_type);
    const pipelineOf = sprintf(options.pipeline);
    const versionOf = sprintf(options.version);
    const versionTypeOf = sprintf(options.version_type);
    const upsertOf = options.upsert !== '' ? compileSprintf(options.upsert) : undefined;
    const silenced = new Set(options.failure_type_logging_whitelist.map(String));

    // ---- auth: user/password, or auth_type => { type => basic … } ----
    const auth = options.auth_type;
    let user = options.user;
    let pass = secretValue(options.password);
    if (auth !== undefined) {
      const type = auth.type === undefined ? undefined : String(auth.type);
      if (type === 'aws_iam') {
        fail('auth_type => { type => aws_iam } is not supported: sluice does not implement AWS SigV4 request signing nor the AWS credential chain; use basic authentication (an internal user of the OpenSearch security plugin) or a signing proxy in front of the domain', 'auth_type');
      } else if (type === 'basic') {
        // As the plugin: credentials in the URL (from `user`/`password`) win over auth_type's.
        if (user === undefined) {
          user = auth.user === undefined ? undefined : String(auth.user);
          pass = secretValue(auth.password);
        }
      } else {
        fail(`auth_type: unknown type ${JSON.stringify(type ?? null)}; use \`basic\` (or \`aws_iam\`, which sluice does not support)`, 'auth_type');
      }
    }

    // ---- hosts, TLS ----
    const sslOpt = options.ssl;
    let hosts: HostUrl[];
    try {
      const entries = options.hosts && options.hosts.length > 0 ? options.hosts.map(String) : ['//127.0.0.1'];
      hosts = entries.map((h) => parseHost(h, sslOpt));
    } catch (err) {
      if (err instanceof HostConfigError) fail(err.message.replace('ssl_enabled', 'ssl'), 'hosts');
      throw err;
    }
    if (options.path !== undefined) {
      if (hosts.some((h) => h.prefix !== '')) fail('`path` and a path in `hosts` are both set; use one of them', 'path');
      const p = options.path.replace(/\/+$/, '');
      hosts = hosts.map((h) => ({ ...h, prefix: p === '' ? '' : p.startsWith('/') ? p : `/${p}` }));
    }
    if ((options.tls_certificate === undefined) !== (options.tls_key === undefined)) {
      fail(options.tls_key === undefined ? '"tls_key" is missing' : '"tls_certificate" is missing', options.tls_key === undefined ? 'tls_key' : 'tls_certificate');
    }
    const https = hosts.some((h) => h.origin.startsWith('https:'));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(options.custom_headers)) headers[k.toLowerCase()] = String(v);
    if (user !== undefined && pass !== undefined) headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    let tls;
    if (https) {
      if (!options.ssl_certificate_verification) {
        ctx.logger.warn('** WARNING ** Detected UNSAFE options in opensearch output configuration!\n** WARNING ** You have enabled encryption but DISABLED certificate verification.\n** WARNING ** To make sure your data is secure change :ssl_certificate_verification to true');
      }
      try {
        tls = tlsSettings({
          ssl_enabled: true,
          ssl_certificate: options.tls_certificate,
          ssl_key: options.tls_key,
          ssl_certificate_authorities: options.cacert !== undefined ? [options.cacert] : [],
          ssl_verification_mode: options.ssl_certificate_verification ? 'full' : 'none',
        }, 'client', ctx.logger, ctx.cwd).client;
      } catch (err) {
        if (err instanceof TlsConfigError) fail(err.message.replace('ssl_certificate_authorities', 'cacert').replace('ssl_certificate', 'tls_certificate').replace('ssl_key', 'tls_key'), 'cacert');
        throw err;
      }
    }
    const label = `opensearch output ${ctx.id}`;
    const pool = new HostPool({
      hosts, ...(tls ? { tls } : {}), headers,
      parameters: new URLSearchParams(Object.entries(options.parameters ?? {}).map(([k, v]) => [k, String(v)])).toString(),
      timeoutMs: options.timeout * 1000,
      connections: Math.max(1, Math.min(options.pool_max_per_route, options.pool_max)),
      resurrectMs: options.resurrect_delay * 1000, healthcheckPath: options.healthcheck_path, logger: ctx.logger, label, product: 'OpenSearch',
    });

    // ---- start-up against the cluster: version (pool.rb get_version), template (template_manager.rb) ----
    let setupDone: Promise<void> | undefined;
    const setup = async (): Promise<void> => {
      const res = await pool.request('GET', '/');
      if (res.status === 401 || res.status === 403) throw new Error(`OpenSearch answered ${res.status} to GET /: check user/password or auth_type`);
      let number: string | undefined;
      let distribution: string | undefined;
      if (res.status !== 404 && res.body.length > 0) {
        if (res.status < 200 || res.status >= 300) throw new Error(`OpenSearch answered ${res.status} to GET /`);
        try {
          const info = JSON.parse(res.body.toString('utf8')) as { version?: { number?: unknown; distribution?: unknown } };
          if (typeof info.version?.number === 'string') number = info.version.number;
          if (typeof info.version?.distribution === 'string') distribution = info.version.distribution;
        } catch { /* not JSON: as no answer */ }
      }
      if (number === undefined) {
        if (options.default_server_major_version === undefined) {
          throw new Error('Failed to get version from health_check endpoint and default_server_major_version is not configured.');
        }
        number = `${options.default_server_major_version}.0.0`;
      }
      // The plugin picks its default template by major version (1x, 2x, 7x), but the three are identical.
      ctx.logger.info(`${label}: connected to ${distribution ?? 'a server without a distribution (Elasticsearch or OpenDistro)'} ${number}`);
      if (options.manage_template) {
        try { await installTemplate(); } catch (err) {
          // As the plugin: a template that cannot be installed is logged, indexing goes on.
          ctx.logger.error(`${label}: Failed to install template`, { message: err instanceof Error ? err.message : String(err) });
        }
      }
    };
    const installTemplate = async (): Promise<void> => {
      const name = options.template_name ?? (ecsOn ? 'ecs-logstash' : 'logstash');
      const path = `/${options.legacy_template ? '_template' : '_index_template'}/${encodeURIComponent(name)}`;
      let body: unknown;
      if (options.template !== undefined) {
        const file = isAbsolute(options.template) ? options.template : join(ctx.cwd, options.template);
        ctx.logger.info(`${label}: Using mapping template from`, { path: file });
        body = JSON.parse(readFileSync(file, 'utf8'));
      } else {
        body = defaultTemplate(ecsOn, options.legacy_template);
      }
      if (!options.template_overwrite) {
        const head = await pool.request('HEAD', path);
        if (head.status === 200) { ctx.logger.debug(`${label}: Found existing OpenSearch template, skipping template management`, { name }); return; }
      }
      ctx.logger.info(`${label}: Installing OpenSearch template`, { name });
      const put = await pool.request('PUT', path, JSON.stringify(body));
      if (put.status >= 300) throw new Error(`OpenSearch answered ${put.status} to PUT ${path}: ${put.body.toString('utf8').slice(0, 500)}`);
    };
    const ensureSetup = (): Promise<void> => {
      setupDone ??= setup().catch((err: unknown) => { setupDone = undefined; throw err; });
      return setupDone;
    };

    // ---- one event to its bulk lines (outputs/opensearch.rb event_action_tuple) ----
    const headLine = headLines();
    const toAction = (event: Event): ActionResult => {
      const action = actionDynamic ? actionOf(event) : actionText;
      if (!VALID_ACTIONS.has(action)) return { reason: `OpenSearch doesn't support [${action}] action` };
      const params: Record<string, unknown> = { _index: indexOf(event) };
      if (idOf) { const id = idOf(event); if (id !== '') params._id = id; }
      if (routingOf) { const r = routingOf(event); if (r !== '') params.routing = r; }
      // As use_event_type?: `_type` is sent whenever the user set document_type (OpenSearch 2 refuses it).
      if (typeOf) params._type = typeOf(event);
      if (pipelineOf) { const p = pipelineOf(event); if (p !== '') params.pipeline = p; }
      if (action === 'update') params.retry_on_conflict = options.retry_on_conflict;
      if (versionOf) params.version = versionOf(event);
      if (versionTypeOf) params.version_type = versionTypeOf(event);
      return actionLines(headLine(action, params), action, () => event.toJSON(), {
        docAsUpsert: options.doc_as_upsert,
        upsert: action === 'update' && upsertOf ? upsertOf(event) : undefined,
      });
    };

    return {
      retryPolicy: { initialMs: options.retry_initial_interval * 1000, maxMs: options.retry_max_interval * 1000 },
      receive: bulkWriter({
        pool, label, product: 'OpenSearch', logger: ctx.logger, metrics: bulkMetrics(ctx.metrics),
        targetBytes: options.target_bulk_bytes,
        // Zlib::DEFAULT_COMPRESSION, as the plugin's GzipWriter.
        level: options.http_compression ? 6 : 0,
        bulkPath: options.bulk_path ?? '/_bulk',
        dlqCodes: new Set(DLQ_CODES), silenced, toAction, ensureSetup,
      }),
      async close() { await pool.close(); },
    };
  },
});
