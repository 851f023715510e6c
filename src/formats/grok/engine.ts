/**
 * Two engines for one expanded pattern, with the semantics Logstash compiles grok with
 * (Ruby syntax, Regexp::MULTILINE: `.` matches a newline, `^`/`$` are line anchors):
 *
 * - native: oniguruma-to-es translates the Oniguruma source into a V8 RegExp. Used only when it
 *   promises an exact translation (`accuracy: 'strict'` throws otherwise).
 * - oniguruma: vscode-oniguruma (Oniguruma compiled to WASM), used for everything else.
 *
 * Both expose the same `exec` (group texts, read lazily) and `locate` (the offsets of each grok group
 * `g0`, `g1`, …, -1 when the group did not participate, as UTF-16 indexes into the subject: what the
 * guard worker sends back). The guard worker rebuilds an engine from its `spec`.
 */
import { toRegExpDetails } from 'oniguruma-to-es';
import { loadOniguruma, onigScanner, onigSearch, type OnigScanner } from './onig.js';

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

/** What it takes to build the same engine on another thread. */
export type EngineSpec =
  | { kind: 'native'; source: string; flags: string; groups: number }
  | { kind: 'oniguruma'; source: string; groups: number };

export interface Engine {
  readonly kind: EngineKind;
  /** Number of grok groups. */
  readonly groups: number;
  /** The JavaScript source (native engine) or the Oniguruma source. */
  readonly source: string;
  readonly spec: EngineSpec;
  exec(subject: string): GrokMatch | null;
  /**
   * Match and write the offsets into `out`: [start, end] of the whole match, then [start, end] of
   * each group (-1 when it did not take part). False when there is no match.
   */
  locate(subject: string, out: Int32Array): boolean;
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
  /** The same RegExp with match indices (`d`), made on first use: only `locate` needs offsets. */
  #indexed: RegExp | undefined;
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

  get spec(): EngineSpec { return { kind: 'native', source: this.source, flags: this.regexp.flags, groups: this.groups }; }

  exec(subject: string): GrokMatch | null {
    this.regexp.lastIndex = 0;
    const m = this.regexp.exec(subject);
    if (m === null) return null;
    this.#match.m = m;
    return this.#match;
  }

  locate(subject: string, out: Int32Array): boolean {
    const flags = this.regexp.flags;
    const re = this.#indexed ??= new RegExp(this.source, flags.includes('d') ? flags : `${flags}d`);
    re.lastIndex = 0;
    const m = re.exec(subject);
    const indices = m?.indices;
    if (indices === undefined) return false;
    const whole = indices[0] as [number, number];
    out[0] = whole[0];
    out[1] = whole[1];
    for (let g = 0; g < this.groups; g++) {
      const x = indices[this.layout[g] as number];
      out[2 + 2 * g] = x === undefined ? -1 : x[0];
      out[3 + 2 * g] = x === undefined ? -1 : x[1];
    }
    return true;
  }
}

// ---- Oniguruma ----------------------------------------------------------------------------------

export class OnigurumaEngine implements Engine {
  readonly kind = 'oniguruma' as const;
  readonly #scanner: OnigScanner;
  readonly #result: MatchOffsets;

  constructor(readonly source: string, readonly groups: number) {
    this.#scanner = onigScanner(source);
    this.#result = new MatchOffsets(groups);
  }

  get spec(): EngineSpec { return { kind: 'oniguruma', source: this.source, groups: this.groups }; }

  exec(subject: string): GrokMatch | null {
    const r = this.#result;
    if (!onigSearch(this.#scanner, subject, r)) return null;
    r.subject = subject;
    return r;
  }

  locate(subject: string, out: Int32Array): boolean {
    const r = this.#result;
    if (!onigSearch(this.#scanner, subject, r)) return false;
    out[0] = r.start;
    out[1] = r.end;
    for (let g = 0; g < this.groups; g++) {
      out[2 + 2 * g] = r.starts[g] as number;
      out[3 + 2 * g] = r.ends[g] as number;
    }
    return true;
  }

  dispose(): void { this.#scanner.dispose(); }
}

/** Build an engine from its spec (on the guard worker), loading Oniguruma first when it needs it. */
export async function engineFromSpec(spec: EngineSpec): Promise<Engine> {
  if (spec.kind === 'native') return new NativeEngine(spec.source, spec.groups, spec.flags);
  await loadOniguruma();
  return new OnigurumaEngine(spec.source, spec.groups);
}
