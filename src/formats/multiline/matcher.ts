/**
 * `pattern` → a line matcher. Logstash hands the pattern to grok (jls-grok): `%{NAME}` references are
 * expanded from the core patterns plus `patterns_dir`, and the result is an Onig (Ruby syntax) regex
 * searched anywhere in the line. The GrokMatcher (src/formats/grok) does exactly that, with grok's
 * runaway guard: a line whose match runs longer than grok's default timeout_millis counts as not matching
 * (Logstash's codec has no timeout and would hang on it).
 */
import { GrokMatcher, MATCH } from '../grok/index.js';
import type { EcsMode } from '../../event/ecs.js';
import type { LineMatcher } from './joiner.js';

export interface MatcherOptions {
  ecs: EcsMode;
  patternsDir?: readonly string[];
  /** Base directory for relative `patterns_dir` entries. */
  cwd?: string;
}

export class PatternCompileError extends Error {}

export async function compileLineMatcher(pattern: string, opts: MatcherOptions): Promise<LineMatcher> {
  try {
    const grok = new GrokMatcher(opts);
    const expression = await grok.compile(pattern);
    return (line) => expression.test(line) === MATCH;
  } catch (e) {
    throw new PatternCompileError(`multiline pattern ${JSON.stringify(pattern)} cannot be compiled: ${(e as Error).message}`);
  }
}
