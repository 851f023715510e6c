/**
 * The Ruby VM behind the `ruby` filter: CRuby 3.4 compiled to WebAssembly (`@ruby/3.4-wasm-wasi`, its
 * standard library packed inside the .wasm), run with the pure-JS WASI of `@bjorn3/browser_wasi_shim`
 * (no host file system, no sockets; Ruby's stdout and stderr go to sluice's stderr). One VM per thread,
 * started on first use (about half a second) and shared by every ruby filter: each is one Ruby object.
 *
 * Calls into Ruby are synchronous. Requests and answers are JSON text; the batch path passes the batch
 * text as it is (see wire.ts). Ruby calls back (host functions) for logging, sprintf, to_json and
 * timestamp parsing, so those behave exactly as in the rest of sluice.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsoleStdout, File, OpenFile, PreopenDirectory, WASI, wasi } from '@bjorn3/browser_wasi_shim';
import { RubyVM, type RbValue } from '@ruby/wasm-wasi';
import { compileSprintf, type Formatter } from '../../event/sprintf.js';
import type { Event } from '../../event/event.js';
import { Timestamp } from '../../event/timestamp.js';
import type { LogData } from '../../plugins/api.js';
import { eventFromRuby, hasTags, type RubyWireEvent } from './wire.js';

/** What a filter instance hears from Ruby. */
export interface RubyHandlers {
  log(level: string, message: string, data: LogData | undefined): void;
  /** An exception in user code on an event (the event is already tagged). */
  exception(message: string, data: LogData | undefined): void;
}

/** An exception raised in Ruby, with its class and backtrace. */
export class RubyError extends Error {
  constructor(message: string, readonly rubyClass: string, readonly backtrace: readonly string[]) { super(message); }
}

interface Answer { ok?: unknown; error?: string; class?: string; backtrace?: string[] }

/** Ruby's stdout and stderr: written to our stderr, and not a terminal (Ruby would colour its messages). */
class PlainOutput extends ConsoleStdout {
  override fd_filestat_get(): { ret: number; filestat: wasi.Filestat } {
    return { ret: 0, filestat: new wasi.Filestat(0n, wasi.FILETYPE_REGULAR_FILE, 0n) };
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const fdstat = new wasi.Fdstat(wasi.FILETYPE_REGULAR_FILE, 0);
    fdstat.fs_rights_base = BigInt(wasi.RIGHTS_FD_WRITE);
    return { ret: 0, fdstat };
  }
}

// Node has WebAssembly; the TypeScript lib this project compiles with does not declare it.
type WasmModule = Parameters<typeof RubyVM.instantiateModule>[0]['module'];
const wasmCompile = (bytes: Uint8Array): Promise<WasmModule> =>
  (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<WasmModule> } }).WebAssembly.compile(bytes);

/**
 * A larger initial heap: a garbage collection costs milliseconds under WebAssembly (the collector scans
 * the stack through Asyncify), so fewer, later collections pay off. The environment can override them.
 */
const GC_DEFAULTS: Record<string, string> = {
  RUBY_GC_HEAP_0_INIT_SLOTS: '400000',
  RUBY_GC_HEAP_1_INIT_SLOTS: '200000',
  RUBY_GC_HEAP_2_INIT_SLOTS: '100000',
  RUBY_GC_MALLOC_LIMIT: '67108864',
  RUBY_GC_MALLOC_LIMIT_MAX: '134217728',
  RUBY_GC_OLDMALLOC_LIMIT: '134217728',
};

const HERE = dirname(fileURLToPath(import.meta.url));

/** prelude.rb: next to this module in src/, or in the package's src/ when running from dist/. */
function preludePath(): string {
  const candidates = [resolve(HERE, 'prelude.rb'), resolve(HERE, '..', '..', '..', 'src', 'filters', 'ruby', 'prelude.rb')];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`the ruby filter's prelude is missing (looked for ${candidates.join(', ')})`);
  return found;
}

function parseLogData(json: string): LogData | undefined {
  if (json === '') return undefined;
  try { return JSON.parse(json) as LogData; } catch { return { data: json }; }
}

function decodeWireEvent(text: string): Event {
  return eventFromRuby(JSON.parse(text) as RubyWireEvent, hasTags(text));
}

export class RubyRuntime {
  /** How long starting the VM took (compile, instantiate, prelude), in milliseconds. */
  readonly startupMs: number;
  readonly #vm: RubyVM;
  readonly #sluice: RbValue;
  readonly #handlers = new Map<number, RubyHandlers>();
  readonly #ids = new Map<number, RbValue>();
  readonly #formats = new Map<string, Formatter>();
  #nextId = 1;

  private constructor(vm: RubyVM, startupMs: number) {
    this.#vm = vm;
    this.startupMs = startupMs;
    this.#sluice = vm.eval('Sluice');
    this.#sluice.call('host=', vm.wrap(this.#host()));
  }

  static async start(): Promise<RubyRuntime> {
    const t0 = performance.now();
    const require = createRequire(import.meta.url);
    const binary = await readFile(require.resolve('@ruby/3.4-wasm-wasi/dist/ruby+stdlib.wasm'));
    const module = await wasmCompile(binary);
    const output = (): PlainOutput => new PlainOutput((bytes) => { process.stderr.write(bytes); });
    const fds = [new OpenFile(new File([])), output(), output(), new PreopenDirectory('/', new Map())];
    const env = Object.entries({ ...GC_DEFAULTS, ...process.env }).filter(([k]) => k !== 'RUBYOPT' && k !== 'RUBYLIB').map(([k, v]) => `${k}=${v ?? ''}`);
    const wasip1 = new WASI([], env, fds, { debug: false });
    // RubyGems stays off: it doubles the start-up time, and gems cannot be installed here anyway.
    const { vm } = await RubyVM.instantiateModule({ module, wasip1, args: ['ruby.wasm', '-EUTF-8', '--disable-gems', '-e_=0'] });
    const source = readFileSync(preludePath(), 'utf8');
    vm.eval('->(s) { eval(s.to_s, TOPLEVEL_BINDING, "sluice/filters/ruby/prelude.rb", 1) }').call('call', vm.wrap(source));
    return new RubyRuntime(vm, performance.now() - t0);
  }

  /** An id for a new filter instance, with the handlers its Ruby side reports to. */
  register(handlers: RubyHandlers): number {
    const id = this.#nextId++;
    this.#handlers.set(id, handlers);
    this.#ids.set(id, this.#vm.eval(String(id)));
    return id;
  }

  unregister(id: number): void {
    this.#handlers.delete(id);
    this.#ids.delete(id);
  }

  /** One request to Sluice.dispatch (prelude.rb); throws RubyError when Ruby raised. */
  request(req: Record<string, unknown>): unknown {
    const text = this.#sluice.call('request', this.#vm.wrap(JSON.stringify(req))).toString();
    const answer = JSON.parse(text) as Answer;
    if (answer.error !== undefined) throw new RubyError(answer.error, answer.class ?? 'StandardError', answer.backtrace ?? []);
    return answer.ok;
  }

  /** Run a filter over a batch (wire text in, result text out: see Sluice.batch). */
  batch(id: number, text: string): string {
    const rid = this.#ids.get(id);
    if (rid === undefined) throw new Error(`ruby filter ${id} is closed`);
    return this.#sluice.call('batch', rid, this.#vm.wrap(text)).toString();
  }

  /** The functions Ruby calls (Sluice.host in prelude.rb). Errors go back as text starting with NUL. */
  #host(): Record<string, (...args: never[]) => unknown> {
    return {
      log: (id: number, level: string, message: string, data: string): void => {
        const h = this.#handlers.get(id);
        if (h) h.log(String(level), String(message), parseLogData(String(data)));
      },
      exception: (id: number, message: string, data: string): void => {
        this.#handlers.get(id)?.exception(String(message), parseLogData(String(data)));
      },
      parseTimestamp: (text: string): string => {
        const t = Timestamp.parse(String(text));
        return t === undefined ? '' : `${t.epochMs}.${t.nanoOfMilli}`;
      },
      sprintf: (format: string, wire: string): string => {
        try {
          const f = String(format);
          let fmt = this.#formats.get(f);
          if (fmt === undefined) {
            fmt = compileSprintf(f);
            if (this.#formats.size < 1000) this.#formats.set(f, fmt);
          }
          return fmt(decodeWireEvent(String(wire)));
        } catch (err) {
          return `\u0000${err instanceof Error ? err.message : String(err)}`;
        }
      },
      toJson: (wire: string): string => {
        try {
          return decodeWireEvent(String(wire)).toJSON();
        } catch (err) {
          return `\u0000${err instanceof Error ? err.message : String(err)}`;
        }
      },
    };
  }
}

let shared: Promise<RubyRuntime> | undefined;

/** The thread's Ruby VM, started on first use. */
export function rubyRuntime(): Promise<RubyRuntime> {
  shared ??= RubyRuntime.start();
  shared.catch(() => { shared = undefined; });
  return shared;
}
