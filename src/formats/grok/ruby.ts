/**
 * Ruby's String#to_i and String#to_f, which grok applies for `:int` and `:float` captures.
 * Both read the longest numeric prefix after optional leading whitespace and never fail:
 * `"12abc".to_i` is 12, `"abc".to_i` is 0, `"1_000".to_i` is 1000, `".5".to_f` is 0.5.
 */
import { LsFloat } from '../../event/values.js';

const INT_PREFIX = /^[ \t\n\v\f\r]*([+-]?)(\d+(?:_\d+)*)/;
// Ruby's to_f accepts digits with single underscores between them, an optional fraction that must
// start with a digit, and an exponent only when digits follow it.
const FLOAT_PREFIX = /^[ \t\n\v\f\r]*([+-]?)(\d+(?:_\d+)*)?(?:\.(\d+(?:_\d+)*))?(?:[eE]([+-]?\d+(?:_\d+)*))?/;

/** Ruby `to_i`: a JS number, or a bigint when the value is beyond 2^53 (Ruby's Bignum). */
export function rubyToI(s: string): number | bigint {
  // Fast path for the common case, an optional sign and up to 15 digits and nothing else.
  const len = s.length;
  if (len > 0 && len < 16) {
    let i = 0;
    let neg = false;
    const c0 = s.charCodeAt(0);
    if (c0 === 45 || c0 === 43) { neg = c0 === 45; i = 1; }
    let v = 0;
    const first = i;
    for (; i < len; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === len && i > first) return neg && v !== 0 ? -v : v;
  }
  const m = INT_PREFIX.exec(s);
  if (m === null) return 0;
  const digits = (m[2] as string).replace(/_/g, '');
  const n = Number(digits);
  if (Number.isSafeInteger(n)) return m[1] === '-' ? (n === 0 ? 0 : -n) : n;
  const big = BigInt(digits);
  return m[1] === '-' ? -big : big;
}

/** Ruby `to_f`, as an LsFloat so it prints as a float (`80.0`). */
export function rubyToF(s: string): LsFloat {
  const m = FLOAT_PREFIX.exec(s);
  if (m === null || (m[2] === undefined && m[3] === undefined)) return new LsFloat(0);
  const intPart = (m[2] ?? '0').replace(/_/g, '');
  const frac = m[3] === undefined ? '' : `.${m[3].replace(/_/g, '')}`;
  const exp = m[4] === undefined ? '' : `e${m[4].replace(/_/g, '')}`;
  const v = Number(`${m[1]}${intPart}${frac}${exp}`);
  return new LsFloat(v);
}
