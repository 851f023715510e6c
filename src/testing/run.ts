/**
 * Runs case files against a pipeline's filter section: each case's input goes through the case file's codec
 * (a fresh decoder, i.e. a stream of its own, per case, so multiline state never leaks between cases), gets the file's and the case's
 * `fields`, then runs through the filters, which are flushed at the end of the case as at the end of a
 * pipeline run; the resulting events are compared with the expectations.
 *
 * The pipeline and codecs come from a `TestTarget`, so this module needs no config loading of its own.
 */
import { performance } from 'node:perf_hooks';
import { Event } from '../event/event.js';
import { deepClone, type Hash } from '../event/values.js';
import type { PipelinePlan } from '../config/plan.js';
import type { CodecInstance } from '../plugins/api.js';
import type { EcsMode } from '../plugins/options.js';
import { createFilterRunner, type FilterRunner } from '../runtime/filter-runner.js';
import type { CaseFile, CaseInput, TestCase } from './cases.js';
import { compareEvents, type Comparison } from './compare.js';

/** The filters a case runs through (a FilterRunner over the config's filter section, or a test double). */
export type FilterRunnerLike = FilterRunner;

/** What a case file runs against: its pipeline's filters and the codec that turns input into events. */
export interface TestTarget {
  /** The config paths, for messages. */
  config: string[];
  /**
   * The config's filters, created once and shared by every case run against this config: creating them
   * (compiling grok, starting its guard worker) costs far more than running a case.
   */
  runner(): Promise<FilterRunnerLike>;
  /** The codec for a case file (its `codec`, or the codec of its `input_plugin`) and the input's decoration. */
  createCodec(file: CaseFile): Promise<{ codec: CodecInstance; codecName: string; decorate?: (event: Event) => void }>;
}

/** Memoises a runner factory, so a target builds its filters on first use only. */
export function sharedRunner(create: () => Promise<FilterRunnerLike>): { get(): Promise<FilterRunnerLike>; close(): Promise<void> } {
  let p: Promise<FilterRunnerLike> | undefined;
  return {
    get: () => (p ??= create()),
    close: async () => { if (p) await (await p.catch(() => undefined))?.close(); p = undefined; },
  };
}

/** A runner over a pipeline plan's filter section (conditionals, drops and emitted events included). */
export function planRunner(plan: PipelinePlan, ecs: EcsMode): Promise<FilterRunnerLike> {
  return createFilterRunner(plan, { ecs });
}

export type CaseStatus = 'passed' | 'failed' | 'updated' | 'error';

export interface CaseResult {
  testCase: TestCase;
  status: CaseStatus;
  comparison?: Comparison;
  /** For `error`: what went wrong (a thrown error, not a mismatch). */
  error?: string;
  /** Decoding, filtering and comparing this case, in milliseconds. */
  durationMs: number;
}

export interface FileResult {
  path: string;
  config: string[];
  file?: CaseFile;
  /** The file could not be run at all (unreadable cases, a config that does not compile). */
  error?: string;
  cases: CaseResult[];
  /** Waiting for the config's filters to be created (compiling grok…), in milliseconds, not in the cases' times. */
  setupMs: number;
  durationMs: number;
}

export interface RunHooks {
  /** Called before each case (progress line). */
  onCase?(file: CaseFile, testCase: TestCase): void;
}

export async function runCaseFile(file: CaseFile, target: TestTarget, hooks: RunHooks = {}): Promise<FileResult> {
  const started = performance.now();
  const result: FileResult = { path: file.path, config: target.config, file, cases: [], setupMs: 0, durationMs: 0 };
  let runner: FilterRunnerLike;
  try {
    const s = performance.now();
    runner = await target.runner();
    result.setupMs = performance.now() - s;
  } catch (err) {
    result.error = `creating the pipeline's filters failed: ${describe(err)}`;
    result.durationMs = performance.now() - started;
    return result;
  }
  let codecInfo: ReturnType<TestTarget['createCodec']> | undefined;
  for (const testCase of file.cases) {
    hooks.onCase?.(file, testCase);
    const t0 = performance.now();
    const window = { start: Date.now(), end: 0 };
    try {
      // One codec per case file (compiled once: a multiline pattern, a charset converter); each case is a
      // stream of its own with a fresh decoder, so nothing a case leaves pending reaches the next one.
      codecInfo ??= target.createCodec(file);
      const { codec, codecName, decorate } = await codecInfo;
      const inputs = await decode(codec, testCase.input, `${file.path}#${testCase.index + 1}`);
      for (const event of inputs) {
        if (codecName === 'json' || codecName === 'json_lines') expandBracketFields(event);
        decorate?.(event);
        setFields(event, file.fields);
        setFields(event, testCase.fields);
      }
      const actual = await runner.process(inputs);
      // Each case ends as a pipeline run ends: filters holding events flush them into this case.
      actual.push(...await runner.flush());
      window.end = Date.now();
      const comparison = compareEvents(file, testCase.expected, actual, { window });
      result.cases.push({ testCase, status: comparison.pass ? 'passed' : 'failed', comparison, durationMs: performance.now() - t0 });
    } catch (err) {
      result.cases.push({ testCase, status: 'error', error: describe(err), durationMs: performance.now() - t0 });
    }
  }
  if (codecInfo) await codecInfo.then((c) => c.codec.close?.(), () => undefined);
  result.durationMs = performance.now() - started;
  return result;
}

/** Feed a case's input through one decoder (one stream), then end the stream so codecs flush. */
export async function decode(codec: CodecInstance, input: CaseInput, streamKey: string): Promise<Event[]> {
  const events: Event[] = [];
  if (input.kind === 'none') {
    // LFV's dummy event: no message, only the fields the case gives.
    return [new Event({})];
  }
  if (input.kind === 'frames') {
    if (!codec.decodeFrame) throw new Error('this codec decodes streams only: give the input as input_raw or input');
    for (const frame of input.frames) codec.decodeFrame(frame, (e) => { events.push(e); });
    await new Promise((resolve) => setImmediate(resolve));
    return events;
  }
  const decoder = codec.decoder((e) => { events.push(e); }, { key: streamKey });
  if (input.kind === 'lines') for (const line of input.lines) decoder.push(`${line}\n`);
  else for (const chunk of input.chunks) decoder.push(chunk);
  decoder.end();
  // A codec may hand its last event over asynchronously after end() (timers, promises): let it.
  await new Promise((resolve) => setImmediate(resolve));
  return events;
}

/** `fields` are set on every input event, replacing what the codec produced (LFV sets them the same way). */
function setFields(event: Event, fields: Hash): void {
  for (const [key, value] of Object.entries(fields)) {
    try {
      event.set(key.startsWith('[') ? key : [key], deepClone(value));
    } catch (err) {
      throw new Error(`cannot set field ${key} from "fields": ${describe(err)}`);
    }
  }
}

/** LFV lets json_lines input name nested fields as `"[log][file][path]": …`. */
function expandBracketFields(event: Event): void {
  for (const key of Object.keys(event.data)) {
    if (!key.startsWith('[')) continue;
    const value = event.data[key]!;
    delete event.data[key];
    try { event.set(key, value); } catch { event.data[key] = value; }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
