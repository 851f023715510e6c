/**
 * csv output, ported from logstash-output-csv spec/outputs/csv_spec.rb (3.0.10): each context's events
 * go through the plugin as the runtime creates it, into a temp file, and the file is read back (as
 * `File.readlines` / `CSV.read` do in the spec; csv-parse stands in for Ruby's CSV.read).
 * Every example of the spec is ported.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import csv from '../src/outputs/csv.js';
import type { OutputInstance } from '../src/plugins/api.js';
import { createPlugin } from './helpers/plugin-context.js';

async function write(options: Record<string, unknown>, events: Record<string, unknown>[]): Promise<{ output: string[]; csvOutput: string[][]; text: string }> {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-csv-spec-')), 'out.csv');
  const out = await createPlugin(csv, { path, ...options }) as OutputInstance;
  await out.receive(events.map((e) => new Event(e)), { signal: new AbortController().signal, attempt: 0 });
  await out.close?.();
  const text = readFileSync(path, 'utf8');
  const output = text.split(/(?<=\n)/).filter((l) => l !== '');
  return { output, csvOutput: parse(text, { relax_column_count: true }) as string[][], text };
}

describe('csv output (csv_spec.rb)', () => {
  it('when configured with a single field: writes a single field to a csv file', async () => {
    const { output } = await write({ fields: 'foo' }, [{ foo: 'bar' }]);
    expect(output).toEqual(['bar\n']);
  });

  it('when receiving multiple events with multiple fields: a line per event, configured fields for each line', async () => {
    const { output } = await write({ fields: ['foo', 'baz'] }, [{ foo: 'bar', baz: 'quux' }, { foo: 'bar', baz: 'quux' }]);
    expect(output.length).toBe(2);
    expect(output).toEqual(['bar,quux\n', 'bar,quux\n']);
  });

  it('with missing event fields: skips on the resulting line', async () => {
    const { output } = await write({ fields: ['foo', 'not_there', 'baz'] }, [{ foo: 'bar', baz: 'quux' }]);
    expect(output).toEqual(['bar,,quux\n']);
  });

  it('when field values have commas: correctly escapes them', async () => {
    const { output } = await write({ fields: ['foo', 'baz'] }, [{ foo: 'one,two', baz: 'quux' }]);
    expect(output).toEqual(['"one,two",quux\n']);
  });

  it('when fields contain special characters: correctly escapes them', async () => {
    // The spec's 'one\ntwo' is a single-quoted Ruby string: a backslash and an n.
    const { csvOutput } = await write({ fields: ['foo', 'baz'] }, [{ foo: 'one\\ntwo', baz: 'quux' }]);
    expect(csvOutput).toEqual([['one\\ntwo', 'quux']]);
  });

  it('fields that contain objects are written as json', async () => {
    const { csvOutput } = await write({ fields: ['foo', 'baz'] }, [{ foo: { one: 'two' }, baz: 'quux' }]);
    expect(csvOutput.length).toBe(1);
    expect(csvOutput[0]![0]).toBe('{"one":"two"}');
  });

  it('with address nested field: are referenced using field references', async () => {
    const { csvOutput } = await write({ fields: ['[foo][one]', 'baz'] }, [{ foo: { one: 'two' }, baz: 'quux' }]);
    expect(csvOutput).toEqual([['two', 'quux']]);
  });

  it('missing nested field: are blank', async () => {
    const { output } = await write({ fields: ['[foo][missing]', 'baz'] }, [{ foo: { one: 'two' }, baz: 'quux' }]);
    expect(output).toEqual([',quux\n']);
  });

  it('field separator: uses separator in output', async () => {
    const { output } = await write({ fields: ['foo', 'baz'], csv_options: { col_sep: '|' } }, [{ foo: 'one', baz: 'two' }]);
    expect(output).toEqual(['one|two\n']);
  });

  it('line seperator: uses separator in output', async () => {
    const { text } = await write({ fields: ['foo', 'baz'], csv_options: { col_sep: '|', row_sep: '\t' } }, [{ foo: 'one', baz: 'two' }, { foo: 'one', baz: 'two' }]);
    expect(text.split(/(?<=\n)/)).toEqual(['one|two\tone|two\t']);
  });

  const rogue = { f1: '1+1', f2: '=1+1', f3: '+1+1', f4: '-1+1', f5: '@1+1' };
  const rogueFields = ['f1', 'f2', 'f3', 'f4', 'f5'];

  it('with rogue values: escapes them correctly', async () => {
    const { csvOutput } = await write({ fields: rogueFields }, [rogue]);
    expect(csvOutput).toEqual([['1+1', "'=1+1", "'+1+1", "'-1+1", "'@1+1"]]);
  });

  it('with rogue values, when escaping is turned off: doesn\'t escape values', async () => {
    const { csvOutput } = await write({ fields: rogueFields, spreadsheet_safe: false }, [rogue]);
    expect(csvOutput[0]![0]).toBe('1+1');
    expect(csvOutput[0]![1]).toBe('=1+1');
  });
});

describe('csv output: Ruby CSV writer rules beyond the spec', () => {
  it('an empty string is quoted, nil is not; quotes are doubled; CR and LF force quotes', async () => {
    const { text } = await write({ fields: ['e', 'n', 'q', 'nl'] }, [{ e: '', n: null, q: 'say "hi"', nl: 'a\nb' }]);
    expect(text).toBe('"",,"say ""hi""","a\nb"\n');
  });

  it('force_quotes quotes every field, a missing one too; quote_empty => false leaves empty strings bare', async () => {
    expect((await write({ fields: ['a', 'x'], csv_options: { force_quotes: true } }, [{ a: 'v' }])).text).toBe('"v",""\n');
    expect((await write({ fields: ['a', 'e'], csv_options: { quote_empty: false } }, [{ a: 'v', e: '' }])).text).toBe('v,\n');
  });

  it('quote_char, write_nil_value and write_empty_value', async () => {
    const { text } = await write({ fields: ['a', 'x', 'e'], csv_options: { quote_char: "'", write_nil_value: 'NULL', write_empty_value: 'EMPTY' } }, [{ a: "it's", e: '' }]);
    expect(text).toBe("'it''s',NULL,EMPTY\n");
  });

  it('numbers, floats, booleans, arrays and timestamps are written as Ruby prints them; negative numbers are not escaped', async () => {
    const e = new Event({ i: -5, f: 1.5, b: true, arr: ['a', 1], s: '-x' });
    const path = join(mkdtempSync(join(tmpdir(), 'sluice-csv-spec-')), 'out.csv');
    const out = await createPlugin(csv, { path, fields: ['i', 'f', 'b', 'arr', 's', '@timestamp'] }) as OutputInstance;
    await out.receive([e], { signal: new AbortController().signal, attempt: 0 });
    await out.close?.();
    expect(readFileSync(path, 'utf8')).toBe(`-5,1.5,true,"[""a"", 1]",'-x,${e.timestamp.toString()}\n`);
  });
});
