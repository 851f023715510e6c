/**
 * The grok filter's options and Logstash's capture-writing rules (logstash-filter-grok 4.4).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import { PACKAGE_ROOT } from '../src/formats/grok/library.js';
import { grokFilter, grokProblems } from './helpers/grok.js';

const FIX = join(PACKAGE_ROOT, 'fixtures', 'grok');

async function run(options: Record<string, unknown>, data: Record<string, unknown>, ecs: 'disabled' | 'v1' = 'disabled'): Promise<{ ok: boolean; event: Event }> {
  const f = await grokFilter(options, ecs);
  const event = new Event(data as never);
  const ok = f.filter(event);
  await f.close();
  return { ok, event };
}

describe('grok captures', () => {
  it('writes named captures and converts :int and :float like Ruby to_i / to_f', async () => {
    const { ok, event } = await run({ match: { message: '%{WORD:w} %{NUMBER:n:int} %{NUMBER:f:float} %{NOTSPACE:big:int}' } }, { message: 'abc 12.9 3 123456789012345678901' });
    expect(ok).toBe(true);
    expect(event.get('w')).toBe('abc');
    expect(event.get('n')).toBe(12);
    expect(event.get('f')).toEqual(new LsFloat(3));
    expect(String(event.get('f'))).toBe('3.0');
    expect(event.get('big')).toBe(123456789012345678901n);
  });

  it('turns an existing string into an array, appends to an array, leaves other values alone', async () => {
    const { event } = await run({ match: { message: '%{WORD:a} %{WORD:b} %{WORD:c}' } }, { message: 'x y z', a: 'old', b: ['p', 'q'], c: 5 });
    expect(event.get('a')).toEqual(['old', 'x']);
    expect(event.get('b')).toEqual(['p', 'q', 'y']);
    expect(event.get('c')).toBe(5);
  });

  it('replaces fields listed in overwrite', async () => {
    const { event } = await run({ match: { message: '%{WORD:prog}: %{GREEDYDATA:message}' }, overwrite: ['message'] }, { message: 'app: hello world' });
    expect(event.get('message')).toBe('hello world');
    expect(event.get('prog')).toBe('app');
  });

  it('skips empty and unset captures unless keep_empty_captures', async () => {
    const pattern = '%{WORD:a}(?: %{WORD:b})?%{DATA:c}$';
    const plain = await run({ match: { message: pattern } }, { message: 'x' });
    expect(plain.event.includes('b')).toBe(false);
    expect(plain.event.includes('c')).toBe(false);
    const kept = await run({ match: { message: pattern }, keep_empty_captures: true }, { message: 'x' });
    expect(kept.event.get('b')).toBe(null);
    expect(kept.event.get('c')).toBe('');
  });

  it('writes nested field references, @metadata and raw named groups', async () => {
    const { event } = await run({ match: { message: '%{IP:[client][ip]} (?<[http][verb]>[A-Z]+) (?<plain>\\d+) %{WORD:[@metadata][kind]}' } }, { message: '10.1.2.3 GET 42 probe' });
    expect(event.get('[client][ip]')).toBe('10.1.2.3');
    expect(event.get('[http][verb]')).toBe('GET');
    expect(event.get('plain')).toBe('42');
    expect(event.get('[@metadata][kind]')).toBe('probe');
  });

  it('never throws when a capture path crosses a scalar: the field counts as not matched', async () => {
    const { ok, event } = await run({ match: { message: '%{WORD:[a][b]}' } }, { message: 'x', a: 'scalar' });
    expect(ok).toBe(false);
    expect(event.get('a')).toBe('scalar');
    expect(event.tags).toEqual(['_grokparsefailure']);
  });

  it('writes under target', async () => {
    const { event } = await run({ match: { message: '%{WORD:a} %{INT:[b][c]:int}' }, target: 'parsed' }, { message: 'x 7' });
    expect(event.get('[parsed][a]')).toBe('x');
    expect(event.get('[parsed][b][c]')).toBe(7);
    expect(event.includes('a')).toBe(false);
  });

  it('captures unnamed references too when named_captures_only is false', async () => {
    const { event } = await run({ match: { message: '%{WORD} %{INT:n}' }, named_captures_only: false }, { message: 'x 7' });
    expect(event.get('WORD')).toBe('x');
    expect(event.get('n')).toBe('7');
  });

  it('converts only the first group of a name with :int (jls-grok quirk)', async () => {
    // The second group of the name is not converted: when only it takes part, the value stays a string.
    const second = await run({ match: { message: '^(?:%{INT:n:int}|x%{INT:n:int})$' } }, { message: 'x5' });
    expect(second.event.get('n')).toBe('5');
    const first = await run({ match: { message: '^(?:%{INT:n:int}|x%{INT:n:int})$' } }, { message: '5' });
    expect(first.event.get('n')).toBe(5);
    // Both take part: the converted 1 is an Integer, which Logstash leaves alone when the 2nd arrives.
    const both = await run({ match: { message: '%{INT:n:int} %{INT:n:int}' } }, { message: '1 2' });
    expect(both.event.get('n')).toBe(1);
  });

  it('ignores text after the pattern name up to the closing brace', async () => {
    const { event } = await run({ match: { message: '%{INT:n this is ignored} %{WORD - also ignored}' } }, { message: '5 x' });
    expect(event.get('n')).toBe('5');
  });
});

describe('grok matching rules', () => {
  it('matches a missing field as the empty string', async () => {
    const hit = await run({ match: { nothere: '^$' } }, { message: 'x' });
    expect(hit.ok).toBe(true);
    const miss = await run({ match: { nothere: '%{WORD:w}' } }, { message: 'x' });
    expect(miss.ok).toBe(false);
    expect(miss.event.tags).toEqual(['_grokparsefailure']);
  });

  it('matches numbers through their text and every element of an array field', async () => {
    const { ok, event } = await run({ match: { n: '^%{INT:i}$', list: '%{WORD:w}' }, break_on_match: false }, { n: 42, list: ['a', 'b'] });
    expect(ok).toBe(true);
    expect(event.get('i')).toBe('42');
    expect(event.get('w')).toEqual(['a', 'b']);
  });

  it('stops at the first matching pattern with break_on_match, tries all without', async () => {
    const pats = { message: ['%{WORD:first} %{WORD}', '%{WORD} %{WORD:second}'] };
    const brk = await run({ match: pats }, { message: 'x y' });
    expect(brk.event.includes('second')).toBe(false);
    const all = await run({ match: pats, break_on_match: false }, { message: 'x y' });
    expect(all.event.get('first')).toBe('x');
    expect(all.event.get('second')).toBe('y');
  });

  it('uses tag_on_failure, and no tag when it is empty', async () => {
    const custom = await run({ match: { message: '^%{INT}$' }, tag_on_failure: ['nope', '_x'] }, { message: 'x' });
    expect(custom.event.tags).toEqual(['nope', '_x']);
    const none = await run({ match: { message: '^%{INT}$' }, tag_on_failure: [] }, { message: 'x' });
    expect(none.event.includes('tags')).toBe(false);
  });

  it('gives `.` the newline and keeps ^ and $ at line boundaries (Ruby MULTILINE)', async () => {
    const dot = await run({ match: { message: '^a.b$' } }, { message: 'a\nb' });
    expect(dot.ok).toBe(true);
    const lines = await run({ match: { message: '^second$' } }, { message: 'first\nsecond\nthird' });
    expect(lines.ok).toBe(true);
    const string = await run({ match: { message: '\\Asecond' } }, { message: 'first\nsecond' });
    expect(string.ok).toBe(false);
    const endZ = await run({ match: { message: 'end\\Z' } }, { message: 'the end\n' });
    expect(endZ.ok).toBe(true);
    const endz = await run({ match: { message: 'end\\z' } }, { message: 'the end\n' });
    expect(endz.ok).toBe(false);
  });

  it('supports atomic groups, possessive quantifiers, lookbehind, \\h and POSIX brackets', async () => {
    expect((await run({ match: { message: '^(?>a+)a' } }, { message: 'aaa' })).ok).toBe(false);
    expect((await run({ match: { message: '^a++a' } }, { message: 'aaa' })).ok).toBe(false);
    const lb = await run({ match: { message: '(?<=id=)(?<id>\\h+)' } }, { message: 'x id=0fA9 y' });
    expect(lb.event.get('id')).toBe('0fA9');
    const posix = await run({ match: { message: '(?<w>[[:alpha:]]+)' } }, { message: '12 Čierny 3' });
    expect(posix.event.get('w')).toBe('Čierny');
  });

  it('keeps \\w, \\d and \\s ASCII as Ruby does', async () => {
    const { event } = await run({ match: { message: '(?<w>\\w+)' } }, { message: 'čaj tea' });
    expect(event.get('w')).toBe('aj');
  });
});

describe('grok pattern loading', () => {
  it('loads patterns_dir files in name order (later files override), then pattern_definitions', async () => {
    const dir = await run({ match: { message: '%{ORDERID:o}' }, patterns_dir: [join(FIX, 'patterns-dir')] }, { message: 'ORD-1 ID-2' });
    expect(dir.event.get('o')).toBe('ID-2');
    const defs = await run({ match: { message: '%{ORDERID:o}' }, patterns_dir: [join(FIX, 'patterns-dir')], pattern_definitions: { ORDERID: 'ORD-%{INT}' } }, { message: 'ID-2 ORD-1' });
    expect(defs.event.get('o')).toBe('ORD-1');
  });

  it('redefines built-in patterns from patterns_dir', async () => {
    const { event } = await run({ match: { message: '%{WORD:w}' }, patterns_dir: [join(FIX, 'patterns-dir')] }, { message: 'ABC def' });
    expect(event.get('w')).toBe('def');
  });

  it('selects files with patterns_files_glob', async () => {
    const { event } = await run({ match: { message: '%{ORDERID:o}' }, patterns_dir: [join(FIX, 'patterns-dir2')], patterns_files_glob: '*.grok' }, { message: 'Y-1 X-2' });
    expect(event.get('o')).toBe('X-2');
  });

  it('uses the ECS pattern set for v1 and v8, the legacy one for disabled', async () => {
    const line = 'Mar  4 05:06:07 gw sshd[42]: hi';
    expect((await run({ match: { message: '%{SYSLOGLINE}' } }, { message: line }, 'v1')).event.get('[process][pid]')).toBe(42);
    expect((await run({ match: { message: '%{SYSLOGLINE}' } }, { message: line })).event.get('pid')).toBe('42');
  });
});

describe('grok configuration errors', () => {
  it('names an undefined pattern and where it was used', async () => {
    await expect(grokFilter({ match: { message: '%{NOPE:x}' } })).rejects.toThrow(/%\{NOPE\} is not defined.*"message" => "%\{NOPE:x\}"/);
    const errs = await grokProblems({ match: { message: '%{OUTER}' }, pattern_definitions: { OUTER: 'a %{INNER}' } });
    expect(errs).toHaveLength(1);
    expect(errs[0]!.option).toBe('match');
    expect(errs[0]!.code).toBe('SLC_GROK_UNDEFINED_PATTERN');
    expect(errs[0]!.message).toMatch(/%\{INNER\} is not defined used in OUTER/);
  });

  it('reports cyclic definitions with the cycle', async () => {
    const errs = await grokProblems({ match: { message: '%{A}' }, pattern_definitions: { A: 'x%{B}', B: 'y%{A}' } });
    expect(errs[0]!.code).toBe('SLC_GROK_CYCLIC_PATTERN');
    expect(errs[0]!.message).toMatch(/A → B → A/);
  });

  it('reports regexes Oniguruma rejects', async () => {
    const errs = await grokProblems({ match: { message: '(unclosed' } });
    expect(errs[0]!.code).toBe('SLC_GROK_BAD_REGEX');
  });
});
