/**
 * The opensearch output end to end: the real CLI with logstash-output-opensearch configs against the fake
 * server answering as OpenSearch 2.x (test/helpers/fake-elasticsearch.ts, `distribution: 'opensearch'`).
 * Behaviours from the plugin's lib/logstash/outputs/opensearch.rb (defaults, actions), plugin_mixins/
 * opensearch/common.rb (submit: 200/201 ok, 409 dropped, 400/404 to the DLQ, the rest retried),
 * http_client/pool.rb (get_version, default_server_major_version) and template_manager.rb.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli, waitFor, jsonLines } from './helpers/cli.js';
import { fakeElasticsearchPerTest, jsonLinesInput, type FakeElasticsearch } from './helpers/fake-elasticsearch.js';

const fake = fakeElasticsearchPerTest({ distribution: 'opensearch' });
const lines = jsonLinesInput;
const conf = (out: string): string => `input { stdin { codec => json_lines } } output { opensearch { ${out} } }`;

describe('opensearch output', () => {
  it('indexes every event once into the sprintf index named from @timestamp, uncompressed, with the legacy template', async () => {
    const os = await fake();
    const events = [
      { '@timestamp': '2024-03-05T10:00:00.000Z', message: 'a', n: 1 },
      { '@timestamp': '2024-03-06T23:59:59.999Z', message: 'b', n: 2 },
    ];
    const r = await runCli(['run', '-e', conf(`hosts => ["${os.url}"] index => "app-%{+YYYY.MM.dd}"`)], { input: lines(events) });
    expect(r.code, r.stderr).toBe(0);
    expect(messages(os, 'app-2024.03.05')).toEqual([['a', '2024-03-05T10:00:00.000Z']]);
    expect(messages(os, 'app-2024.03.06')).toEqual([['b', '2024-03-06T23:59:59.999Z']]);
    expect(os.count()).toBe(2);
    expect(os.ops.map((o) => o.action)).toEqual(['index', 'index']);
    // http_compression defaults to false; bulk requests go to /_bulk (no filter_path).
    expect(os.bulks.every((b) => !b.gzip && b.path === '/_bulk')).toBe(true);
    // legacy_template defaults to true: the ECS template (ECS on by default) through _template.
    expect(os.legacyTemplates.has('ecs-logstash')).toBe(true);
    expect(os.templates.size).toBe(0);
  });

  it('with ECS disabled defaults to logstash-%{+yyyy.MM.dd} and the plugin\'s logstash-* template', async () => {
    const os = await fake();
    const r = await runCli(['run', '--pipeline.ecs_compatibility', 'disabled', '-e', conf(`hosts => ["${os.url}"]`)], { input: lines([{ '@timestamp': '2023-01-02T03:04:05.000Z', message: 'x' }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(os.all('logstash-2023.01.02').map((d) => d.message)).toEqual(['x']);
    expect(os.legacyTemplates.get('logstash')).toMatchObject({ index_patterns: 'logstash-*', version: 60001, settings: { 'index.refresh_interval': '5s' } });
  });

  it('installs an index template with legacy_template => false, and keeps an existing one unless template_overwrite', async () => {
    const os = await fake();
    const run = (extra: string) => runCli(['run', '--pipeline.ecs_compatibility', 'disabled', '-e', conf(`hosts => ["${os.url}"] index => "t" ${extra}`)], { input: lines([{ message: 'x' }]) });
    const r1 = await run('legacy_template => false template_name => "mine"');
    expect(r1.code, r1.stderr).toBe(0);
    expect(os.templates.get('mine')).toMatchObject({ index_patterns: 'logstash-*', priority: 10, template: { mappings: { properties: { '@timestamp': { type: 'date' } } } } });
    os.templates.set('mine', { custom: true });
    const r2 = await run('legacy_template => false template_name => "mine"');
    expect(r2.code, r2.stderr).toBe(0);
    expect(os.templates.get('mine')).toEqual({ custom: true });
    const r3 = await run('legacy_template => false template_name => "mine" template_overwrite => true');
    expect(r3.code, r3.stderr).toBe(0);
    expect(os.templates.get('mine')).toMatchObject({ priority: 10 });
    const dir = mkdtempSync(join(tmpdir(), 'sluice-os-tpl-'));
    writeFileSync(join(dir, 't.json'), JSON.stringify({ index_patterns: ['t*'], mappings: { properties: { n: { type: 'long' } } } }));
    const r4 = await run(`template => "${join(dir, 't.json')}" template_name => "fromfile"`);
    expect(r4.code, r4.stderr).toBe(0);
    expect(os.legacyTemplates.get('fromfile')).toEqual({ index_patterns: ['t*'], mappings: { properties: { n: { type: 'long' } } } });
    const r5 = await run('manage_template => false template_name => "none"');
    expect(r5.code, r5.stderr).toBe(0);
    expect(os.legacyTemplates.has('none')).toBe(false);
  });

  it('authenticates with user/password and with auth_type => { type => basic }', async () => {
    const os = await fake({ auth: 'admin:S3cret!pass' });
    const r1 = await runCli(['run', '-e', conf(`hosts => ["${os.url}"] index => "sec" user => "admin" password => "S3cret!pass"`)], { input: lines([{ message: 'x' }]) });
    expect(r1.code, r1.stderr).toBe(0);
    const r2 = await runCli(['run', '-e', conf(`hosts => ["${os.url}"] index => "sec" auth_type => { type => 'basic' user => 'admin' password => 'S3cret!pass' }`)], { input: lines([{ message: 'y' }]) });
    expect(r2.code, r2.stderr).toBe(0);
    expect(os.all('sec').map((d) => d.message).sort()).toEqual(['x', 'y']);
    expect(os.requests.every((q) => q.headers.authorization === `Basic ${Buffer.from('admin:S3cret!pass').toString('base64')}`)).toBe(true);
  });

  it('retries a whole-request 429 and indexes everything exactly once', async () => {
    const os = await fake();
    os.failNext.push(429);
    const events = Array.from({ length: 10 }, (_, i) => ({ message: `m${i}`, seq: i }));
    const r = await runCli(['run', '-e', conf(`hosts => ["${os.url}"] index => "logs" retry_initial_interval => 0.1`)], { input: lines(events) });
    expect(r.code, r.stderr).toBe(0);
    expect(os.bulks.slice(0, 2).map((b) => b.status)).toEqual([429, 200]);
    expect(os.all('logs').map((d) => Number(d.seq)).sort((a, b) => a - b)).toEqual(events.map((e) => e.seq));
  });

  it('resends only the items answered 429, with no duplicates', async () => {
    const os = await fake({ itemStatus: (op, attempt) => (attempt === 0 && Number(op.doc?.seq) % 2 === 0 ? 429 : undefined) });
    const events = Array.from({ length: 10 }, (_, i) => ({ message: `m${i}`, seq: i }));
    const r = await runCli(['run', '-e', conf(`hosts => ["${os.url}"] index => "logs" retry_initial_interval => 0.1`)], { input: lines(events) });
    expect(r.code, r.stderr).toBe(0);
    expect(os.all('logs').map((d) => Number(d.seq)).sort((a, b) => a - b)).toEqual(events.map((e) => e.seq));
    expect(os.bulks.filter((b) => b.status === 200).slice(1).reduce((n, b) => n + b.items, 0)).toBe(5);
  });

  it('sends per-item 400s to the dead letter queue and indexes the rest', async () => {
    const os = await fake();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-os-dlq-'));
    const data = join(dir, 'data');
    writeFileSync(join(dir, 'logstash.yml'), `dead_letter_queue.enable: true\ndead_letter_queue.flush_interval: 100\npath.data: ${data}\n`);
    const events = [{ message: 'ok1', code: 1 }, { message: 'bad', code: 'not-a-number' }, { message: 'ok2', code: 3 }];
    const r = await runCli(['run', '--path.settings', dir, '-e', conf(`hosts => ["${os.url}"] index => "logs"`)], { input: lines(events) });
    expect(r.code, r.stderr).toBe(0);
    expect(os.all('logs').map((d) => d.message).sort()).toEqual(['ok1', 'ok2']);
    const reader = startCli(['run', '--path.data', join(dir, 'reader'), '-e', `input { dead_letter_queue { path => "${join(data, 'dead_letter_queue')}" pipeline_id => "main" commit_offsets => false } } filter { mutate { copy => { "[@metadata][dead_letter_queue][reason]" => "reason" } } } output { stdout { codec => json_lines } }`]);
    try {
      await waitFor(() => reader.stdout().includes('not-a-number'), 20_000, 'the DLQ entry');
    } finally { reader.child.kill('SIGTERM'); }
    await reader.done;
    const back = jsonLines(reader.stdout());
    expect(back.map((e) => e.message)).toEqual(['bad']);
    expect(String(back[0]!.reason)).toMatch(/^Could not index event to OpenSearch\. status: 400/);
  });

  it('writes to a data stream with action => create, and sends version, routing and pipeline', async () => {
    const os = await fake();
    const r = await runCli(['run', '-e', conf(`hosts => ["${os.url}"] index => "my-data-stream" action => "create"`)], { input: lines([{ message: 'x' }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(os.ops[0]).toMatchObject({ action: 'create', index: 'my-data-stream' });
    const r2 = await runCli(['run', '-e', conf(`hosts => ["${os.url}"] index => "v" document_id => "%{id}" version => "%{v}" version_type => "external" routing => "%{id}" pipeline => "p1"`)], { input: lines([{ id: 'a', v: 7 }]) });
    expect(r2.code, r2.stderr).toBe(0);
    expect(os.ops[1]).toMatchObject({ action: 'index', meta: { _index: 'v', _id: 'a', version: '7', version_type: 'external', routing: 'a', pipeline: 'p1' } });
  });

  it('without version info from GET / (404) uses default_server_major_version, and fails to start without it', async () => {
    const os = await fake({ noRootInfo: true });
    const ok = await runCli(['run', '-e', conf(`hosts => ["${os.url}"] index => "aoss" default_server_major_version => 2`)], { input: lines([{ message: 'x' }]) });
    expect(ok.code, ok.stderr).toBe(0);
    expect(os.all('aoss').length).toBe(1);
    const cli = startCli(['run', '-e', `input { generator { count => 1 message => "hi" } } output { opensearch { hosts => ["${os.url}"] index => "none" retry_initial_interval => 0.1 retry_max_interval => 0.1 } }`]);
    try {
      await waitFor(() => /default_server_major_version is not configured/.test(cli.stdout() + cli.stderr()), 20_000, 'the version error');
    } finally { cli.child.kill('SIGKILL'); }
    await cli.done;
    expect(os.all('none')).toEqual([]);
  });

  it('speaks TLS verified with cacert (a CA generated here), or unverified with ssl_certificate_verification => false', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-os-tls-'));
    const sh = (args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); };
    sh(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca']);
    sh(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'os.key', '-out', 'os.csr', '-subj', '/CN=127.0.0.1']);
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    sh(['x509', '-req', '-in', 'os.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'os.crt', '-days', '2', '-extfile', 'ext.cnf']);
    const os = await fake({ tls: { key: readFileSync(join(dir, 'os.key')), cert: readFileSync(join(dir, 'os.crt')) }, auth: 'admin:admin' });
    const r1 = await runCli(['run', '-e', conf(`hosts => ["127.0.0.1:${os.port}"] ssl => true cacert => "${join(dir, 'ca.crt')}" user => "admin" password => "admin" index => "tls"`)], { input: lines([{ message: 'x' }]) });
    expect(r1.code, r1.stderr).toBe(0);
    const r2 = await runCli(['run', '-e', conf(`hosts => ["${os.url}"] ssl_certificate_verification => false user => "admin" password => "admin" index => "tls"`)], { input: lines([{ message: 'y' }]) });
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout + r2.stderr).toMatch(/DISABLED certificate verification/);
    expect(os.all('tls').map((d) => d.message).sort()).toEqual(['x', 'y']);
  });

  it('accepts a real-world config with `sluice run -t`', async () => {
    const r = await runCli(['run', '-t', '-e', 'input { stdin { } } output { opensearch { hosts => ["https://localhost:9200"] index => "logs-%{+YYYY.MM.dd}" user => "admin" password => "admin" ssl => true ssl_certificate_verification => false } }']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const r2 = await runCli(['run', '-t', '-e', 'input { stdin { } } output { opensearch { hosts => ["hostname:9200"] auth_type => { type => \'basic\' user => \'admin\' password => \'x\' } index => "logstash-logs-%{+YYYY.MM.dd}" ecs_compatibility => disabled } }']);
    expect(r2.code, r2.stdout + r2.stderr).toBe(0);
  });

  it('rejects at start-up: aws_iam, an unknown action, update without document_id, options the plugin lacks, scripts, Java stores', async () => {
    const cases: [string, RegExp][] = [
      ['auth_type => { type => "aws_iam" region => "us-west-2" }', /aws_iam.*not supported.*SigV4/],
      ['action => "upsert"', /Action 'upsert' is invalid/],
      ['action => "update"', /needs a document_id/],
      ['api_key => "a:b"', /api_key/],
      ['data_stream => "true"', /data_stream/],
      ['script => "ctx._source.n += 1"', /scripted updates/],
      ['truststore => "/x.jks"', /Java formats/],
      ['version_type => "external"', /requires the presence of a version/],
      ['hosts => ["https://localhost:9200"] ssl => false', /HTTPS URL but ssl is false/],
    ];
    for (const [opts, msg] of cases) {
      const r = await runCli(['run', '-t', '-e', conf(opts)]);
      expect(r.code, opts).not.toBe(0);
      expect(r.stdout + r.stderr, opts).toMatch(msg);
    }
  });
});

function messages(os: FakeElasticsearch, index: string): unknown[][] {
  return os.all(index).map((d) => [d.message, d['@timestamp']]);
}
