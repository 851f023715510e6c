/**
 * Two engines for one expanded pattern, with the semantics Logstash compiles grok with
 * (Ruby syntax, Regexp::MULTILINE: `.` matches a newline, `^`/`$` are line anchors):
 *
 * - native: oniguruma-to-es translates the Oniguruma source into a V8 RegExp. Used only when it
 *   promises an exact translation (`accuracy: 'strict'` throws otherwise).
 * - oniguruma: vscode-oniguruma (Oniguruma compiled to WASM), used for everything else.
 *
 * Both expose the same `exec`: the offsets of each grok group (`g0`, `g1`, …), -1 when the group
 * did not participate, as UTF-16 indexes into the subject.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { toRegExpDetails } from 'oniguruma-to-es';
import onigModule from 'vscode-oniguruma';
import type * as onig from 'vscode-oniguruma';

export type EngineKind = 'native' | 'oniguruma';

/** A successful match. Engines reuse one object: read it before the next exec. */
export interface GrokMatch {
  /** Whole-match start/end (UTF-16 offsets). */
  readonly start: number;
  readonly end: number;
  /** Text of group g{i}, undefined when it did not take part. */
  group(i: number): string | undefined;
}

/** A match given as offsets (Oniguruma, the guard worker). */
export class MatchOffsets implements GrokMatch {
  start = 0;
  end = 0;
  subject = '';
  /** starts[i]/ends[i] for group g{i}; -1 when it did not take part. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  constructor(groups: number) {
    this.starts = new Int32Array(groups);
    this.ends = new Int32Array(groups);
  }
  group(i: number): string | undefined {
    const s = this.starts[i] as number;
    return s < 0 ? undefined : this.subject.slice(s, this.ends[i]);
  }
}

export interface Engine {
  readonly kind: EngineKind;
  /** Number of grok groups. */
  readonly groups: number;
  /** The JavaScript source (native engine) or the Oniguruma source. */
  readonly source: string;
  exec(subject: string): GrokMatch | null;
  /** Plain V8 RegExp for the same pattern, when native (benchmarks compare against it). */
  readonly regexp?: RegExp;
}

// ---- native -------------------------------------------------------------------------------------

/**
 * Find the capture number of every `(?<gN>` in a JavaScript (v-flag) pattern. Hidden captures that
 * oniguruma-to-es adds for emulation (atomic groups) shift the numbering, so it must be counted.
 */
function groupNumbers(js: string, groups: number): Int32Array {
  const nums = new Int32Array(groups).fill(-1);
  let count = 0;
  let depth = 0;
  for (let i = 0; i < js.length; i++) {
    const c = js[i];
    if (c === '\\') { i++; continue; }
    if (depth > 0) {
      if (c === '[') depth++;
      else if (c === ']') depth--;
      continue;
    }
    if (c === '[') { depth = 1; continue; }
    if (c !== '(') continue;
    if (js[i + 1] !== '?') { count++; continue; }
    if (js[i + 2] === '<' && js[i + 3] !== '=' && js[i + 3] !== '!') {
      count++;
      const close = js.indexOf('>', i);
      const name = js.slice(i + 3, close);
      if (/^g\d+$/.test(name)) nums[Number(name.slice(1))] = count;
    }
  }
  return nums;
}

/** The result of the last native exec, read through the group numbers of the translation. */
export class NativeMatch implements GrokMatch {
  /** The last exec result (capture writers read it directly through the engine's layout). */
  m: RegExpExecArray | null = null;
  constructor(private readonly nums: Int32Array) {}
  get start(): number { return (this.m as RegExpExecArray).index; }
  get end(): number { const m = this.m as RegExpExecArray; return m.index + (m[0] as string).length; }
  group(i: number): string | undefined { return (this.m as RegExpExecArray)[this.nums[i] as number]; }
}

export class NativeEngine implements Engine {
  readonly kind = 'native' as const;
  readonly regexp: RegExp;
  /** The index of each grok group g{i} in V8's match array. */
  readonly layout: Int32Array;
  readonly #match: NativeMatch;
  constructor(readonly source: string, readonly groups: number, flags: string) {
    this.regexp = new RegExp(source, flags);
    const nums = groupNumbers(source, groups);
    for (let g = 0; g < groups; g++) {
      if ((nums[g] as number) < 0) throw new Error(`group g${g} not found in translated pattern`);
    }
    this.layout = nums;
    this.#match = new NativeMatch(nums);
  }

  /** Translate, or return undefined when oniguruma-to-es cannot promise an exact translation. */
  static tryCreate(onigSource: string, groups: number): NativeEngine | undefined {
    let details: ReturnType<typeof toRegExpDetails>;
    try {
      details = toRegExpDetails(onigSource, {
        flags: 'm', // Oniguruma's `m` is Ruby's MULTILINE: dot matches newline
        accuracy: 'strict',
        target: 'ES2018', // Node 20's V8 mis-matches some negated classes under the v flag
        rules: { asciiWordBoundaries: true, captureGroup: false },
      });
    } catch {
      return undefined;
    }
    // `transfers` / subclass-only behaviour would need EmulatedRegExp's exec; hidden captures are fine.
    const o = details.options as { transfers?: unknown; strategy?: unknown } | undefined;
    if (o?.strategy !== undefined && o.strategy !== null) return undefined;
    if (Array.isArray(o?.transfers) && o.transfers.length > 0) return undefined;
    try {
      return new NativeEngine(details.pattern, groups, details.flags);
    } catch {
      return undefined;
    }
  }

  exec(subject: string): GrokMatch | null {
    this.regexp.lastIndex = 0;
    const m = this.regexp.exec(subject);
    if (m === null) return null;
    this.#match.m = m;
    return this.#match;
  }
}

// ---- Oniguruma ----------------------------------------------------------------------------------

let onigReady = false;
let onigLoading: Promise<void> | undefined;

/** Load the WASM build of Oniguruma from node_modules (never from the network). Idempotent. */
export function loadOniguruma(): Promise<void> {
  if (onigReady) return Promise.resolve();
  onigLoading ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = require.resolve('vscode-oniguruma/release/onig.wasm');
    const bytes = readFileSync(wasmPath);
    await onigModule.loadWASM(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    onigReady = true;
  })();
  return onigLoading;
}

export function onigurumaLoaded(): boolean { return onigReady; }

// vscode-oniguruma's FindOption / Syntax enums are `const enum`s; their values are fixed.
const OPT_MULTILINE = 4;
const OPT_WORD_IS_ASCII = 15;
const SYNTAX_RUBY = 10;
// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

export class OnigurumaEngine implements Engine {
  readonly kind = 'oniguruma' as const;
  readonly #scanner: onig.OnigScanner;
  readonly #result: MatchOffsets;
  /** Oniguruma group number of each grok group (its named groups are numbered in order). */
  readonly #nums: Int32Array;

  constructor(readonly source: string, readonly groups: number) {
    if (!onigReady) throw new Error('Oniguruma is not loaded: await loadOniguruma() first');
    this.#scanner = new onigModule.OnigScanner([source], {
      options: [OPT_MULTILINE, OPT_WORD_IS_ASCII] as unknown as onig.FindOption[],
      syntax: SYNTAX_RUBY as unknown as onig.Syntax,
    });
    // With Ruby syntax and named groups present, plain groups do not capture: g{i} is group i+1.
    this.#nums = Int32Array.from({ length: groups }, (_, i) => i + 1);
    this.#result = new MatchOffsets(groups);
  }

  exec(subject: string): GrokMatch | null {
    const m = this.#scanner.findNextMatchSync(subject, 0);
    if (m === null) return null;
    const caps = m.captureIndices;
    const whole = caps[0] as onig.IOnigCaptureIndex;
    const len = subject.length;
    const nonAscii = !ASCII_ONLY.test(subject);
    const r = this.#result;
    r.subject = subject;
    r.start = whole.start;
    r.end = whole.end;
    for (let g = 0; g < this.groups; g++) {
      const c = caps[this.#nums[g] as number];
      // A group that did not participate comes back as offset 2^32-1, except when the subject has
      // non-ASCII characters: then the offset goes through the UTF-8→UTF-16 table and comes out as an
      // empty match at the end. Both are read as "no match" (an empty capture at the very end of a
      // non-ASCII subject is indistinguishable and treated the same way).
      if (c === undefined || c.start > len || (c.start === len && c.end === len && nonAscii)) {
        r.starts[g] = -1; r.ends[g] = -1; continue;
      }
      r.starts[g] = c.start;
      r.ends[g] = c.end;
    }
    return r;
  }

  dispose(): void { this.#scanner.dispose(); }
}
