/**
 * Splits a byte stream into lines on a delimiter, keeping the unterminated remainder for the next
 * chunk, as Logstash's BufferedTokenizer does (it works on bytes: the multiline codec forces the data
 * to ASCII-8BIT before tokenizing and converts each line's charset afterwards).
 *
 * Working on bytes is what makes chunk boundaries harmless: a line split across TCP reads, or a UTF-8
 * character split between two chunks, is reassembled before any decoding happens.
 *
 * Unlike Logstash, the remainder is bounded: a line that grows past `maxLineBytes` without a delimiter
 * is cut (at a UTF-8 character boundary) so that one endless line cannot exhaust memory.
 */
export class LineTokenizer {
  readonly #delim: Buffer;
  readonly #maxLineBytes: number;
  /** Pieces of the current unterminated line (concatenated only once the line is complete). */
  #parts: Buffer[] | undefined;
  #partsBytes = 0;

  constructor(delimiter: Buffer, maxLineBytes = Number.POSITIVE_INFINITY) {
    if (delimiter.length === 0) throw new Error('the delimiter must not be empty');
    this.#delim = delimiter;
    this.#maxLineBytes = maxLineBytes;
  }

  /** Bytes held for the unterminated line. */
  get pendingBytes(): number { return this.#partsBytes; }

  /** Feed a chunk; complete lines (without the delimiter) go to `onLine` in order. */
  push(chunk: Buffer, onLine: (line: Buffer) => void): void {
    const d = this.#delim;
    let from = 0;
    if (this.#partsBytes > 0 && d.length > 1) {
      // A multi-byte delimiter may straddle the previous chunk and this one.
      const cut = this.#straddle(chunk);
      if (cut >= 0) {
        onLine(this.#take(chunk.subarray(0, 0), -cut));
        from = d.length - cut;
      }
    }
    for (;;) {
      const idx = chunk.indexOf(d, from);
      if (idx < 0) break;
      onLine(this.#partsBytes > 0 ? this.#take(chunk.subarray(from, idx), 0) : chunk.subarray(from, idx));
      from = idx + d.length;
    }
    if (from < chunk.length) {
      // Copy: the caller may reuse its buffer, and a subarray would pin the whole chunk in memory.
      const rest = Buffer.from(chunk.subarray(from));
      (this.#parts ??= []).push(rest);
      this.#partsBytes += rest.length;
      while (this.#partsBytes > this.#maxLineBytes) onLine(this.#cutOversized());
    }
  }

  /** The stream ended: return the unterminated remainder (possibly empty) and forget it. */
  flush(): Buffer {
    const out = this.#parts !== undefined && this.#partsBytes > 0 ? Buffer.concat(this.#parts, this.#partsBytes) : Buffer.alloc(0);
    this.#parts = undefined;
    this.#partsBytes = 0;
    return out;
  }

  /**
   * When the held bytes end with the first k bytes of the delimiter and the chunk starts with the rest,
   * return k (1 ≤ k < delimiter length); otherwise -1.
   */
  #straddle(chunk: Buffer): number {
    const d = this.#delim;
    const held = this.#partsBytes;
    for (let k = Math.min(d.length - 1, held); k >= 1; k--) {
      if (chunk.length < d.length - k) continue;
      let ok = true;
      for (let i = 0; i < k && ok; i++) ok = this.#heldByte(held - k + i) === d[i];
      for (let i = k; i < d.length && ok; i++) ok = chunk[i - k] === d[i];
      if (ok) return k;
    }
    return -1;
  }

  #heldByte(pos: number): number | undefined {
    for (const p of this.#parts ?? []) {
      if (pos < p.length) return p[pos];
      pos -= p.length;
    }
    return undefined;
  }

  /** The held bytes (minus `dropTail` bytes at the end) followed by `tail`, as one line; resets the hold. */
  #take(tail: Buffer, dropTail: number): Buffer {
    const held = Buffer.concat(this.#parts ?? [], this.#partsBytes);
    this.#parts = undefined;
    this.#partsBytes = 0;
    const head = dropTail < 0 ? held.subarray(0, held.length + dropTail) : held;
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  }

  /** Cut the first maxLineBytes of the held line, backing off to a UTF-8 character start. */
  #cutOversized(): Buffer {
    const held = Buffer.concat(this.#parts ?? [], this.#partsBytes);
    let end = this.#maxLineBytes;
    // Do not split a multi-byte character: back off over continuation bytes (10xxxxxx), at most 3.
    for (let i = 0; i < 3 && end > 1 && ((held[end] ?? 0) & 0xc0) === 0x80; i++) end--;
    const rest = held.subarray(end);
    this.#parts = rest.length > 0 ? [Buffer.from(rest)] : undefined;
    this.#partsBytes = rest.length;
    return held.subarray(0, end);
  }
}
