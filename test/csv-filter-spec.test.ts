// Ports of logstash-filter-csv's RSpec examples (spec/filters/csv_spec.rb, logstash-plugins/logstash-filter-csv),
// run in both ECS modes as the spec's matrix does, plus Ruby CSV semantics the plugin inherits.
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { Timestamp } from '../src/event/timestamp.js';
import { LsFloat, type Hash } from '../src/event/values.js';
import csv, { parseCsvLine } from '../src/filters/csv/index.js';
import { csvDate, csvDateTime, rubyFloat, rubyInteger } from '../src/filters/csv/convert.js';
import { createPlugin } from './helpers/plugin-context.js';
import { filterHarness } from './helpers/filter-run.js';

describe('csv registration', () => {
  it('refuses invalid data types in convert', async () => {
    await expect(createPlugin(csv, { convert: { custom1: 'integer', custom3: 'wrong_type' }, columns: ['custom1', 'custom2', 'custom3'] }))
      .rejects.toThrow('Invalid conversion types: wrong_type');
  });
});

describe.each(['disabled', 'v8'] as const)('csv (ecs %s)', (ecs) => {
  const run = async (config: Record<string, unknown>, data: Hash | string): Promise<Event> => {
    const h = await filterHarness(csv, config, { ecs });
    const [e] = await h.run(typeof data === 'string' ? { message: data } : data);
    return e!;
  };

  describe('all defaults', () => {
    it('extracts all the values', async () => {
      const e = await run({}, 'big,bird,sesame street');
      expect([e.get('column1'), e.get('column2'), e.get('column3')]).toEqual(['big', 'bird', 'sesame street']);
    });
    it('does not mutate the source field', async () => {
      expect((await run({}, 'big,bird,sesame street')).get('message')).toBe('big,bird,sesame street');
    });
  });

  it('empty message with skip_empty_rows: tagged _csvskippedemptyfield, not cancelled', async () => {
    const e = await run({ skip_empty_rows: true }, '');
    expect(e.get('tags')).toContain('_csvskippedemptyfield');
    expect(e.cancelled).toBe(false);
  });

  it('custom separator', async () => {
    const e = await run({ separator: ';' }, 'big,bird;sesame street');
    expect([e.get('column1'), e.get('column2')]).toEqual(['big,bird', 'sesame street']);
  });

  describe('quote char', () => {
    it('a custom one', async () => {
      const e = await run({ quote_char: "'" }, "big,bird,'sesame street'");
      expect([e.get('column1'), e.get('column2'), e.get('column3')]).toEqual(['big', 'bird', 'sesame street']);
    });
    it('the default one', async () => {
      const e = await run({}, 'big,bird,"sesame, street"');
      expect(e.get('column3')).toBe('sesame, street');
    });
    it('a null', async () => {
      const e = await run({ quote_char: '\x00' }, 'big,bird,"sesame" street');
      expect([e.get('column1'), e.get('column2'), e.get('column3')]).toEqual(['big', 'bird', '"sesame" street']);
    });
    it('a null as read from config (\\x00)', async () => {
      const e = await run({ quote_char: '\\x00' }, 'big,bird,"sesame" street');
      expect(e.get('column3')).toBe('"sesame" street');
    });
  });

  describe('given column names', () => {
    it('extracts all the values', async () => {
      const e = await run({ columns: ['first', 'last', 'address'] }, 'big,bird,sesame street');
      expect([e.get('first'), e.get('last'), e.get('address')]).toEqual(['big', 'bird', 'sesame street']);
    });
    it('without autogeneration of names', async () => {
      const e = await run({ autogenerate_column_names: false, columns: ['custom1', 'custom2'] }, 'val1,val2,val3');
      expect([e.get('custom1'), e.get('custom2')]).toEqual(['val1', 'val2']);
      expect(e.get('column3')).toBeUndefined();
    });
    it('skips the header', async () => {
      const e = await run({ skip_header: true, columns: ['first_column', 'second_column', 'third_column'] }, 'first_column,second_column,third_column');
      expect(e.cancelled).toBe(true);
    });
    it('skips empty columns', async () => {
      const e = await run({ skip_empty_columns: true, source: 'datafield', columns: ['custom1', 'custom2', 'custom3'] }, { datafield: 'val1,,val3' });
      expect(e.get('custom1')).toBe('val1');
      expect(e.includes('custom2')).toBe(false);
      expect(e.get('custom3')).toBe('val3');
    });
    it('more data than defined', async () => {
      const e = await run({ columns: ['custom1', 'custom2'] }, 'val1,val2,val3');
      expect([e.get('custom1'), e.get('custom2'), e.get('column3')]).toEqual(['val1', 'val2', 'val3']);
    });
    it('from a given source', async () => {
      const e = await run({ source: 'datafield', columns: ['custom1', 'custom2', 'custom3'] }, { datafield: 'val1,val2,val3' });
      expect([e.get('custom1'), e.get('custom2'), e.get('custom3')]).toEqual(['val1', 'val2', 'val3']);
    });
    it('that use [@metadata]', async () => {
      const e = await run({ columns: ['[@metadata][one]', 'foo'] }, 'hello,world');
      expect(e.get('[@metadata][one]')).toBe('hello');
      expect(e.get('foo')).toBe('world');
    });
  });

  describe('given target', () => {
    it('extracts all the values', async () => {
      const e = await run({ target: 'data' }, 'big,bird,sesame street');
      expect(e.get('data')).toEqual({ column1: 'big', column2: 'bird', column3: 'sesame street' });
    });
    it('with a source too', async () => {
      const e = await run({ source: 'datain', target: 'data' }, { datain: 'big,bird,sesame street' });
      expect(e.get('data')).toEqual({ column1: 'big', column2: 'bird', column3: 'sesame street' });
    });
    it('[nested][fieldref] syntax', async () => {
      const e = await run({ target: '[foo][bar]' }, 'hello,world');
      expect([e.get('[foo][bar][column1]'), e.get('[foo][bar][column2]')]).toEqual(['hello', 'world']);
    });
    it('nested fieldrefs as columns', async () => {
      const e = await run({ target: '[foo][bar]', columns: ['[test][one]', '[test][two]'] }, 'hello,world');
      expect([e.get('[foo][bar][test][one]'), e.get('[foo][bar][test][two]')]).toEqual(['hello', 'world']);
    });
  });

  describe('using field conversion', () => {
    const convert = { column1: 'integer', column3: 'boolean', column4: 'float', column5: 'date', column6: 'date_time', column7: 'date', column8: 'date_time' };
    const doc = '1234,bird,false,3.14159265359,2017-06-01,2001-02-03 04:05:06,invalid_date,invalid_date_time';
    it('converts integer, boolean, float; keeps unconverted and unparsable values', async () => {
      const e = await run({ convert }, doc);
      expect(e.get('column1')).toBe(1234);
      expect(e.get('column2')).toBe('bird');
      expect(e.get('column3')).toBe(false);
      expect(e.get('column4')).toEqual(new LsFloat(3.14159265359));
      expect(e.get('column7')).toBe('invalid_date');
      expect(e.get('column8')).toBe('invalid_date_time');
    });
    it('converts to date (local midnight, as Date#to_time) and date_time (UTC without an offset)', async () => {
      const e = await run({ convert }, doc);
      const d = e.get('column5');
      expect(d).toBeInstanceOf(Timestamp);
      expect((d as Timestamp).epochMs).toBe(new Date(2017, 5, 1).getTime());
      expect(String(e.get('column6'))).toBe('2001-02-03T04:05:06.000Z');
    });
    it('when using column names', async () => {
      const e = await run({ convert: { custom1: 'integer', custom3: 'boolean' }, columns: ['custom1', 'custom2', 'custom3'] }, doc);
      expect([e.get('custom1'), e.get('custom2'), e.get('custom3')]).toEqual([1234, 'bird', false]);
    });
  });

  it('given autodetect option: the first line names the columns and is dropped', async () => {
    const h = await filterHarness(csv, { autodetect_column_names: true }, { ecs });
    const [header] = await h.run({ message: 'first,last,address' });
    expect(header!.cancelled).toBe(true);
    const [e] = await h.run({ message: 'big,bird,sesame street' });
    expect([e!.get('first'), e!.get('last'), e!.get('address')]).toEqual(['big', 'bird', 'sesame street']);
  });
});

describe('csv: Ruby CSV rules the plugin inherits', () => {
  const run = async (config: Record<string, unknown>, data: Hash): Promise<Event> => {
    const h = await filterHarness(csv, config);
    const [e] = await h.run(data);
    return e!;
  };
  it('a stray quote is a parse failure, tagged _csvparsefailure, common options not applied', async () => {
    const e = await run({ add_tag: ['ok'] }, { message: 'big,bird,"sesame" street' });
    expect(e.get('tags')).toEqual(['_csvparsefailure']);
    expect(e.includes('column1')).toBe(false);
  });
  it('an empty line without skip_empty_rows is a parse failure', async () => {
    expect((await run({}, { message: '' })).get('tags')).toEqual(['_csvparsefailure']);
  });
  it('a missing source leaves the event alone', async () => {
    const e = await run({ add_tag: ['ok'] }, { other: 'a,b' });
    expect(e.includes('tags')).toBe(false);
  });
  it('empty unquoted columns are null, quoted ones empty strings; doubled quotes', async () => {
    const e = await run({}, { message: 'a,,"","b""c"' });
    expect(e.get('column2')).toBeNull();
    expect(e.get('column3')).toBe('');
    expect(e.get('column4')).toBe('b"c');
  });
  it('boolean conversion of an empty column fails (nil.strip)', async () => {
    const e = await run({ convert: { column2: 'boolean' } }, { message: 'a,' });
    expect(e.get('tags')).toEqual(['_csvparsefailure']);
  });
  it('only the first line is read; multi-character separators', () => {
    expect(parseCsvLine('a,b\nc,d', { separator: ',', quote: '"' })).toEqual(['a', 'b']);
    expect(parseCsvLine('a;;b', { separator: ';;', quote: '"' })).toEqual(['a', 'b']);
    expect(parseCsvLine('\n', { separator: ',', quote: '"' })).toEqual([]);
  });
  it('Integer() and Float() as Ruby reads them', () => {
    expect(rubyInteger(' 12 ')).toBe(12);
    expect(rubyInteger('0x1A')).toBe(26);
    expect(rubyInteger('010')).toBe(8);
    expect(rubyInteger('1_000')).toBe(1000);
    expect(rubyInteger('08')).toBeUndefined();
    expect(rubyInteger('1.5')).toBeUndefined();
    expect(rubyInteger('12345678901234567890')).toBe(12345678901234567890n);
    expect(rubyFloat('1e3')).toBe(1000);
    expect(rubyFloat('abc')).toBeUndefined();
  });
  it('date and date_time forms of CSV::DateMatcher / DateTimeMatcher', () => {
    expect(csvDate('June 1, 2017')?.epochMs).toBe(new Date(2017, 5, 1).getTime());
    expect(csvDate('2017-02-30')).toBeUndefined();
    expect(String(csvDateTime('2001-02-03T04:05:06+07:00'))).toBe('2001-02-02T21:05:06.000Z');
    expect(String(csvDateTime('2001-02-03T04:05:06.123Z'))).toBe('2001-02-03T04:05:06.123Z');
  });
});
