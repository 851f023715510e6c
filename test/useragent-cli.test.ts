// useragent through the real CLI: Logstash-style configs, JSON lines in and out.
import { describe, expect, it } from 'vitest';
import { runFilterSection } from './helpers/pipeline-cli.js';

const chrome = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36';

describe('useragent filter through sluice run', () => {
  it('writes ECS [user_agent] fields by default', async () => {
    const { events } = await runFilterSection('useragent { source => "[user_agent][original]" add_tag => ["ua"] }', [{ user_agent: { original: chrome } }]);
    expect(events[0]).toMatchObject({
      user_agent: { original: chrome, name: 'Chrome', version: '32.0.1700.77', device: { name: 'Mac' }, os: { name: 'Mac OS X', version: '10.9.1', full: 'Mac OS X 10.9.1' } },
      tags: ['ua'],
    });
  });

  it('writes the legacy field names under target without ECS', async () => {
    const { events } = await runFilterSection('useragent { source => "agent" target => "ua" }', [{ agent: chrome }, { agent: '' }],
      { args: ['--pipeline.ecs_compatibility', 'disabled'] });
    expect(events[0]!.ua).toEqual({
      name: 'Chrome', device: 'Mac', major: '32', minor: '0', patch: '1700', version: '32.0.1700.77',
      os_major: '10', os_minor: '9', os_patch: '1', os_version: '10.9.1', os_name: 'Mac OS X', os: 'Mac OS X', os_full: 'Mac OS X 10.9.1',
    });
    expect(events[1]).not.toHaveProperty('ua');
  });
});
