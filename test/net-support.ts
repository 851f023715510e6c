/** Helpers for the network input tests: a sink with a bounded queue, simple codecs, socket clients. */
import net from 'node:net';
import dgram from 'node:dgram';
import { Event } from '../src/event/event.js';
import type { CodecInstance, Decoder, InputInstance, InputSink } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { testContext as baseTestContext, type TestContext } from './helpers/plugin-context.js';

export type { LogLine } from './helpers/plugin-context.js';

/** A plugin context whose codecs are the given factories, else the real codecs of src/codecs. */
export function testContext(ecs: EcsMode = 'v8', codecs: Record<string, () => CodecInstance> = {}): TestContext {
  return baseTestContext({ ecs, codecs }, 'input');
}

/**
 * A sink whose queue holds `capacity` events; `consume()` takes events out (like the pipeline's workers),
 * resolving drained() waiters when there is room again.
 */
export class TestSink implements InputSink {
  readonly events: Event[] = [];
  queued = 0;
  fullSignals = 0;
  stopping = false;
  #waiters: (() => void)[] = [];
  constructor(readonly capacity = Infinity) {}
  push(event: Event): boolean {
    this.events.push(event);
    this.queued++;
    if (this.queued >= this.capacity) { this.fullSignals++; return false; }
    return true;
  }
  get full(): boolean { return this.queued >= this.capacity; }
  accepted(): Promise<void> { return Promise.resolve(); }
  delivered(): Promise<void> { return Promise.resolve(); }
  drained(): Promise<void> {
    if (this.queued < this.capacity) return Promise.resolve();
    return new Promise((r) => this.#waiters.push(r));
  }
  consume(n = Infinity): void {
    this.queued = Math.max(0, this.queued - n);
    if (this.queued < this.capacity) for (const w of this.#waiters.splice(0)) w();
  }
  messages(): string[] { return this.events.map((e) => String(e.get('message'))); }
}

/** A `line`-like codec: one event per LF-terminated line, the rest flushed at end(). */
export function lineCodec(): CodecInstance {
  return {
    decoder(emit): Decoder {
      let pending = '';
      return {
        push(chunk) {
          pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
          let i;
          while ((i = pending.indexOf('\n')) >= 0) { emit(new Event({ message: pending.slice(0, i) })); pending = pending.slice(i + 1); }
        },
        end() { if (pending.length > 0) emit(new Event({ message: pending })); pending = ''; },
      };
    },
    encode: (e) => JSON.stringify(e.data),
  };
}

/** A `plain`-like frame codec: one event per frame with the frame as message. */
export function frameCodec(): CodecInstance {
  return {
    decoder(emit): Decoder {
      const parts: Buffer[] = [];
      return { push(c) { parts.push(Buffer.from(c)); }, end() { emit(new Event({ message: Buffer.concat(parts).toString('utf8') })); } };
    },
    decodeFrame(frame, emit) { emit(new Event({ message: Buffer.from(frame).toString('utf8') })); },
    encode: (e) => JSON.stringify(e.data),
  };
}

export async function runInput(input: InputInstance, sink: InputSink): Promise<{ done: Promise<void> }> {
  const done = input.run(sink);
  done.catch(() => undefined);
  const port = (): number | undefined => (input as unknown as { boundPort?: number }).boundPort;
  for (let i = 0; i < 200 && !port(); i++) await sleep(5);
  return { done };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await sleep(5);
  }
}

/** Connect, write the pieces (with a pause between them so they arrive as separate reads), then close. */
export async function sendTcp(port: number, pieces: (string | Buffer)[], opts: { gapMs?: number; end?: boolean } = {}): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => { s.once('connect', r); s.once('error', j); });
  for (const p of pieces) {
    await new Promise<void>((r) => s.write(p, () => r()));
    if (opts.gapMs) await sleep(opts.gapMs);
  }
  if (opts.end === false) { s.destroy(); return; }
  await new Promise<void>((r) => s.end(r));
}

export async function sendUdp(port: number, messages: (string | Buffer)[], host = '127.0.0.1'): Promise<void> {
  const s = dgram.createSocket('udp4');
  for (const m of messages) await new Promise<void>((r, j) => s.send(m, port, host, (e) => (e ? j(e) : r())));
  s.close();
}
