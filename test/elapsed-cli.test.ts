// elapsed through the real CLI: Logstash-style configs, JSON lines in and out.
import { describe, expect, it } from 'vitest';
import { runFilterSection } from './helpers/pipeline-cli.js';

describe('elapsed filter through sluice run', () => {
  it('adds elapsed_time to the end event; a start left open expires at shutdown', async () => {
    const { events } = await runFilterSection(
      'elapsed { start_tag => "taskStarted" end_tag => "taskEnded" unique_id_field => "task_id" timeout => 5 }',
      [
        { '@timestamp': '2024-01-01T00:00:00.000Z', task_id: 'a', tags: ['taskStarted'] },
        { '@timestamp': '2024-01-01T00:00:02.500Z', task_id: 'a', tags: ['taskEnded'] },
        { '@timestamp': '2024-01-01T00:00:03.000Z', task_id: 'b', tags: ['taskStarted'] },
        { task_id: 'c', tags: ['taskEnded'] },
      ]);
    expect(events).toHaveLength(5);
    expect(events[1]).toMatchObject({ task_id: 'a', elapsed_time: 2.5, elapsed_timestamp_start: '2024-01-01T00:00:00.000Z', tags: ['taskEnded', 'elapsed', 'elapsed_match'] });
    expect(events[3]!.tags).toEqual(['taskEnded', 'elapsed_end_without_start']);
    expect(events[4]).toMatchObject({ task_id: 'b', elapsed_time: 5, elapsed_timestamp_start: '2024-01-01T00:00:03.000Z', tags: ['elapsed', 'elapsed_expired_error'] });
    expect(typeof events[4]!.host).toBe('string');
  });
});
