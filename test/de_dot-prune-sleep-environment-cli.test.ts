// de_dot, prune, sleep and environment through the real CLI (examples from the plugins' spec files).
import { describe, expect, it } from 'vitest';
import { checkConfig, runFilterSection } from './helpers/pipeline-cli.js';

describe('de_dot through sluice run', () => {
  it('renames dotted names, nests them, tags conflicts', async () => {
    const { events } = await runFilterSection('de_dot { } de_dot { nested => true recursive => true fields => ["acme"] }', [
      { 'foo.bar': 'pass', acme: { 'roller.skates': 'coyote' } },
    ]);
    expect(events[0]).toMatchObject({ foo_bar: 'pass', acme: { roller: { skates: 'coyote' } } });
    expect(events[0]).not.toHaveProperty(['foo.bar']);
    const conflict = await runFilterSection('de_dot { nested => true }', [{ request: 'GET', 'request.path': '/users' }]);
    expect(conflict.events[0]!.tags).toEqual(['_de_dot_error']);
  });
});

describe('prune through sluice run', () => {
  it('whitelist_names with interpolation and blacklist_values on arrays', async () => {
    const { events } = await runFilterSection(
      'prune { whitelist_names => ["^firstname$", "%{firstname}_saying", "^status$", "^@"] interpolate => true } prune { blacklist_values => { "status" => "^(1|2|3)" } }',
      [{ firstname: 'Borat', lastname: 'Sagdiyev', Borat_saying: 'hi', status: ['100', '400'] }]);
    expect(Object.keys(events[0]!).sort()).toEqual(['@timestamp', '@version', 'Borat_saying', 'firstname', 'status']);
    expect(events[0]!.status).toEqual(['400']);
  });
});

describe('sleep and environment through sluice run', () => {
  it('sleep lets events through in order; environment fills [@metadata] (seen through sprintf)', async () => {
    const { events } = await runFilterSection(
      'sleep { time => "0.01" every => 2 } environment { add_metadata_from_env => { "who" => "SLUICE_TEST_WHO" } } mutate { add_field => { "who" => "%{[@metadata][who]}" } }',
      [{ message: 'a' }, { message: 'b' }, { message: 'c' }], { env: { SLUICE_TEST_WHO: 'hello world' } });
    expect(events.map((e) => [e.message, e.who])).toEqual([['a', 'hello world'], ['b', 'hello world'], ['c', 'hello world']]);
    expect(events[0]).not.toHaveProperty('@metadata');
  });
});

describe('config errors of these filters at start-up (sluice run -t)', () => {
  it.each([
    ['clone { }', 'clones'],
    ['uuid { }', 'target'],
    ['de_dot { separator => "." }', "separator cannot be or contain '.'"],
    ['bytes { }', 'target'],
    ['sleep { }', 'time'],
    ['prune { whitelist_names => ["("] }', 'whitelist_names'],
    ['urldecode { charset => "NOPE-1" }', 'charset'],
    ['truncate { fields => ["a"] }', 'length_bytes'],
  ])('%s is refused, naming %s', async (section, what) => {
    const r = await checkConfig(`input { stdin {} } filter { ${section} } output { stdout {} }`);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(what);
  });
});
