import { testContext } from './helpers/plugin-context.js';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { CodecDefinition, CodecInstance } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import line from '../src/codecs/line.js';
import plain from '../src/codecs/plain.js';

async function make(def: unknown, opts: Record<string, unknown> = {}, ecs: EcsMode = 'v8'): Promise<CodecInstance> {
  const d = def as CodecDefinition;
  const ctx = testContext({ ecs, id: d.name });
  return d.create(withDefaults(d, opts), ctx);
}
function stream(c: CodecInstance, chunks: (string | Buffer)[], end = true): Event[] {
  const out: Event[] = [];
  const d = c.decoder((e) => out.push(e));
  for (const ch of chunks) d.push(ch);
  if (end) d.end();
  return out;
}

describe('line codec', () => {
  it('emits only whole lines, keeping empty ones and carriage returns', async () => {
    const c = await make(line);
    const out = stream(c, ['hello\n\nwor', 'ld\r\nrest'], false);
    expect(out.map((e) => e.get('message'))).toEqual(['hello', '', 'world\r']);
  });

  it('emits the unterminated last line at end of stream', async () => {
    expect(stream(await make(line), ['a\nb']).map((e) => e.get('message'))).toEqual(['a', 'b']);
    expect(stream(await make(line), ['a\n'])).toHaveLength(1);
  });

  it('splits on a custom delimiter, even across chunks', async () => {
    const out = stream(await make(line, { delimiter: '||' }), ['foo||b|r|', '|x']);
    expect(out.map((e) => e.get('message'))).toEqual(['foo', 'b|r', 'x']);
  });

  it('puts the line in [event][original] in ECS mode only (line codec 3.1)', async () => {
    for (const ecs of ['v1', 'v8'] as const) {
      const [e] = stream(await make(line, {}, ecs), ['München\n']);
      expect(e!.get('message')).toBe('München');
      expect(e!.get('[event][original]')).toBe('München');
    }
    const [plainEvent] = stream(await make(line, {}, 'disabled'), ['x\n']);
    expect(plainEvent!.includes('event')).toBe(false);
  });

  it('does not break lines on newlines with a custom delimiter', async () => {
    const out = stream(await make(line, { delimiter: '|' }), ['line1\nline2\nline3\n']);
    expect(out.map((e) => e.get('message'))).toEqual(['line1\nline2\nline3\n']);
  });

  it('converts an invalid byte left at end of stream', async () => {
    const out = stream(await make(line, {}, 'disabled'), [Buffer.from([0xd0])]);
    expect(out.map((e) => e.get('message'))).toEqual(['\\xD0']);
  });

  it('converts the charset of each line', async () => {
    const [e] = stream(await make(line, { charset: 'CP1252' }), [Buffer.from([0x80, 0x20, 0xe9, 0x0a])]);
    expect(e!.get('message')).toBe('€ é');
  });

  it('encodes with format and the delimiter', async () => {
    const e = new Event({ '@timestamp': '2020-01-02T03:04:05.000Z', message: 'hi', host: 'h1', n: 3 });
    expect((await make(line, { format: '%{message} n=%{n}' })).encode(e)).toBe('hi n=3\n');
    expect((await make(line, { delimiter: '\r\n' })).encode(e)).toBe('2020-01-02T03:04:05.000Z h1 hi\r\n');
  });

  it('encodes without format as Event#to_s, missing fields left as %{…}', async () => {
    const c = await make(line);
    expect(c.encode(new Event({ '@timestamp': '2020-01-02T03:04:05Z' }))).toBe('2020-01-02T03:04:05.000Z %{host} %{message}\n');
    const ecsHost = new Event({ '@timestamp': '2020-01-02T03:04:05Z', host: { hostname: 'box' }, message: 'm' });
    expect(c.encode(ecsHost)).toBe('2020-01-02T03:04:05.000Z {hostname=box} m\n');
  });

  it('decodes a frame into its lines', async () => {
    const out: Event[] = [];
    (await make(line)).decodeFrame!('a\nb\n', (e) => out.push(e));
    expect(out.map((e) => e.get('message'))).toEqual(['a', 'b']);
  });
});

describe('plain codec', () => {
  it('makes one event per chunk, with [event][original] in ECS mode', async () => {
    const out = stream(await make(plain, {}, 'v8'), ['hello world\nsecond line']);
    expect(out).toHaveLength(1);
    expect(out[0]!.get('message')).toBe('hello world\nsecond line');
    expect(out[0]!.get('[event][original]')).toBe('hello world\nsecond line');
  });

  it('adds no [event][original] with ECS disabled', async () => {
    const [e] = stream(await make(plain, {}, 'disabled'), ['x']);
    expect(e!.includes('event')).toBe(false);
  });

  it('does not split a UTF-8 character between two events', async () => {
    const bytes = Buffer.from('né');
    const out = stream(await make(plain, {}, 'disabled'), [bytes.subarray(0, 2), bytes.subarray(2)]);
    expect(out.map((e) => e.get('message')).join('')).toBe('né');
    expect(out.every((e) => !String(e.get('message')).includes('\\x'))).toBe(true);
  });

  it('escapes invalid UTF-8 like Ruby inspect', async () => {
    const out: Event[] = [];
    (await make(plain, {}, 'disabled')).decodeFrame!(Buffer.from([0x22, 0xc3, 0x28]), (e) => out.push(e));
    expect(out[0]!.get('message')).toBe('\\"\\xC3(');
  });

  it('encodes format through sprintf, with no delimiter', async () => {
    const e = new Event({ '@timestamp': '2013-01-01T00:00:00Z', message: 'm' });
    expect((await make(plain, { format: '%{+yyyy} %{message}' })).encode(e)).toBe('2013 m');
    expect((await make(plain)).encode(e)).toBe('2013-01-01T00:00:00.000Z %{host} m');
  });
});
