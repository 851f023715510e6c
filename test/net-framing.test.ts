import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SyslogFramer, splitFrames, type Frame, type FramerOptions } from '../src/formats/syslog/framing.js';

const texts = (frames: Frame[]): string[] => frames.map((f) => f.data.toString('utf8'));

/** Feed the input in every possible 2-piece split and in 1-byte pieces: frames must not depend on chunking. */
function chunkings(input: Buffer, options?: FramerOptions): Frame[][] {
  const results: Frame[][] = [];
  const run = (pieces: Buffer[]): Frame[] => {
    const f = new SyslogFramer(options);
    const out: Frame[] = [];
    for (const p of pieces) f.push(p, (fr) => out.push(fr));
    f.end((fr) => out.push(fr));
    return out;
  };
  for (let i = 0; i <= input.length; i += Math.max(1, Math.floor(input.length / 23))) {
    results.push(run([input.subarray(0, i), input.subarray(i)]));
  }
  results.push(run([...input].map((b) => Buffer.from([b]))));
  return results;
}

function expectStable(input: string | Buffer, expected: string[], options?: FramerOptions): Frame[] {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const whole = splitFrames(buf, options);
  expect(texts(whole)).toEqual(expected);
  for (const r of chunkings(buf, options)) expect(texts(r)).toEqual(expected);
  return whole;
}

describe('RFC 6587 octet counting', () => {
  it('splits consecutive octet-counted frames, counting octets not characters', () => {
    const s = '23 <1>1 - - - - - - hellø';
    const frames = expectStable(s + '16 <1>1 - - - - - -', ['<1>1 - - - - - - hellø', '<1>1 - - - - - -']);
    expect(frames[0]!.method).toBe('octet-counting');
    expect(frames[0]!.declaredLength).toBe(23);
  });

  it('keeps LF, CR LF and NUL inside an octet-counted frame', () => {
    expectStable('52 <134>Apr 28 11:53:44 myhost myapp: line1\nline2\nline3', ['<134>Apr 28 11:53:44 myhost myapp: line1\nline2\nline3']);
    expectStable('54 <134>Apr 28 11:53:44 myhost myapp: line1\r\nline2\r\nline3', ['<134>Apr 28 11:53:44 myhost myapp: line1\r\nline2\r\nline3']);
  });

  it('hands over an explicitly framed empty message (MSGLEN 0)', () => {
    const frames = expectStable('0 16 <1>1 - - - - - -', ['', '<1>1 - - - - - -']);
    expect(frames[0]!.method).toBe('octet-counting');
  });

  it('ignores an LF between octet-counted frames', () => {
    expectStable('16 <1>1 - - - - - -\n16 <2>1 - - - - - -\n', ['<1>1 - - - - - -', '<2>1 - - - - - -']);
  });

  it('cuts a frame longer than maxFrameSize, tags it too_long and resynchronises on the next frame', () => {
    const frames = expectStable('16 <1>1 - - - - - -16 <2>1 - - - - - -', ['<1>1 - - -', '<2>1 - - -'], { maxFrameSize: 10 });
    expect(frames.map((f) => f.problem)).toEqual(['too_long', 'too_long']);
    expect(frames[0]!.skipped).toBe(6);
    const mixed = splitFrames(Buffer.from('31 <1>1 - - - - - - 0123456789ABCD8 <2>1 - -'), { maxFrameSize: 20 });
    expect(texts(mixed)).toEqual(['<1>1 - - - - - - 012', '<2>1 - -']);
    expect(mixed.map((f) => f.problem)).toEqual(['too_long', undefined]);
  });

  it('emits a frame cut short by the end of the stream as incomplete', () => {
    const frames = expectStable('16 <1>1', ['<1>1']);
    expect(frames[0]!.problem).toBe('incomplete');
    expect(frames[0]!.declaredLength).toBe(16);
  });

  it('keeps garbage where a MSGLEN is expected as a frame of its own (nothing lost)', () => {
    const frames = expectStable('16 <1>1 - - - - - -xaaa', ['<1>1 - - - - - -', 'xaaa']);
    expect(frames[1]!.method).toBe('non-transparent');
    expectStable('16<1>1 - - - - - -\n', ['16<1>1 - - - - - -']);
    expectStable('1', ['1']);
    expectStable('xaaa\n16 <1>1 - - - - - -', ['xaaa', '<1>1 - - - - - -'], { mode: 'octet-counting' });
  });

  it('does not take a very long digit run for a header', () => {
    expectStable('12345678901234 x\n', ['12345678901234 x']);
  });

  it('bounds memory on a huge announced length: only maxFrameSize bytes are kept', () => {
    const f = new SyslogFramer({ maxFrameSize: 100 });
    const out: Frame[] = [];
    f.push(Buffer.from('999999999 '), (x) => out.push(x));
    for (let i = 0; i < 100; i++) f.push(Buffer.alloc(10_000, 0x61), (x) => out.push(x));
    expect(out).toHaveLength(1);
    expect(out[0]!.data.length).toBe(100);
    expect(out[0]!.problem).toBe('too_long');
  });
});

describe('RFC 6587 non-transparent framing', () => {
  it('splits on LF and drops a CR before it', () => {
    const frames = expectStable('<1>1 - - - - - -\n<2>1 - - - - - -\r\n', ['<1>1 - - - - - -', '<2>1 - - - - - -']);
    expect(frames.every((f) => f.method === 'non-transparent' && f.problem === undefined)).toBe(true);
  });

  it('keeps a last frame without trailer at the end of the stream', () => {
    expectStable('<1>1 - - - - - -\n<2>1 - - - - - -', ['<1>1 - - - - - -', '<2>1 - - - - - -']);
  });

  it('cuts a line longer than maxFrameSize and skips to the next LF', () => {
    const long = 'x'.repeat(50);
    const frames = expectStable(`<1>${long}\n<2>ok\n`, [`<1>${'x'.repeat(17)}`, '<2>ok'], { maxFrameSize: 20 });
    expect(frames.map((f) => f.problem)).toEqual(['too_long', undefined]);
  });

  it('treats digits as data when forced to non-transparent mode', () => {
    expectStable('16 <1>1 - - - - - -\n', ['16 <1>1 - - - - - -'], { mode: 'non-transparent' });
  });
});

describe('framing conformance cases (beats and Logstash expected frames, go-syslog octet streams)', () => {
  interface Case { id: string; framing: string; stream: string; stream_encoding?: string; max_message_length?: number; expected_frames?: string[]; expected_messages?: { message: { message: string | null } | null; error: string | null }[] }
  const all = JSON.parse(readFileSync(new URL('../fixtures/conformance/syslog/framing.json', import.meta.url), 'utf8')) as Case[];

  it('splits every case with expected frames exactly as expected', () => {
    const withFrames = all.filter((c) => c.expected_frames && c.stream !== '');
    expect(withFrames.length).toBeGreaterThan(5);
    for (const c of withFrames) {
      const mode = c.framing === 'non-transparent' ? 'non-transparent' : 'auto';
      // Logstash's line reader hands the LF over with the line; our frames carry the payload only.
      const expected = c.expected_frames!.map((f) => f.replace(/\n$/, ''));
      expect(texts(splitFrames(Buffer.from(c.stream, 'utf8'), { mode })), c.id).toEqual(expected);
    }
  });

  it('finds every valid octet-counted go-syslog message, with the MSG text at its end', () => {
    const valid = all.filter((c) => c.framing === 'octet-counting' && c.id.includes('go-syslog') && c.expected_messages!.every((m) => m.error === null));
    expect(valid.length).toBeGreaterThan(10);
    for (const c of valid) {
      const frames = splitFrames(Buffer.from(c.stream, 'utf8'), { mode: 'octet-counting', maxFrameSize: c.max_message_length ?? 8192 });
      expect(frames.length, c.id).toBe(c.expected_messages!.length);
      c.expected_messages!.forEach((m, i) => {
        expect(frames[i]!.problem, c.id).toBeUndefined();
        if (m.message?.message) expect(frames[i]!.data.toString('utf8').endsWith(m.message.message), c.id).toBe(true);
      });
    }
  });

  it('cuts the go-syslog frame whose MSGLEN exceeds the maximum length', () => {
    const c = all.find((x) => x.id.includes('MSGLEN gt max message length'))!;
    const frames = splitFrames(Buffer.from(c.stream, 'utf8'), { maxFrameSize: c.max_message_length });
    expect(frames).toHaveLength(1);
    expect(frames[0]!.problem).toBe('too_long');
    expect(frames[0]!.data.length).toBe(c.max_message_length);
  });
});
