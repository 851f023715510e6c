/**
 * The grok filter: match fields against grok expressions and write the named captures.
 * Behaviour follows logstash-filter-grok 4.4: pattern load order (built-ins for the ECS mode, then
 * patterns_dir files, then pattern_definitions), break_on_match across patterns and fields, array
 * fields matched element by element, a missing field matched as "", capture writing rules,
 * `tag_on_failure` on a miss and only `tag_on_timeout` on a timeout.
 *
 * Everything about matching (the library, compilation, capture writers, the line screen and the
 * runaway guard) is the GrokMatcher's (src/formats/grok); this module is the filter's own part: which
 * fields, which expressions, in which order, and the tags.
 */
import type { Event } from '../event/event.js';
import type { Value } from '../event/values.js';
import { parseFieldRef } from '../event/fieldref.js';
import { defineFilter, PluginConfigError, type CheckContext, type FilterInstance } from '../plugins/api.js';
import { defineOptions, type ConfigValue, type OptionsOf } from '../plugins/options.js';
import {
  fieldReader, GROK_DEFAULTS, GrokMatcher, GrokPatternError, MATCH, rubyToS, TIMED_OUT,
  type GrokExpression, type GrokMatcherOptions,
} from '../formats/grok/index.js';

export { GrokPatternError };

export const GROK_OPTIONS = defineOptions({
  match: { type: 'hash', default: {}, doc: 'Field → grok expression, or list of expressions tried in order.' },
  break_on_match: { type: 'boolean', default: true, doc: 'Stop at the first expression that matches.' },
  named_captures_only: { type: 'boolean', default: GROK_DEFAULTS.namedCapturesOnly, doc: 'Only store captures that have a field name (`%{NAME:field}`).' },
  keep_empty_captures: { type: 'boolean', default: GROK_DEFAULTS.keepEmptyCaptures, doc: 'Store empty and non-participating captures too.' },
  overwrite: { type: 'array', default: [], doc: 'Fields replaced by a capture instead of turned into arrays.' },
  patterns_dir: { type: 'array', default: [], doc: 'Directories (or files) of extra pattern definitions, loaded after the built-ins.' },
  patterns_files_glob: { type: 'string', default: GROK_DEFAULTS.patternsFilesGlob, doc: 'Glob selecting the pattern files inside each patterns_dir directory.' },
  pattern_definitions: { type: 'hash', default: {}, doc: 'Inline pattern definitions (name → regex), loaded last.' },
  tag_on_failure: { type: 'array', default: GROK_DEFAULTS.tagOnFailure, doc: 'Tags added when no expression matches.' },
  tag_on_timeout: { type: 'string', default: GROK_DEFAULTS.tagOnTimeout, doc: 'Tag added when matching takes longer than timeout_millis.' },
  timeout_millis: { type: 'number', default: GROK_DEFAULTS.timeoutMillis, doc: 'Give up matching after this many milliseconds (0 disables the guard).' },
  timeout_scope: { type: 'string', default: 'pattern', values: ['pattern', 'event'], doc: 'Whether timeout_millis applies to each expression or to the whole event.' },
  target: { type: 'string', doc: 'Field under which captures are written (default: the event root).' },
});

/** The options the filter receives, typed from the declarations above. */
export type GrokOptions = OptionsOf<typeof GROK_OPTIONS>;

/** What the filter needs of its context: the ECS mode and the directory relative patterns_dir resolve in. */
export type GrokContext = Pick<CheckContext, 'ecs' | 'cwd'>;

const text = (v: ConfigValue): string => (typeof v === 'string' ? v : String(v));

/** Field → its expressions, in config order (Logstash accepts a string or a list of strings per field). */
function matchList(options: GrokOptions): Array<[string, string[]]> {
  return Object.entries(options.match).map(([field, p]) => [field, Array.isArray(p) ? p.map(text) : [text(p)]]);
}

/** The GrokMatcher settings of a filter: the library and how captures are read. */
function matcherOptions(options: GrokOptions, ctx: GrokContext): GrokMatcherOptions {
  const definitions: Record<string, string> = {};
  for (const [name, v] of Object.entries(options.pattern_definitions)) {
    // A name given twice (a flat array) keeps its last definition.
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) definitions[name] = text(last);
  }
  return {
    ecs: ctx.ecs,
    cwd: ctx.cwd,
    patternsDir: options.patterns_dir.map(text),
    patternsFilesGlob: options.patterns_files_glob,
    patternDefinitions: definitions,
    namedCapturesOnly: options.named_captures_only,
    keepEmptyCaptures: options.keep_empty_captures,
    timeoutMillis: options.timeout_millis,
  };
}

/** An error in one expression, saying which `match` entry it is. */
function inMatch(e: unknown, field: string, expression: string): unknown {
  if (!(e instanceof GrokPatternError)) return e;
  return new GrokPatternError({
    code: e.code, pattern: e.pattern, chain: e.chain, ...(e.origin ? { origin: e.origin } : {}),
    message: `${e.message}, in match => { ${JSON.stringify(field)} => ${JSON.stringify(expression)} }`,
  });
}

interface CompiledField {
  read: (event: Event) => Value | undefined;
  expressions: GrokExpression[];
}

export class GrokFilter implements FilterInstance {
  readonly #matcher: GrokMatcher;
  readonly #fields: CompiledField[];
  readonly #breakOnMatch: boolean;
  readonly #tagOnFailure: readonly string[];
  readonly #tagOnTimeout: string;
  readonly #timeoutMs: number;
  readonly #eventScope: boolean;
  #timedOut = false;
  #eventDeadline = 0;
  #matches = 0;
  #failures = 0;
  #timeouts = 0;

  private constructor(options: GrokOptions, matcher: GrokMatcher, fields: CompiledField[]) {
    this.#matcher = matcher;
    this.#fields = fields;
    this.#breakOnMatch = options.break_on_match;
    this.#tagOnFailure = options.tag_on_failure.map(text);
    this.#tagOnTimeout = options.tag_on_timeout;
    this.#timeoutMs = options.timeout_millis;
    this.#eventScope = options.timeout_scope === 'event';
  }

  /** Compile every expression. Throws GrokPatternError naming the expression and its field. */
  static async create(options: GrokOptions, ctx: GrokContext): Promise<GrokFilter> {
    const matcher = new GrokMatcher(matcherOptions(options, ctx));
    const capture = { overwrite: options.overwrite.map(text), ...(options.target === undefined ? {} : { target: options.target }) };
    const fields: CompiledField[] = [];
    try {
      for (const [field, expressions] of matchList(options)) {
        const compiled: GrokExpression[] = [];
        for (const p of expressions) {
          try { compiled.push(await matcher.compile(p, capture)); } catch (e) { throw inMatch(e, field, p); }
        }
        fields.push({ read: fieldReader(parseFieldRef(field)), expressions: compiled });
      }
    } catch (e) {
      await matcher.close();
      throw e;
    }
    return new GrokFilter(options, matcher, fields);
  }

  /** Counters (monitoring, tests): events matched, failed and timed out, lines sent to the guard worker. */
  get stats(): { matches: number; failures: number; timeouts: number; guarded: number } {
    return { matches: this.#matches, failures: this.#failures, timeouts: this.#timeouts, guarded: this.#matcher.guardedLines };
  }

  filter(event: Event): boolean {
    let matched = false;
    this.#timedOut = false;
    if (this.#eventScope) this.#eventDeadline = Date.now() + this.#timeoutMs;
    const all = this.#fields;
    for (let fi = 0; fi < all.length; fi++) {
      const f = all[fi] as CompiledField;
      let ok = false;
      try {
        const input = f.read(event);
        if (Array.isArray(input)) {
          for (const item of input) {
            ok = this.#matchAll(f.expressions, rubyToS(item), event) || ok;
            if (this.#timedOut) break;
          }
        } else ok = this.#matchAll(f.expressions, rubyToS(input), event);
      } catch {
        ok = false; // Logstash logs and treats this field as not matched
      }
      if (this.#timedOut) {
        this.#timeouts++;
        event.tag(this.#tagOnTimeout);
        return false;
      }
      if (ok) {
        matched = true;
        if (this.#breakOnMatch) break;
      }
    }
    if (matched) { this.#matches++; return true; }
    this.#failures++;
    for (const t of this.#tagOnFailure) event.tag(t);
    return false;
  }

  /** As jls-grok: the result is that of the last expression tried. */
  #matchAll(expressions: GrokExpression[], input: string, event: Event): boolean {
    let matched = false;
    const deadline = this.#eventScope ? this.#eventDeadline : undefined;
    for (let i = 0; i < expressions.length; i++) {
      const r = (expressions[i] as GrokExpression).matchInto(input, event, deadline);
      if (r === TIMED_OUT) { this.#timedOut = true; return false; }
      matched = r === MATCH;
      if (matched && this.#breakOnMatch) break;
    }
    return matched;
  }

  close(): Promise<void> { return this.#matcher.close(); }
}

/**
 * Check grok options without running anything (`sluice run -t` too): every undefined or cyclic
 * pattern, bad regex and unreadable pattern file, each expression compiled on its own.
 */
export async function checkGrokOptions(options: GrokOptions, ctx: GrokContext): Promise<PluginConfigError[]> {
  const problem = (e: GrokPatternError): PluginConfigError => new PluginConfigError(e.message, 'match', undefined, e.code);
  let matcher: GrokMatcher;
  try {
    matcher = new GrokMatcher(matcherOptions(options, ctx));
  } catch (e) {
    if (e instanceof GrokPatternError) return [problem(e)];
    throw e;
  }
  const problems: PluginConfigError[] = [];
  try {
    for (const [field, expressions] of matchList(options)) {
      for (const p of expressions) {
        try { await matcher.compile(p); } catch (e) {
          const err = inMatch(e, field, p);
          if (!(err instanceof GrokPatternError)) throw err;
          problems.push(problem(err));
        }
      }
    }
  } finally {
    await matcher.close();
  }
  return problems;
}

export default defineFilter({
  name: 'grok',
  doc: 'Parse unstructured text into fields with grok patterns (Oniguruma regexes with named, reusable parts).',
  // Undefined or cyclic patterns and bad regexes are config errors, reported by `sluice run -t` too.
  check: checkGrokOptions,
  options: GROK_OPTIONS,
  create: (options, ctx) => GrokFilter.create(options, ctx),
});
