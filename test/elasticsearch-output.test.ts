/**
 * The elasticsearch output end to end: the real CLI with Logstash-style configs against a fake
 * Elasticsearch 8 (test/helpers/fake-elasticsearch.ts) answering with the documented bulk responses.
 * Behaviours from the plugin's docs and lib/logstash/plugin_mixins/elasticsearch/common.rb (submit:
 * 200/201 ok, 409 dropped, 400/404 + dlq_custom_codes to the DLQ, everything else retried), and
 * data_stream_support.rb (auto resolution, `logs-generic-default`, field sync).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli, waitFor, jsonLines } from './helpers/cli.js';
import { fakeElasticsearchPerTest, jsonLinesInput } from './helpers/fake-elasticsearch.js';

const fake = fakeElasticsearchPerTest();
const lines = jsonLinesInput;
const conf = (out: string): string => `input { stdin { codec => json_lines } } output { elasticsearch { ${out} } }`;

describe('elasticsearch output', () => {
  it('indexes every event once into the sprintf index named from @timestamp, with @timestamp kept', async () => {
    const es = await fake();
    const events = [
      { '@timestamp': '2024-03-05T10:00:00.000Z', message: 'a', n: 1 },
      { '@timestamp': '2024-03-06T23:59:59.999Z', message: 'b', n: 2 },
    ];
    const r = await runCli(['run', '-e', conf(`hosts => ["${es.url}"] index => "app-%{+yyyy.MM.dd}"`)], { input: lines(events) });
    expect(r.code, r.stderr).toBe(0);
    expect(es.all('app-2024.03.05').map((d) => [d.message, d['@timestamp']])).toEqual([['a', '2024-03-05T10:00:00.000Z']]);
    expect(es.all('app-2024.03.06').map((d) => [d.message, d['@timestamp']])).toEqual([['b', '2024-03-06T23:59:59.999Z']]);
    expect(es.count()).toBe(2);
    // manage_template defaults to true off data streams: the ECS default template is installed (ES 8: composable).
    expect(es.templates.has('ecs-logstash')).toBe(true);
    // compression_level defaults to 1: bodies are gzipped.
    expect(es.bulks.every((b) => b.gzip)).toBe(true);
  });

  it('defaults to the data stream logs-generic-default with ECS on, create actions and data_stream fields', async () => {
    const es = await fake();
    const r = await runCli(['run', '-e', conf(`hosts => ["${es.url}"]`)], { input: lines([{ message: 'x' }, { message: 'y', data_stream: { dataset: 'nginx' } }]) });
    expect(r.code, r.stderr).toBe(0);
    const ds = es.all('logs-generic-default');
    expect(ds.map((d) => d.message)).toEqual(['x']);
    expect(ds[0]!.data_stream).toEqual({ type: 'logs', dataset: 'generic', namespace: 'default' });
    expect(es.ops.map((o) => o.action)).toEqual(['create', 'create']);
    // data_stream_auto_routing: the event's own data_stream fields pick the stream.
    expect(es.all('logs-nginx-default').map((d) => d.data_stream)).toEqual([{ dataset: 'nginx', type: 'logs', namespace: 'default' }]);
    const body = es.requests.filter((q) => q.path.includes('_bulk'));
    expect(body.length).toBeGreaterThan(0);
    expect(es.templates.size).toBe(0);
  });

  it('with ECS disabled writes to logstash-%{+yyyy.MM.dd} and installs the logstash template', async () => {
    const es = await fake();
    const r = await runCli(['run', '--pipeline.ecs_compatibility', 'disabled', '-e', conf(`hosts => ["${es.url}"]`)], { input: lines([{ '@timestamp': '2023-01-02T03:04:05.000Z', message: 'x' }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(es.all('logstash-2023.01.02').map((d) => d.message)).toEqual(['x']);
    expect(es.templates.has('logstash')).toBe(true);
  });

  it('retries whole-request 429 and 503 with back-off and indexes everything exactly once', async () => {
    const es = await fake();
    es.failNext.push(429, 503, 429);
    const events = Array.from({ length: 20 }, (_, i) => ({ message: `m${i}`, seq: i }));
    const t0 = Date.now();
    const r = await runCli(['run', '-e', conf(`hosts => ["${es.url}"] index => "logs" retry_initial_interval => 0.2 retry_max_interval => 0.4`)], { input: lines(events) });
    expect(r.code, r.stderr).toBe(0);
    expect(es.bulks.slice(0, 4).map((b) => b.status)).toEqual([429, 503, 429, 200]);
    expect(es.all('logs').map((d) => d.seq).sort((a, b) => Number(a) - Number(b))).toEqual(events.map((e) => e.seq));
    // 0.2 + 0.4 + 0.4 s of back-off at least.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
  });

  it('resends only the items answered 429 or 503, with no duplicates', async () => {
    const es = await fake({ itemStatus: (op, attempt) => (attempt === 0 && Number(op.doc?.seq) % 3 === 0 ? (Number(op.doc?.seq) % 2 ? 503 : 429) : undefined) });
    const events = Array.from({ length: 30 }, (_, i) => ({ message: `m${i}`, seq: i }));
    const r = await runCli(['run', '-e', conf(`hosts => ["${es.url}"] index => "logs" retry_initial_interval => 0.1`)], { input: lines(events) });
    expect(r.code, r.stderr).toBe(0);
    const seqs = es.all('logs').map((d) => Number(d.seq)).sort((a, b) => a - b);
    expect(seqs).toEqual(events.map((e) => e.seq));
    const ok = es.bulks.filter((b) => b.status === 200);
    // The retry carried only the 10 items that failed.
    expect(ok.length).toBeGreaterThanOrEqual(2);
    expect(ok.slice(1).reduce((n, b) => n + b.items, 0)).toBe(10);
  });

  it('sends per-item 400s to the dead letter queue and indexes the rest', async () => {
    const es = await fake();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-es-dlq-'));
    const data = join(dir, 'data');
    writeFileSync(join(dir, 'logstash.yml'), `dead_letter_queue.enable: true\ndead_letter_queue.flush_interval: 100\npath.data: ${data}\n`);
    const events = [{ message: 'ok1', code: 1 }, { message: 'bad', code: 'not-a-number' }, { message: 'ok2', code: 3 }];
    const r = await runCli(['run', '--path.settings', dir, '-e', conf(`hosts => ["${es.url}"] index => "logs"`)], { input: lines(events) });
    expect(r.code, r.stderr).toBe(0);
    expect(es.all('logs').map((d) => d.message).sort()).toEqual(['ok1', 'ok2']);
    const reader = startCli(['run', '--path.data', join(dir, 'reader'), '-e', `input { dead_letter_queue { path => "${join(data, 'dead_letter_queue')}" pipeline_id => "main" commit_offsets => false } } output { stdout { codec => json_lines } }`]);
    try {
      await waitFor(() => reader.stdout().includes('not-a-number'), 20_000, 'the DLQ entry');
    } finally { reader.child.kill('SIGTERM'); }
    await reader.done;
    const back = jsonLines(reader.stdout());
    expect(back.map((e) => e.message)).toEqual(['bad']);
  });

  it('counts and drops 409 conflicts on create (no retry)', async () => {
    const es = await fake();
    const r = await runCli(['run', '-e', conf(`hosts => ["${es.url}"] index => "logs" action => "create" document_id => "%{id}"`)], { input: lines([{ id: 'a', v: 1 }, { id: 'a', v: 2 }, { id: 'b', v: 3 }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(es.all('logs').map((d) => d.v)).toEqual([1, 3]);
    expect(es.bulks.length).toBe(1);
  });

  it('updates with doc_as_upsert, deletes by id, and passes routing, pipeline and retry_on_conflict', async () => {
    const es = await fake();
    const r1 = await runCli(['run', '-e', conf(`hosts => ["${es.url}"] index => "users" action => "update" doc_as_upsert => true document_id => "%{uid}" routing => "%{uid}" pipeline => "p1" retry_on_conflict => 3`)], { input: lines([{ uid: 'u1', a: 1 }, { uid: 'u1', b: 2 }]) });
    expect(r1.code, r1.stderr).toBe(0);
    expect(es.all('users')).toMatchObject([{ uid: 'u1', a: 1, b: 2 }]);
    expect(es.ops[0]).toMatchObject({ action: 'update', meta: { _index: 'users', _id: 'u1', routing: 'u1', pipeline: 'p1', retry_on_conflict: 3 }, doc: { doc_as_upsert: true, doc: { uid: 'u1', a: 1 } } });
    const r2 = await runCli(['run', '-e', conf(`hosts => ["${es.url}"] index => "users" action => "%{op}" document_id => "%{uid}"`)], { input: lines([{ uid: 'u1', op: 'delete' }]) });
    expect(r2.code, r2.stderr).toBe(0);
    expect(es.all('users')).toEqual([]);
  });

  it('keeps every bulk body under 20 MiB', async () => {
    const es = await fake();
    const big = 'x'.repeat(1024 * 1024);
    const events = Array.from({ length: 30 }, (_, i) => ({ message: big, i }));
    const r = await runCli(['run', '-e', conf(`hosts => ["${es.url}"] index => "big" compression_level => 0`)], { input: lines(events), timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(es.count()).toBe(30);
    expect(es.bulks.length).toBeGreaterThanOrEqual(2);
    for (const b of es.bulks) expect(b.bytes).toBeLessThanOrEqual(20 * 1024 * 1024);
  }, 60_000);

  it('a server that is down at start receives everything once it is up', async () => {
    const probe = await fake();
    const port = probe.port;
    await probe.stop();
    const events = Array.from({ length: 5 }, (_, i) => ({ message: `m${i}` }));
    const run = runCli(['run', '-e', conf(`hosts => ["127.0.0.1:${port}"] index => "late" retry_initial_interval => 0.2 retry_max_interval => 0.5 resurrect_delay => 0.2`)], { input: lines(events) });
    await new Promise((r) => setTimeout(r, 1500));
    const es = await fake({ port });
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    expect(es.all('late').map((d) => d.message).sort()).toEqual(events.map((e) => e.message));
  });

  it('takes a dead host out of the round-robin and keeps indexing on the others', async () => {
    const a = await fake();
    const probe = await fake();
    const deadPort = probe.port;
    await probe.stop();
    const events = Array.from({ length: 10 }, (_, i) => ({ message: `m${i}` }));
    const r = await runCli(['run', '-b', '2', '-e', conf(`hosts => ["127.0.0.1:${deadPort}", "${a.url}"] index => "rr" retry_initial_interval => 0.1`)], { input: lines(events) });
    expect(r.code, r.stderr).toBe(0);
    expect(a.all('rr').length).toBe(10);
    expect(r.stdout + r.stderr).toMatch(/Marking url as dead/);
  });

  it('uses a path prefix from hosts', async () => {
    const es = await fake({ prefix: '/es' });
    const r = await runCli(['run', '-e', conf(`hosts => ["${es.url}"] index => "p"`)], { input: lines([{ message: 'x' }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(es.all('p').length).toBe(1);
  });

  it('authenticates with user/password (basic auth)', async () => {
    const es = await fake({ auth: 'elastic:changeme' });
    const r = await runCli(['run', '-e', conf(`hosts => ["${es.url}"] index => "sec" user => "elastic" password => "changeme"`)], { input: lines([{ message: 'x' }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(es.all('sec').length).toBe(1);
  });

  it('speaks TLS verified with ssl_certificate_authorities (a CA generated here) and api_key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-es-tls-'));
    const sh = (args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); };
    sh(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=test-ca']);
    sh(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'es.key', '-out', 'es.csr', '-subj', '/CN=127.0.0.1']);
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    sh(['x509', '-req', '-in', 'es.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'es.crt', '-days', '2', '-extfile', 'ext.cnf']);
    const es = await fake({ tls: { key: readFileSync(join(dir, 'es.key')), cert: readFileSync(join(dir, 'es.crt')) }, apiKey: 'id1:secret' });
    const r = await runCli(['run', '-e', conf(`hosts => ["${es.url}"] index => "tls" ssl_enabled => true ssl_certificate_authorities => ["${join(dir, 'ca.crt')}"] api_key => "id1:secret"`)], { input: lines([{ message: 'x' }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(es.all('tls').length).toBe(1);
  });

  it('rejects at start-up: an unknown action, update without document_id, data stream options off data streams', async () => {
    const bad = await runCli(['run', '-e', conf('action => "upsert"')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout + bad.stderr).toMatch(/Action 'upsert' is invalid/);
    const upd = await runCli(['run', '-e', conf('action => "update" index => "x"')]);
    expect(upd.code).not.toBe(0);
    expect(upd.stdout + upd.stderr).toMatch(/needs a document_id/);
    const amb = await runCli(['run', '-e', conf('index => "x" data_stream_dataset => "foo"')]);
    expect(amb.code).not.toBe(0);
    expect(amb.stdout + amb.stderr).toMatch(/Ambiguous configuration/);
  });

  it('on SIGTERM while the server throttles, keeps retrying until the events are delivered', async () => {
    const es = await fake();
    for (let i = 0; i < 1000; i++) es.failNext.push(429);
    const cli = startCli(['run', '-e', `input { generator { count => 3 message => "hi" } } output { elasticsearch { hosts => ["${es.url}"] index => "t" retry_initial_interval => 0.1 retry_max_interval => 0.2 } }`]);
    await waitFor(() => es.bulks.length >= 3, 20_000, 'throttled requests');
    cli.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 800));
    expect(cli.child.exitCode).toBe(null);
    es.failNext.length = 0;
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(es.all('t').length).toBe(3);
  });
});
