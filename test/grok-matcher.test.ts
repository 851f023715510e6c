/**
 * The GrokMatcher facade (src/formats/grok/matcher.ts), as the CLI, the multiline codec and the grok
 * debugger use it: library loading, structured captures and explanations, and the runaway guard on
 * every way of matching a line.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import { GrokMatcher, GrokPatternError, MATCH, MISS, TIMED_OUT } from '../src/formats/grok/index.js';
import { PACKAGE_ROOT } from '../src/formats/grok/library.js';

const FIX = join(PACKAGE_ROOT, 'fixtures', 'grok');
const open: GrokMatcher[] = [];
const matcher = (opts: ConstructorParameters<typeof GrokMatcher>[0]): GrokMatcher => {
  const m = new GrokMatcher(opts);
  open.push(m);
  return m;
};
afterEach(async () => { for (const m of open.splice(0)) await m.close(); });

/** Run `fn` and return how long it took, in milliseconds. */
async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const t0 = Date.now();
  const r = await fn();
  return [r, Date.now() - t0];
}

describe('GrokMatcher library', () => {
  it('reads custom pattern text after the patterns_dir files and before pattern_definitions', async () => {
    const dir = [join(FIX, 'patterns-dir')];
    const text = '# the debugger\'s custom patterns box\nORDERID X-%{INT}\nTICKET T-\\d+\n';
    const custom = await matcher({ ecs: 'disabled', patternsDir: dir, patternText: text }).compile('%{ORDERID:o} %{TICKET:t}');
    expect(await custom.inspect('ID-1 X-2 T-3')).toEqual({ status: 'match', fields: { o: 'X-2', t: 'T-3' } });
    const defined = await matcher({ ecs: 'disabled', patternsDir: dir, patternText: text, patternDefinitions: { ORDERID: 'ID-%{INT}' } }).compile('%{ORDERID:o}');
    expect(await defined.inspect('X-2 ID-1')).toEqual({ status: 'match', fields: { o: 'ID-1' } });
  });

  it('resolves relative patterns_dir entries against the cwd it is given', async () => {
    const e = await matcher({ ecs: 'disabled', patternsDir: ['patterns-dir'], cwd: FIX }).compile('%{ORDERID:o}');
    expect((await e.inspect('ID-7')).status).toBe('match');
    // From the repository root there is no patterns-dir/: no extra patterns, as Logstash's Dir.glob.
    await expect(matcher({ ecs: 'disabled', patternsDir: ['patterns-dir'], cwd: PACKAGE_ROOT }).compile('%{ORDERID:o}'))
      .rejects.toThrow(/%\{ORDERID\} is not defined/);
  });

  it('reports undefined patterns and regexes neither engine accepts as GrokPatternError with a code', async () => {
    const m = matcher({ ecs: 'disabled' });
    await expect(m.compile('%{NOPE}')).rejects.toMatchObject({ code: 'SLC_GROK_UNDEFINED_PATTERN', pattern: 'NOPE' });
    await expect(m.compile('(unclosed')).rejects.toBeInstanceOf(GrokPatternError);
    await expect(m.compile('(unclosed')).rejects.toMatchObject({ code: 'SLC_GROK_BAD_REGEX' });
  });
});

describe('GrokMatcher results', () => {
  it('gives the captures as a hash nested as in an event, converted, with @metadata', async () => {
    const e = await matcher({ ecs: 'v1' }).compile('%{IP:[client][ip]} %{NUMBER:[bytes]:int} %{NUMBER:ratio:float} %{WORD:[@metadata][kind]}');
    expect(await e.inspect('10.0.0.1 15824 0.5 probe')).toEqual({
      status: 'match',
      fields: { client: { ip: '10.0.0.1' }, bytes: 15824, ratio: new LsFloat(0.5), '@metadata': { kind: 'probe' } },
    });
  });

  it('explains a miss by the longest prefix that matches and where the line stopped matching', async () => {
    const e = await matcher({ ecs: 'disabled' }).compile('%{IP:ip} %{WORD:verb} %{NUMBER:bytes:int}');
    const r = await e.inspect('10.0.0.1 GET lots');
    expect(r).toEqual({
      status: 'miss',
      explanation: { expression: '%{IP:ip} %{WORD:verb} %{NUMBER:bytes:int}', matchedPrefix: '%{IP:ip} %{WORD:verb} ', failedAt: '%{NUMBER:bytes:int}', stoppedAt: 13, remainingText: 'lots' },
    });
    expect(await e.inspect('10.0.0.1 GET lots', { explain: false })).toEqual({ status: 'miss' });
  });

  it('writes into an event under target, replacing the overwrite fields, and tests lines without captures', async () => {
    const e = await matcher({ ecs: 'disabled' }).compile('%{WORD:prog}: %{GREEDYDATA:message}', { target: 'parsed', overwrite: ['message'] });
    const event = new Event({ message: 'app: hello', parsed: { message: 'old' } });
    expect(e.matchInto('app: hello', event)).toBe(MATCH);
    expect(event.get('[parsed]')).toEqual({ message: 'hello', prog: 'app' });
    expect(e.test('app: hello')).toBe(MATCH);
    expect(e.test('nothing here')).toBe(MISS);
  });
});

describe('GrokMatcher runaway guard', () => {
  const runaway = '^(\\w+\\s?)+$';
  const bad = `${'a'.repeat(48)}!`;

  it('stops a runaway match whichever way the line is matched', async () => {
    const e = await matcher({ ecs: 'disabled', timeoutMillis: 200 }).compile(runaway);
    expect(e.guarded).toBe(true);
    for (const run of [() => e.matchInto(bad, new Event({})), () => e.test(bad), async () => (await e.inspect(bad)).status]) {
      // A line the guard worker matches at once (after a stopped match, a fresh worker): the timing
      // below is the match's, not the worker's start.
      expect(e.test(`${'a'.repeat(48)} b`)).toBe(MATCH);
      const [r, took] = await timed(run);
      expect(r === TIMED_OUT || r === 'timeout').toBe(true);
      expect(took).toBeGreaterThanOrEqual(150);
      expect(took).toBeLessThan(3000);
    }
  });

  it('runs expressions only Oniguruma can run on the guard worker too, with the same captures', async () => {
    const m = matcher({ ecs: 'disabled', engine: 'oniguruma', timeoutMillis: 300 });
    const e = await m.compile('^(?<run>(\\w+\\s?)+)$');
    expect([e.engine, e.guarded]).toEqual(['oniguruma', true]);
    const before = m.guardedLines;
    expect(await e.inspect(`${'a'.repeat(40)} b`)).toEqual({ status: 'match', fields: { run: `${'a'.repeat(40)} b` } });
    expect(m.guardedLines).toBe(before + 1);
    // Oniguruma gives up by itself after ten million backtracking steps (its retry limit, about 60 ms
    // here), and reports that as no match; whichever of that limit and timeout_millis comes first
    // ends a runaway line, and the main thread never waits for it.
    const [r, took] = await timed(() => e.matchInto(`${'a'.repeat(40)}!`, new Event({})));
    expect([MISS, TIMED_OUT]).toContain(r);
    expect(took).toBeLessThan(3000);
  });

  it('stops an Oniguruma runaway at timeout_millis when that comes before the retry limit', async () => {
    const m = matcher({ ecs: 'disabled', engine: 'oniguruma', timeoutMillis: 15 });
    const e = await m.compile('^(?<run>(\\w+\\s?)+)$');
    // Start the guard worker first, so that the time below is the match's.
    await e.inspect('warm up');
    const [r, took] = await timed(() => e.matchInto(`${'a'.repeat(40)}!`, new Event({})));
    expect(r).toBe(TIMED_OUT);
    expect(took).toBeLessThan(3000);
  });

  it('is off with timeoutMillis 0, and not needed by expressions that cannot backtrack badly', async () => {
    expect((await matcher({ ecs: 'disabled', timeoutMillis: 0 }).compile(runaway)).guarded).toBe(false);
    expect((await matcher({ ecs: 'disabled' }).compile('%{IP:ip} %{WORD:verb} %{NUMBER:bytes:int}')).guarded).toBe(false);
  });
});
