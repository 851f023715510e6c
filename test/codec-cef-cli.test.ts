// The cef codec through the real CLI (built by `npm test`).
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './helpers/cli.js';

async function run(config: string, input: string, extra: string[] = []): Promise<string> {
  const r = await runCli(['run', ...extra, '-e', config], { input });
  expect(r.stderr).not.toMatch(/Error|error/);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('cef codec through sluice run', () => {
  const msg = 'CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 dst=12.121.122.82 spt=1232 cs1=foo bar cs1Label=note';

  it('decodes CEF lines with a delimiter into ECS fields', async () => {
    const out = await run('input { stdin { codec => cef { delimiter => "\\n" } } } output { stdout { codec => json_lines } }', `${msg}\n${msg}\n`);
    const events = jsonLines(out);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      cef: { version: '0', name: 'trojan successfully stopped', device_custom_string_1: { value: 'foo bar', label: 'note' } },
      observer: { vendor: 'security', product: 'threatmanager', version: '1.0' },
      event: { code: '100', severity: '10' },
      source: { ip: '10.0.0.192', port: '1232' },
      destination: { ip: '12.121.122.82' },
    });
  });

  it('decodes into CEF names with ECS disabled', async () => {
    const out = await run('input { stdin { codec => cef { delimiter => "\\n" } } } output { stdout { codec => json_lines } }', `${msg}\n`, ['--pipeline.ecs_compatibility', 'disabled']);
    expect(jsonLines(out)).toMatchObject([{ cefVersion: '0', deviceVendor: 'security', sourceAddress: '10.0.0.192', sourcePort: '1232', deviceCustomString1: 'foo bar' }]);
  });

  it('encodes events as CEF with reverse_mapping', async () => {
    const out = await run('input { stdin { codec => json_lines } } output { stdout { codec => cef { vendor => "%{v}" name => "n|x" severity => "%{sev}" fields => ["sourceAddress", "[destination][port]", "note"] reverse_mapping => true delimiter => "\\n" } } }',
      '{"v":"Acme","sev":"3","sourceAddress":"1.2.3.4","destination":{"port":80},"note":"a=b"}\n');
    expect(out).toBe('CEF:0|Acme|Logstash|1.0|Logstash|n\\|x|3|src=1.2.3.4 dpt=80 note=a\\=b\n');
  });

  it('tags what is not CEF with _cefparsefailure', async () => {
    const r = await runCli(['run', '-e', 'input { stdin { codec => cef { delimiter => "\\n" } } } output { stdout { codec => json_lines } }'], { input: 'hello\n' });
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toMatchObject([{ message: 'hello', tags: ['_cefparsefailure'] }]);
  });
});
