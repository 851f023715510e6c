/**
 * A conservative check for regexes that can backtrack badly. Runaway grok matches come from two
 * shapes: an unbounded quantifier inside another one (`(a+)+`, star height ≥ 2: exponential) and
 * several unbounded quantifiers whose operands can all swallow the same text (`.*? .*? .*?x`:
 * polynomial, O(n^k) on a line that finally fails). Atomic groups and possessive quantifiers cannot
 * be re-entered by backtracking, so their content does not count.
 *
 * Expressions with neither shape run synchronously on the main thread; the others run on the guard
 * worker. This is a heuristic judgement of risk, not a proof of linear time.
 */

export interface RiskReport {
  /** Can the expression's running time grow faster than linearly? */
  risky: boolean;
  /** Unbounded quantifier nested in an unbounded quantifier (outside atomic groups). */
  nested: boolean;
  /** Unbounded quantifiers over "broad" operands (any character, or a negated class that allows spaces). */
  broad: number;
  /**
   * For each broad quantifier, the literal character that must follow it, when there is one: such a
   * quantifier can only stop before an occurrence of that character, which bounds its split points by
   * the character's count in the line rather than the line's length.
   */
  follow: Array<string | null>;
  /** For each broad quantifier over a dot, the literal right before it: absent from the line, it cannot match. */
  gates: Array<string | null>;
  /**
   * For nested (exponential) repetitions: the ASCII characters each can match. Such a repetition is
   * confined to a run of those characters, so its blow-up is bounded by 2^(longest run in the line).
   * null when one of them can match any character (no bound).
   */
  confined: Confinement[] | null;
}

/**
 * The characters a repetition can consume. `gates`: literal characters that open a part of it able
 * to consume anything (IPv6's zone `(%.+)?`); when none of them is in the line, that part cannot
 * match and the set still bounds the repetition.
 */
export interface Confinement {
  set: Uint8Array;
  gates: string[];
}

/**
 * The ASCII characters a piece of regex can consume, or null when it can consume anything else
 * (dot, negated classes, non-ASCII, Unicode properties, POSIX brackets, which are Unicode in Ruby).
 * Lookaround content is counted too, which only makes the set larger (more cautious).
 */
export function charsetOf(body: string): Confinement | null {
  const set = new Uint8Array(128);
  const gates: string[] = [];
  let i = 0;
  const add = (from: number, to: number): boolean => {
    if (Number.isNaN(from) || Number.isNaN(to) || from > 127 || to > 127) return false;
    for (let c = from; c <= to; c++) set[c] = 1;
    return true;
  };
  const escapeCode = (e: string, at: number): number => (e === 't' ? 9 : e === 'n' ? 10 : e === 'x' ? parseInt(body.slice(at, at + 2), 16) : e.charCodeAt(0));
  // Parses until ')' or the end; false when something can consume any character.
  const seq = (): boolean => {
    while (i < body.length) {
      const c = body[i] as string;
      if (c === ')') return true;
      if (c === '(') {
        const head = /^\(\?(?:<g\d+>|<[=!]|[=!:>]|[a-zA-Z-]*:)?/.exec(body.slice(i, i + 12));
        i += head ? head[0].length : 1;
        const first = body[i];
        const literalStart = first !== undefined && !'\\[(.|)*+?{^$'.includes(first);
        const saved = set.slice();
        if (!seq()) {
          // The group can consume anything: fine only if it must start with a literal (a gate).
          if (!literalStart) return false;
          set.set(saved);
          gates.push(first as string);
          let depth = 0;
          for (; i < body.length; i++) {
            const d = body[i];
            if (d === '\\') { i++; continue; }
            if (d === '(') depth++;
            else if (d === ')') { if (depth === 0) break; depth--; }
          }
        }
        i++; // ')'
        continue;
      }
      if (c === '|' || c === '*' || c === '+' || c === '?' || c === '^' || c === '$') { i++; continue; }
      if (c === '{') { const m = /^\{\d*,?\d*\}/.exec(body.slice(i, i + 16)); if (m) { i += m[0].length; continue; } }
      if (c === '.') return false;
      if (c === '\\') {
        const e = body[i + 1] ?? '';
        if (/[bBAzZG]/.test(e)) { i += 2; continue; }
        if (/[A-Za-z0-9]/.test(e) && !/[tnx]/.test(e)) return false;
        if (!add(escapeCode(e, i + 2), escapeCode(e, i + 2))) return false;
        i += e === 'x' ? 4 : 2;
        continue;
      }
      if (c === '[') {
        if (body[i + 1] === '^') return false;
        let j = i + 1;
        if (body[j] === ']') { add(93, 93); j++; }
        for (; j < body.length && body[j] !== ']'; j++) {
          if (body[j] === '[') return false; // POSIX brackets and nested classes
          let from: number;
          if (body[j] === '\\') {
            const e = body[j + 1] ?? '';
            if (/[A-Za-z0-9]/.test(e) && !/[tnx]/.test(e)) return false;
            from = escapeCode(e, j + 2);
            j += e === 'x' ? 3 : 1;
          } else from = (body[j] as string).charCodeAt(0);
          if (body[j + 1] === '-' && body[j + 2] !== ']' && body[j + 2] !== undefined) {
            let to: number;
            if (body[j + 2] === '\\') { const e = body[j + 3] ?? ''; to = escapeCode(e, j + 4); j += e === 'x' ? 5 : 3; } else { to = (body[j + 2] as string).charCodeAt(0); j += 2; }
            if (!add(from, to)) return false;
          } else if (!add(from, from)) return false;
        }
        i = j + 1;
        continue;
      }
      if (!add(c.charCodeAt(0), c.charCodeAt(0))) return false;
      i++;
    }
    return true;
  };
  while (i < body.length) {
    if (!seq()) return null;
    i++; // a stray ')'
  }
  return { set, gates };
}

/** The longest run of characters of `set` in the line. */
function longestRun(line: string, set: Uint8Array): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 128 && set[c] === 1) { run++; if (run > best) best = run; } else run = 0;
  }
  return best;
}

/** The literal character that must come right after position j (through group ends), if any. */
function followingLiteral(src: string, j: number): string | null {
  let k = j;
  for (let guard = 0; guard < 64; guard++) {
    const c = src[k];
    if (c === undefined) return null;
    if (c === ')') {
      if (quantifierAt(src, k + 1) !== undefined) return null;
      k++;
      continue;
    }
    if (c === '|') {
      // The rest of this alternative is skipped: find the end of the enclosing group.
      let depth = 0;
      let cls = 0;
      for (k++; k < src.length; k++) {
        const d = src[k];
        if (d === '\\') { k++; continue; }
        if (cls > 0) { if (d === '[') cls++; else if (d === ']') cls--; continue; }
        if (d === '[') { cls = 1; continue; }
        if (d === '(') depth++;
        else if (d === ')') { if (depth === 0) break; depth--; }
      }
      if (k >= src.length) return null;
      continue;
    }
    let lit: string;
    let len = 1;
    if (c === '\\') {
      const e = src[k + 1] ?? '';
      if (/[A-Za-z0-9]/.test(e) || e === '') return null;
      lit = e;
      len = 2;
    } else if ('([.^$*+?{'.includes(c)) {
      return null;
    } else lit = c;
    const q = quantifierAt(src, k + len);
    if (q !== undefined && /^[*?]|^\{0/.test(src.slice(k + len, k + len + 2))) return null;
    return lit;
  }
  return null;
}

interface Frame {
  atomic: boolean;
  /** Does this group's content hold an unbounded quantifier (outside atomic sub-groups)? */
  hasUnbounded: boolean;
  /** Source span of the group, for the character set of a nested repetition. */
  start: number;
  end: number;
}

/** Parse a quantifier at `i`; returns [length, unbounded, possessive] or undefined. */
function quantifierAt(src: string, i: number): [number, boolean, boolean] | undefined {
  const c = src[i];
  let len = 0;
  let unbounded = false;
  if (c === '*' || c === '+') { len = 1; unbounded = true; } else if (c === '?') { len = 1; } else if (c === '{') {
    const m = /^\{(\d*)(,(\d*))?\}/.exec(src.slice(i, i + 24));
    if (!m || (m[1] === '' && m[3] === undefined)) return undefined;
    len = m[0].length;
    unbounded = m[2] !== undefined && (m[3] === undefined || m[3] === '');
  } else return undefined;
  let possessive = false;
  const next = src[i + len];
  if (next === '+' && c !== '{') { possessive = true; len++; } else if (next === '?') len++;
  return [len, unbounded, possessive];
}

export function assessRisk(src: string): RiskReport {
  const stack: Frame[] = [{ atomic: false, hasUnbounded: false, start: 0, end: src.length }];
  // Character sets of nested repetitions (null: one of them can match any character).
  let confined: Confinement[] | null = [];
  let nested = false;
  let broad = 0;
  const follow: Array<string | null> = [];
  const gates: Array<string | null> = [];
  let i = 0;
  // What the last atom was: 'broad' (can match spaces and most characters), 'narrow', or a group.
  let last: { kind: 'broad' | 'narrow'; gate?: string } | { kind: 'group'; frame: Frame } | undefined;
  // The previous atom when it was a plain literal character (unquantified), else undefined.
  let prevLiteral: string | undefined;
  let literalNow: string | undefined;
  const top = (): Frame => stack[stack.length - 1] as Frame;
  const insideAtomic = (): boolean => stack.some((f) => f.atomic);
  while (i < src.length) {
    prevLiteral = literalNow;
    literalNow = undefined;
    const c = src[i] as string;
    if (c === '\\') {
      const e = src[i + 1] ?? '';
      if (e !== '' && !/[A-Za-z0-9]/.test(e)) literalNow = e;
      // Escapes that match broad sets: \W \D \H, \N (non-newline), \O, \X.
      last = { kind: /[WDHNOX]/.test(e) ? 'broad' : 'narrow' };
      i += 2;
      if (e === 'x' && src[i] === '{') i = src.indexOf('}', i) + 1;
      else if (/[pP]/.test(e) && src[i] === '{') i = src.indexOf('}', i) + 1;
      else if (e === 'k' && src[i] === '<') i = src.indexOf('>', i) + 1;
    } else if (c === '[') {
      // Find the end of the (possibly nested) class.
      let depth = 0;
      let j = i;
      const negated = src[i + 1] === '^';
      for (; j < src.length; j++) {
        const d = src[j];
        if (d === '\\') { j++; continue; }
        if (d === '[') depth++;
        else if (d === ']') { depth--; if (depth === 0) break; }
      }
      const body = src.slice(i, j + 1);
      // A negated class is broad unless it excludes whitespace.
      last = { kind: negated && !/ |\\s|\\t|\[:space:\]/.test(body) ? 'broad' : 'narrow' };
      i = j + 1;
    } else if (c === '(') {
      let atomic = false;
      let skip = 1;
      if (src[i + 1] === '?') {
        if (src[i + 2] === '>') { atomic = true; skip = 3; } else if (src[i + 2] === '#') {
          i = src.indexOf(')', i) + 1; continue;
        } else if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') {
          skip = src.indexOf('>', i) - i + 1;
        } else {
          const m = /^\(\?[a-zA-Z-]*[:)=!]|^\(\?<[=!]/.exec(src.slice(i, i + 16));
          skip = m ? m[0].length : 2;
          if (m && m[0].endsWith(')')) { i += skip; continue; } // inline option switch
        }
      }
      stack.push({ atomic, hasUnbounded: false, start: i, end: i });
      last = undefined;
      i += skip;
    } else if (c === ')') {
      const frame = stack.pop() as Frame;
      frame.end = i + 1;
      if (stack.length === 0) stack.push({ atomic: false, hasUnbounded: false, start: 0, end: src.length });
      // An atomic group hides its content's quantifiers from the outside.
      if (frame.hasUnbounded && !frame.atomic) top().hasUnbounded = true;
      last = { kind: 'group', frame };
      i++;
    } else if (c === '.') {
      // `%.+`: the dot can only start right after that literal (IPv6 zones).
      const gate = prevLiteral;
      last = gate === undefined ? { kind: 'broad' } : { kind: 'broad', gate };
      i++;
    } else {
      const q = quantifierAt(src, i);
      if (q !== undefined && last !== undefined) {
        const [len, unbounded, possessive] = q;
        if (unbounded && !possessive && !insideAtomic()) {
          if (last.kind === 'group') {
            if (last.frame.hasUnbounded && !last.frame.atomic) {
              nested = true;
              const set = charsetOf(src.slice(last.frame.start, last.frame.end));
              if (set === null) confined = null; else confined?.push(set);
            }
          } else if (last.kind === 'broad') { broad++; follow.push(followingLiteral(src, i + len)); gates.push(last.gate ?? null); }
          top().hasUnbounded = true;
        }
        last = undefined;
        i += len;
        continue;
      }
      last = c === '|' ? undefined : { kind: 'narrow' };
      if (c !== '|' && c !== '^' && c !== '$') literalNow = c;
      i++;
    }
  }
  return { risky: nested || broad >= 2, nested, broad, follow, gates, confined: nested ? confined : [] };
}

/** Assumed cost of one backtracking step of V8's regex engine, generously rounded up. */
const NS_PER_STEP = 5;

/** Steps a budget in milliseconds allows under the cost model. */
export function stepBudget(budgetMs: number): number {
  return (budgetMs * 1e6) / NS_PER_STEP;
}

/**
 * Can this line be matched on the calling thread within `steps`? The cost model for expressions
 * without nested quantifiers: every start position (n) times every way to choose where each broad
 * quantifier stops — a quantifier that must be followed by a literal can only stop before one of
 * its occurrences — divided by the orderings of the choices (b!). Nested (exponential) expressions
 * always need the guard; expressions without risk never do.
 */
export function withinBudget(r: RiskReport, line: string, steps: number): boolean {
  if (!r.risky) return true;
  const n = line.length + 1;
  let bound = n;
  if (r.nested) {
    if (r.confined === null) return false;
    // A nested repetition can split a run of its characters in at most 2^(run length) ways.
    for (const { set, gates } of r.confined) {
      for (const g of gates) if (line.includes(g)) return false;
      const run = longestRun(line, set);
      if (run > 60) return false;
      bound *= 2 ** run;
      if (bound > steps) return false;
    }
  }
  let counts: Map<string, number> | undefined;
  for (let i = 0; i < r.follow.length; i++) {
    const c = r.follow[i];
    const gate = r.gates[i];
    let k = n;
    if (gate !== null && gate !== undefined && !line.includes(gate)) k = 1;
    else if (c !== null && c !== undefined) {
      counts ??= new Map();
      let cnt = counts.get(c);
      if (cnt === undefined) {
        cnt = 0;
        for (let at = line.indexOf(c); at >= 0; at = line.indexOf(c, at + 1)) cnt++;
        counts.set(c, cnt);
      }
      k = cnt + 1;
    }
    bound = (bound * k) / (i + 1);
    if (bound > steps) return false;
  }
  return true;
}

/** The longest line always within `steps` whatever its content (follow characters counted as n). */
export function syncLengthLimit(r: RiskReport, budgetMs: number): number {
  if (!r.risky) return Infinity;
  if (r.nested) return -1;
  let fact = 1;
  for (let i = 2; i <= r.broad; i++) fact *= i;
  return Math.floor(Math.pow(stepBudget(budgetMs) * fact, 1 / (r.broad + 1))) - 1;
}
