/**
 * The monitoring API through the real CLI: Logstash's shapes (Logstash reference, "Monitoring APIs": node
 * info, node stats, plugins info, health report), counters matching the events processed, `?pretty`,
 * basic auth, and `/metrics` checked by a strict reading of the Prometheus text exposition format 0.0.4.
 */
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, waitFor } from './helpers/cli.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * A strict exposition-format reader: every line is a comment (HELP/TYPE), or a sample of the family last
 * declared by TYPE; names and labels are valid, values are floats; families are not repeated; histograms
 * have increasing `le` buckets ending in +Inf equal to `_count`.
 */
export function parsePrometheusStrict(text: string): Map<string, { type: string; samples: { name: string; labels: Record<string, string>; value: number }[] }> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, { type: string; samples: { name: string; labels: Record<string, string>; value: number }[] }>();
  let current: string | undefined;
  const helpSeen = new Set<string>();
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  const lines = text.slice(0, -1).split('\n');
  for (const [i, line] of lines.entries()) {
    const where = `line ${i + 1}: ${line}`;
    if (line.startsWith('# HELP ')) {
      const name = line.slice(7).split(' ')[0]!;
      if (!NAME.test(name) || helpSeen.has(name)) throw new Error(`bad or repeated HELP, ${where}`);
      helpSeen.add(name);
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, type, ...rest] = line.slice(7).split(' ');
      if (!name || !NAME.test(name) || rest.length || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type ?? '')) throw new Error(`bad TYPE, ${where}`);
      if (families.has(name)) throw new Error(`family declared twice, ${where}`);
      families.set(name, { type: type!, samples: [] });
      current = name;
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) throw new Error(`bad sample, ${where}`);
    const [, name, labelText, valueText] = m;
    const fam = current === undefined ? undefined : families.get(current)!;
    const allowed = fam === undefined ? [] : fam.type === 'histogram' ? [`${current}_bucket`, `${current}_sum`, `${current}_count`] : [current!];
    if (!allowed.includes(name!)) throw new Error(`sample outside its family, ${where}`);
    const labels: Record<string, string> = {};
    if (labelText !== undefined && labelText !== '') {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/y;
      let pos = 0;
      while (pos < labelText.length) {
        re.lastIndex = pos;
        const lm = re.exec(labelText);
        if (!lm) throw new Error(`bad labels, ${where}`);
        if (lm[1]! in labels) throw new Error(`repeated label, ${where}`);
        labels[lm[1]!] = lm[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
        pos = re.lastIndex;
      }
    }
    if (!/^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]Inf|NaN)$/.test(valueText!)) throw new Error(`bad value, ${where}`);
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    fam!.samples.push({ name: name!, labels, value });
  }
  for (const [name, f] of families) {
    if (f.type === 'counter' && !name.endsWith('_total')) throw new Error(`counter ${name} should end in _total`);
    if (f.type !== 'histogram') continue;
    const series = new Map<string, { le: number; v: number }[]>();
    const counts = new Map<string, number>();
    for (const s of f.samples) {
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(rest);
      if (s.name.endsWith('_bucket')) {
        if (le === undefined) throw new Error(`bucket without le in ${name}`);
        const arr = series.get(key) ?? [];
        arr.push({ le: le === '+Inf' ? Infinity : Number(le), v: s.value });
        series.set(key, arr);
      } else if (s.name.endsWith('_count')) counts.set(key, s.value);
    }
    for (const [key, arr] of series) {
      for (let i = 1; i < arr.length; i++) if (!(arr[i]!.le > arr[i - 1]!.le) || arr[i]!.v < arr[i - 1]!.v) throw new Error(`buckets not cumulative in ${name}`);
      if (arr[arr.length - 1]!.le !== Infinity) throw new Error(`no +Inf bucket in ${name}`);
      if (counts.get(key) !== arr[arr.length - 1]!.v) throw new Error(`+Inf bucket differs from _count in ${name}`);
    }
  }
  return families;
}

describe('monitoring API', () => {
  let cli: ReturnType<typeof startCli>;
  let api = '';
  let httpUrl = '';
  beforeAll(async () => {
    const [apiPort, inPort] = [await freePort(), await freePort()];
    api = `http://127.0.0.1:${apiPort}`;
    httpUrl = `http://127.0.0.1:${inPort}`;
    cli = startCli(['run', '-w', '1', '--api.http.port', String(apiPort), '-e', `input { http { id => "in" host => "127.0.0.1" port => ${inPort} } }
      filter { grok { id => "g" match => { "message" => "^%{WORD:w}$" } } }
      output { stdout { id => "out" codec => json_lines } }`]);
    await waitFor(() => /Successfully started Logstash API endpoint/.test(cli.stderr()) || cli.child.exitCode !== null, 20_000, 'API');
    for (const m of ['alpha', 'beta', 'not a word']) await fetch(httpUrl, { method: 'POST', body: m });
    await waitFor(() => cli.stdout().split('\n').filter(Boolean).length >= 3, 5000, 'events');
    // Let the batch's counters settle.
    await new Promise((r) => setTimeout(r, 200));
  });
  afterAll(async () => { cli.child.kill('SIGTERM'); await cli.done; });

  it('logs the endpoint as Logstash does', () => {
    expect(cli.stderr()).toMatch(new RegExp(`Successfully started Logstash API endpoint \\{:port=>${api.split(':')[2]}, :ssl_enabled=>false\\}`));
  });

  it('GET / has the node identity and pipeline settings', async () => {
    const j = await (await fetch(`${api}/`)).json() as Record<string, unknown>;
    expect(j).toMatchObject({ http_address: api.slice(7), status: 'green', pipeline: { workers: 1, batch_size: 125, batch_delay: 50 } });
    for (const k of ['host', 'version', 'id', 'name', 'ephemeral_id']) expect(typeof j[k]).toBe('string');
  });

  it('?pretty indents the JSON', async () => {
    const text = await (await fetch(`${api}/?pretty`)).text();
    expect(text).toContain('\n  "host": ');
    const compact = await (await fetch(`${api}/`)).text();
    expect(compact).not.toContain('\n');
  });

  it('/_node and /_node/pipelines describe the running pipeline', async () => {
    const node = await (await fetch(`${api}/_node`)).json() as { pipelines: Record<string, Record<string, unknown>>; os: unknown; jvm: unknown };
    expect(node.pipelines.main).toMatchObject({ workers: 1, batch_size: 125, batch_delay: 50, config_reload_automatic: false, dead_letter_queue_enabled: false });
    expect(node.os).toBeDefined();
    const p = await (await fetch(`${api}/_node/pipelines`)).json() as { pipelines: Record<string, unknown>; os?: unknown };
    expect(Object.keys(p.pipelines)).toEqual(['main']);
    expect(p.os).toBeUndefined();
    expect((await fetch(`${api}/_node/pipelines/nope`)).status).toBe(404);
  });

  it('/_node/stats/pipelines counts the events processed, per pipeline and per plugin', async () => {
    const j = await (await fetch(`${api}/_node/stats/pipelines`)).json() as { pipelines: { main: {
      events: Record<string, number>; plugins: Record<string, { id: string; events: Record<string, number>; matches?: number; failures?: number }[]>;
      reloads: Record<string, unknown>; queue: Record<string, unknown>;
    } } };
    const main = j.pipelines.main;
    expect(main.events).toMatchObject({ in: 3, filtered: 3, out: 3 });
    expect(typeof main.events.duration_in_millis).toBe('number');
    expect(main.plugins.inputs!.find((p) => p.id === 'in')!.events.out).toBe(3);
    const g = main.plugins.filters!.find((p) => p.id === 'g')!;
    expect(g.events).toMatchObject({ in: 3, out: 3 });
    expect(main.plugins.outputs!.find((p) => p.id === 'out')!.events).toMatchObject({ in: 3, out: 3 });
    expect(main.reloads).toMatchObject({ successes: 0, failures: 0 });
    expect(main.queue).toMatchObject({ type: 'memory', events_count: 0 });
    const all = await (await fetch(`${api}/_node/stats`)).json() as { events: Record<string, number>; reloads: unknown; jvm: unknown; process: unknown };
    expect(all.events).toMatchObject({ in: 3, filtered: 3, out: 3 });
    expect(all.reloads).toEqual({ successes: 0, failures: 0 });
    expect(all.jvm).toBeDefined();
    expect(all.process).toBeDefined();
    const one = await (await fetch(`${api}/_node/stats/pipelines/main`)).json() as { pipelines: Record<string, unknown> };
    expect(Object.keys(one.pipelines)).toEqual(['main']);
  });

  it('/_node/plugins lists the plugins; /_health_report is green', async () => {
    const p = await (await fetch(`${api}/_node/plugins`)).json() as { total: number; plugins: { name: string; version: string }[] };
    expect(p.plugins.map((x) => x.name)).toContain('logstash-input-http');
    expect(p.plugins.map((x) => x.name)).toContain('logstash-filter-grok');
    expect(p.total).toBe(p.plugins.length);
    const h = await (await fetch(`${api}/_health_report`)).json() as { status: string; indicators: { pipelines: { status: string; indicators: Record<string, { status: string }> } } };
    expect(h.status).toBe('green');
    expect(h.indicators.pipelines.indicators.main!.status).toBe('green');
  });

  it('/metrics parses strictly and its counters match the events processed', async () => {
    const res = await fetch(`${api}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const fams = parsePrometheusStrict(await res.text());
    const value = (fam: string, labels: Record<string, string>): number | undefined =>
      fams.get(fam)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('logstash_pipeline_events_in_total', { pipeline: 'main' })).toBe(3);
    expect(value('logstash_pipeline_events_out_total', { pipeline: 'main' })).toBe(3);
    expect(value('logstash_plugin_events_in_total', { pipeline: 'main', plugin_id: 'g' })).toBe(3);
    expect(fams.get('logstash_pipeline_batch_duration_milliseconds')!.type).toBe('histogram');
    expect(value('logstash_pipeline_queue_events', { pipeline: 'main' })).toBe(0);
  });

  it('unknown paths answer 404 JSON', async () => {
    const r = await fetch(`${api}/_node/nothing`);
    expect(r.status).toBe(404);
    expect((await r.json() as { status: number }).status).toBe(404);
  });
});

describe('monitoring API settings', () => {
  it('api.auth.type: basic refuses a wrong password; api.enabled: false serves nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-api-'));
    const apiPort = await freePort();
    writeFileSync(join(dir, 'logstash.yml'), `api.http.port: ${apiPort}\napi.auth.type: basic\napi.auth.basic.username: ops\napi.auth.basic.password: "Secr3t-Passw0rd!"\n`);
    const cli = startCli(['run', '--path.settings', dir, '-e', 'input { generator { count => 1 } } output { stdout { codec => json_lines } }\ninput { http { host => "127.0.0.1" port => 0 } }']);
    try {
      await waitFor(() => /Successfully started Logstash API endpoint/.test(cli.stderr()) || cli.child.exitCode !== null, 20_000, 'API');
      expect((await fetch(`http://127.0.0.1:${apiPort}/`)).status).toBe(401);
      const ok = await fetch(`http://127.0.0.1:${apiPort}/`, { headers: { authorization: `Basic ${Buffer.from('ops:Secr3t-Passw0rd!').toString('base64')}` } });
      expect(ok.status).toBe(200);
    } finally { cli.child.kill('SIGTERM'); await cli.done; }

    const port2 = await freePort();
    const off = startCli(['run', '--api.enabled', 'false', '--api.http.port', String(port2), '-e', 'input { http { host => "127.0.0.1" port => 0 } } output { stdout {} }']);
    try {
      await waitFor(() => /Pipelines running/.test(off.stderr()) || off.child.exitCode !== null, 20_000, 'running');
      await new Promise((r) => setTimeout(r, 300));
      await expect(fetch(`http://127.0.0.1:${port2}/`)).rejects.toThrow();
      expect(off.stderr()).not.toContain('Successfully started Logstash API endpoint');
    } finally { off.child.kill('SIGTERM'); await off.done; }
  });
});
