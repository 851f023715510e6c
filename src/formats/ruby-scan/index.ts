/**
 * Ruby regexps (`Regexp.new(source)`, no options) for plugins that build or take them (kv's scanner and
 * its trim/remove patterns), with Ruby's String#scan and gsub. Logstash runs them on Joni, a port of Oniguruma with Ruby syntax, so
 * they are compiled the way grok compiles its expressions (src/formats/grok/engine.ts):
 *
 * - `\d \w \s \h` are spelled out as ASCII classes (Ruby's meaning), as grok's prepareSource does;
 * - oniguruma-to-es translates the source to a V8 RegExp when it promises an exact translation (Ruby's
 *   defaults: `.` stops at a newline, `^`/`$` are line anchors, plain groups do not capture once a named
 *   group exists, `\b` is ASCII);
 * - otherwise Oniguruma itself (vscode-oniguruma, WASM, Ruby syntax, loaded once with grok's) runs it.
 *
 * A match reports every group of the source in order (hidden groups of the translation removed), as
 * Ruby's MatchData does, so `scan` yields what Ruby's String#scan yields.
 */
import { createRequire } from 'node:module';
import { toRegExpDetails } from 'oniguruma-to-es';
import onigModule from 'vscode-oniguruma';
import type * as onig from 'vscode-oniguruma';
import { loadOniguruma, onigurumaLoaded } from '../grok/onig.js';
import { prepareSource } from '../grok/source.js';

export class RubyRegexpError extends Error {}

/** One match: `groups[0]` is the whole match, `groups[k]` group k (undefined when it did not take part). */
export interface RubyMatch {
  readonly index: number;
  readonly end: number;
  readonly groups: readonly (string | undefined)[];
}

/**
 * What runs a regexp, as data a worker thread can rebuild (guard.ts):
 * a V8 pattern with the JS index of each Ruby group, or the Oniguruma source.
 */
export type RegexpForm =
  | { readonly kind: 'native'; readonly pattern: string; readonly flags: string; readonly groupMap: readonly number[] }
  | { readonly kind: 'oniguruma'; readonly source: string };

/** Where vscode-oniguruma and its WASM are (never fetched from the network). */
export function onigurumaPaths(): { module: string; wasm: string } {
  const require = createRequire(import.meta.url);
  return { module: require.resolve('vscode-oniguruma'), wasm: require.resolve('vscode-oniguruma/release/onig.wasm') };
}

export { loadOniguruma };

// vscode-oniguruma's const enums: FindOption.None = 0; Syntax.Ruby = 10; word is ASCII = 15.
const OPT_WORD_IS_ASCII = 15;
const SYNTAX_RUBY = 10;
// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** The native form of a prepared source, or undefined when the translation is not exact. */
function nativeForm(source: string): RegexpForm | undefined {
  let details: ReturnType<typeof toRegExpDetails>;
  try {
    details = toRegExpDetails(source, {
      accuracy: 'strict',
      target: 'ES2018', // Node 20's V8 mis-matches some negated classes under the v flag
      rules: { asciiWordBoundaries: true, captureGroup: false },
    });
  } catch {
    return undefined;
  }
  const o = details.options as { hiddenCaptures?: number[]; transfers?: unknown; strategy?: unknown } | undefined;
  if (o?.strategy !== undefined && o.strategy !== null) return undefined;
  if (Array.isArray(o?.transfers) && o.transfers.length > 0) return undefined;
  let re: RegExp;
  try { re = new RegExp(`${details.pattern}|`, details.flags); } catch { return undefined; }
  // Every group of the translation: the `|` alternative matches empty, so exec reports them all.
  const total = (re.exec('') as RegExpExecArray).length - 1;
  const hidden = new Set(o?.hiddenCaptures ?? []);
  const groupMap = [0];
  for (let i = 1; i <= total; i++) if (!hidden.has(i)) groupMap.push(i);
  return { kind: 'native', pattern: details.pattern, flags: details.flags, groupMap };
}

/** Runs one form: `exec(subject, from)` searches from a UTF-16 offset. */
interface Runner {
  exec(subject: string, from: number): RubyMatch | null;
  dispose?(): void;
}

function nativeRunner(form: Extract<RegexpForm, { kind: 'native' }>): Runner {
  const re = new RegExp(form.pattern, `${form.flags}g`);
  const map = form.groupMap;
  // Mostly the translation adds no hidden group: the exec result is then the groups as they are.
  const identity = map.every((g, k) => g === k);
  return {
    exec(subject, from) {
      re.lastIndex = from;
      const m = re.exec(subject);
      if (m === null) return null;
      if (identity && m.length === map.length) return { index: m.index, end: m.index + m[0].length, groups: m };
      const groups = new Array<string | undefined>(map.length);
      for (let k = 0; k < map.length; k++) groups[k] = m[map[k]!];
      return { index: m.index, end: m.index + m[0].length, groups };
    },
  };
}

function onigRunner(source: string): Runner {
  if (!onigurumaLoaded()) throw new RubyRegexpError('Oniguruma is not loaded: use RubyRegexp.load');
  let scanner: onig.OnigScanner;
  try {
    scanner = new onigModule.OnigScanner([source], {
      options: [OPT_WORD_IS_ASCII] as unknown as onig.FindOption[],
      syntax: SYNTAX_RUBY as unknown as onig.Syntax,
    });
  } catch (e) {
    throw new RubyRegexpError((e as Error).message);
  }
  return {
    exec(subject, from) {
      const m = scanner.findNextMatchSync(subject, from);
      if (m === null) return null;
      const caps = m.captureIndices;
      const len = subject.length;
      const nonAscii = !ASCII_ONLY.test(subject);
      const groups = new Array<string | undefined>(caps.length);
      for (let k = 0; k < caps.length; k++) {
        const c = caps[k];
        // A group that did not take part comes back past the end, or (non-ASCII subjects) as an empty
        // match at the very end (the same pitfall grok's engine documents).
        groups[k] = c === undefined || c.start > len || (k > 0 && c.start === len && c.end === len && nonAscii) ? undefined : subject.slice(c.start, c.end);
      }
      const whole = caps[0]!;
      return { index: whole.start, end: whole.end, groups };
    },
    dispose() { scanner.dispose(); },
  };
}

/** Does Oniguruma accept this (prepared) source? Only once loaded. */
function onigAccepts(source: string): string | undefined {
  try { onigRunner(source).dispose?.(); return undefined; } catch (e) { return (e as Error).message; }
}

/** The runner of a form, built in this thread. */
export function runnerOf(form: RegexpForm): Runner {
  return form.kind === 'native' ? nativeRunner(form) : onigRunner(form.source);
}

export class RubyRegexp {
  readonly #runner: Runner;

  private constructor(readonly source: string, readonly form: RegexpForm) {
    this.#runner = runnerOf(form);
  }

  /** Compile; throws RubyRegexpError when the source is invalid or needs Oniguruma before it is loaded. */
  static compile(source: string): RubyRegexp {
    let prepared: string;
    try { prepared = prepareSource(source).source; } catch (e) { throw new RubyRegexpError((e as Error).message); }
    const native = nativeForm(prepared);
    if (native !== undefined) return new RubyRegexp(source, native);
    if (!onigurumaLoaded()) throw new RubyRegexpError(`needs Oniguruma: ${source}`);
    const refused = onigAccepts(prepared);
    if (refused !== undefined) throw new RubyRegexpError(`invalid regular expression /${source}/: ${refused}`);
    return new RubyRegexp(source, { kind: 'oniguruma', source: prepared });
  }

  /** Compile, loading Oniguruma first when the translation to V8 is not exact. */
  static async load(source: string): Promise<RubyRegexp> {
    try {
      return RubyRegexp.compile(source);
    } catch (e) {
      if (onigurumaLoaded()) throw e;
      await loadOniguruma();
      return RubyRegexp.compile(source);
    }
  }

  /** Ruby's `Regexp.union` of regexps: each source wrapped as its `to_s` (`(?-mix:…)`), joined by `|`. */
  static unionSource(sources: readonly string[]): string {
    return sources.length === 0 ? '(?!)' : sources.map(regexpToS).join('|');
  }

  /** The first match at or after `from` (a UTF-16 offset), as `String#match(re, pos)`. */
  match(subject: string, from = 0): RubyMatch | null {
    return this.#runner.exec(subject, from);
  }

  /** `subject =~ re` is not nil. */
  test(subject: string): boolean {
    return this.#runner.exec(subject, 0) !== null;
  }

  /** Ruby's String#scan: every match, left to right; an empty match moves on by one character. `each` may return false to stop. */
  scan(subject: string, each: (m: RubyMatch) => boolean | void): void {
    let pos = 0;
    const n = subject.length;
    while (pos <= n) {
      const m = this.#runner.exec(subject, pos);
      if (m === null) return;
      if (each(m) === false) return;
      pos = m.end > m.index ? m.end : m.end + charWidth(subject, m.end);
    }
  }

  /** Ruby's `gsub(re, replacement)` with a replacement taken literally (no back-references). */
  replaceAll(subject: string, replacement: string): string {
    let out = '';
    let last = 0;
    let matched = false;
    this.scan(subject, (m) => {
      out += subject.slice(last, m.index) + replacement;
      last = m.end;
      matched = true;
    });
    return matched ? out + subject.slice(last) : subject;
  }
}

/** UTF-16 units of the character at i (1 past the end). */
function charWidth(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
}

/** Ruby's Regexp#to_s for a regexp made without options: `(?-mix:source)`. */
export function regexpToS(source: string): string {
  return `(?-mix:${source})`;
}

/** Ruby's Regexp.quote (Regexp.escape). */
export function regexpQuote(s: string): string {
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\n': out += '\\n'; break;
      case '\t': out += '\\t'; break;
      case '\r': out += '\\r'; break;
      case '\f': out += '\\f'; break;
      case '\v': out += '\\v'; break;
      case ' ': out += '\\ '; break;
      default: out += '[]{}()|-*.\\?+^$#'.includes(ch) ? `\\${ch}` : ch;
    }
  }
  return out;
}
