/**
 * prune: removes top-level fields by name or value, as logstash-filter-prune 3.0 does.
 *
 * - `whitelist_names`: regexps (Ruby syntax, unanchored); a field whose name matches none is removed
 *   (when the list is not empty; `@timestamp` too unless it is listed).
 * - `blacklist_names`: a field whose name matches any is removed. The default removes names holding an
 *   unresolved `%{...}` reference.
 * - `whitelist_values` / `blacklist_values`: field name → regexp on its value. A string is kept or removed as
 *   a whole; in an array the elements that fail the rule are removed, and the field when that is all of
 *   them. Fields not named are untouched by these two.
 * - `interpolate`: sprintf the names, the keys and the regexps per event first (without it, `%{…}` in
 *   them is literal text).
 * Only top-level fields are looked at. The filter always succeeds.
 */
import { toRegExp } from 'oniguruma-to-es';
import type { Event } from '../event/event.js';
import { toS } from '../event/ruby.js';
import { compileSprintf, type Formatter } from '../event/sprintf.js';
import { isHash, type Value } from '../event/values.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

const cache = new Map<string, RegExp>();

/** Ruby's Regexp.new(source) as a JS RegExp (cached: interpolated patterns repeat). */
function rubyRegexp(source: string): RegExp {
  let re = cache.get(source);
  if (re === undefined) {
    re = toRegExp(source, { target: 'ES2018' });
    if (cache.size < 1000) cache.set(source, re);
  }
  return re;
}

function checked(option: string, source: string): RegExp {
  try { return rubyRegexp(source); } catch (e) {
    throw new PluginConfigError(`invalid regular expression /${source}/ in ${option}: ${(e as Error).message}`, option);
  }
}

/** Value rules: Ruby's `value.match(re)` on strings; other scalars by their text, hashes never. */
function matches(v: Value | undefined, re: RegExp): boolean {
  if (typeof v === 'string') return re.test(v);
  if (v === undefined || v === null || isHash(v) || Array.isArray(v)) return false;
  return re.test(toS(v));
}

type Removal = string | { key: string; values: Value[] };

export default defineFilter({
  name: 'prune',
  doc: 'Removes top-level fields by name or value, from allow lists (whitelist_…) or deny lists (blacklist_…).',
  options: {
    interpolate: { type: 'boolean', default: false, doc: 'Resolve %{field} references in the names, keys and patterns per event.' },
    whitelist_names: { type: 'array', default: [], doc: 'Regexps: fields whose names match none are removed.' },
    blacklist_names: { type: 'array', default: ['%\\{[^}]+\\}'], doc: 'Regexps: fields whose names match any are removed.' },
    whitelist_values: { type: 'hash', default: {}, doc: 'Field name → regexp: the field (or array element) is removed unless its value matches.' },
    blacklist_values: { type: 'hash', default: {}, doc: 'Field name → regexp: the field (or array element) is removed when its value matches.' },
  },
  check: 'create',
  create(o) {
    const interpolate = o.interpolate;
    const wlNames = o.whitelist_names.map((x) => toS(x));
    const blNames = o.blacklist_names.map((x) => toS(x));
    const wlValues = Object.entries(o.whitelist_values).map(([k, v]): [string, string] => [k, toS(v)]);
    const blValues = Object.entries(o.blacklist_values).map(([k, v]): [string, string] => [k, toS(v)]);

    type NameRule = (event: Event) => RegExp[];
    type ValueRule = (event: Event) => [string, RegExp];
    let nameRules: (list: string[], option: string) => NameRule;
    let valueRules: (list: [string, string][], option: string) => ValueRule[];
    if (interpolate) {
      nameRules = (list) => {
        const fs: Formatter[] = list.map(compileSprintf);
        return (event) => fs.map((f) => rubyRegexp(f(event)));
      };
      valueRules = (list) => list.map(([k, v]) => {
        const fk = compileSprintf(k);
        const fv = compileSprintf(v);
        return (event) => [fk(event), rubyRegexp(fv(event))];
      });
    } else {
      nameRules = (list, option) => { const res = list.map((x) => checked(option, x)); return () => res; };
      valueRules = (list, option) => list.map(([k, v]) => { const r: [string, RegExp] = [k, checked(option, v)]; return () => r; });
    }
    const whitelistNames = wlNames.length > 0 ? nameRules(wlNames, 'whitelist_names') : undefined;
    const blacklistNames = blNames.length > 0 ? nameRules(blNames, 'blacklist_names') : undefined;
    const whitelistValues = valueRules(wlValues, 'whitelist_values');
    const blacklistValues = valueRules(blValues, 'blacklist_values');

    const byValue = (data: Record<string, Value>, rules: ValueRule[], event: Event, keep: boolean, out: Removal[]): void => {
      for (const rule of rules) {
        const [key, re] = rule(event);
        const v = Object.prototype.hasOwnProperty.call(data, key) ? data[key] : undefined;
        if (v === undefined || v === null || v === false) continue;
        if (Array.isArray(v)) {
          const drop = v.filter((x) => matches(x, re) !== keep);
          if (drop.length > 0) out.push(drop.length === v.length ? key : { key, values: drop });
        } else if (matches(v, re) !== keep) out.push(key);
      }
    };

    return {
      filter(event) {
        const data = event.data;
        const names = Object.keys(data);
        const remove: Removal[] = [];
        if (whitelistNames) {
          const res = whitelistNames(event);
          for (const n of names) if (!res.some((r) => r.test(n))) remove.push(n);
        }
        if (blacklistNames) {
          const res = blacklistNames(event);
          for (const n of names) if (res.some((r) => r.test(n))) remove.push(n);
        }
        byValue(data, whitelistValues, event, true, remove);
        byValue(data, blacklistValues, event, false, remove);
        const removed = new Set<string>();
        for (const r of remove) {
          if (typeof r === 'string') {
            removed.add(r);
            delete data[r];
          } else if (!removed.has(r.key)) {
            const cur = data[r.key];
            // Ruby's Array#-: every element equal to a dropped one goes.
            if (Array.isArray(cur)) data[r.key] = cur.filter((x) => !r.values.some((d) => sameValue(d, x)));
          }
        }
        return true;
      },
    };
  },
});

function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
