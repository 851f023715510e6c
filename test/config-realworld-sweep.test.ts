// Real-world configs that Logstash 8 accepts and sluice used to refuse (found by running public
// logstash.conf files through `sluice run -t` and a start): each case is the construct as those
// configs write it, driven through the CLI.
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from './helpers/cli.js';
import { fakeElasticsearchPerTest, jsonLinesInput } from './helpers/fake-elasticsearch.js';

const fake = fakeElasticsearchPerTest();
const lines = jsonLinesInput;

describe('elasticsearch output: document_type (deprecated in Logstash 8, not obsolete)', () => {
  const out = (hosts: string): string => `input { stdin { codec => json_lines } } output { elasticsearch { hosts => ["${hosts}"] index => "app" document_type => "%{kind}" } }`;

  it('passes -t with the deprecation warning Logstash gives', async () => {
    const r = await runCli(['run', '-t', '-e', out('http://127.0.0.1:9200')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Configuration OK');
    expect(r.stderr).toMatch(/warning\[SLC_DEPRECATED_OPTION\]: option `document_type` of output `elasticsearch` is deprecated: Document types are being deprecated in Elasticsearch 6\.0, and removed entirely in 7\.0\. You should avoid this feature/);
  });

  it('starts and indexes against Elasticsearch 8, without a _type (use_event_type? is false for 8)', async () => {
    const es = await fake();
    const r = await runCli(['run', '-e', out(es.url)], { input: lines([{ kind: 'access', message: 'a' }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(es.all('app').map((d) => d.message)).toEqual(['a']);
    expect(es.ops[0]!.meta).toEqual({ _index: 'app' });
  });

  it('sends the sprintf\'d type as _type to Elasticsearch 7', async () => {
    const es = await fake({ version: '7.17.9' });
    const r = await runCli(['run', '-e', out(es.url)], { input: lines([{ kind: 'access', message: 'a' }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(es.ops[0]!.meta).toEqual({ _index: 'app', _type: 'access' });
  });
});

describe('--path.data is where the config check looks for geoip\'s managed databases', () => {
  it('-t finds <path.data>/plugins/filters/geoip/GeoLite2-City.mmdb and GeoLite2-ASN.mmdb', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sluice-data-'));
    const dir = join(data, 'plugins', 'filters', 'geoip');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(ROOT, 'fixtures/geoip/GeoLite2-City-Test.mmdb'), join(dir, 'GeoLite2-City.mmdb'));
    copyFileSync(join(ROOT, 'fixtures/geoip/GeoLite2-ASN-Test.mmdb'), join(dir, 'GeoLite2-ASN.mmdb'));
    const config = 'filter { geoip { source => "[source][ip]" } geoip { source => "[source][ip]" default_database_type => "ASN" } }';
    const ok = await runCli(['run', '-t', '--path.data', data, '-e', config]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('Configuration OK');
    expect(ok.stderr).toContain(`Using geoip database {:path=>"${join(dir, 'GeoLite2-City.mmdb')}"}`);
    expect(ok.stderr).toContain(`Using geoip database {:path=>"${join(dir, 'GeoLite2-ASN.mmdb')}"}`);
    // An empty path.data still has no database: the hint names that directory.
    const empty = mkdtempSync(join(tmpdir(), 'sluice-data-'));
    const bad = await runCli(['run', '-t', '--path.data', empty, '-e', config]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`put it at ${join(empty, 'plugins', 'filters', 'geoip', 'GeoLite2-City.mmdb')}`);
  });

  it('a run with --path.data enriches with that database', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sluice-data-'));
    const dir = join(data, 'plugins', 'filters', 'geoip');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(ROOT, 'fixtures/geoip/GeoLite2-City-Test.mmdb'), join(dir, 'GeoLite2-City.mmdb'));
    const config = 'input { stdin { codec => json_lines } } filter { geoip { source => "[source][ip]" } } output { stdout { codec => json_lines } }';
    const r = await runCli(['run', '--path.data', data, '-e', config], { input: lines([{ source: { ip: '81.2.69.142' } }]) });
    expect(r.code, r.stderr).toBe(0);
    const ev = JSON.parse(r.stdout.trim().split('\n').pop()!) as { source: { geo?: { city_name?: string } } };
    expect(ev.source.geo?.city_name).toBe('London');
  });
});
