/**
 * The ruby filter through the real CLI, as a user runs it: stdin json_lines → ruby → stdout json_lines,
 * and `sluice run -t` on configs Logstash refuses (a syntax error, a script whose own test fails, `code`
 * with `path`). Expected values are logstash-filter-ruby's (spec/filters/ruby_spec.rb and its docs).
 */
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './helpers/cli.js';

const io = (filter: string): string => `input { stdin { codec => json_lines } } filter { ${filter} } output { stdout { codec => json_lines } }`;
const DE_DOT = `ruby { code => "event.to_hash.keys.each { |k| event.set(k.gsub('.','_'), event.remove(k)) if k.include?('.') }" }`;

describe('sluice run with a ruby filter', () => {
  it("the messy-ELK de_dot block renames every top-level key holding a dot, values unchanged", async () => {
    const input = [
      '{"message":"a","host.name":"web-1","http.response.status_code":200,"event.duration":1.0,"user":{"id.x":"keep"}}',
      '{"message":"b","plain":true}',
    ].join('\n') + '\n';
    const r = await runCli(['run', '-e', io(DE_DOT)], { input, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const [a, b] = jsonLines(r.stdout);
    expect(a).toMatchObject({ message: 'a', host_name: 'web-1', http_response_status_code: 200, user: { 'id.x': 'keep' } });
    expect(a).not.toHaveProperty('host.name');
    expect(r.stdout).toContain('"event_duration":1.0');
    expect(b).toMatchObject({ message: 'b', plain: true });
  }, 60_000);

  it('a path script gets script_params, and add_field applies on success', async () => {
    const filter = 'ruby { path => "fixtures/ruby-filter/multiply_field.rb" script_params => { "field" => "foo" "multiplier" => 2 } add_field => { "success" => "yes" } }';
    const r = await runCli(['run', '-e', io(filter)], { input: '{"foo":42}\n', timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toMatchObject([{ foo: 84, success: 'yes' }]);
    expect(r.stderr).toContain('Test run complete');
  }, 60_000);

  it('an exception tags the event, is logged with its message, and the pipeline goes on', async () => {
    const filter = 'ruby { code => "raise \'no \' + event.get(\'message\') if event.get(\'bad\')" add_tag => ["ok"] tag_with_exception_message => true }';
    const r = await runCli(['run', '-e', io(filter)], { input: '{"message":"x","bad":true}\n{"message":"y"}\n', timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const [x, y] = jsonLines(r.stdout);
    expect(x!.tags).toEqual(['_rubyexception: no x', '_rubyexception']);
    expect(y!.tags).toEqual(['ok']);
    expect(r.stderr).toContain('Ruby exception occurred: no x');
  }, 60_000);

  it('new_event_block emits events after the original, in order', async () => {
    const filter = `ruby { code => "event.get('items').each { |i| new_event_block.call(LogStash::Event.new('item' => i)) }; event.cancel" }`;
    const r = await runCli(['run', '-e', io(filter)], { input: '{"items":[1,2.5,"three"]}\n{"items":[4]}\n', timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((e) => e.item)).toEqual([1, 2.5, 'three', 4]);
    expect(r.stdout).toContain('"item":2.5');
  }, 60_000);
});

describe('sluice run -t with a ruby filter', () => {
  it('reports a syntax error in code with the Ruby error', async () => {
    const r = await runCli(['run', '-t', '-e', 'filter { ruby { code => "sample do syntax error" } }'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toContain('(ruby filter code)');
    expect(out).toMatch(/syntax error/);
    expect(out).toContain('option `code`');
  }, 60_000);

  it('reports a syntax error in init', async () => {
    const r = await runCli(['run', '-t', '-e', 'filter { ruby { init => "def broken(" code => "event" } }'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('(ruby filter init)');
  }, 60_000);

  it("refuses a script whose test fails, naming the test", async () => {
    const r = await runCli(['run', '-t', '-e', 'filter { ruby { path => "fixtures/ruby-filter/failing_test.rb" } }'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toContain("Script 'fixtures/ruby-filter/failing_test.rb' had 1 failing tests!");
    expect(out).toContain("'sets foo foo to equal baz'");
  }, 60_000);

  it('accepts a script whose tests pass', async () => {
    const r = await runCli(['run', '-t', '-e', 'filter { ruby { path => "fixtures/ruby-filter/multiply_field.rb" } }'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Configuration OK');
  }, 60_000);

  it("refuses code together with path, with Logstash's message", async () => {
    const r = await runCli(['run', '-t', '-e', 'filter { ruby { code => "event" path => "fixtures/ruby-filter/three_copies.rb" } }'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('You must either use an inline script with the "code" option or a script file using "path".');
  }, 60_000);

  it("a config that requires 'resolv' starts; a lookup, with no sockets here, tags the event and keeps it", async () => {
    const config = "input { stdin { codec => json } } filter { ruby { init => \"require 'resolv'\" code => \"event.set('name', Resolv.getname(event.get('ip')))\" } } output { stdout { codec => json_lines } }";
    const r = await runCli(['run', '-e', config], { input: '{"ip":"192.0.2.1"}\n', timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const [e] = jsonLines(r.stdout);
    expect(e).toMatchObject({ ip: '192.0.2.1', tags: ['_rubyexception'] });
    expect(e!.name).toBeUndefined();
  }, 60_000);
});
