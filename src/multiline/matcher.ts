/**
 * `pattern` → a line matcher. Logstash hands the pattern to grok (jls-grok): `%{NAME}` references are
 * expanded from the core patterns plus `patterns_dir`, and the result is an Onig (Ruby syntax) regex
 * searched anywhere in the line. Here the expansion and the Ruby-semantics preparation come from
 * src/grok; the regex is then translated to a native RegExp by oniguruma-to-es.
 */
import { toRegExp } from 'oniguruma-to-es';
import { expandPattern } from '../grok/expand.js';
import { buildLibrary } from '../grok/library.js';
import { prepareSource } from '../grok/source.js';
import type { EcsMode } from '../plugins/options.js';
import type { LineMatcher } from './joiner.js';

export interface MatcherOptions {
  ecs: EcsMode;
  patternsDir?: readonly string[];
  /** Base directory for relative `patterns_dir` entries. */
  cwd?: string;
}

export class PatternCompileError extends Error {}

export function compileLineMatcher(pattern: string, opts: MatcherOptions): LineMatcher {
  let source = pattern;
  try {
    if (pattern.includes('%{')) {
      const libOpts: Parameters<typeof buildLibrary>[0] = { ecs: opts.ecs };
      if (opts.patternsDir !== undefined) libOpts.patternsDir = opts.patternsDir;
      if (opts.cwd !== undefined) libOpts.cwd = opts.cwd;
      source = expandPattern(pattern, buildLibrary(libOpts), { namedCapturesOnly: true });
    }
    // Ruby semantics (\d \w \s ASCII-only, group names) before translation; `m` is Ruby's MULTILINE,
    // which jls-grok always sets.
    const re = toRegExp(prepareSource(source).source, { flags: 'm' });
    return (line) => {
      re.lastIndex = 0;
      return re.test(line);
    };
  } catch (e) {
    throw new PatternCompileError(`multiline pattern ${JSON.stringify(pattern)} cannot be compiled: ${(e as Error).message}`);
  }
}
