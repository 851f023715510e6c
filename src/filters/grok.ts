/**
 * The grok filter: match fields against grok expressions and write the named captures.
 * Behaviour follows logstash-filter-grok 4.4: pattern load order (built-ins for the ECS mode, then
 * patterns_dir files, then pattern_definitions), break_on_match across patterns and fields, array
 * fields matched element by element, a missing field matched as "", capture writing rules
 * (src/formats/grok/capture.ts), `tag_on_failure` on a miss and only `tag_on_timeout` on a timeout.
 *
 * Matching is synchronous. For expressions the risk check (src/formats/grok/risk.ts) finds prone to runaway
 * backtracking, the line screen (src/formats/grok/screen.ts) decides per line whether the cost model bounds
 * the match; lines it cannot bound run on a guard worker that is terminated after `timeout_millis`.
 * Captures are written by code generated per expression (src/formats/grok/capture.ts).
 */
import type { Event } from '../event/event.js';
import type { Value } from '../event/values.js';
import { parseFieldRef, type FieldPath } from '../event/fieldref.js';
import { defineFilter, PluginConfigError, type PluginContext, type ResolvedOptions as Options } from '../plugins/api.js';
import type { EcsMode } from '../plugins/options.js';
import { fieldReader, matchWriter, rubyToS, type CaptureTarget, type MatchWriter } from '../formats/grok/capture.js';
import { compileGrokAsync, type CompiledGrok } from '../formats/grok/compile.js';
import { GrokPatternError } from '../formats/grok/expand.js';
import { buildLibrary, PatternFileError, type PatternTable } from '../formats/grok/library.js';
import { openGuard, TIMED_OUT, type MatchGuard } from '../formats/grok/guard.js';
import { assessRisk, stepBudget, type RiskReport } from '../formats/grok/risk.js';
import { LineScreen, NEEDS_GUARD } from '../formats/grok/screen.js';
import { NativeEngine } from '../formats/grok/engine.js';

export { GrokPatternError };

export interface GrokSettings {
  match: Array<[string, string[]]>;
  breakOnMatch: boolean;
  namedCapturesOnly: boolean;
  keepEmptyCaptures: boolean;
  overwrite: readonly string[];
  patternsDir: readonly string[];
  patternsFilesGlob: string;
  patternDefinitions: Record<string, string>;
  tagOnFailure: readonly string[];
  tagOnTimeout: string;
  timeoutMillis: number;
  timeoutScope: 'pattern' | 'event';
  target: string | undefined;
  ecs: EcsMode;
  cwd: string | undefined;
}

/** Normalise validated options (Logstash accepts a string or a list of strings per field). */
export function grokSettings(options: Options, ecs: EcsMode, cwd?: string): GrokSettings {
  const rawMatch = (options.match ?? {}) as Record<string, unknown>;
  const match: Array<[string, string[]]> = [];
  for (const [field, pats] of Object.entries(rawMatch)) {
    const list = Array.isArray(pats) ? pats.map(String) : [String(pats)];
    match.push([field, list]);
  }
  const defs: Record<string, string> = {};
  for (const [k, v] of Object.entries((options.pattern_definitions ?? {}) as Record<string, unknown>)) {
    if (v !== null && v !== undefined) defs[k] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  }
  const tagOnFailure = options.tag_on_failure === undefined ? ['_grokparsefailure'] : (options.tag_on_failure as unknown[]).map(String);
  return {
    match,
    breakOnMatch: (options.break_on_match as boolean | undefined) ?? true,
    namedCapturesOnly: (options.named_captures_only as boolean | undefined) ?? true,
    keepEmptyCaptures: (options.keep_empty_captures as boolean | undefined) ?? false,
    overwrite: ((options.overwrite ?? []) as unknown[]).map(String),
    patternsDir: ((options.patterns_dir ?? []) as unknown[]).map(String),
    patternsFilesGlob: (options.patterns_files_glob as string | undefined) ?? '*',
    patternDefinitions: defs,
    tagOnFailure,
    tagOnTimeout: (options.tag_on_timeout as string | undefined) ?? '_groktimeout',
    timeoutMillis: Number(options.timeout_millis ?? 30000),
    timeoutScope: options.timeout_scope === 'event' ? 'event' : 'pattern',
    target: options.target === undefined || options.target === null || options.target === '' ? undefined : String(options.target),
    ecs,
    cwd,
  };
}

/** One expression as this filter runs it: flat capture plan and writers, no lookups per event. */
interface GrokPlan {
  grok: CompiledGrok;
  /** Set when the guard handles the expression: lines beyond the cost budget go to the worker. */
  screen: LineScreen | undefined;
  /** Writes the captures of a match made on this thread, in jls-grok's order. */
  write: MatchWriter;
  /** The same for any match (the guard worker's). */
  writeAny: MatchWriter;
}

interface CompiledField {
  field: string;
  path: FieldPath;
  groks: CompiledGrok[];
  read: (event: Event) => Value | undefined;
}

/** The risk report of a compiled expression, computed once (filters share compiled expressions). */
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

// Compiled expressions over the built-in library only, shared by filters (configs repeat patterns).
const builtinCompiled = new Map<string, CompiledGrok>();

/** Compile every pattern of a grok filter. Throws GrokPatternError naming the pattern and the field. */
export async function compileGrokFilter(s: GrokSettings): Promise<{ table: PatternTable; fields: CompiledField[] }> {
  const table = buildLibrary({
    ecs: s.ecs, patternsDir: s.patternsDir, patternsFilesGlob: s.patternsFilesGlob,
    definitions: s.patternDefinitions, cwd: s.cwd,
  });
  const fields: CompiledField[] = [];
  for (const [field, patterns] of s.match) {
    const groks: CompiledGrok[] = [];
    for (const p of patterns) {
      try {
        const key = s.patternsDir.length === 0 && Object.keys(s.patternDefinitions).length === 0
          ? JSON.stringify([s.ecs === 'disabled', s.namedCapturesOnly, p]) : undefined;
        let g = key === undefined ? undefined : builtinCompiled.get(key);
        if (g === undefined) {
          g = await compileGrokAsync(p, table, { namedCapturesOnly: s.namedCapturesOnly });
          if (key !== undefined) builtinCompiled.set(key, g);
        }
        groks.push(g);
      } catch (e) {
        if (e instanceof GrokPatternError) {
          throw new GrokPatternError({
            code: e.code, pattern: e.pattern, chain: e.chain, ...(e.origin ? { origin: e.origin } : {}),
            message: `${e.message}, in match => { ${JSON.stringify(field)} => ${JSON.stringify(p)} }`,
          });
        }
        throw e;
      }
    }
    const path = parseFieldRef(field);
    fields.push({ field, path, groks, read: fieldReader(path) });
  }
  return { table, fields };
}

/**
 * Check grok options without running anything (for the config validator): returns the problems
 * (undefined / cyclic patterns, bad regexes, unreadable pattern files) as messages.
 */
export async function validateGrokOptions(options: Options, ecs: EcsMode, cwd?: string): Promise<GrokPatternError[]> {
  const s = grokSettings(options, ecs, cwd);
  const problems: GrokPatternError[] = [];
  for (const [field, patterns] of s.match) {
    for (const p of patterns) {
      try {
        await compileGrokFilter({ ...s, match: [[field, [p]]] });
      } catch (e) {
        if (e instanceof GrokPatternError) problems.push(e);
        else {
          const code = e instanceof PatternFileError ? 'SLC_GROK_PATTERN_FILE' : 'SLC_GROK_BAD_REGEX';
          problems.push(new GrokPatternError({ code, pattern: p, chain: [], message: (e as Error).message }));
        }
      }
    }
  }
  return problems;
}

export class GrokFilter {
  readonly #s: GrokSettings;
  readonly #fields: CompiledField[];
  readonly #overwrite: Set<string>;
  readonly #targetPath: FieldPath | undefined;
  readonly #guard: MatchGuard | undefined;
  /** Per compiled grok: its capture plan and, when the guard handles it, its line screen. */
  readonly #plans: GrokPlan[][];
  #timedOut = false;
  #eventDeadline = 0;
  /** Counters (monitoring). */
  readonly stats = { matches: 0, failures: 0, timeouts: 0, guarded: 0 };

  constructor(s: GrokSettings, fields: CompiledField[], guard: MatchGuard | undefined) {
    this.#s = s;
    this.#fields = fields;
    this.#overwrite = new Set(s.overwrite);
    this.#targetPath = s.target === undefined ? undefined : parseFieldRef(s.target);
    this.#guard = guard;

    // Logstash itself lets a match run for up to timeout_millis before giving up, so a line whose
    // match the cost model bounds below half of that stalls no longer than Logstash would: it runs
    // here. Only lines that could run longer pay the worker round trip.
    const steps = stepBudget(s.timeoutMillis / 2);
    this.#plans = fields.map((f) => f.groks.map((g) => {
      const targets: CaptureTarget[] = [];
      for (const cf of g.fields) {
        const path = this.#targetPath === undefined ? cf.path : [...this.#targetPath, ...cf.path];
        for (const slot of cf.slots) {
          const conversion = slot.conversion === 'int' ? 1 : slot.conversion === 'float' ? 2 : 0;
          targets.push({ group: slot.group, conversion, path, overwrite: this.#overwrite.has(cf.field) });
        }
      }
      const screen = guard !== undefined && riskOf(g).risky ? screenOf(g, steps) : undefined;
      const writeAny = matchWriter(targets, s.keepEmptyCaptures);
      const native = g.engine instanceof NativeEngine && (screen === undefined || screen.sameLayout);
      return {
        grok: g, screen, writeAny,
        write: native ? matchWriter(targets, s.keepEmptyCaptures, (g.engine as NativeEngine).layout) : writeAny,
      };
    }));
  }

  get compiled(): readonly CompiledField[] { return this.#fields; }

  filter(event: Event): boolean {
    let matched = false;
    this.#timedOut = false;
    if (this.#s.timeoutScope === 'event') this.#eventDeadline = Date.now() + this.#s.timeoutMillis;
    const all = this.#fields;
    for (let fi = 0; fi < all.length; fi++) {
      const f = all[fi] as CompiledField;
      const plans = this.#plans[fi] as GrokPlan[];
      let ok = false;
      try {
        const input = f.read(event);
        if (Array.isArray(input)) {
          for (const item of input) {
            ok = this.#matchGroks(plans, rubyToS(item), event) || ok;
            if (this.#timedOut) break;
          }
        } else ok = this.#matchGroks(plans, rubyToS(input), event);
      } catch {
        ok = false; // Logstash logs and treats this field as not matched
      }
      if (this.#timedOut) {
        this.stats.timeouts++;
        event.tag(this.#s.tagOnTimeout);
        return false;
      }
      if (ok) {
        matched = true;
        if (this.#s.breakOnMatch) break;
      }
    }
    if (matched) { this.stats.matches++; return true; }
    this.stats.failures++;
    for (const t of this.#s.tagOnFailure) event.tag(t);
    return false;
  }

  #matchGroks(plans: GrokPlan[], input: string, event: Event): boolean {
    let matched = false;
    for (let pi = 0; pi < plans.length; pi++) {
      const plan = plans[pi] as GrokPlan;
      const g = plan.grok;
      const m = plan.screen === undefined ? g.exec(input) : plan.screen.exec(input);
      // jls-grok's capture order: per distinct name, its groups in order; only the first converted.
      if (m === NEEDS_GUARD) {
        this.stats.guarded++;
        const budget = this.#s.timeoutScope === 'event' ? Math.max(1, this.#eventDeadline - Date.now()) : this.#s.timeoutMillis;
        const r = (this.#guard as MatchGuard).exec(g, input, budget);
        if (r === TIMED_OUT) { this.#timedOut = true; return false; }
        matched = r !== null;
        if (r !== null) plan.writeAny(event, r);
      } else {
        matched = m !== null;
        if (m !== null) plan.write(event, m);
      }
      if (matched && this.#s.breakOnMatch) break;
    }
    return matched;
  }

  close(): Promise<void> | void { return this.#guard?.close(); }
}

/** Build a ready filter from validated options (used by the plugin and the CLI). */
export async function createGrokFilter(options: Options, ecs: EcsMode, cwd?: string): Promise<GrokFilter> {
  const s = grokSettings(options, ecs, cwd);
  const { fields } = await compileGrokFilter(s);
  let guard: MatchGuard | undefined;
  if (s.timeoutMillis > 0) {
    const risky = fields.flatMap((f) => f.groks).filter((g) => riskOf(g).risky);
    if (risky.length > 0) {
      guard = openGuard();
      for (const g of risky) guard.add(g);
    }
  }
  return new GrokFilter(s, fields, guard);
}

export default defineFilter({
  name: 'grok',
  doc: 'Parse unstructured text into fields with grok patterns (Oniguruma regexes with named, reusable parts).',
  // Undefined or cyclic patterns and bad regexes are config errors, reported by `sluice run -t` too.
  async check(options, ctx) {
    const problems = await validateGrokOptions(options, ctx.ecs, ctx.cwd);
    return problems.map((p) => new PluginConfigError(p.message, 'match', undefined, p.code));
  },
  options: {
    match: { type: 'hash', default: {}, doc: 'Field → grok expression, or list of expressions tried in order.' },
    break_on_match: { type: 'boolean', default: true, doc: 'Stop at the first expression that matches.' },
    named_captures_only: { type: 'boolean', default: true, doc: 'Only store captures that have a field name (`%{NAME:field}`).' },
    keep_empty_captures: { type: 'boolean', default: false, doc: 'Store empty and non-participating captures too.' },
    overwrite: { type: 'array', default: [], doc: 'Fields replaced by a capture instead of turned into arrays.' },
    patterns_dir: { type: 'array', default: [], doc: 'Directories (or files) of extra pattern definitions, loaded after the built-ins.' },
    patterns_files_glob: { type: 'string', default: '*', doc: 'Glob selecting the pattern files inside each patterns_dir directory.' },
    pattern_definitions: { type: 'hash', default: {}, doc: 'Inline pattern definitions (name → regex), loaded last.' },
    tag_on_failure: { type: 'array', default: ['_grokparsefailure'], doc: 'Tags added when no expression matches.' },
    tag_on_timeout: { type: 'string', default: '_groktimeout', doc: 'Tag added when matching takes longer than timeout_millis.' },
    timeout_millis: { type: 'number', default: 30000, doc: 'Give up matching after this many milliseconds (0 disables the guard).' },
    timeout_scope: { type: 'string', default: 'pattern', values: ['pattern', 'event'], doc: 'Whether timeout_millis applies to each expression or to the whole event.' },
    target: { type: 'string', doc: 'Field under which captures are written (default: the event root).' },
  },
  async create(options, ctx: PluginContext) {
    const f = await createGrokFilter(options, ctx.ecs, ctx.cwd);
    return {
      filter: (event: Event) => f.filter(event),
      close: () => f.close(),
    };
  },
});
