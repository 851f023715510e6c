// Ports of logstash-filter-urldecode's RSpec examples (spec/filters/urldecode_spec.rb,
// logstash-plugins/logstash-filter-urldecode), plus the charset option.
import { describe, expect, it } from 'vitest';
import type { Hash } from '../src/event/values.js';
import urldecode from '../src/filters/urldecode.js';
import { createPlugin } from './helpers/plugin-context.js';
import { filterOne } from './helpers/filter-run.js';

const run = (config: Record<string, unknown>, data: Hash) => filterOne(urldecode, config, data);
const ENCODED = 'http%3A%2F%2Flogstash.net%2Fdocs%2F1.3.2%2Ffilters%2Furldecode';
const DECODED = 'http://logstash.net/docs/1.3.2/filters/urldecode';

describe('urldecode', () => {
  it('decodes correct urlencoded data', async () => {
    const e = await run({}, { message: ENCODED });
    expect(e.get('message')).toBe(DECODED);
    expect(e.get('tags')).toBeUndefined();
  });
  it('leaves data without escapes alone', async () => {
    const e = await run({}, { message: DECODED });
    expect(e.get('message')).toBe(DECODED);
    expect(e.get('tags')).toBeUndefined();
  });
  it('all_fields decodes every field', async () => {
    const e = await run({ all_fields: true }, { message: ENCODED, nonencoded: DECODED });
    expect(e.get('message')).toBe(DECODED);
    expect(e.get('nonencoded')).toBe(DECODED);
    expect(e.get('tags')).toBeUndefined();
  });
  it('replaces invalid UTF-8 with its escaped form', async () => {
    const e = await run({}, { message: '/a/sa/search?rgu=0;+%C3%BB%D3%D0%D5%D2%B5%BD=;+%B7%A2%CB%CD=' });
    expect(e.get('message')).toBe('/a/sa/search?rgu=0;+û\\xD3\\xD0\\xD5ҵ\\xBD=;+\\xB7\\xA2\\xCB\\xCD=');
    expect(e.get('tags')).toBeUndefined();
  });
  it('handles non RFC 3986 compliant strings with encoding in the params portion', async () => {
    const e = await run({ field: 'url' }, { url: '/fr/search-results?queryText=Organigramme%20de%20la%20Commission%20europ%C3%A9enne%201998&additionalTextParam=organigramme%20de%20la%20commission%20européenne%201998' });
    expect(e.get('url')).toBe('/fr/search-results?queryText=Organigramme de la Commission européenne 1998&additionalTextParam=organigramme de la commission européenne 1998');
  });
  it('handles non RFC 3986 compliant strings with encoding in the url portion', async () => {
    const e = await run({ field: 'url' }, { url: 'http%3A%2F%2Fl%C3%B8gstash.net%2Fd%C3%B8cs%2F1.3.2%2Ffilters%2Furldecøde?name=frødø%20båggins' });
    expect(e.get('url')).toBe('http://løgstash.net/døcs/1.3.2/filters/urldecøde?name=frødø båggins');
  });
  it('handles hashes', async () => {
    const e = await run({}, { message: { url: ENCODED } });
    expect(e.get('[message][url]')).toBe(DECODED);
    expect(e.get('tags')).toBeUndefined();
  });
  it('handles arrays', async () => {
    const e = await run({}, { message: [ENCODED] });
    expect(e.get('[message][0]')).toBe(DECODED);
  });

  it('charset: the bytes are read in it and converted to UTF-8', async () => {
    const e = await run({ charset: 'ISO-8859-1' }, { message: 'caf%E9' });
    expect(e.get('message')).toBe('café');
  });
  it('charset: bytes it cannot convert tag _urldecodefailure (custom tags too); add_tag still applies', async () => {
    const e = await run({ charset: 'US-ASCII', tag_on_failure: ['bad'], add_tag: ['done'] }, { message: 'caf%E9' });
    expect(e.get('message')).toBe('caf%E9');
    expect(e.get('tags')).toEqual(['bad', 'done']);
  });
  it('an unknown charset is a config error', async () => {
    await expect(createPlugin(urldecode, { charset: 'NOPE-1' })).rejects.toThrow(/charset/);
  });
  it('a missing field is set to null, as the plugin does', async () => {
    const e = await run({ field: 'absent' }, { message: 'x' });
    expect(e.includes('absent')).toBe(true);
    expect(e.get('absent')).toBeNull();
  });
});

describe('urldecode charset ISO-8859-1', () => {
  it('maps every byte to the same code point (0x80–0x9F included), as Ruby does', async () => {
    const e = await filterOne(urldecode, { charset: 'ISO-8859-1' }, { message: '%80%E9' });
    expect(e.get('message')).toBe('\u0080é');
  });
});

describe('urldecode charset Windows-1252', () => {
  it('reads 0x80–0x9F by its table; an undefined byte is a failure', async () => {
    expect((await filterOne(urldecode, { charset: 'Windows-1252' }, { message: '%80%E9%9F' })).get('message')).toBe('€éŸ');
    expect((await filterOne(urldecode, { charset: 'Windows-1252' }, { message: '%81x' })).get('tags')).toEqual(['_urldecodefailure']);
  });
});
