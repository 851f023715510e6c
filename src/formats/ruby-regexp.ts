/**
 * Ruby regular expressions (`Regexp.new(str)`) as JS RegExps, for plugins whose options or data files hold
 * Ruby patterns (translate's regex dictionaries, the graphite codec's include/exclude lists). Translated by
 * oniguruma-to-es, since Ruby's engine is Onigmo: `\A`, `\z`, `(?<name>…)`, possessive quantifiers and
 * POSIX classes keep their meaning. Ruby's `^` and `$` are line anchors, hence the multiline flag.
 */
import { toRegExp } from 'oniguruma-to-es';

export class RubyRegexpError extends Error {}

const cache = new Map<string, RegExp>();

/** Compile a Ruby pattern (cached); throws RubyRegexpError on a pattern Ruby would reject. */
export function rubyRegExp(source: string, opts: { global?: boolean; ignoreCase?: boolean } = {}): RegExp {
  const key = `${opts.global ? 'g' : ''}${opts.ignoreCase ? 'i' : ''}/${source}`;
  let re = cache.get(key);
  if (re === undefined) {
    try {
      re = toRegExp(source, { global: opts.global === true, flags: opts.ignoreCase ? 'i' : '', target: 'ES2018' });
    } catch (e) {
      throw new RubyRegexpError(`invalid regular expression /${source}/: ${(e as Error).message}`);
    }
    if (cache.size < 10_000) cache.set(key, re);
  }
  return re;
}

/** Ruby's `str.match(re)` (a search anywhere in the string). */
export function rubyMatch(re: RegExp, s: string): boolean {
  re.lastIndex = 0;
  return re.test(s);
}
