/**
 * Streams of lines handed to the worker threads in chunks (InputSink.pushChunk): with a codec whose
 * lines decode independently of each other (`line`, `json_lines`) in UTF-8, a stream can be cut after any
 * delimiter and each chunk decoded on its own. Used by the stdin and tcp inputs.
 */
import type { CodecInstance } from '../plugins/api.js';
import { codecNameOf, codecOptionsOf } from '../plugins/context.js';

const LINE_CODECS = new Set(['line', 'json_lines']);

/** The delimiter to cut the codec's stream at, or undefined when its stream cannot be cut into chunks. */
export function chunkDelimiter(codec: CodecInstance): Buffer | undefined {
  const options = codecOptionsOf(codec) ?? {};
  const charset = typeof options.charset === 'string' ? options.charset.toUpperCase() : 'UTF-8';
  if (!LINE_CODECS.has(codecNameOf(codec) ?? '') || (charset !== 'UTF-8' && charset !== 'UTF8')) return undefined;
  return Buffer.from(typeof options.delimiter === 'string' ? options.delimiter : '\n');
}

/**
 * Cuts a byte stream into chunks of whole lines: bytes are kept as they come (`push`), and `flush` sends
 * everything up to the last delimiter (what follows waits for more); `end` sends the rest, as the decoder
 * would emit it.
 */
export class LineChunker {
  readonly #delimiter: Buffer;
  readonly #send: (bytes: Buffer) => void;
  #parts: Buffer[] = [];

  constructor(delimiter: Buffer, send: (bytes: Buffer) => void) {
    this.#delimiter = delimiter;
    this.#send = send;
  }

  push(chunk: Buffer | string): void {
    this.#parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }

  flush(): void {
    if (this.#parts.length === 0) return;
    const all = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
    const cut = all.lastIndexOf(this.#delimiter);
    if (cut < 0) { this.#parts = [all]; return; }
    const end = cut + this.#delimiter.length;
    // The rest is copied: the read buffer it is a view of is not kept alive by a few bytes.
    this.#parts = end < all.length ? [Buffer.from(all.subarray(end))] : [];
    this.#send(all.subarray(0, end));
  }

  end(): void {
    this.flush();
    const rest = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
    this.#parts = [];
    if (rest.length > 0) this.#send(rest);
  }
}
