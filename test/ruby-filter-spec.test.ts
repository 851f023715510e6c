/**
 * The examples of logstash-filter-ruby's spec (spec/filters/ruby_spec.rb, v3.1.8, and the script fixtures in
 * spec/fixtures/ it loads), with Logstash's expected values. The fixture scripts under
 * fixtures/ruby-filter/ are written for sluice with the same behaviour as the plugin's.
 *
 * Also ported from the plugin's unreleased 4.0 branch, where they describe what 3.1.8 does too: a syntax
 * error in `code` or in a script fails the start, and a script raising on an event tags it.
 *
 * Not ported: 4.0's "should not rescue Java errors" (no Java exceptions here) and its changed log message
 * ("Exception occurred: …"; 3.1.8 logs "Ruby exception occurred: …", checked below).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../src/config/load.js';
import { Event } from '../src/event/event.js';
import type { FilterInstance } from '../src/plugins/api.js';
import { createFilterRunner, type FilterRunner } from '../src/runtime/filter-runner.js';
import ruby from '../src/filters/ruby/index.js';
import { createPlugin, testContext, type TestContext } from './helpers/plugin-context.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/ruby-filter/${name}`, import.meta.url));

const runners: FilterRunner[] = [];
afterAll(async () => { for (const r of runners) await r.close(); });

/** The spec's `config` + `sample`: the filter section of a config run over one event. */
async function sample(filters: string, data: Record<string, unknown>): Promise<Event[]> {
  const loaded = await loadPipeline({ text: `filter { ${filters} }` }, { ecs: 'v8', supportEscapes: false });
  if (!loaded.plan) throw new Error(loaded.diagnostics.map((d) => d.message).join('\n'));
  const runner = await createFilterRunner(loaded.plan);
  runners.push(runner);
  return runner.process([new Event(data as never)]);
}

/** The problems `sluice run -t` reports for a filter section. */
async function check(filters: string): Promise<string[]> {
  const loaded = await loadPipeline({ text: `filter { ${filters} }` }, { ecs: 'v8', supportEscapes: false });
  return loaded.diagnostics.map((d) => d.message);
}

const DATE = 'date { match => [ "mydate", "ISO8601" ] locale => "en" timezone => "UTC" }';

describe('inline script (ruby_spec.rb "when using inline script")', () => {
  it('generate pretty json on event.to_hash', async () => {
    const [e] = await sample(`${DATE} ruby { init => "require 'json'" code => "event.set('pretty', JSON.pretty_generate(event.to_hash))" }`,
      { message: 'hello world', mydate: '2014-09-23T00:00:00-0800' });
    const pretty = e!.get('pretty') as string;
    // pretty json contains \n: one per key and one before the closing brace
    expect(pretty.split('\n').length - 1).toBe(5);
    expect(JSON.parse(pretty)).toEqual({ message: 'hello world', mydate: '2014-09-23T00:00:00-0800', '@version': '1', '@timestamp': '2014-09-23T08:00:00.000Z' });
  });

  it('generate pretty json on event: the event serializes itself, compactly', async () => {
    const [e] = await sample(`${DATE} ruby { init => "require 'json'" code => "event.set('pretty', JSON.pretty_generate(event))" }`,
      { message: 'hello world', mydate: '2014-09-23T00:00:00-0800' });
    const pretty = e!.get('pretty') as string;
    expect(pretty.includes('\n')).toBe(false);
    expect(JSON.parse(pretty)).toEqual({ message: 'hello world', mydate: '2014-09-23T00:00:00-0800', '@version': '1', '@timestamp': '2014-09-23T08:00:00.000Z' });
  });

  it("catch all exceptions and don't let them ruin your day", async () => {
    const [e] = await sample(`${DATE} ruby { init => "require 'json'" code => "raise 'You shall not pass'" add_tag => ["ok"] }`,
      { message: 'hello world', mydate: '2014-09-23T00:00:00-0800' });
    expect(e!.get('mydate')).toBe('2014-09-23T00:00:00-0800');
    expect(e!.get('tags')).toEqual(['_rubyexception']);
  });

  it('with new event block: creates a new event after the original', async () => {
    const ctx = testContext({}, 'filter', 'ruby');
    const filter = await createPlugin(ruby, { code: 'new_event_block.call(event.clone)' }, ctx);
    const event = new Event({ message: 'hello world', mydate: '2014-09-23T00:00:00-0800' });
    const created: [Event, Event][] = [];
    const ok = await filter.filterBatch!([event], (e, parent) => { created.push([e, parent]); });
    expect(ok).toEqual([true]);
    expect(created).toHaveLength(1);
    const [copy, parent] = created[0]!;
    expect(parent).toBe(event);
    expect(copy).not.toBe(event);
    expect(copy.toObject()).toEqual(event.toObject());
    await filter.close?.();
  });

  it('allow to replace event by another one', async () => {
    const out = await sample('ruby { code => "new_event_block.call(event.clone); event.cancel;" add_tag => ["ok"] }',
      { message: 'hello world', mydate: '2014-09-23T00:00:00-0800' });
    expect(out).toHaveLength(1);
    expect(out[0]!.get('message')).toBe('hello world');
    expect(out[0]!.get('mydate')).toBe('2014-09-23T00:00:00-0800');
    // The copy was made before filter_matched ran on the (cancelled) original: it has no "ok" tag.
    expect(out[0]!.get('tags')).toBeUndefined();
  });

  it('logs the exception with its message (3.1.8: "Ruby exception occurred: …")', async () => {
    const ctx = testContext({}, 'filter', 'ruby');
    const filter = await createPlugin(ruby, { code: 'raise "an_error"' }, ctx);
    const event = new Event({ message: 'hello world' });
    expect(await filter.filter(event, () => {})).toBe(false);
    expect(event.get('tags')).toEqual(['_rubyexception']);
    const line = ctx.logs.find((l) => l.level === 'error');
    expect(line?.msg).toBe('Ruby exception occurred: an_error');
    expect(line?.data?.class).toBe('RuntimeError');
    await filter.close?.();
  });

  it('invalid script: a syntax error in code fails the start (4.0 branch "invalid script")', async () => {
    const problems = await check('ruby { code => "sample do syntax error" }');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/unexpected error: \(ruby filter code\):\d+: syntax error/);
    await expect(createPlugin(ruby, { code: 'sample do syntax error' })).rejects.toThrow(/\(ruby filter code\)/);
  });
});

describe('file based script (ruby_spec.rb "when using file based script")', () => {
  const params = { path: fixture('multiply_field.rb'), script_params: { field: 'foo', multiplier: 2 } };

  it('registers cleanly', async () => {
    const filter = await createPlugin(ruby, params);
    await filter.close?.();
  });

  it('filters data as expected and applies filter_matched', async () => {
    const [e] = await sample(`ruby { path => "${params.path}" script_params => { "field" => "foo" "multiplier" => 2 } add_field => { "success" => "yes" } }`, { foo: 42 });
    expect(e!.get('foo')).toBe(84);
    expect(e!.get('success')).toBe('yes');
  });

  it('scripts with failing test suites error out during register', async () => {
    await expect(createPlugin(ruby, { path: fixture('failing_test.rb') })).rejects.toThrow(/had 1 failing tests!/);
    const problems = await check(`ruby { path => "${fixture('failing_test.rb')}" }`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("Script '");
    expect(problems[0]).toContain("had 1 failing tests! Check the error log for details.");
    expect(problems[0]).toContain("'sets foo foo to equal baz'");
  });

  it('a script returning several events yields each of them (and the original is dropped)', async () => {
    const filter = await createPlugin(ruby, { path: fixture('three_copies.rb') });
    const event = new Event({ foo: 42 });
    const created: Event[] = [];
    await filter.filter(event, (e) => { created.push(e); });
    expect(created).toHaveLength(3);
    expect(created.map((e) => e.get('foo'))).toEqual([42, 42, 42]);
    expect(event.cancelled).toBe(true);
    await filter.close?.();
  });

  it('a script that raises tags the event and logs "Could not process event: …" (4.0 branch "script that raises")', async () => {
    const ctx: TestContext = testContext({}, 'filter', 'ruby');
    const filter: FilterInstance = await createPlugin(ruby, { path: fixture('raising.rb') }, ctx);
    const event = new Event({ foo: 42, error: 'ERR-MSG' });
    expect(await filter.filter(event, () => {})).toBe(false);
    expect(event.get('tags')).toEqual(['_rubyexception']);
    const line = ctx.logs.find((l) => l.level === 'error');
    expect(line?.msg).toBe('Could not process event: ERR-MSG');
    expect(line?.data?.class).toBe('ArgumentError');
    expect(line?.data?.script_path).toBe(fixture('raising.rb'));
    await filter.close?.();
  });

  it('an invalid .rb script errors out, naming the file and line (4.0 branch "invalid .rb script")', async () => {
    const problems = await check(`ruby { path => "${fixture('syntax_error.rb')}" }`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/syntax_error\.rb:\d+: syntax error/);
  });

  it("the documentation's drop_percentage.rb passes its own test", async () => {
    expect(await check(`ruby { path => "${fixture('drop_percentage.rb')}" script_params => { "percentage" => 0.5 } }`)).toEqual([]);
  });
});
