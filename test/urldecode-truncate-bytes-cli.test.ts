// urldecode, truncate and bytes through the real CLI (examples from the plugins' spec files).
import { describe, expect, it } from 'vitest';
import { runFilterSection } from './helpers/pipeline-cli.js';

describe('urldecode through sluice run', () => {
  it('decodes a field, keeps invalid UTF-8 escaped, decodes all fields', async () => {
    const { events } = await runFilterSection('urldecode { field => "url" } urldecode { field => "bad" } urldecode { all_fields => true add_tag => ["dec"] }', [{
      url: 'http%3A%2F%2Fl%C3%B8gstash.net%2Fd%C3%B8cs?name=frødø%20båggins', bad: '%D3%D0x', other: { q: 'a%20b' },
    }]);
    expect(events[0]).toMatchObject({ url: 'http://løgstash.net/døcs?name=frødø båggins', bad: '\\xD3\\xD0x', other: { q: 'a b' }, tags: ['dec'] });
  });
});

describe('truncate through sluice run', () => {
  it('cuts to bytes without splitting characters; add_tag only when something was cut', async () => {
    const { events } = await runFilterSection('truncate { fields => ["msg", "[n][list]"] length_bytes => 5 add_tag => ["cut"] }',
      [{ msg: 'aaaaé', n: { list: ['bbbbbbbb', 3] } }, { msg: 'short' }]);
    expect(events[0]).toMatchObject({ msg: 'aaaa', n: { list: ['bbbbb', 3] }, tags: ['cut'] });
    expect(events[1]).toMatchObject({ msg: 'short' });
    expect(events[1]).not.toHaveProperty('tags');
  });
});

describe('bytes through sluice run', () => {
  it('parses sizes in binary and metric units; tags garbage', async () => {
    const { events } = await runFilterSection('bytes { target => "b" } bytes { target => "m" conversion_method => "metric" tag_on_failure => ["boom"] }',
      [{ message: '3,124.56 mb' }, { message: '32 kB' }, { message: 'abcdef' }]);
    expect(events[0]).toMatchObject({ b: Math.round(3124.56 * 1024 * 1024), m: Math.round(3124.56 * 1e6) });
    expect(events[1]).toMatchObject({ b: 32768, m: 32000 });
    expect(events[2]).toMatchObject({ tags: ['_bytesparsefailure', 'boom'] });
  });
  it('prints exabytes exactly', async () => {
    const { result } = await runFilterSection('bytes { target => "b" }', [{ message: '32EB' }]);
    expect(result.stdout).toContain('"b":36893488147419103232');
  });
});
