// Ports of logstash-filter-useragent's RSpec examples (spec/filters/useragent_spec.rb,
// logstash-plugins/logstash-filter-useragent at b2f19ca), in both ECS modes as the spec's matrix runs them.
// Not ported: "LRU object identity" (Ruby object ids and string encodings; JS strings are immutable values,
// checked here as equal results from the cache), "exception handling" (mocks the lookup to raise), and
// the "manually specified regexes file" example points at the plugin's build output; here it points at the
// regexes.yaml of the uap-core package. The Java parser's own tests (uap-core's test_ua.yaml & co.) are not
// in the npm package and are not ported.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Hash } from '../src/event/values.js';
import useragent from '../src/filters/useragent.js';
import { UserAgentParser } from '../src/formats/useragent.js';
import { filterHarness } from './helpers/filter-run.js';

type Mode = 'disabled' | 'v8';
const run = async (config: Record<string, unknown>, data: Hash | string, ecs: Mode) => {
  const h = await filterHarness(useragent, config, { ecs });
  const [e] = await h.run(typeof data === 'string' ? { message: data } : data);
  return { e: e!, h };
};

describe.each(['disabled', 'v8'] as const)('useragent with target (ecs %s)', (ecs) => {
  const cfg = { source: 'message', target: 'ua' };
  const ecsOn = ecs !== 'disabled';

  it('Chrome on Linux i686', async () => {
    const { e } = await run(cfg, 'Mozilla/5.0 (X11; Linux i686) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.63 Safari/537.31', ecs);
    expect(e.get('[ua][name]')).toBe('Chrome');
    if (ecsOn) {
      expect(e.get('[ua][os][name]')).toBe('Linux');
      expect(e.get('[ua][os][full]')).toBe('Linux');
      expect(e.get('[ua][device][name]')).toBe('Other');
      expect(e.get('[@metadata][filter][user_agent]')).toMatchObject({ version: { major: '26', minor: '0', patch: '1410' } });
      expect(e.get('[ua][version]')).toBe('26.0.1410.63');
      expect(Object.keys(e.get('ua') as Hash)).not.toContain('major');
      expect(Object.keys(e.get('ua') as Hash)).not.toContain('minor');
    } else {
      expect(e.get('[ua][os_name]')).toBe('Linux');
      expect(e.get('[ua][os_full]')).toBe('Linux');
      expect(e.get('[ua][os]')).toBe('Linux');
      expect(e.get('[ua][device]')).toBe('Other');
      expect(e.get('[ua][major]')).toBe('26');
      expect(e.get('[ua][minor]')).toBe('0');
    }
  });

  it('MacOutlook', async () => {
    const { e } = await run(cfg, 'MacOutlook/16.24.0.190414 (Intelx64 Mac OS X Version 10.14.4 (Build 18E226))', ecs);
    expect(e.get('[ua][name]')).toBe('MacOutlook');
    if (ecsOn) {
      expect(e.get('[ua][version]')).toBe('16.24.0.190414');
      expect(e.get('[ua][os][full]')).toBe('Mac OS X 10.14.4');
      expect(e.get('[ua][os][name]')).toBe('Mac OS X');
      expect(e.get('[ua][os][version]')).toBe('10.14.4');
      expect(e.get('[ua][device][name]')).toBe('Mac');
    } else {
      expect([e.get('[ua][major]'), e.get('[ua][minor]'), e.get('[ua][patch]')]).toEqual(['16', '24', '0']);
      expect(e.get('[ua][os_full]')).toBe('Mac OS X 10.14.4');
      expect(e.get('[ua][os_name]')).toBe('Mac OS X');
      expect(e.get('[ua][os_major]')).toBe('10');
      expect(e.get('[ua][os_minor]')).toBe('14');
      expect(e.get('[ua][device]')).toBe('Mac');
      expect(e.get('[ua][os]')).toBe('Mac OS X');
    }
  });

  it('Safari 12 on Mojave', async () => {
    const { e } = await run(cfg, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.0 Safari/605.1.15', ecs);
    expect(e.get('[ua][name]')).toBe('Safari');
    if (ecsOn) {
      expect(e.get('[ua][version]')).toBe('12.0');
      expect(e.get('[ua][os][full]')).toBe('Mac OS X 10.14');
      expect(e.get('[ua][os][name]')).toBe('Mac OS X');
      expect(e.get('[ua][os][version]')).toBe('10.14');
      expect(e.get('[@metadata][filter][user_agent][os]')).toMatchObject({ version: { major: '10', minor: '14' } });
    } else {
      expect([e.get('[ua][major]'), e.get('[ua][minor]'), e.get('[ua][patch]')]).toEqual(['12', '0', undefined]);
      expect(e.get('[ua][os_full]')).toBe('Mac OS X 10.14');
      expect(e.get('[ua][os_name]')).toBe('Mac OS X');
      expect([e.get('[ua][os_major]'), e.get('[ua][os_minor]')]).toEqual(['10', '14']);
    }
  });

  it('Safari 7 on Mavericks', async () => {
    const { e } = await run(cfg, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_3) AppleWebKit/537.75.14 (KHTML, like Gecko) Version/7.0.3 Safari/7046A194A', ecs);
    expect(e.get('[ua][name]')).toBe('Safari');
    if (ecsOn) {
      expect(e.get('[ua][version]')).toBe('7.0.3');
      expect(e.get('[ua][os][full]')).toBe('Mac OS X 10.9.3');
      expect(e.get('[ua][os][name]')).toBe('Mac OS X');
      expect(e.get('[ua][device][name]')).toBe('Mac');
    } else {
      expect([e.get('[ua][major]'), e.get('[ua][minor]'), e.get('[ua][patch]')]).toEqual(['7', '0', '3']);
      expect(e.get('[ua][os_full]')).toBe('Mac OS X 10.9.3');
      expect([e.get('[ua][os_major]'), e.get('[ua][os_minor]')]).toEqual(['10', '9']);
      expect(e.get('[ua][device]')).toBe('Mac');
    }
  });

  it('Firefox 45 on Mac OS X 10.11', async () => {
    const { e } = await run(cfg, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.11; rv:45.0) Gecko/20100101 Firefox/45.0', ecs);
    expect(e.get('[ua][name]')).toBe('Firefox');
    if (ecsOn) {
      expect(e.get('[ua][version]')).toBe('45.0');
      expect(e.get('[ua][os][full]')).toBe('Mac OS X 10.11');
      expect(e.get('[ua][os][version]')).toBe('10.11');
      expect(e.get('[ua][device][name]')).toBe('Mac');
    } else {
      expect([e.get('[ua][major]'), e.get('[ua][minor]'), e.get('[ua][patch]')]).toEqual(['45', '0', undefined]);
      expect(e.get('[ua][os_full]')).toBe('Mac OS X 10.11');
      expect([e.get('[ua][os_major]'), e.get('[ua][os_minor]')]).toEqual(['10', '11']);
      expect(e.get('[ua][device]')).toBe('Mac');
    }
  });

  it('IE7 on Vista', async () => {
    const { e } = await run(cfg, 'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)', ecs);
    if (ecsOn) {
      expect(e.get('[ua][os][name]')).toBe('Windows');
      expect(e.get('[ua][os][version]')).toBe('Vista');
      expect(e.get('[ua][device][name]')).toBe('Other');
    } else {
      expect(e.get('[ua][os_name]')).toBe('Windows');
      expect(e.get('[ua][os_major]')).toBe('Vista');
      expect(e.get('[ua][os_minor]')).toBeUndefined();
      expect(e.get('[ua][device]')).toBe('Other');
    }
  });

  it('IE8 on XP', async () => {
    const { e } = await run(cfg, 'Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0; .NET CLR 1.1.4322; .NET CLR 2.0.50727; .NET CLR 3.5.30729)', ecs);
    expect(e.get('[ua][name]')).toBe('IE');
    if (ecsOn) {
      expect(e.get('[ua][os][name]')).toBe('Windows');
      expect(e.get('[ua][os][version]')).toBe('XP');
    } else {
      expect(e.get('[ua][os_major]')).toBe('XP');
      expect(e.get('[ua][os_minor]')).toBeUndefined();
    }
  });

  it('Edge 12 on Windows 8.1', async () => {
    const { e } = await run(cfg, 'Mozilla/5.0 (Windows NT 6.3; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/42.0.2311.135 Safari/537.36 Edge/12.246', ecs);
    expect(e.get('[ua][name]')).toBe('Edge');
    if (ecsOn) expect(e.get('[ua][os][version]')).toBe('8.1');
    else expect([e.get('[ua][os_major]'), e.get('[ua][os_minor]')]).toEqual(['8', '1']);
  });

  it('Edge 89 on Windows 10', async () => {
    const { e } = await run(cfg, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.90 Safari/537.36 Edg/89.0.774.50', ecs);
    expect(e.get('[ua][name]')).toBe('Edge');
    if (ecsOn) {
      expect(e.get('[ua][version]')).toBe('89.0.774.50');
      expect(e.get('[ua][os][full]')).toBe('Windows 10');
      expect(e.get('[ua][os][version]')).toBe('10');
      expect(e.get('[@metadata][filter][user_agent][os]')).toMatchObject({ version: { major: '10' } });
      expect(e.get('[ua][device][name]')).toBe('Other');
    } else {
      expect(e.get('[ua][os_major]')).toBe('10');
      expect(e.get('[ua][os_minor]')).toBeUndefined();
    }
  });

  it('Chrome on Linux x86_64 has no OS version', async () => {
    const { e } = await run(cfg, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.90 Safari/537.36', ecs);
    expect(e.get('[ua][name]')).toBe('Chrome');
    if (ecsOn) expect(e.get('[ua][os][version]')).toBeUndefined();
    else expect(e.get('[ua][os_major]')).toBeUndefined();
  });

  it('a manually specified regexes file', async () => {
    const regexes = createRequire(import.meta.url).resolve('uap-core/regexes.yaml');
    const { e } = await run({ source: 'message', target: '[ua]', regexes }, 'Mozilla/5.0 (X11; Linux i686) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.63 Safari/537.31', ecs);
    expect(e.get('[ua][name]')).toBe('Chrome');
    if (ecsOn) {
      expect(e.get('[ua][os][name]')).toBe('Linux');
      expect(e.get('[@metadata][filter][user_agent][version][major]')).toBe('26');
    } else {
      expect(e.get('[ua][os]')).toBe('Linux');
      expect(e.get('[ua][major]')).toBe('26');
    }
  });

  it('without a target', async () => {
    const { e } = await run({ source: 'message' }, 'Mozilla/5.0 (X11; Linux i686) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.63 Safari/537.31', ecs);
    if (ecsOn) {
      expect(e.get('user_agent')).toMatchObject({ name: 'Chrome', os: { name: 'Linux' }, version: '26.0.1410.63' });
    } else {
      expect([e.get('name'), e.get('os_name'), e.get('os'), e.get('major'), e.get('minor'), e.get('patch'), e.get('version')])
        .toEqual(['Chrome', 'Linux', 'Linux', '26', '0', '1410', '26.0.1410.63']);
    }
  });

  it('a nested target field', async () => {
    const { e } = await run({ source: 'message', target: '[foo][bar]' }, 'Mozilla/5.0 (iPhone; CPU iPhone OS 13_3_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBDV/iPhone11,8;FBMD/iPhone;FBSN/iOS;FBSV/13.3.1;FBSS/2;FBID/phone;FBLC/en_US;FBOP/5;FBCR/]', ecs);
    expect(e.get('[foo][bar][name]')).toBe('Facebook');
  });

  it('without a user agent', async () => {
    expect((await run(cfg, { foo: 'bar' }, ecs)).e.includes('ua')).toBe(false);
    expect((await run(cfg, '', ecs)).e.includes('ua')).toBe(false);
  });

  it('prefix: used without ECS, warned about and ignored with ECS', async () => {
    const { e, h } = await run({ source: 'message', prefix: 'pre_' }, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:78.0) Gecko/20100101 Firefox/78.0', ecs);
    const warned = h.ctx.logs.some((l) => l.level === 'warn' && l.msg.includes("Field prefix isn't supported in ECS compatibility mode"));
    if (ecsOn) {
      expect(warned).toBe(true);
      expect(Object.keys(e.data).some((k) => k.includes('pre_'))).toBe(false);
      expect(e.get('user_agent')).toMatchObject({ name: 'Firefox', version: '78.0' });
    } else {
      expect(warned).toBe(false);
      expect(e.data).toMatchObject({ pre_name: 'Firefox', pre_version: '78.0' });
    }
  });

  it('does not warn without a prefix', async () => {
    const { h } = await run({ source: 'message' }, 'x', ecs);
    expect(h.ctx.logs.filter((l) => l.level === 'warn')).toEqual([]);
  });
});

describe('useragent (legacy)', () => {
  it('non-exact UA data', async () => {
    const { e } = await run({ source: 'message', target: 'user_agent' }, 'Prefix DATA! Mozilla/5.0 (Android 11; Mobile; rv:68.0) Gecko/68.0 Firefox/86.0', 'disabled');
    expect(e.get('user_agent')).toMatchObject({ name: 'Firefox Mobile', version: '86.0', os_name: 'Android' });
  });

  it('replaces the source with the target', async () => {
    const { e } = await run({ source: 'message', target: 'message' }, 'Mozilla/5.0 (X11; Linux i686) AppleWebKit/537.31 (KHTML, like Gecko) Chrome/26.0.1410.63 Safari/537.31', 'disabled');
    expect([e.get('[message][name]'), e.get('[message][os]'), e.get('[message][major]'), e.get('[message][minor]')]).toEqual(['Chrome', 'Linux', '26', '0']);
  });

  it('gives the same fields from the cache as from a fresh parse', async () => {
    const msg = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/45.0.2454.85 Safari/537.36';
    const h = await filterHarness(useragent, { source: 'message' }, { ecs: 'disabled' });
    const [a] = await h.run({ message: msg });
    const [b] = await h.run({ message: msg });
    const fresh = UserAgentParser.fromDefault().parse(msg);
    for (const e of [a!, b!]) {
      expect(e.get('name')).toBe(fresh.userAgent.family);
      expect(e.get('os_name')).toBe(fresh.os.family);
      expect(e.get('os_major')).toBe(fresh.os.major);
      expect(e.get('os_minor')).toBe(fresh.os.minor);
      expect(e.get('device')).toBe(fresh.device);
      expect([e.get('major'), e.get('minor'), e.get('patch')]).toEqual(['45', '0', '2454']);
    }
  });
});
