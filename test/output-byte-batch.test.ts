/**
 * ByteBatch (src/outputs/_write.ts): encoded events written into one growing buffer must be exactly the
 * bytes of converting each one, whatever their mix of text and buffers, their characters and sizes.
 */
import { describe, expect, it } from 'vitest';
import { ByteBatch } from '../src/outputs/_write.js';

describe('ByteBatch', () => {
  it('gives the bytes of every part in order: ASCII, multi-byte, astral, lone surrogates, buffers, growing past its capacity', () => {
    const samples = ['plain text\n', 'é ☃ 日本\n', '😀 astral\n', 'lone \ud800 high and \udc00 low\n', '', 'x'.repeat(5000) + '\n'];
    for (const capacity of [1, 16, 64 * 1024]) {
      const batch = new ByteBatch(capacity);
      const expected: Buffer[] = [];
      for (let i = 0; i < 400; i++) {
        const text = samples[(i * 31) % samples.length]!;
        const part = i % 7 === 0 ? Buffer.from(`raw ${i}\n`) : `${i} ${text}`;
        batch.add(part);
        expected.push(typeof part === 'string' ? Buffer.from(part) : part);
      }
      const want = Buffer.concat(expected);
      expect(batch.length).toBe(want.length);
      expect(batch.bytes().equals(want)).toBe(true);
      // A view from the start of its buffer (ByteBatch allocates its own, so a thread can transfer it).
      expect(batch.bytes().byteOffset).toBe(0);
    }
  });
});
