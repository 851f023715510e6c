/** Ruby's numeric conversions of strings, for plugins whose upstream calls `to_f` on event values. */

/** Ruby's String#to_f: the longest leading decimal float (after whitespace), else 0.0. */
export function rubyToF(s: string): number {
  const m = /^\s*([+-]?(?:\d[\d_]*)(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)/.exec(s) ?? /^\s*([+-]?\.\d+(?:[eE][+-]?\d+)?)/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]!.replace(/_/g, ''));
  return Number.isNaN(n) ? 0 : n;
}
