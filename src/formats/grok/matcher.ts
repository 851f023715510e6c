/**
 * GrokMatcher: the one way into grok, for the grok filter, `sluice grok`, the multiline codec's `%{…}`
 * patterns and the grok debugger. It owns the pattern library (built-ins for the ECS mode, patterns_dir
 * files, custom pattern text, pattern_definitions), compilation (native V8 when exact, else Oniguruma),
 * the capture writers, the line screen and the runaway guard. Every match goes through the screen and,
 * when it cannot bound the line, the guard: no caller can skip the protection (timeoutMillis 0 turns
 * it off, as `timeout_millis => 0` does in Logstash).
 *
 *   const grok = new GrokMatcher({ ecs: 'v1', patternText: 'TICKET T-\\d+' });
 *   const e = await grok.compile('%{TICKET:t} %{NUMBER:n:int}');
 *   e.matchInto(line, event)   // the filter's hot path: captures written into the event
 *   e.test(line)               // a yes/no (multiline)
 *   await e.inspect(line)      // captures as a hash, or where matching stopped (CLI, debugger)
 *   await grok.close()         // releases the guard worker's copies of the expressions
 */
import { Event } from '../../event/event.js';
import { parseFieldRef, type FieldPath } from '../../event/fieldref.js';
import type { EcsMode } from '../../event/ecs.js';
import type { Hash } from '../../event/values.js';
import { matchWriter, type CaptureTarget, type MatchWriter } from './capture.js';
import { compileGrokAsync, type CompiledGrok } from './compile.js';
import { NativeEngine, type Engine, type EngineKind, type GrokMatch } from './engine.js';
import { explainMiss, type MissExplanation } from './explain.js';
import { GrokPatternError } from './expand.js';
import { openGuard, TIMED_OUT as GUARD_TIMED_OUT, type MatchGuard } from './guard.js';
import { buildLibrary, PatternFileError, type PatternTable } from './library.js';
import { assessRisk, stepBudget, type RiskReport } from './risk.js';
import { LineScreen, NEEDS_GUARD } from './screen.js';

/** Grok's defaults, as Logstash's grok filter has them (its option declarations and `sluice grok` read them here). */
export const GROK_DEFAULTS = {
  patternsFilesGlob: '*',
  namedCapturesOnly: true,
  keepEmptyCaptures: false,
  timeoutMillis: 30_000,
  tagOnFailure: ['_grokparsefailure'],
  tagOnTimeout: '_groktimeout',
} as const;

export interface GrokMatcherOptions {
  ecs: EcsMode;
  /** Directories (their files matching patternsFilesGlob), files or globs of pattern files. */
  patternsDir?: readonly string[];
  patternsFilesGlob?: string;
  /** Pattern file text (`NAME regex` lines) read after the patternsDir files: the debugger's custom patterns. */
  patternText?: string;
  /** Inline definitions (name → regex), read last. */
  patternDefinitions?: Readonly<Record<string, string>>;
  /** Base of relative patternsDir entries: the working directory, as in Logstash. */
  cwd?: string;
  namedCapturesOnly?: boolean;
  keepEmptyCaptures?: boolean;
  /** Longest a match may take before it is stopped (TIMED_OUT); 0: no guard. */
  timeoutMillis?: number;
  /** Force an engine (tests, the differential check); default: native when the translation is exact. */
  engine?: EngineKind;
}

/** Where an expression writes its captures (the grok filter's `target` and `overwrite`). */
export interface CaptureOptions {
  target?: string;
  overwrite?: readonly string[];
}

/** What a match came to. Small integers: the filter's hot path compares them. */
export const MISS = 0;
export const MATCH = 1;
export const TIMED_OUT = 2;
export type MatchOutcome = typeof MISS | typeof MATCH | typeof TIMED_OUT;

/** One line, as the CLI and the debugger show it. */
export type Inspection =
  | { status: 'match'; fields: Hash }
  | { status: 'miss'; explanation?: MissExplanation }
  | { status: 'timeout'; timeoutMillis: number };

/** The risk report of a compiled expression, computed once (compiled expressions are shared). */
const risks = new WeakMap<CompiledGrok, RiskReport>();
function riskOf(g: CompiledGrok): RiskReport {
  let r = risks.get(g);
  if (r === undefined) { r = assessRisk(g.prepared); risks.set(g, r); }
  return r;
}

/** Line screens per compiled expression and step budget: building one translates a rewritten regex. */
const screens = new WeakMap<CompiledGrok, Map<number, LineScreen>>();
function screenOf(g: CompiledGrok, steps: number): LineScreen {
  let byBudget = screens.get(g);
  if (byBudget === undefined) { byBudget = new Map(); screens.set(g, byBudget); }
  let screen = byBudget.get(steps);
  if (screen === undefined) { screen = new LineScreen(g, riskOf(g), steps); byBudget.set(steps, screen); }
  return screen;
}

/** What an expression asks of the matcher that compiled it. */
interface Host {
  readonly timeoutMillis: number;
  /**
   * Run a line the screen cannot bound on the guard worker (compile registered the expression), for
   * timeoutMillis or until `deadline` (a Date.now() time).
   */
  guarded(g: CompiledGrok, subject: string, deadline: number | undefined): ReturnType<MatchGuard['exec']>;
  explain(expression: string, line: string): Promise<MissExplanation>;
}

// Expressions compiled over a built-in library alone, shared by matchers (configs repeat patterns).
// Bounded, oldest first out: a long-lived process (the debugger) compiles whatever it is sent.
const builtinCompiled = new Map<string, CompiledGrok>();
const BUILTIN_COMPILED_MAX = 1024;

export class GrokMatcher {
  readonly #table: PatternTable;
  /** Set when the table is a built-in library alone: compiled expressions can be shared. */
  readonly #builtinKey: string | undefined;
  readonly #namedCapturesOnly: boolean;
  readonly #keepEmpty: boolean;
  readonly #engine: EngineKind | undefined;
  readonly #timeoutMs: number;
  /** The cost model's budget per line on this thread (see the constructor). */
  readonly #steps: number;
  #guard: MatchGuard | undefined;
  /** Prefixes compiled to explain misses, by source. */
  readonly #prefixes = new Map<string, GrokExpression | null>();
  #guardedLines = 0;
  readonly #host: Host;

  /** Load the pattern library. Throws GrokPatternError (SLC_GROK_PATTERN_FILE) for an unreadable pattern file. */
  constructor(opts: GrokMatcherOptions) {
    try {
      this.#table = buildLibrary({
        ecs: opts.ecs,
        ...(opts.patternsDir === undefined ? {} : { patternsDir: opts.patternsDir }),
        patternsFilesGlob: opts.patternsFilesGlob ?? GROK_DEFAULTS.patternsFilesGlob,
        ...(opts.patternText === undefined ? {} : { patternText: opts.patternText }),
        ...(opts.patternDefinitions === undefined ? {} : { definitions: opts.patternDefinitions }),
        ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      });
    } catch (e) {
      if (!(e instanceof PatternFileError)) throw e;
      throw new GrokPatternError({ code: 'SLC_GROK_PATTERN_FILE', pattern: '', chain: [], message: e.message });
    }
    this.#namedCapturesOnly = opts.namedCapturesOnly ?? GROK_DEFAULTS.namedCapturesOnly;
    this.#keepEmpty = opts.keepEmptyCaptures ?? GROK_DEFAULTS.keepEmptyCaptures;
    this.#engine = opts.engine;
    this.#timeoutMs = opts.timeoutMillis ?? GROK_DEFAULTS.timeoutMillis;
    const custom = (opts.patternsDir?.length ?? 0) > 0 || opts.patternText !== undefined || Object.keys(opts.patternDefinitions ?? {}).length > 0;
    this.#builtinKey = custom ? undefined : JSON.stringify([opts.ecs === 'disabled', this.#namedCapturesOnly, this.#engine ?? '']);
    // Logstash itself lets a match run for up to timeout_millis before giving up, so a line whose
    // match the cost model bounds below half of that stalls no longer than Logstash would: it runs
    // here. Only lines that could run longer pay the worker round trip.
    this.#steps = stepBudget(this.#timeoutMs / 2);
    this.#host = {
      timeoutMillis: this.#timeoutMs,
      guarded: (g, subject, deadline) => {
        this.#guardedLines++;
        const budget = deadline === undefined ? this.#timeoutMs : Math.max(1, deadline - Date.now());
        return (this.#guard as MatchGuard).exec(g, subject, budget);
      },
      explain: (expression, line) => this.explain(expression, line),
    };
  }

  get timeoutMillis(): number { return this.#timeoutMs; }
  /** Lines sent to the guard worker so far (monitoring, tests). */
  get guardedLines(): number { return this.#guardedLines; }

  /**
   * Compile an expression against this library. Throws GrokPatternError for undefined or cyclic
   * patterns and for regexes neither engine accepts.
   */
  async compile(expression: string, capture: CaptureOptions = {}): Promise<GrokExpression> {
    const g = await this.#compiled(expression);
    let screen: LineScreen | undefined;
    if (this.#timeoutMs > 0 && riskOf(g).risky) {
      screen = screenOf(g, this.#steps);
      (this.#guard ??= openGuard()).add(g);
    }
    return new GrokExpression(this.#host, g, screen, this.#writers(g, capture, screen));
  }

  async #compiled(expression: string): Promise<CompiledGrok> {
    const key = this.#builtinKey === undefined ? undefined : `${this.#builtinKey}${expression}`;
    let g = key === undefined ? undefined : builtinCompiled.get(key);
    if (g !== undefined) return g;
    try {
      g = await compileGrokAsync(expression, this.#table, {
        namedCapturesOnly: this.#namedCapturesOnly, ...(this.#engine === undefined ? {} : { engine: this.#engine }),
      });
    } catch (e) {
      if (e instanceof GrokPatternError) throw e;
      // A regex the preparation pass cannot read.
      throw new GrokPatternError({ code: 'SLC_GROK_BAD_REGEX', pattern: expression, chain: [], message: (e as Error).message });
    }
    if (key !== undefined) {
      builtinCompiled.set(key, g);
      if (builtinCompiled.size > BUILTIN_COMPILED_MAX) builtinCompiled.delete(builtinCompiled.keys().next().value as string);
    }
    return g;
  }

  /**
   * The capture writers of one expression, generated with its field names and group numbers as
   * literals: `any` for any match (the guard worker's offsets), `here` for matches made on this
   * thread, reading V8's match array directly when the engine is native.
   */
  #writers(g: CompiledGrok, capture: CaptureOptions, screen: LineScreen | undefined): { here: MatchWriter; any: MatchWriter } {
    const target: FieldPath | undefined = capture.target === undefined || capture.target === '' ? undefined : parseFieldRef(capture.target);
    const overwrite = new Set(capture.overwrite ?? []);
    const targets: CaptureTarget[] = [];
    for (const cf of g.fields) {
      const path = target === undefined ? cf.path : [...target, ...cf.path];
      for (const slot of cf.slots) {
        const conversion = slot.conversion === 'int' ? 1 : slot.conversion === 'float' ? 2 : 0;
        targets.push({ group: slot.group, conversion, path, overwrite: overwrite.has(cf.field) });
      }
    }
    const any = matchWriter(targets, this.#keepEmpty);
    const e = g.engine;
    const here = e instanceof NativeEngine && (screen === undefined || screen.sameLayout) ? matchWriter(targets, this.#keepEmpty, e.layout) : any;
    return { here, any };
  }

  /**
   * Why `expression` does not match `line`: the longest prefix that matches and where it stopped.
   * The prefixes are compiled and matched here, so they are guarded too.
   */
  explain(expression: string, line: string): Promise<MissExplanation> {
    const deadline = Date.now() + this.#timeoutMs;
    return explainMiss(expression, line, this.#table, async (prefix) => {
      let e = this.#prefixes.get(prefix);
      if (e === undefined) {
        try { e = await this.compile(prefix); } catch { e = null; }
        this.#prefixes.set(prefix, e);
      }
      // All prefixes share one timeout: a miss is explained within about timeoutMillis.
      return e === null ? undefined : e.endIn(line, deadline);
    });
  }

  /** Release the guard worker's copies of this matcher's expressions. */
  async close(): Promise<void> {
    const guard = this.#guard;
    this.#guard = undefined;
    this.#prefixes.clear();
    await guard?.close();
  }
}

/** One compiled expression, with its screen and writers: what a caller matches lines with. */
export class GrokExpression {
  readonly #host: Host;
  readonly #grok: CompiledGrok;
  readonly #engine: Engine;
  readonly #screen: LineScreen | undefined;
  readonly #write: MatchWriter;
  readonly #writeAny: MatchWriter;
  /** The native RegExp when no screen stands in front of it (test() needs no captures). */
  readonly #regexp: RegExp | undefined;

  constructor(host: Host, grok: CompiledGrok, screen: LineScreen | undefined, writers: { here: MatchWriter; any: MatchWriter }) {
    this.#host = host;
    this.#grok = grok;
    this.#engine = grok.engine;
    this.#screen = screen;
    this.#write = writers.here;
    this.#writeAny = writers.any;
    this.#regexp = screen === undefined ? grok.engine.regexp : undefined;
  }

  /** The expression as written. */
  get expression(): string { return this.#grok.pattern; }
  /** The Oniguruma regex it expands to, group names as written. */
  get expanded(): string { return this.#grok.expanded; }
  get engine(): EngineKind { return this.#grok.engine.kind; }
  /** The V8 RegExp it runs on when native (reference loops in benchmarks; the debugger may show it). */
  get regexp(): RegExp | undefined { return this.#grok.engine.regexp; }
  /** Whether some lines may run on the guard worker (a shape that can backtrack badly, and a timeout). */
  get guarded(): boolean { return this.#screen !== undefined; }

  /**
   * Match a line and write the captures into the event (Logstash's rules, capture.ts). A guarded
   * match is stopped after the matcher's timeout, or at `deadline` (a Date.now() time: the grok
   * filter's timeout_scope => event). May throw when a capture path crosses a value that is not a hash.
   */
  matchInto(subject: string, event: Event, deadline?: number): MatchOutcome {
    const screen = this.#screen;
    if (screen === undefined) {
      const m = this.#engine.exec(subject);
      if (m === null) return MISS;
      this.#write(event, m);
      return MATCH;
    }
    const m = screen.exec(subject);
    if (m === null) return MISS;
    if (m !== NEEDS_GUARD) { this.#write(event, m); return MATCH; }
    const r = this.#host.guarded(this.#grok, subject, deadline);
    if (r === GUARD_TIMED_OUT) return TIMED_OUT;
    if (r === null) return MISS;
    this.#writeAny(event, r);
    return MATCH;
  }

  /** Does the line match (no captures written)? */
  test(subject: string): MatchOutcome {
    const re = this.#regexp;
    if (re !== undefined) return re.test(subject) ? MATCH : MISS;
    const m = this.#run(subject, undefined);
    return m === GUARD_TIMED_OUT ? TIMED_OUT : m === null ? MISS : MATCH;
  }

  /** Where the match ends in the line; undefined on a miss and when the guard stopped it. */
  endIn(subject: string, deadline?: number): number | undefined {
    const m = this.#run(subject, deadline);
    return m === GUARD_TIMED_OUT || m === null ? undefined : m.end;
  }

  #run(subject: string, deadline: number | undefined): GrokMatch | null | typeof GUARD_TIMED_OUT {
    const screen = this.#screen;
    const m = screen === undefined ? this.#engine.exec(subject) : screen.exec(subject);
    return m === NEEDS_GUARD ? this.#host.guarded(this.#grok, subject, deadline) : m;
  }

  /**
   * The captures of a line as a hash (nested as in an event, `@metadata` included), or why it did not
   * match (unless `explain` is false: finding out takes a few more matches).
   */
  async inspect(subject: string, opts: { explain?: boolean } = {}): Promise<Inspection> {
    const event = new Event({});
    const r = this.matchInto(subject, event);
    if (r === TIMED_OUT) return { status: 'timeout', timeoutMillis: this.#host.timeoutMillis };
    if (r === MISS) {
      return { status: 'miss', ...(opts.explain === false ? {} : { explanation: await this.#host.explain(this.expression, subject) }) };
    }
    const fields: Hash = { ...event.data };
    delete fields['@timestamp'];
    delete fields['@version'];
    if (Object.keys(event.metadata).length > 0) fields['@metadata'] = event.metadata;
    return { status: 'match', fields };
  }
}
