import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import type { BranchNode } from '../src/config/ast.js';
import { compileCondition } from '../src/config/condition.js';
import { DiagnosticSink } from '../src/config/diagnostics.js';
import { parseConfig } from '../src/config/parse.js';
import type { Condition } from '../src/config/plan.js';

async function compile(cond: string, env: Record<string, string> = {}): Promise<{ condition?: Condition; sink: DiagnosticSink }> {
  const sink = new DiagnosticSink('test.conf');
  const ast = parseConfig(`filter {\n  if ${cond} { }\n}\n`, sink);
  if (!ast) return { sink };
  const branch = ast.sections[0]!.body[0] as BranchNode;
  const condition = await compileCondition(branch.clauses[0]!.condition!, { supportEscapes: false, env }, sink);
  return condition ? { condition, sink } : { sink };
}

/** Evaluate a condition against an event built from `fields`. */
async function check(cond: string, fields: Record<string, unknown> = {}): Promise<boolean> {
  const { condition, sink } = await compile(cond);
  if (!condition) throw new Error(`did not compile: ${sink.list.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return condition(new Event(fields as never));
}

async function errorOf(cond: string): Promise<string | undefined> {
  return (await compile(cond)).sink.list[0]?.code;
}

describe('boolean operator precedence (Logstash join_conditions)', () => {
  it('binds and tighter than or', async () => {
    // a or (b and c): true when a alone is true
    expect(await check('[a] or [b] and [c]', { a: 1 })).toBe(true);
    // (a and b) or c: true when only c is true
    expect(await check('[a] and [b] or [c]', { c: 1 })).toBe(true);
    expect(await check('[a] and [b] or [c]', { a: 1 })).toBe(false);
  });

  it('pops only one operator: a and b and c or d means a and ((b and c) or d)', async () => {
    // Standard precedence would give (a and b and c) or d = true when only d is true.
    expect(await check('[a] and [b] and [c] or [d]', { d: 1 })).toBe(false);
    expect(await check('[a] and [b] and [c] or [d]', { a: 1, d: 1 })).toBe(true);
    expect(await check('[a] and [b] and [c] or [d]', { a: 1, b: 1, c: 1 })).toBe(true);
  });

  it('parentheses group as written', async () => {
    expect(await check('([a] and [b] and [c]) or [d]', { d: 1 })).toBe(true);
    expect(await check('[a] and ([b] or [c])', { a: 1, c: 1 })).toBe(true);
  });

  it('xor and nand work on their own', async () => {
    expect(await check('[a] xor [b]', { a: 1 })).toBe(true);
    expect(await check('[a] xor [b]', { a: 1, b: 1 })).toBe(false);
    expect(await check('[a] nand [b]', { a: 1, b: 1 })).toBe(false);
    expect(await check('[a] nand [b]', { a: 1 })).toBe(true);
  });

  it('rejects xor/nand mixed with another operator, as Logstash fails to compile it', async () => {
    expect(await errorOf('[a] xor [b] and [c]')).toBe('SLC_OPERATOR_MIX');
    expect(await errorOf('[a] and [b] nand [c]')).toBe('SLC_OPERATOR_MIX');
    expect(await errorOf('([a] xor [b]) and [c]')).toBeUndefined();
  });
});

describe('truthiness', () => {
  it('is false for missing, false, "" and "false"; true for 0, "0", [] and {}', async () => {
    expect(await check('[x]', {})).toBe(false);
    expect(await check('[x]', { x: false })).toBe(false);
    expect(await check('[x]', { x: '' })).toBe(false);
    expect(await check('[x]', { x: 'false' })).toBe(false);
    expect(await check('[x]', { x: null })).toBe(false);
    expect(await check('[x]', { x: 0 })).toBe(true);
    expect(await check('[x]', { x: '0' })).toBe(true);
    expect(await check('[x]', { x: [] })).toBe(true);
    expect(await check('[x]', { x: {} })).toBe(true);
    expect(await check('[x]', { x: true })).toBe(true);
  });

  it('negates with !', async () => {
    expect(await check('![x]', { x: 'false' })).toBe(true);
    expect(await check('![x]', { x: 'yes' })).toBe(false);
    expect(await check('!([x] == 1)', { x: 2 })).toBe(true);
  });

  it('reads nested fields and @metadata', async () => {
    expect(await check('[a][b] == "c"', { a: { b: 'c' } })).toBe(true);
    const { condition } = await compile('[@metadata][route] == "x"');
    const e = new Event({});
    e.set('[@metadata][route]', 'x');
    expect(condition!(e)).toBe(true);
  });

  it('takes a constant alone as a constant', async () => {
    expect(await check('"yes"')).toBe(true);
    expect(await check('""')).toBe(false);
    expect(await check('"false"')).toBe(false);
  });
});

describe('comparisons', () => {
  it('== is typed: a number never equals a string', async () => {
    expect(await check('[status] == 200', { status: 200 })).toBe(true);
    expect(await check('[status] == 200', { status: '200' })).toBe(false);
    expect(await check('[status] == "200"', { status: '200' })).toBe(true);
    expect(await check('[status] != 200', { status: '200' })).toBe(true);
    expect(await check('200 == [status]', { status: 200 })).toBe(true);
  });

  it('compares integers and floats by value', async () => {
    expect(await check('[n] == 1', { n: new LsFloat(1) })).toBe(true);
    expect(await check('[n] == 1.0', { n: 1 })).toBe(true);
    expect(await check('[n] > 1.5', { n: 2 })).toBe(true);
    expect(await check('[n] < 10', { n: 9007199254740993n })).toBe(false);
    expect(await check('[n] == 9007199254740993', { n: 9007199254740993n })).toBe(true);
  });

  it('reads number literals as Logstash does (leading zero is octal)', async () => {
    expect(await check('[n] == 010', { n: 8 })).toBe(true);
    expect(await errorOf('[n] == 09')).toBe('SLC_BAD_NUMBER');
  });

  it('orders strings lexicographically', async () => {
    expect(await check('[s] < "b"', { s: 'abc' })).toBe(true);
    expect(await check('[s] >= "b"', { s: 'b' })).toBe(true);
    expect(await check('[s] > "b"', { s: 'B' })).toBe(false);
  });

  it('is false when the pair cannot be ordered (missing field, string against number)', async () => {
    expect(await check('[n] < 5', {})).toBe(false);
    expect(await check('[n] >= 5', {})).toBe(false);
    expect(await check('[n] < 5', { n: '3' })).toBe(false);
  });

  it('compares two fields', async () => {
    expect(await check('[a] == [b]', { a: 'x', b: 'x' })).toBe(true);
    expect(await check('[a] == [b]', {})).toBe(true);
    expect(await check('[a] < [b]', { a: 1, b: 2 })).toBe(true);
  });

  it('a missing field equals nothing and differs from everything', async () => {
    expect(await check('[x] == ""', {})).toBe(false);
    expect(await check('[x] != "a"', {})).toBe(true);
  });
});

describe('in and not in', () => {
  it('finds a string in an array field or as a substring of a string field', async () => {
    expect(await check('"error" in [tags]', { tags: ['a', 'error'] })).toBe(true);
    expect(await check('"err" in [tags]', { tags: ['error'] })).toBe(false);
    expect(await check('"err" in [msg]', { msg: 'an error' })).toBe(true);
    expect(await check('"error" not in [tags]', { tags: ['x'] })).toBe(true);
    expect(await check('"error" not in [tags]', {})).toBe(true);
  });

  it('a hash field contains nothing (Logstash checks strings and lists only)', async () => {
    expect(await check('"a" in [h]', { h: { a: 1 } })).toBe(false);
  });

  it('finds a number in an array field', async () => {
    expect(await check('200 in [codes]', { codes: [200, 404] })).toBe(true);
    expect(await check('200 in [codes]', { codes: ['200'] })).toBe(false);
  });

  it('matches a field against a list constant by text', async () => {
    expect(await check('[method] in ["GET", "HEAD"]', { method: 'GET' })).toBe(true);
    expect(await check('[method] in ["GET", "HEAD"]', { method: 'POST' })).toBe(false);
    expect(await check('[code] in ["200", "404"]', { code: 200 })).toBe(true);
    expect(await check('[code] not in [200, 404]', { code: 500 })).toBe(true);
    expect(await check('[code] in [200, 404]', {})).toBe(false);
  });

  it('tests a field as a substring of a string constant', async () => {
    expect(await check('[x] in "abcdef"', { x: 'cde' })).toBe(true);
    expect(await check('[x] in "abcdef"', { x: 'xyz' })).toBe(false);
    expect(await check('[x] in "123"', { x: 2 })).toBe(false);
  });

  it('tests a field in another field', async () => {
    expect(await check('[a] in [b]', { a: 'x', b: ['x', 'y'] })).toBe(true);
    expect(await check('[a] in [b]', { a: 'ell', b: 'hello' })).toBe(true);
    expect(await check('[a] in [b]', { a: ['x'], b: ['x'] })).toBe(false);
    expect(await check('[a] in [b]', { b: ['x'] })).toBe(false);
  });

  it('reads a one-element "array" as a field reference, as Logstash\'s grammar does', async () => {
    // `["x"]` is a selector for the field named `"x"` (quotes included), not a list.
    expect(await check('"x" in ["x"]', {})).toBe(false);
    expect(await check('"x" in ["x"]', { '"x"': 'xyz' })).toBe(true);
    expect(await check('[a] in ["x"]', { a: 'x' })).toBe(false);
  });

  it('decides two constants at compile time', async () => {
    expect(await check('"a" in ["a", "b"]')).toBe(true);
    expect(await check('"bc" in "abc"')).toBe(true);
  });
});

describe('regex matching', () => {
  it('matches strings with =~ and !~, unanchored', async () => {
    expect(await check('[msg] =~ /err(or)?/', { msg: 'an error' })).toBe(true);
    expect(await check('[msg] !~ /^x/', { msg: 'abc' })).toBe(true);
    expect(await check('[msg] =~ /^abc$/', { msg: 'x\nabc\ny' })).toBe(true);
  });

  it('reads \\/ in a regex literal as a slash', async () => {
    expect(await check('[path] =~ /^\\/var\\/log/', { path: '/var/log/x' })).toBe(true);
  });

  it('accepts Ruby syntax: named groups, \\A \\z, \\h', async () => {
    expect(await check('[msg] =~ /\\A(?<word>\\w+)\\z/', { msg: 'hello' })).toBe(true);
    expect(await check('[msg] =~ /\\A\\h+\\z/', { msg: 'beef01' })).toBe(true);
    expect(await check('[msg] =~ /\\A\\h+\\z/', { msg: 'xyz' })).toBe(false);
  });

  it('never matches a non-string field; !~ is then true', async () => {
    expect(await check('[n] =~ /1/', { n: 1 })).toBe(false);
    expect(await check('[n] !~ /1/', { n: 1 })).toBe(true);
    expect(await check('[n] =~ /./', {})).toBe(false);
  });

  it('uses a string on the right as a regex', async () => {
    expect(await check('[msg] =~ "^a.c$"', { msg: 'abc' })).toBe(true);
  });

  it('reports an invalid regex with its location', async () => {
    const { sink } = await compile('[msg] =~ /(/');
    expect(sink.list[0]).toMatchObject({ code: 'SLC_BAD_REGEX', line: 2, column: 15 });
  });
});

describe('conditions Logstash cannot compile', () => {
  it('rejects a constant combined with and/or', async () => {
    expect(await errorOf('[a] and "x"')).toBe('SLC_CONDITION_TYPES');
  });

  it('rejects a regex as a side of ==, !=, <, >…: Logstash finds no right-hand side', async () => {
    for (const c of ['[verb] == /HEAD/', '[verb] != /HEAD/', '[n] < /1/', '[n] >= /1/']) {
      const { sink } = await compile(c);
      expect(sink.list[0], c).toMatchObject({ code: 'SLC_CONDITION_TYPES', severity: 'error', line: 2 });
      expect(sink.list[0]!.message).toContain('Failed to parse right-hand side of conditional');
      expect(sink.list[0]!.hint).toContain('=~');
    }
    expect(await errorOf('/HEAD/ == [verb]')).toBe('SLC_CONDITION_TYPES');
    expect(await errorOf('/a/ == /a/')).toBe('SLC_CONDITION_TYPES');
  });

  it('rejects a side with no scalar, a left side with two, and a number matched against a regex', async () => {
    expect(await errorOf('[a] == []')).toBe('SLC_CONDITION_TYPES');
    expect(await errorOf('["x", "y"] == [a]')).toBe('SLC_CONDITION_TYPES');
    expect(await errorOf('123 =~ /1/')).toBe('SLC_CONDITION_TYPES');
    expect(await errorOf('["a", "b"] =~ /a/')).toBe('SLC_CONDITION_TYPES');
  });

  it('rejects ordering an integer constant against a float constant (Java compareTo throws)', async () => {
    expect(await errorOf('1 < 2.5')).toBe('SLC_CONDITION_TYPES');
    expect(await check('1 < 2')).toBe(true);
    expect(await check('1.5 < 2.5')).toBe(true);
  });

  it('rejects a lone method call without exactly one field reference inside', async () => {
    expect(await errorOf('length()')).toBe('SLC_METHOD_CALL');
    expect(await errorOf('both([a], [b])')).toBe('SLC_METHOD_CALL');
  });
});

describe('operands as lscl.rb picks them', () => {
  it('compares with the first string or number of a list, and warns', async () => {
    const { condition, sink } = await compile('[a] == ["x", "y"]');
    expect(condition!(new Event({ a: 'x' }))).toBe(true);
    expect(condition!(new Event({ a: 'y' }))).toBe(false);
    expect(sink.list).toMatchObject([{ code: 'SLC_CONDITION_IGNORED', severity: 'warning', line: 2, column: 6 }]);
    expect(sink.list[0]!.hint).toContain('in');
    expect(await check('[n] == [1, 2]', { n: 1 })).toBe(true);
    expect(await check('[n] < [10, 2]', { n: 5 })).toBe(true);
    // Barewords are not picked, nested lists and hash keys are.
    expect(await check('[a] == [ab, "c"]', { a: 'c' })).toBe(true);
    expect(await check('[a] == [["x"], "y"]', { a: 'x' })).toBe(true);
    expect(await check('[a] == [{ "k" => 1 }, 2]', { a: 'k' })).toBe(true);
  });

  it('reads a method call as what it contains, and warns', async () => {
    const r = await compile('length([a]) > 1');
    expect(r.condition!(new Event({ a: 2 }))).toBe(true);
    expect(r.condition!(new Event({ a: 1 }))).toBe(false);
    expect(r.sink.list[0]).toMatchObject({ code: 'SLC_CONDITION_IGNORED', severity: 'warning' });
    expect(await check('[a] == foo("x")', { a: 'x' })).toBe(true);
    expect(await check('exists([a])', { a: 'v' })).toBe(true);
    expect(await check('exists([a])', {})).toBe(false);
    expect(await check('exists([a]) and [b]', { a: 1, b: 1 })).toBe(true);
    expect(await check('foo([a]) =~ /x/', { a: 'x' })).toBe(true);
    // `in` picks every rvalue, the method's name (a bareword) too: `[s] in foo("a")` is `[s] in "foo"`.
    expect(await check('[s] in foo("a")', { s: 'oo' })).toBe(true);
    expect(await check('[s] in foo("a")', { s: 'a' })).toBe(false);
  });

  it('uses a regex as its text with in and =~, and as a constant when alone', async () => {
    expect(await check('[s] in /abc/', { s: 'bc' })).toBe(true);
    expect(await check('[s] in /abc/', { s: 'x' })).toBe(false);
    expect(await check('/a.c/ in [s]', { s: 'xa.cx' })).toBe(true);
    expect(await check('/a.c/ in [s]', { s: 'abc' })).toBe(false);
    expect(await check('/a.c/ in [tags]', { tags: ['a.c'] })).toBe(true);
    expect(await check('/abc/ =~ /b/')).toBe(true);
    expect(await check('/abc/ !~ /x/')).toBe(true);
    expect(await check('/abc/')).toBe(true);
    expect(await check('//')).toBe(false);
  });
});

describe('environment variables in conditions', () => {
  it('substitutes a string that is exactly one placeholder', async () => {
    const { condition } = await compile('[env] == "${STAGE}"', { STAGE: 'prod' });
    expect(condition!(new Event({ env: 'prod' }))).toBe(true);
    const withDefault = (await compile('[env] == "${NOPE:dev}"')).condition!;
    expect(withDefault(new Event({ env: 'dev' }))).toBe(true);
  });

  it('leaves a placeholder inside other text as written', async () => {
    const { condition } = await compile('[env] == "x-${STAGE}"', { STAGE: 'prod' });
    expect(condition!(new Event({ env: 'x-${STAGE}' }))).toBe(true);
  });

  it('reports an undefined variable', async () => {
    expect(await errorOf('[env] == "${NOT_SET_ANYWHERE}"')).toBe('SLC_UNDEFINED_VARIABLE');
  });
});
