/**
 * `pattern` → a line matcher. Logstash hands the pattern to grok (jls-grok): `%{NAME}` references are
 * expanded from the core patterns plus `patterns_dir`, and the result is an Onig (Ruby syntax) regex
 * searched anywhere in the line. src/formats/grok does exactly that: expansion, Ruby semantics, then a native
 * RegExp when the translation is exact, else Oniguruma itself.
 */
import { compileGrokAsync } from '../grok/compile.js';
import { buildLibrary, type LibraryOptions } from '../grok/library.js';
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
    const lib: LibraryOptions = { ecs: opts.ecs };
    if (opts.patternsDir !== undefined) lib.patternsDir = opts.patternsDir;
    if (opts.cwd !== undefined) lib.cwd = opts.cwd;
    const grok = await compileGrokAsync(pattern, buildLibrary(lib));
    const native = grok.engine.regexp;
    if (native !== undefined) {
      // Only a yes/no is needed: drop the match-indices flag the capture engine uses.
      const re = new RegExp(native.source, native.flags.replace(/[dgy]/g, ''));
      return (line) => re.test(line);
    }
    return (line) => grok.exec(line) !== null;
  } catch (e) {
    throw new PatternCompileError(`multiline pattern ${JSON.stringify(pattern)} cannot be compiled: ${(e as Error).message}`);
  }
}
