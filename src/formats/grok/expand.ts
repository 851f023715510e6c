/**
 * Expansion of `%{NAME}`, `%{NAME:semantic}`, `%{NAME:semantic:type}` and `%{NAME=inline regex}`
 * into one Oniguruma regex, as jls-grok (the library behind Logstash's grok) does it:
 *
 * - the reference syntax is jls-grok's: a name of `[A-z0-9]` characters (that range includes
 *   `[ \ ] ^ _` and a backtick), an optional `:subname` of `[@\[\]A-z0-9_:.-]`, then anything up to
 *   the first `}` is ignored (`%{NAGIOSLOGLINE - CURRENT HOST STATE}` is `%{NAGIOSLOGLINE}`);
 * - references expand depth-first, left to right (jls-grok repeatedly replaces the leftmost one);
 * - a reference with a semantic (or every reference when named_captures_only is false) becomes a
 *   named group called by the whole reference text (`NUMBER:bytes:int`), the others `(?:…)`.
 *
 * Undefined and cyclic references are reported with the chain of patterns that led to them.
 */
import type { PatternOrigin, PatternTable } from './library.js';

export class GrokPatternError extends Error {
  readonly code: 'SLC_GROK_UNDEFINED_PATTERN' | 'SLC_GROK_CYCLIC_PATTERN' | 'SLC_GROK_BAD_REGEX' | 'SLC_GROK_PATTERN_FILE';
  /** The pattern name at fault. */
  readonly pattern: string;
  /** Names expanded on the way to the fault, outermost first (empty when it is in the match itself). */
  readonly chain: readonly string[];
  readonly origin: PatternOrigin | undefined;
  constructor(init: { code: GrokPatternError['code']; pattern: string; chain: readonly string[]; origin?: PatternOrigin; message: string }) {
    super(init.message);
    this.code = init.code;
    this.pattern = init.pattern;
    this.chain = init.chain;
    this.origin = init.origin;
  }
}

/** jls-grok's reference syntax. The name is captured whole (`NAME:sub`) because it names the group. */
const REFERENCE = /%\{((?<pattern>[A-z0-9]+)(?::(?<subname>[@\[\]A-z0-9_:.-]+))?)(?:=(?<definition>(?:(?:[^{}\\]+|\\.+)+|\{(?:[^{}]|\\[{}])*\})+))?[^}]*\}/g;

export interface ExpandOptions {
  namedCapturesOnly: boolean;
}

function where(origin: PatternOrigin | undefined): string {
  if (origin === undefined) return '';
  return origin.line > 0 ? ` (defined at ${origin.file}:${origin.line})` : ` (defined in ${origin.file})`;
}

/**
 * Expand a grok expression. Inline definitions (`%{NAME=regex}`) are added to `table` as jls-grok
 * does, so pass a copy when that must not leak.
 */
export function expandPattern(pattern: string, table: PatternTable, opts: ExpandOptions): string {
  const stack: string[] = [];
  const done = new Map<string, string>(); // name → fully expanded body (bodies do not depend on context)
  const expandText = (text: string): string => {
    REFERENCE.lastIndex = 0;
    let out = '';
    let last = 0;
    // Collect the references first: recursion resets the shared lastIndex.
    const refs: RegExpExecArray[] = [];
    for (let m = REFERENCE.exec(text); m !== null; m = REFERENCE.exec(text)) refs.push(m);
    for (const m of refs) {
      const groups = m.groups as { pattern: string; subname?: string; definition?: string };
      const name = groups.pattern;
      const full = m[1] as string;
      if (groups.definition !== undefined) table.set(name, { regex: groups.definition, origin: { file: 'inline definition', line: 0 } });
      const def = table.get(name);
      if (def === undefined) {
        const inside = stack.length ? ` used in ${stack[stack.length - 1]}${where(table.get(stack[stack.length - 1] as string)?.origin)}` : '';
        throw new GrokPatternError({
          code: 'SLC_GROK_UNDEFINED_PATTERN', pattern: name, chain: [...stack],
          message: `grok pattern %{${name}} is not defined${inside}`,
        });
      }
      if (stack.includes(name)) {
        const cycle = [...stack.slice(stack.indexOf(name)), name].join(' → ');
        throw new GrokPatternError({
          code: 'SLC_GROK_CYCLIC_PATTERN', pattern: name, chain: [...stack], origin: def.origin,
          message: `grok pattern %{${name}} refers to itself: ${cycle}${where(def.origin)}`,
        });
      }
      let body = done.get(name);
      if (body === undefined) {
        stack.push(name);
        body = expandText(def.regex);
        stack.pop();
        done.set(name, body);
      }
      out += text.slice(last, m.index);
      out += opts.namedCapturesOnly && groups.subname === undefined && !full.includes(':')
        ? `(?:${body})`
        : `(?<${full}>${body})`;
      last = m.index + m[0].length;
    }
    return last === 0 ? text : out + text.slice(last);
  };
  return expandText(pattern);
}
