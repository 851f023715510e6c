// Ports of logstash-filter-xml's RSpec examples (spec/filters/xml_spec.rb, logstash-plugins/logstash-filter-xml
// at 3fe8584). Not ported: "when an exception is thrown in XML#filter" (it makes filter_matched raise
// through a mock), and the parse_options examples that read Nokogiri's constants back (the accepted names
// and the refusal of an unknown one are ported).
import { describe, expect, it } from 'vitest';
import type { Hash } from '../src/event/values.js';
import xml from '../src/filters/xml.js';
import { filterHarness } from './helpers/filter-run.js';

const run = async (config: Record<string, unknown>, data: Hash) => {
  const h = await filterHarness(xml, config);
  const [e] = await h.run(data);
  return e!;
};

describe.each(['raw', 'xmldata'])('xml: parse standard xml (source %s)', (source) => {
  const cfg = { source, target: 'data' };
  it.each([
    ['<foo key="value"/>', { key: 'value' }],
    ['<foo><key>value1</key><key>value2</key></foo>', { key: ['value1', 'value2'] }],
    ['<foo><key1><key2>value</key2></key1></foo>', { key1: [{ key2: ['value'] }] }],
  ])('%s', async (input, expected) => {
    const e = await run(cfg, { [source]: input });
    expect(e.get('tags')).toBeUndefined();
    expect(e.get('data')).toEqual(expected);
  });
  it('fails on bad xml', async () => {
    expect((await run(cfg, { [source]: '<foo /' })).get('tags')).toContain('_xmlparsefailure');
  });
  it('does not store with store_xml => false', async () => {
    const e = await run({ ...cfg, store_xml: false }, { [source]: '<foo key="value"/>' });
    expect(e.get('tags')).toBeUndefined();
    expect(e.get('data')).toBeUndefined();
  });
  it('stores xpath values: single and multiple', async () => {
    const c = { ...cfg, xpath: ['/foo/key/text()', 'xpath_field'] };
    const one = await run(c, { [source]: '<foo><key>value</key></foo>' });
    expect(one.get('tags')).toBeUndefined();
    expect(one.get('xpath_field')).toEqual(['value']);
    expect((await run(c, { [source]: '<foo><key>value1</key><key>value2</key></foo>' })).get('xpath_field')).toEqual(['value1', 'value2']);
  });
});

describe('xml: arrays in the source (deprecated checks)', () => {
  const cfg = { source: 'raw', target: 'data' };
  it('parses xml in a single item array', async () => {
    const e = await run(cfg, { raw: ['<foo bar="baz"/>'] });
    expect(e.get('tags')).toBeUndefined();
    expect(e.get('data')).toEqual({ bar: 'baz' });
  });
  it.each([
    ['a multi item array', ['<foo bar="baz"/>', 'jojoba']],
    ['an empty array', []],
    ['a non string field', { foo: 'bar' }],
    ['a non string single item array', [{ foo: 'bar' }]],
  ])('fails for %s', async (_, raw) => {
    const e = await run(cfg, { raw } as Hash);
    expect(e.get('tags')).toContain('_xmlparsefailure');
    expect(e.get('data')).toBeUndefined();
  });
});

describe('xml: xpath', () => {
  it('parses non ascii content', async () => {
    const e = await run({ source: 'xmldata', target: 'data', xpath: ['/foo/key/text()', 'xpath_field'] }, { xmldata: '<foo><key>Français</key></foo>' });
    expect(e.get('tags')).toBeUndefined();
    expect(e.get('xpath_field')).toEqual(['Français']);
  });
  const ns = '<foo xmlns:h="http://www.w3.org/TR/html4/"><h:div>Content</h:div></foo>';
  it('uses the namespaces declared on the root', async () => {
    const e = await run({ source: 'xmldata', xpath: ['/foo/h:div', 'xpath_field'], remove_namespaces: false, store_xml: false }, { xmldata: ns });
    expect(e.get('xpath_field')).toEqual(['<h:div>Content</h:div>']);
  });
  it('with namespaces declared in the config, on the root', async () => {
    const e = await run({ source: 'xmldata', xpath: ['/foo/h:div', 'xpath_field'], namespaces: { h: 'http://www.w3.org/TR/html4/' }, remove_namespaces: false, store_xml: false }, { xmldata: ns });
    expect(e.get('xpath_field')).toEqual(['<h:div>Content</h:div>']);
  });
  it('with namespaces declared in the config, on the child', async () => {
    const e = await run({ source: 'xmldata', xpath: ['/foo/h:div', 'xpath_field'], namespaces: { h: 'http://www.w3.org/TR/html4/' }, remove_namespaces: false, store_xml: false },
      { xmldata: '<foo><h:div xmlns:h="http://www.w3.org/TR/html4/">Content</h:div></foo>' });
    expect(e.get('xpath_field')).toEqual(['<h:div xmlns:h="http://www.w3.org/TR/html4/">Content</h:div>']);
  });
  it('removes namespaces', async () => {
    const e = await run({ source: 'xmldata', xpath: ['/foo/div', 'xpath_field'], remove_namespaces: true, store_xml: false }, { xmldata: ns });
    expect(e.get('xpath_field')).toEqual(['<div>Content</div>']);
  });
  it('a single result with force_array => false, even from broken xml', async () => {
    const e = await run({ source: 'xmldata', store_xml: 'false', force_array: 'false', xpath: ['/element/field1/text()', 'field1'] },
      { xmldata: '<element><field1>bbb</field1><field2>789</field2><field3>e3f<field3></element>' });
    expect(e.get('field1')).toBe('bbb');
  });
  it('does not set an empty array on a failed xpath', async () => {
    const e = await run({ source: 'xmldata', target: 'data', xpath: ['//foo/text()', 'xpath_field'] }, { raw: '<foobar></foobar>' });
    expect(e.get('tags')).toBeUndefined();
    expect(e.get('xpath_field')).toBeUndefined();
  });
  it('prints elements as Nokogiri does, nested ones indented, and XPath numbers as floats', async () => {
    const e = await run({ source: 'x', store_xml: false, xpath: { '/a/b': 'b', 'count(/a/b/c)': 'n', '/a/b/@id': 'id' } }, { x: '<a><b id="7"><c>1</c><c>2</c></b></a>' });
    expect(e.get('b')).toEqual(['<b id="7">\n  <c>1</c>\n  <c>2</c>\n</b>']);
    expect(e.get('n')).toEqual(['2.0']);
    expect(e.get('id')).toEqual(['7']);
  });
});

describe('xml: XmlSimple options', () => {
  it('forces arrays by default', async () => {
    expect((await run({ source: 'xmldata', target: 'parseddata' }, { xmldata: '<foo><bar>Content</bar></foo>' })).get('parseddata')).toEqual({ bar: ['Content'] });
  });
  it('force_array => false', async () => {
    expect((await run({ source: 'xmldata', target: 'parseddata', force_array: false }, { xmldata: '<foo><bar>Content</bar></foo>' })).get('parseddata')).toEqual({ bar: 'Content' });
  });
  it('suppress_empty => false keeps empty elements as {}', async () => {
    const e = await run({ source: 'xmldata', target: 'data', suppress_empty: false }, { xmldata: '<foo><key>value1</key><key></key></foo>' });
    expect(e.get('tags')).toBeUndefined();
    expect(e.get('data')).toEqual({ key: ['value1', {}] });
  });
  it('suppress_empty => true drops them', async () => {
    expect((await run({ source: 'xmldata', target: 'data', suppress_empty: true }, { xmldata: '<foo><key>value1</key><key></key></foo>' })).get('data')).toEqual({ key: ['value1'] });
  });
  it('force_content => false', async () => {
    const e = await run({ source: 'xmldata', target: 'data', force_array: false, force_content: false }, { xmldata: '<opt><x>text1</x><y a="2">text2</y></opt>' });
    expect(e.get('data')).toEqual({ x: 'text1', y: { a: '2', content: 'text2' } });
  });
  it('force_content => true', async () => {
    const e = await run({ source: 'xmldata', target: 'data', force_array: false, force_content: true }, { xmldata: '<opt><x>text1</x><y a="2">text2</y></opt>' });
    expect(e.get('data')).toEqual({ x: { content: 'text1' }, y: { a: '2', content: 'text2' } });
  });
});

describe('xml: parsing invalid xml', () => {
  const xmldata = "<xml> <sample attr='foo' attr=\"bar\"> <invalid> </sample> </xml>";
  it('does not fail by default (the XPath parse recovers)', async () => {
    expect((await run({ source: 'xmldata', store_xml: false }, { xmldata })).get('tags')).toBeUndefined();
  });
  it('fails with parse_options => strict', async () => {
    expect((await run({ source: 'xmldata', store_xml: false, parse_options: 'strict' }, { xmldata })).get('tags')).toContain('_xmlparsefailure');
  });
});

describe('xml: parse_options', () => {
  it.each(['strict', 'no_error,NOWARNING', 'recover|noblanks'])('accepts %s', async (parse_options) => {
    await expect(filterHarness(xml, { source: 'xmldata', store_xml: false, parse_options })).resolves.toBeDefined();
  });
  it('refuses an unknown option', async () => {
    await expect(filterHarness(xml, { source: 'xmldata', store_xml: false, parse_options: 'strict,invalid0' })).rejects.toThrow('unsupported parse option: "invalid0"');
  });
  it('requires target with store_xml', async () => {
    await expect(filterHarness(xml, { source: 'xmldata' })).rejects.toThrow(/'target' must also be set/);
  });
});
