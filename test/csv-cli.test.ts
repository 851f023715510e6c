// csv through the real CLI: Logstash-style configs, JSON lines in and out (examples from
// logstash-filter-csv's spec/filters/csv_spec.rb).
import { describe, expect, it } from 'vitest';
import { checkConfig, runFilterSection } from './helpers/pipeline-cli.js';

describe('csv filter through sluice run', () => {
  it('names, converts, targets; the autodetected header line is dropped', async () => {
    const { events } = await runFilterSection(
      'csv { autodetect_column_names => true convert => { "n" => "integer" "ok" => "boolean" } target => "[data]" add_tag => ["parsed"] }',
      [{ message: 'n,ok,name' }, { message: '1234,false,big bird' }, { message: 'x,"y' }]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ data: { n: 1234, ok: false, name: 'big bird' }, tags: ['parsed'] });
    expect(events[1]).toMatchObject({ message: 'x,"y', tags: ['_csvparsefailure'] });
    expect(events[1]).not.toHaveProperty('data');
  });

  it('columns, separator and skip_header in legacy mode', async () => {
    const { events } = await runFilterSection(
      'csv { columns => ["first", "last"] separator => ";" skip_header => true }',
      [{ message: 'first;last' }, { message: 'big,bird;sesame street;x' }], { args: ['--pipeline.ecs_compatibility', 'disabled'] });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ first: 'big,bird', last: 'sesame street', column3: 'x' });
  });

  it('an invalid conversion type is a config error', async () => {
    const r = await checkConfig('input { stdin {} } filter { csv { convert => { "a" => "wrong_type" } } } output { stdout {} }');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('Invalid conversion types: wrong_type');
  });
});
