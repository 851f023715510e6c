import { describe, expect, it } from 'vitest';
import type { AttributeNode, BranchNode, ConfigAst, PluginNode } from '../src/config/ast.js';
import { DiagnosticSink } from '../src/config/diagnostics.js';
import { parseConfig } from '../src/config/parse.js';

function parse(text: string): { ast?: ConfigAst; sink: DiagnosticSink } {
  const sink = new DiagnosticSink('t.conf');
  const ast = parseConfig(text, sink);
  return ast ? { ast, sink } : { sink };
}

const accepts = (text: string): boolean => parse(text).ast !== undefined;
const firstPlugin = (ast: ConfigAst): PluginNode => ast.sections[0]!.body[0] as PluginNode;
const attr = (ast: ConfigAst, i = 0): AttributeNode => firstPlugin(ast).attributes[i]!;

describe('config grammar (as Logstash\'s treetop grammar)', () => {
  it('reads repeated sections in order, with locations', () => {
    const { ast } = parse('input { stdin {} }\nfilter { }\nfilter { drop {} }\noutput { stdout {} }');
    expect(ast!.sections.map((s) => s.kind)).toEqual(['input', 'filter', 'filter', 'output']);
    expect(ast!.sections[2]!.loc).toEqual({ line: 3, column: 1, offset: 30 });
    expect((ast!.sections[2]!.body[0] as PluginNode).nameLoc).toMatchObject({ line: 3, column: 10 });
  });

  it('accepts comments wherever whitespace may be', () => {
    expect(accepts('# head\ninput # a\n{ # b\n stdin # c\n { # d\n  id => # e\n "x" # f\n } # g\n} # end')).toBe(true);
    expect(accepts('input { stdin { } } # no newline at the end')).toBe(true);
  });

  it('requires whitespace, not commas, between attributes', () => {
    expect(accepts('input { stdin { a => 1 bb => 2 } }')).toBe(true);
    expect(accepts('input { stdin { a => 1, bb => 2 } }')).toBe(false);
    expect(accepts('input { stdin { a => "x"bb => 2 } }')).toBe(false);
  });

  it('separates hash entries by whitespace only, with number, bareword or string keys', () => {
    const { ast } = parse('filter { f { h => { "a" => 1 bb => 2 3 => 4 \'c\' => [5] } } }');
    const h = attr(ast!).value;
    expect(h.type).toBe('hash');
    expect((h as { entries: { key: { type: string } }[] }).entries.map((e) => e.key.type)).toEqual(['string', 'bareword', 'number', 'string']);
    expect(accepts('filter { f { h => { "a" => 1, "b" => 2 } } }')).toBe(false);
  });

  it('takes arrays with commas and no trailing comma', () => {
    expect(accepts('filter { f { a => [1, "two", three, [4], { "k" => "v" }] } }')).toBe(true);
    expect(accepts('filter { f { a => [] } }')).toBe(true);
    expect(accepts('filter { f { a => [1, 2, ] } }')).toBe(false);
  });

  it('requires barewords of at least two characters', () => {
    expect(accepts('filter { f { a => bb } }')).toBe(true);
    expect(accepts('filter { f { a => b } }')).toBe(false);
  });

  it('reads numbers, negative and decimal', () => {
    const { ast } = parse('filter { f { a => -12 bb => 3.5 cc => 4. } }');
    expect(firstPlugin(ast!).attributes.map((a) => (a.value as { text: string }).text)).toEqual(['-12', '3.5', '4.']);
  });

  it('keeps string contents raw, with \\" not ending a double-quoted string', () => {
    const { ast } = parse('filter { f { a => "say \\"hi\\"" bb => \'it\\\'s\' } }');
    expect(firstPlugin(ast!).attributes.map((a) => (a.value as { raw: string }).raw)).toEqual(['say \\"hi\\"', "it\\'s"]);
  });

  it('reads a plugin as a value (codec blocks)', () => {
    const { ast } = parse('input { stdin { codec => json { charset => "UTF-8" } } }');
    const v = attr(ast!).value as PluginNode;
    expect(v.type).toBe('plugin');
    expect(v.name).toBe('json');
    expect(v.attributes[0]!.name).toBe('charset');
  });

  it('reads if / else if / else chains with nested branches', () => {
    const { ast } = parse('filter { if [a] { f {} } else if [b] == 1 { if [c] { g {} } } else { h {} } }');
    const b = ast!.sections[0]!.body[0] as BranchNode;
    expect(b.clauses.map((c) => c.kind)).toEqual(['if', 'else if', 'else']);
    expect(b.clauses[1]!.body[0]!.type).toBe('branch');
  });

  it('reads every comparison, regex, in and boolean operator', () => {
    for (const cond of ['[a] == 1', '[a] != "x"', '[a] < 1', '[a] > 1', '[a] <= 1', '[a] >= 1', '[a] =~ /x/', '[a] !~ "x"',
      '"x" in [a]', '"x" not in [a]', '[a] in ["x", "y"]', '!([a] and [b])', '![a]', '[a] and [b] or [c] xor [d] nand [e]',
      '[a][b][c]', '[@metadata][x] == "y"', '[a] == -1.5', '([a] == 1) or (([b]))']) {
      expect(accepts(`filter { if ${cond} { } }`), cond).toBe(true);
    }
  });

  it('needs a space after `not` in `not in`', () => {
    expect(accepts('filter { if "x" notin [a] { } }')).toBe(false);
  });

  it('reads \\/ inside a regex literal', () => {
    const { ast } = parse('filter { if [p] =~ /a\\/b/ { } }');
    const cond = (ast!.sections[0]!.body[0] as BranchNode).clauses[0]!.condition!;
    expect(cond.first).toMatchObject({ type: 'match', right: { type: 'regexp', raw: 'a\\/b' } });
  });

  it('accepts a file without any section, as Logstash 8\'s grammar does', () => {
    expect(parse('').ast!.sections).toEqual([]);
    expect(parse('# only a comment').ast!.sections).toEqual([]);
  });

  it('accepts comments between hash entries and at the very end (Logstash 8.14+)', () => {
    expect(accepts('filter { f { h => {\n "a" => 1\n # between\n "b" => 2 } } }\n# last line without newline')).toBe(true);
    expect(accepts('filter { f { h => {"a"=>1"b"=>2} } }')).toBe(true);
  });

  it('explains a syntax error with what was expected, where', () => {
    const { sink } = parse('input {\n  stdin {\n    add_field => { "a" => 1 },\n  }\n}\n');
    expect(sink.list).toEqual([{
      code: 'SLC_SYNTAX', severity: 'error', file: 't.conf', line: 3, column: 30,
      message: 'syntax error: expected `}`, found `,`',
      hint: 'plugin options and hash entries are separated by whitespace, not commas',
    }]);
  });

  it('reports an unterminated config at the end of input', () => {
    const { sink } = parse('filter {\n  mutate { }\n');
    expect(sink.list[0]).toMatchObject({ code: 'SLC_SYNTAX', line: 3, column: 1, message: 'syntax error: expected one of `if`, `}`, a name or a string, found end of input' });
  });
});
