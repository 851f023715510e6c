// The aggregate filter through the real CLI (built by `npm test`): the documented SQL duration example.
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './helpers/cli.js';

describe('aggregate through sluice run', () => {
  it('sums durations of a task into its end event (docs example 1)', async () => {
    const cfg = `input { stdin { codec => json_lines } }
filter {
  if [logger] == "TASK_START" { aggregate { task_id => "%{taskid}" code => "map['sql_duration'] = 0" map_action => "create" } }
  if [logger] == "SQL" { aggregate { task_id => "%{taskid}" code => "map['sql_duration'] += event.get('duration')" map_action => "update" } }
  if [logger] == "TASK_END" { aggregate { task_id => "%{taskid}" code => "event.set('sql_duration', map['sql_duration'])" map_action => "update" end_of_task => true timeout => 120 } }
}
output { stdout { codec => json_lines } }`;
    const input = [
      { logger: 'TASK_START', taskid: 't1' }, { logger: 'SQL', taskid: 't1', duration: 12 },
      { logger: 'SQL', taskid: 't1', duration: 34 }, { logger: 'TASK_END', taskid: 't1' },
    ].map((e) => JSON.stringify(e)).join('\n') + '\n';
    const r = await runCli(['run', '-e', cfg], { input });
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events).toHaveLength(4);
    expect(events[3]).toMatchObject({ logger: 'TASK_END', sql_duration: 46 });
  });

  it('pushes the previous map as an event (docs example 3)', async () => {
    const cfg = `input { stdin { codec => json_lines } }
filter {
  aggregate {
    task_id => "%{country_name}"
    code => "map['country_name'] ||= event.get('country_name'); map['towns'] ||= []; map['towns'] << {'town_name' => event.get('town_name')}; event.cancel()"
    push_previous_map_as_event => true
    timeout => 3
  }
}
output { stdout { codec => json_lines } }`;
    const input = [['France', 'Paris'], ['France', 'Marseille'], ['USA', 'Chicago']].map(([c, t]) => JSON.stringify({ country_name: c, town_name: t })).join('\n') + '\n';
    const r = await runCli(['run', '-e', cfg], { input });
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ country_name: 'France', towns: [{ town_name: 'Paris' }, { town_name: 'Marseille' }] });
    expect(events[1]).toMatchObject({ country_name: 'USA', towns: [{ town_name: 'Chicago' }], tags: ['_aggregatefinalflush'] });
  });

  it('refuses Ruby code it cannot run at start-up', async () => {
    const r = await runCli(['run', '-e', 'input { stdin {} } filter { aggregate { task_id => "%{id}" code => "map.each { |k| k }" } } output { stdout {} }']);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/Ruby that sluice cannot run/);
  });
});
