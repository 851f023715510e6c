/**
 * ruby: runs Ruby code on events, as logstash-filter-ruby 3.1 does, on CRuby 3.4 compiled to WebAssembly.
 *
 * - `code` (with `init` run once at start-up) is evaluated as the plugin evaluates it: inside the filter
 *   object (`@logger`, instance variables set by `init`), as the body of
 *   `filter_method(event, &new_event_block)`. An exception tags the event `tag_on_exception` (and
 *   `"<tag>: <message>"` first with `tag_with_exception_message`), is logged ("Ruby exception occurred:
 *   …", rate-limited) and the common options are not applied; the pipeline goes on.
 * - `path` is a script defining `register(params)` (given `script_params`) and `filter(event)`, which
 *   returns the events to pass on (leaving the original out cancels it). Its `test "name" do … end`
 *   blocks run at start-up and a failing one stops the start (`sluice run -t` reports it by name).
 * - A syntax error in `code`, `init` or the script is a config error found by `sluice run -t`.
 *
 * Events cross into Ruby once per batch (`filterBatch`): the batch is one JSON text, the answer another
 * (wire.ts); only events the code touched come back whole.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Event } from '../../event/event.js';
import { defineFilter, PluginConfigError, type FilterInstance, type LogData, type Logger } from '../../plugins/api.js';
import { RubyError, rubyRuntime, type RubyRuntime } from './vm.js';
import { encodeBatchForRuby, encodeValueForRuby, eventFromRuby, hasTags, overwriteEvent, reviveRecord, type RubyWireEvent } from './wire.js';

export const RUBY_EXCEPTION_TAG = '_rubyexception';

const EITHER_CODE_OR_PATH = 'You must either use an inline script with the "code" option or a script file using "path".';

/** What Ruby answers for one event: matched, cancelled, the event if touched, new events. */
type EventResult = [0 | 1, 0 | 1, RubyWireEvent | null, RubyWireEvent[] | null];

interface TestResults { passed: number; failed: number; errored: number; failures: string[] }

/**
 * At most `burst` lines per `windowMs` for one filter; the next line says how many were left out.
 * A bad line of code fails on every event, and the log must stay readable.
 */
class RateLimitedLog {
  #windowStart = 0;
  #count = 0;
  #suppressed = 0;
  constructor(readonly logger: Logger, readonly burst = 10, readonly windowMs = 10_000) {}

  error(message: string, data: LogData | undefined): void {
    const now = Date.now();
    if (now - this.#windowStart >= this.windowMs) { this.#windowStart = now; this.#count = 0; }
    if (this.#count >= this.burst) { this.#suppressed++; return; }
    this.#count++;
    const extra = this.#suppressed > 0 ? { suppressed: this.#suppressed } : {};
    this.#suppressed = 0;
    this.logger.error(message, { ...data, ...extra });
  }
}

function logAt(logger: Logger, level: string, message: string, data: LogData | undefined): void {
  switch (level) {
    case 'trace': logger.trace(message, data); break;
    case 'debug': logger.debug(message, data); break;
    case 'info': logger.info(message, data); break;
    case 'warn': logger.warn(message, data); break;
    default: logger.error(message, data);
  }
}

function mutuallyExclusive(code: string | undefined, path: string | undefined): PluginConfigError | undefined {
  if ((code === undefined) === (path === undefined)) {
    return new PluginConfigError(EITHER_CODE_OR_PATH, code === undefined ? 'code' : 'path', 'set exactly one of `code` and `path`');
  }
  return undefined;
}

/** Start-up errors in Ruby (syntax errors, register failures) as Logstash reports them. */
function configError(err: unknown, option: string): PluginConfigError {
  if (err instanceof RubyError) {
    const message = err.rubyClass === 'SyntaxError' || err.rubyClass === 'LoadError' || err.rubyClass === 'NotImplementedError'
      ? `unexpected error: ${err.message}` : `${err.message} (${err.rubyClass})`;
    return new PluginConfigError(message, option);
  }
  return new PluginConfigError(err instanceof Error ? err.message : String(err), option);
}

function testFailure(path: string, r: TestResults): PluginConfigError {
  const n = r.failed + r.errored;
  const names = r.failures.map((f) => `'${f}'`).join(', ');
  return new PluginConfigError(
    `Script '${path}' had ${n} failing tests! Check the error log for details. Failing: ${names}`,
    'path', 'fix the script or its `test` blocks',
  );
}

// Tests of a script already run in this process (the config check runs them before the pipeline starts).
const testedScripts = new Map<string, TestResults>();

function scriptKey(path: string, content: string, params: string): string {
  return `${path}\u0000${content}\u0000${params}`;
}

function readScript(path: string, cwd: string): string {
  try {
    return readFileSync(isAbsolute(path) ? path : resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new PluginConfigError(`File does not exist or cannot be opened ${path}`, 'path', err instanceof Error ? err.message : undefined);
  }
}

/** The config check runs a script's tests without a logger: what they report goes into the error. */
const SILENT = { log: (): void => {}, exception: (): void => {} };

function runBatch(runtime: RubyRuntime, id: number, events: readonly Event[], emit: (event: Event, parent: Event) => void): boolean[] {
  const out = runtime.batch(id, encodeBatchForRuby(events));
  const parsed = JSON.parse(out) as EventResult[] | { error: string; class?: string };
  if (!Array.isArray(parsed)) throw new Error(`ruby filter: ${parsed.error} (${parsed.class ?? 'Exception'})`);
  const tagged = hasTags(out);
  const ok = new Array<boolean>(events.length);
  for (let i = 0; i < events.length; i++) {
    const [matched, cancelled, wire, created] = parsed[i]!;
    const event = events[i]!;
    if (wire !== null) {
      const { data, metadata } = reviveRecord(wire, tagged);
      overwriteEvent(event, data, metadata);
    }
    if (cancelled === 1) event.cancel();
    ok[i] = matched === 1;
    if (created !== null) for (const w of created) emit(eventFromRuby(w, tagged), event);
  }
  return ok;
}

export default defineFilter({
  name: 'ruby',
  doc: 'Runs Ruby code on each event (inline `code`, or a script file with `path`), with Logstash\'s Ruby event API, on CRuby 3.4 compiled to WebAssembly.',
  options: {
    code: { type: 'string', doc: 'Ruby code run for every event, with `event` (and `new_event_block` to emit events). Not with `path`.' },
    init: { type: 'string', doc: 'Ruby code run once at start-up, in the same object as `code` (set instance variables, define methods).' },
    path: { type: 'path', doc: 'A Ruby script defining `register(params)` and `filter(event)` (returning an array of events), with optional `test` blocks run at start-up. Not with `code`.' },
    script_params: { type: 'hash', default: {}, doc: 'Hash given to the script\'s `register(params)`.' },
    tag_on_exception: { type: 'string', default: RUBY_EXCEPTION_TAG, doc: 'Tag added to an event when the code raises an exception on it.' },
    tag_with_exception_message: { type: 'boolean', default: false, doc: 'Also add a tag `"<tag_on_exception>: <exception message>"`.' },
  },

  async check(options, ctx) {
    const { code, init, path } = options;
    const exclusive = mutuallyExclusive(code, path);
    if (exclusive) return [exclusive];
    const runtime = await rubyRuntime();
    if (code !== undefined) {
      try {
        runtime.request({ op: 'check_inline', init: init ?? null, code });
      } catch (err) {
        return [configError(err, 'code')];
      }
      return [];
    }
    const content = readScript(path!, ctx.cwd);
    const params = encodeValueForRuby(options.script_params);
    const key = scriptKey(path!, content, params);
    const id = runtime.register(SILENT);
    try {
      const results = runtime.request({ op: 'check_script', id, path: path!, content, params }) as TestResults;
      testedScripts.set(key, results);
      if (results.failed + results.errored > 0) return [testFailure(path!, results)];
      return [];
    } catch (err) {
      return [configError(err, 'path')];
    } finally {
      runtime.unregister(id);
    }
  },

  async create(options, ctx): Promise<FilterInstance> {
    const { code, init, path } = options;
    const exclusive = mutuallyExclusive(code, path);
    if (exclusive) throw exclusive;
    const runtime = await rubyRuntime();
    const exceptions = ctx.metrics.counter('exceptions');
    const errors = new RateLimitedLog(ctx.logger);
    const id = runtime.register({
      log: (level, message, data) => logAt(ctx.logger, level, message, data),
      exception: (message, data) => { exceptions.inc(); errors.error(message, data); },
    });
    const common = { id, tag_on_exception: options.tag_on_exception, tag_with_exception_message: options.tag_with_exception_message };
    try {
      if (code !== undefined) {
        runtime.request({ op: 'create_inline', ...common, init: init ?? null, code });
      } else {
        const content = readScript(path!, ctx.cwd);
        const params = encodeValueForRuby(options.script_params);
        const tested = testedScripts.get(scriptKey(path!, content, params));
        const results = runtime.request({ op: 'create_script', ...common, path: path!, content, params, run_tests: tested === undefined }) as TestResults | null;
        const r = results ?? tested!;
        if (results === null) {
          ctx.logger.info('Test run complete', { script_path: path!, results: { passed: r.passed, failed: r.failed, errored: r.errored } });
        }
        if (r.failed + r.errored > 0) throw testFailure(path!, r);
      }
    } catch (err) {
      runtime.unregister(id);
      throw err instanceof PluginConfigError ? err : configError(err, code !== undefined ? 'code' : 'path');
    }

    let closed = false;
    return {
      filterBatch: (events, emit) => runBatch(runtime, id, events, emit),
      filter: (event, emit) => runBatch(runtime, id, [event], (e) => emit(e))[0]!,
      close() {
        if (closed) return;
        closed = true;
        try { runtime.request({ op: 'close', id }); } finally { runtime.unregister(id); }
      },
    };
  },
});
