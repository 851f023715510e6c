/** Lumberjack frames (src/formats/lumberjack), from logstash-input-beats' PROTOCOL.md. */
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LumberjackParser, LumberjackProtocolError, ackFrame } from '../src/formats/lumberjack/index.js';

const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const json = (seq: number, doc: object): Buffer => { const j = Buffer.from(JSON.stringify(doc)); return Buffer.concat([Buffer.from('2J'), u32(seq), u32(j.length), j]); };
const kv = (s: string): Buffer => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);

describe('Lumberjack frames', () => {
  it('window, JSON and compressed frames, fed one byte at a time', () => {
    const inner = Buffer.concat([json(2, { b: 2 }), json(3, { c: 3 })]);
    const z = zlib.deflateSync(inner);
    const stream = Buffer.concat([Buffer.from('2W'), u32(3), json(1, { a: 1 }), Buffer.from('2C'), u32(z.length), z]);
    const p = new LumberjackParser();
    const frames = [];
    for (const byte of stream) frames.push(...p.push(Buffer.from([byte])));
    expect(frames.map((f) => f.type)).toEqual(['window', 'json', 'json', 'json']);
    expect(frames[0]).toEqual({ type: 'window', version: 2, size: 3 });
    expect(frames.slice(1).map((f) => (f.type === 'json' ? [f.sequence, JSON.parse(f.payload.toString())] : null))).toEqual([[1, { a: 1 }], [2, { b: 2 }], [3, { c: 3 }]]);
    expect(p.buffered).toBe(0);
  });
  it('v1 data frames: string pairs', () => {
    const d = Buffer.concat([Buffer.from('1D'), u32(7), u32(2), kv('line'), kv('hello'), kv('host'), kv('h1')]);
    const frames = new LumberjackParser().push(Buffer.concat([Buffer.from('1W'), u32(1), d]));
    expect(frames[1]).toEqual({ type: 'data', version: 1, sequence: 7, fields: { line: 'hello', host: 'h1' } });
  });
  it('ACK frames carry the version and the sequence', () => {
    expect(ackFrame(2, 2048).toString('hex')).toBe('3241' + '00000800');
    expect(ackFrame(1, 1).toString('hex')).toBe('3141' + '00000001');
  });
  it('a bad version, frame type or compressed content is a protocol error', () => {
    expect(() => new LumberjackParser().push(Buffer.from('3W\0\0\0\x01', 'latin1'))).toThrow(LumberjackProtocolError);
    expect(() => new LumberjackParser().push(Buffer.from('2X\0\0\0\x01', 'latin1'))).toThrow(/invalid frame type/);
    expect(() => new LumberjackParser().push(Buffer.concat([Buffer.from('2C'), u32(3), Buffer.from('abc')]))).toThrow(/inflate/);
    const partial = zlib.deflateSync(json(1, { a: 1 }).subarray(0, 10));
    expect(() => new LumberjackParser().push(Buffer.concat([Buffer.from('2C'), u32(partial.length), partial]))).toThrow(/partial frame/);
  });
});
