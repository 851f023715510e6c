/**
 * A conservative check for regexes that can backtrack badly. Runaway grok matches come from two
 * shapes: an unbounded quantifier inside another one (`(a+)+`, star height ≥ 2: exponential) and
 * several unbounded quantifiers whose operands can all swallow the same text (`.*? .*? .*?x`:
 * polynomial, O(n^k) on a line that finally fails). Atomic groups and possessive quantifiers cannot
 * be re-entered by backtracking, so their content does not count.
 *
 * Expressions with neither shape run synchronously on the main thread. For the others,
 * withinBudget() bounds the work per line: broad quantifiers by the occurrences of the literal that
 * must follow them, nested repetitions by the cut points actually present in the runs they can
 * consume, counted only where the part before the repetition can end (splitFactor). Lines beyond
 * the budget run on the guard worker. This is a conservative estimate (measured 80× and more above
 * V8's real work on crafted lines), not a proof of linear time.
 *
 * withinBudget() costs more than many matches, so it is the slow path: screen.ts decides most lines
 * with bounds computed once per expression from the same model.
 */

import { NativeEngine } from './engine.js';
import { classEnd, groupClose } from './syntax.js';

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
   * the character's count in the line rather than the line's length. '' when nothing follows it
   * (the end of the expression): its first choice ends the match.
   */
  follow: Array<string | null>;
  /** For each broad quantifier over a dot, the literal right before it: absent from the line, it cannot match. */
  gates: Array<string | null>;
  /** For each broad quantifier, its index in the source. */
  broadAt: number[];
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
  /** How the repeated group's alternatives can start (null: anywhere in a run). */
  rules?: StartRule[] | null;
  /** Characters that can come right before the repetition's first iteration (null: any). */
  before?: Uint8Array | null;
  /** Characters an iteration can end with (null: any): a cut needs one of them right before it. */
  endChars?: Uint8Array | null;
  /**
   * Source (in the expression's own syntax) of the part before the repetition, with its open
   * groups closed, when the repetition can only be entered right after a match of it.
   */
  prefix?: string | null;
  /** Set by the user of the report: a global native regex matching (empty) where prefix matches end, at a character of the set. */
  entries?: RegExp | null;
  /** Source span of the repetition: its group's '(' and the index after its quantifier. */
  at?: number;
  end?: number;
}

/**
 * The source before the repeated group at `at`, its open groups closed: every entry into the
 * repetition follows a match of it. Null when that does not hold or checking it could be slow:
 * an enclosing group is repeated (later iterations enter again) or a lookaround, or the part
 * itself has runaway risk or back-references.
 */
export function entryPrefix(src: string, at: number): string | null {
  const open: number[] = [];
  let cls = 0;
  for (let i = 0; i < at; i++) {
    const d = src[i];
    if (d === '\\') { if (cls === 0 && /[1-9k]/.test(src[i + 1] ?? '')) return null; i++; continue; }
    if (cls > 0) { if (d === '[') cls++; else if (d === ']') cls--; continue; }
    if (d === '[') { cls = 1; continue; }
    if (d === '(') open.push(i);
    else if (d === ')') open.pop();
  }
  for (const o of open) {
    if (/^\(\?(?:[=!]|<[=!])/.test(src.slice(o, o + 4))) return null;
    // Find the group's end and check it is not repeated.
    const j = groupClose(src, o + 1);
    if (quantifierAt(src, j + 1) !== undefined && src[j + 1] !== '?') return null;
  }
  const prefix = src.slice(0, at) + ')'.repeat(open.length);
  const r = assessRisk(prefix);
  if (r.nested || r.broad > 0) return null;
  return prefix;
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
          i = groupClose(body, i);
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
    // Nothing follows: the quantifier's first choice ends the match, it is never backtracked into.
    if (c === undefined) return '';
    if (c === ')') {
      if (quantifierAt(src, k + 1) !== undefined) return null;
      k++;
      continue;
    }
    if (c === '|') {
      // The rest of this alternative is skipped: find the end of the enclosing group.
      k = groupClose(src, k + 1);
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
  const broadAt: number[] = [];
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
      const end = classEnd(src, i);
      const negated = src[i + 1] === '^';
      const body = src.slice(i, end);
      // A negated class is broad unless it excludes whitespace.
      last = { kind: negated && !/ |\\s|\\t|\[:space:\]/.test(body) ? 'broad' : 'narrow' };
      i = end;
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
              const group = src.slice(last.frame.start, last.frame.end);
              const set = charsetOf(group);
              if (set === null) confined = null; else confined?.push({ ...set, ...repetitionRules(src, last.frame.start), at: last.frame.start, end: i + len });
            }
          } else if (last.kind === 'broad') { broad++; follow.push(followingLiteral(src, i + len)); gates.push(last.gate ?? null); broadAt.push(i); }
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
  return { risky: nested || broad >= 2, nested, broad, follow, gates, broadAt, confined: nested ? confined : [] };
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
    // A nested repetition can split a run of its characters in at most 2^(run length) ways; fewer
    // when its alternatives can only start at some of the run's positions (splitFactor).
    for (const conf of r.confined) {
      const { set, gates, rules } = conf;
      for (const g of gates) if (line.includes(g)) return false;
      if (rules !== undefined && rules !== null) {
        bound *= splitFactor(line, conf, steps / bound);
      } else {
        const run = longestRun(line, set);
        if (run > 60) return false;
        bound *= 2 ** run;
      }
      if (bound > steps) return false;
    }
  }
  let counts: Map<string, number> | undefined;
  for (let i = 0; i < r.follow.length; i++) {
    const c = r.follow[i];
    const gate = r.gates[i];
    let k = n;
    if (gate !== null && gate !== undefined && !line.includes(gate)) k = 1;
    else if (c === '') k = 1;
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

// ---------------------------------------------------------------------------------------------
// Where a nested repetition can split a run. `(X)+` backtracks over the ways to cut the text it
// consumed into successive matches of X; a cut can only fall where one of X's alternatives can
// start. Grok's host patterns start at word boundaries (HOSTNAME's \b), after a non-digit (IPV4's
// lookbehind) or need a character the run may not hold (IPV6's ':'), so in real text a run like
// "combo" or "dfs.DataNode" has few or no cut points even though every character is in X's set.

/** A parsed regex node (enough of Oniguruma / JS syntax for this analysis). */
type Node =
  | { t: 'alt'; alts: Node[] }
  | { t: 'seq'; items: Node[] }
  | { t: 'chr'; set: Uint8Array | null } // one character; null: any (or non-ASCII) character
  | { t: 'group'; look: '' | 'la' | 'nla' | 'lb' | 'nlb'; body: Node; at: number }
  | { t: 'quant'; min: number; max: number; body: Node }
  | { t: 'assert'; kind: string } // zero-width: \b, \B, ^, $, \A, \z, …
  | { t: 'unknown' }; // back-references and the like: anything, any length

class Unsupported extends Error {}

function setOf(...ranges: Array<[number, number]>): Uint8Array {
  const s = new Uint8Array(128);
  for (const [a, b] of ranges) for (let c = a; c <= b; c++) s[c] = 1;
  return s;
}
const DIGIT = setOf([48, 57]);
const WORD = setOf([48, 57], [65, 90], [97, 122], [95, 95]);
const SPACE = setOf([9, 13], [32, 32]);
const HEX = setOf([48, 57], [65, 70], [97, 102]);

/** Parse a regex source; throws Unsupported for constructs the analysis does not model. */
function parseRegex(src: string): Node {
  let i = 0;
  const escapeSet = (e: string): Uint8Array | null => {
    switch (e) {
      case 'd': return DIGIT;
      case 'w': return WORD;
      case 's': return SPACE;
      case 'h': return HEX; // Oniguruma: hex digit
      case 't': return setOf([9, 9]);
      case 'n': return setOf([10, 10]);
      case 'r': return setOf([13, 13]);
      case 'f': return setOf([12, 12]);
      case 'v': return setOf([11, 11]);
      case 'x': {
        const m = /^[0-9a-fA-F]{2}/.exec(src.slice(i, i + 2));
        if (!m) throw new Unsupported();
        i += 2;
        const c = parseInt(m[0], 16);
        return c < 128 ? setOf([c, c]) : null;
      }
      default:
        if (/[A-Za-z0-9]/.test(e)) return null; // \D \W \S \H \p{…} \u…: broad or non-ASCII
        return e.charCodeAt(0) < 128 ? setOf([e.charCodeAt(0), e.charCodeAt(0)]) : null;
    }
  };
  const parseClass = (): Uint8Array | null => {
    // at '[' already consumed
    let negated = false;
    if (src[i] === '^') { negated = true; i++; }
    let set: Uint8Array | null = new Uint8Array(128);
    let first = true;
    while (i < src.length && (src[i] !== ']' || first)) {
      first = false;
      const c = src[i] as string;
      if (c === '[') throw new Unsupported(); // POSIX brackets and nested classes
      let from: number;
      let single: Uint8Array | null | undefined;
      if (c === '\\') {
        const e = src[i + 1] ?? '';
        i += 2;
        single = escapeSet(e);
        if (single === null) { set = null; continue; }
        from = single.indexOf(1);
        if (single.reduce((a, b) => a + b, 0) !== 1) { if (set) for (let k = 0; k < 128; k++) if (single[k]) set[k] = 1; continue; }
      } else { from = c.charCodeAt(0); i++; }
      if (src[i] === '-' && src[i + 1] !== ']' && src[i + 1] !== undefined) {
        i++;
        let to: number;
        if (src[i] === '\\') {
          const e = src[i + 1] ?? '';
          i += 2;
          const s = escapeSet(e);
          if (s === null || s.reduce((a, b) => a + b, 0) !== 1) throw new Unsupported();
          to = s.indexOf(1);
        } else { to = (src[i] as string).charCodeAt(0); i++; }
        if (to > 127 || from > 127) { set = null; continue; }
        if (set) for (let k = from; k <= to; k++) set[k] = 1;
      } else if (from > 127) set = null;
      else if (set) set[from] = 1;
    }
    if (src[i] !== ']') throw new Unsupported();
    i++;
    return negated ? null : set;
  };
  const atom = (): Node => {
    const c = src[i] as string;
    if (c === '(') {
      const at = i;
      i++;
      let look: '' | 'la' | 'nla' | 'lb' | 'nlb' = '';
      if (src[i] === '?') {
        const h = src.slice(i, i + 4);
        if (h.startsWith('?:') || h.startsWith('?>')) i += 2;
        else if (h.startsWith('?=')) { look = 'la'; i += 2; } else if (h.startsWith('?!')) { look = 'nla'; i += 2; } else if (h.startsWith('?<=')) { look = 'lb'; i += 3; } else if (h.startsWith('?<!')) { look = 'nlb'; i += 3; } else if (/^\?<[A-Za-z_]/.test(h)) {
          const end = src.indexOf('>', i);
          if (end < 0) throw new Unsupported();
          i = end + 1;
        } else throw new Unsupported(); // inline options, comments, conditionals
      }
      const body = alternation();
      if (src[i] !== ')') throw new Unsupported();
      i++;
      return { t: 'group', look, body, at };
    }
    if (c === '[') { i++; return { t: 'chr', set: parseClass() }; }
    if (c === '.') { i++; return { t: 'chr', set: null }; }
    if (c === '^' || c === '$') { i++; return { t: 'assert', kind: c }; }
    if (c === '\\') {
      const e = src[i + 1] ?? '';
      i += 2;
      if (/[bBAzZG]/.test(e)) return { t: 'assert', kind: e };
      if (/[1-9k]/.test(e)) {
        if (e === 'k') { const end = src.indexOf('>', i); i = end < 0 ? src.length : end + 1; } else while (/[0-9]/.test(src[i] ?? '')) i++;
        return { t: 'unknown' };
      }
      if (e === 'p' || e === 'P') { if (src[i] === '{') i = src.indexOf('}', i) + 1; return { t: 'chr', set: null }; }
      if (e === 'u') { i += src[i] === '{' ? src.indexOf('}', i) + 1 - i : 4; return { t: 'chr', set: null }; }
      return { t: 'chr', set: escapeSet(e) };
    }
    i++;
    const code = c.charCodeAt(0);
    return { t: 'chr', set: code < 128 ? setOf([code, code]) : null };
  };
  const sequence = (): Node => {
    const items: Node[] = [];
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      let node = atom();
      for (;;) {
        const q = quantifierAt(src, i);
        if (q === undefined) break;
        const s = src.slice(i, i + q[0]);
        const braces = /^\{(\d*)(,(\d*))?\}/.exec(s);
        const min = s[0] === '+' ? 1 : braces ? Number(braces[1] || 0) : 0;
        const max = s[0] === '?' ? 1 : !braces ? Infinity : braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : Infinity;
        node = { t: 'quant', min, max, body: node };
        i += q[0];
      }
      items.push(node);
    }
    return items.length === 1 ? items[0] as Node : { t: 'seq', items };
  };
  const alternation = (): Node => {
    const alts = [sequence()];
    while (src[i] === '|') { i++; alts.push(sequence()); }
    return alts.length === 1 ? alts[0] as Node : { t: 'alt', alts };
  };
  const root = alternation();
  if (i !== src.length) throw new Unsupported();
  return root;
}

function union(a: Uint8Array | null, b: Uint8Array | null): Uint8Array | null {
  if (a === null || b === null) return null;
  const s = a.slice();
  for (let k = 0; k < 128; k++) if (b[k]) s[k] = 1;
  return s;
}

/** Can the node match the empty string? */
function nullable(n: Node): boolean {
  switch (n.t) {
    case 'alt': return n.alts.some(nullable);
    case 'seq': return n.items.every(nullable);
    case 'chr': return false;
    case 'group': return n.look !== '' || nullable(n.body);
    case 'quant': return n.min === 0 || nullable(n.body);
    case 'assert': return true;
    case 'unknown': return true;
  }
}

/**
 * Characters the first (or, with `last`, the final) character of a match can be: an empty set when
 * it only matches empty, null when any. Zero-width parts add nothing.
 */
function edgeSet(n: Node, last = false): Uint8Array | null {
  switch (n.t) {
    case 'alt': return n.alts.map((a) => edgeSet(a, last)).reduce((a, b) => union(a, b), new Uint8Array(128) as Uint8Array | null);
    case 'seq': {
      let s: Uint8Array | null = new Uint8Array(128);
      const items = last ? [...n.items].reverse() : n.items;
      for (const it of items) {
        s = union(s, edgeSet(it, last));
        if (!nullable(it)) break;
      }
      return s;
    }
    case 'chr': return n.set;
    case 'group': return n.look !== '' ? new Uint8Array(128) : edgeSet(n.body, last);
    case 'quant': return edgeSet(n.body, last);
    case 'assert': return new Uint8Array(128);
    case 'unknown': return null;
  }
}
const firstSet = (n: Node): Uint8Array | null => edgeSet(n);
const lastSet = (n: Node): Uint8Array | null => edgeSet(n, true);


const size = (s: Uint8Array): number => s.reduce((a, b) => a + b, 0);

/** A set of characters of which every match holds at least one (null: no such guarantee). */
function requiredSet(n: Node): Uint8Array | null {
  switch (n.t) {
    case 'alt': return n.alts.map(requiredSet).reduce((a, b) => union(a, b), new Uint8Array(128) as Uint8Array | null);
    case 'seq': {
      let best: Uint8Array | null = null;
      for (const it of n.items) {
        const r = requiredSet(it);
        if (r !== null && (best === null || size(r) < size(best))) best = r;
      }
      return best;
    }
    case 'chr': return n.set;
    case 'group': return n.look !== '' ? null : requiredSet(n.body);
    case 'quant': return n.min >= 1 ? requiredSet(n.body) : null;
    default: return null;
  }
}

/** The longest text the node can match (Infinity when unbounded). */
function maxLength(n: Node): number {
  switch (n.t) {
    case 'alt': return Math.max(...n.alts.map(maxLength));
    case 'seq': return n.items.reduce((a, it) => a + maxLength(it), 0);
    case 'chr': return 1;
    case 'group': return n.look !== '' ? 0 : maxLength(n.body);
    case 'quant': { const m = maxLength(n.body); return m === 0 ? 0 : n.max * m; }
    case 'assert': return 0;
    case 'unknown': return Infinity;
  }
}

/**
 * Characters of which every match holds one within `dist` characters of its start (the required
 * character's offset is at most dist), or null. Picks the narrowest set with a finite distance.
 */
function needWithin(n: Node): { set: Uint8Array; dist: number } | null {
  switch (n.t) {
    case 'chr': return n.set === null ? null : { set: n.set, dist: 0 };
    case 'group': return n.look !== '' ? null : needWithin(n.body);
    case 'quant': return n.min >= 1 ? needWithin(n.body) : null;
    case 'alt': {
      let set: Uint8Array | null = new Uint8Array(128);
      let dist = 0;
      for (const a of n.alts) {
        const w = needWithin(a);
        if (w === null) return null;
        set = union(set, w.set);
        dist = Math.max(dist, w.dist);
      }
      return set === null ? null : { set, dist };
    }
    case 'seq': {
      let best: { set: Uint8Array; dist: number } | null = null;
      let offset = 0;
      for (const it of n.items) {
        if (!Number.isFinite(offset)) break;
        const w = needWithin(it);
        if (w !== null && (best === null || size(w.set) < size(best.set) || (size(w.set) === size(best.set) && offset + w.dist < best.dist))) best = { set: w.set, dist: offset + w.dist };
        offset += maxLength(it);
      }
      return best;
    }
    default: return null;
  }
}

/** How one alternative of a repeated group can start. */
export interface StartRule {
  /** Characters it can start with. */
  first: Uint8Array;
  /** Characters that cannot come right before its start (from a leading \b or negative lookbehind). */
  notAfter: Uint8Array | null;
  /** It needs one of these characters at most `within` characters after its start (null: no requirement known). */
  needs: Uint8Array | null;
  within: number;
  /**
   * In how many ways an iteration of the group can end at the same position (trailing parts that
   * match empty in several ways, like HOSTNAME's `(\.?|\b)`): each is a separate backtracking path.
   */
  ends: number;
  /** Steps an attempt of this alternative can take once its first character matched (its atoms). */
  atoms: number;
}

/** The alternatives of a group, through unquantified groups and alternations. */
function alternativesOf(n: Node): Node[] {
  if (n.t === 'group' && n.look === '') return alternativesOf(n.body);
  if (n.t === 'alt') return n.alts.flatMap(alternativesOf);
  if (n.t === 'seq' && n.items.length === 1) return alternativesOf(n.items[0] as Node);
  return [n];
}

/** In how many ways the node can match the empty string (an upper bound). */
function emptyWays(n: Node): number {
  switch (n.t) {
    case 'alt': return n.alts.reduce((a, x) => a + emptyWays(x), 0);
    case 'seq': return n.items.reduce((a, x) => a * emptyWays(x), 1);
    case 'chr': return 0;
    case 'group': return n.look !== '' ? 1 : emptyWays(n.body);
    case 'quant': return n.min === 0 ? 1 + emptyWays(n.body) : emptyWays(n.body);
    case 'assert': return 1;
    case 'unknown': return 2;
  }
}


/**
 * The characters that can come right before the first iteration of the repetition whose group
 * starts at source index `at` (null: any, including the start of the subject).
 */
function precedingSet(root: Node, at: number): Uint8Array | null | undefined {
  let found: Uint8Array | null | undefined;
  const walk = (n: Node, pre: Uint8Array | null): void => {
    switch (n.t) {
      case 'alt': for (const a of n.alts) walk(a, pre); return;
      case 'seq': {
        let cur = pre;
        for (const it of n.items) {
          walk(it, cur);
          cur = nullable(it) ? union(cur, lastSet(it)) : lastSet(it);
        }
        return;
      }
      case 'group': walk(n.body, pre); return;
      case 'quant':
        if (n.body.t === 'group' && n.body.at === at) found = found === undefined ? pre : union(found, pre);
        walk(n.body, n.max > 1 ? union(pre, lastSet(n.body)) : pre);
        return;
      default: return;
    }
  };
  walk(root, null);
  return found;
}

/** Number of single-character atoms in a node: a bound on the steps one attempt at a position takes (once its first character matched). */
function atoms(n: Node): number {
  switch (n.t) {
    case 'alt': return n.alts.reduce((a, x) => a + atoms(x), 0);
    case 'seq': return n.items.reduce((a, x) => a + atoms(x), 0);
    case 'chr': return 1;
    case 'group': return atoms(n.body);
    case 'quant': return atoms(n.body);
    default: return 1;
  }
}

/**
 * Start rules for the alternatives of the repeated group at source index `at` of `src`, the
 * characters that can precede its first iteration and those an iteration can end with. rules is
 * null when an alternative can start anywhere (matches empty, starts with any character, or the
 * regex uses syntax this analysis does not model).
 */
export function repetitionRules(src: string, at: number): { rules: StartRule[] | null; before: Uint8Array | null; endChars: Uint8Array | null; prefix: string | null } {
  const none = { rules: null, before: null, endChars: null, prefix: null };
  let root: Node;
  try { root = parseRegex(src); } catch (e) { if (e instanceof Unsupported) return none; throw e; }
  let group: Node | undefined;
  const find = (n: Node): void => {
    if (group !== undefined) return;
    if (n.t === 'group' && n.at === at) { group = n; return; }
    if (n.t === 'alt') n.alts.forEach(find);
    else if (n.t === 'seq') n.items.forEach(find);
    else if (n.t === 'group' || n.t === 'quant') find(n.body);
  };
  find(root);
  if (group === undefined) return none;
  const rules: StartRule[] = [];
  for (const alt of alternativesOf(group)) {
    if (nullable(alt)) return none;
    const first = firstSet(alt);
    if (first === null) return none;
    const items = alt.t === 'seq' ? alt.items : [alt];
    let notAfter: Uint8Array | null = null;
    let wordBoundary = false;
    for (const it of items) {
      if (it.t === 'assert' && it.kind === 'b') { wordBoundary = true; continue; }
      if (it.t === 'group' && it.look === 'nlb' && it.body.t === 'chr' && it.body.set !== null) { notAfter = union(notAfter ?? new Uint8Array(128), it.body.set); continue; }
      break;
    }
    // \b before a word character means the character before is not a word character.
    if (wordBoundary && first.every((v, k) => v === 0 || WORD[k] === 1)) notAfter = union(notAfter ?? new Uint8Array(128), WORD);
    let ends = 1;
    for (let k = items.length - 1; k >= 0 && nullable(items[k] as Node); k--) ends *= Math.max(1, emptyWays(items[k] as Node));
    const near = needWithin(alt);
    const size = atoms(alt);
    rules.push(near !== null ? { first, notAfter, needs: near.set, within: near.dist, ends, atoms: size } : { first, notAfter, needs: requiredSet(alt), within: Infinity, ends, atoms: size });
  }
  const pre = precedingSet(root, at);
  return { rules, before: pre === undefined ? null : pre, endChars: lastSet(group), prefix: entryPrefix(src, at) };
}

/**
 * The backtracking work of a repeated group over the line: per run of the group's characters, the
 * product over the run's cut points of (1 + ways an iteration can end there × alternatives that can
 * start there), times the run's length (where the repetition stops) and the work of one attempt;
 * the largest over the runs. When the characters that can precede the repetition are outside its
 * set, it can only start at the beginning of a run preceded by one of them: other runs do not count.
 */
export function splitFactor(line: string, c: Confinement, limit: number): number {
  const t = tableFor(c);
  if (t === null) return Infinity;
  const entries = c.entries;
  if (entries !== undefined && entries !== null) {
    // Only the places where the part of the expression before the repetition can end matter
    // (found by V8's own matcher, a lookbehind over that part): usually one per line.
    // test() rather than exec(): no match arrays. A match is one leading character or empty.
    let worst = 1;
    const step = entries.source.startsWith('(?<=') ? 1 : 0;
    entries.lastIndex = 0;
    while (entries.test(line)) {
      const p = entries.lastIndex;
      const f = scanRuns(line, t, limit, p);
      if (f > worst) { worst = f; if (worst > limit) return worst; }
      entries.lastIndex = p + step;
    }
    return worst;
  }
  // Fast path, on V8's native scanner: with fewer than k cut points in every run, the factor is at
  // most (n + 1) · maxWays^(k - 1) · maxAttempt. Take the largest k that keeps that within the
  // limit and look for a run with k cut points; only when there is one scan the line in detail.
  let k = 0;
  let trivial = (line.length + 1) * t.maxAttempt;
  while (k < 12 && trivial * t.maxWays <= limit) { k++; trivial *= t.maxWays; }
  if (k >= 1) {
    const hot = hotRuns(t, k + 1);
    if (hot !== null) {
      hot.lastIndex = 0;
      if (!hot.test(line)) return trivial;
    }
  }
  return scanRuns(line, t, limit);
}

/** A regex finding a run with `k` cut points (null when the rules cannot be written as one). */
function hotRuns(t: SplitTable, k: number): RegExp | null {
  let re = t.hot.get(k);
  if (re === undefined) {
    re = t.cut === null ? null : new RegExp(`(?:${t.cut}${t.runClass}*?){${k - 1}}${t.cut}`);
    t.hot.set(k, re);
  }
  return re;
}

/**
 * The factor over the runs of the line, or (`only` ≥ 0) over the part of a run from position
 * `only`, where the repetition is known to be entered.
 */
function scanRuns(line: string, t: SplitTable, limit: number, only = -1): number {
  const { set, before, endOk, firstMask, blockMask, needMask, within, ends, atoms: size, nextNeed } = t;
  const count = within.length;
  let worst = 1;
  const n = only >= 0 ? Math.min(line.length, only + 1) : line.length;
  let p = only >= 0 ? only : 0;
  while (p < n) {
    const ch0 = line.charCodeAt(p);
    if (ch0 >= 128 || set[ch0] !== 1) { p++; continue; }
    let end = p + 1;
    while (end < line.length) { const d = line.charCodeAt(end); if (d >= 128 || set[d] !== 1) break; end++; }
    if (only < 0 && before !== null && p > 0) {
      const b = line.charCodeAt(p - 1);
      if (b < 128 && before[b] !== 1) { p = end; continue; }
    }
    for (let r = 0; r < count; r++) nextNeed[r] = FAR;
    let f = end - p + 1;
    // The work of one attempt at a position: an alternative whose first character does not match
    // fails at once; the others can run through their atoms.
    let attempt = count;
    // Walk the run backwards so the nearest needed character is known at each cut point.
    for (let q = end - 1; q >= p && f * attempt <= limit; q--) {
      const ch = line.charCodeAt(q);
      const prev = q > 0 ? line.charCodeAt(q - 1) : 0;
      let needs = needMask[ch] as number;
      for (let r = 0; needs !== 0; r++, needs >>>= 1) if ((needs & 1) !== 0) nextNeed[r] = q;
      let cand = (firstMask[ch] as number) & ~(prev < 128 ? blockMask[prev] as number : 0);
      if (cand === 0) continue;
      let ways = 1;
      let here = count;
      for (let r = 0; cand !== 0; r++, cand >>>= 1) {
        if ((cand & 1) !== 0 && (nextNeed[r] as number) - q <= (within[r] as number)) { // FAR - q > any within
          here += (size[r] as number) - 1;
          ways += ends[r] as number;
        }
      }
      if (here > attempt) attempt = here;
      // The run's start is where the repetition begins, not a cut; a cut also needs the previous
      // iteration to be able to end with the character before it.
      if (q > p && (endOk === null || (prev < 128 && endOk[prev] === 1))) f *= ways;
    }
    f *= attempt;
    if (f > worst) worst = f;
    if (worst > limit) return worst;
    p = end;
  }
  return worst;
}

/**
 * A global regex matching where a match of `prefix` ends before a character of `set`: at the
 * character before that place when all such characters are in `before` (a leading character
 * lets V8 skip ahead quickly instead of trying the lookbehind everywhere), else empty there.
 */
function entriesRegex(prefix: string, set: Uint8Array, before: Uint8Array | null): RegExp | null {
  // Named groups become plain ones: captures are not needed here and cost time.
  const e = NativeEngine.tryCreate(prefix.replace(/\(\?<g\d+>/g, '(?:'), 0);
  if (e === undefined) return null;
  const lead = before !== null && before.includes(1) ? classOf(before) : '';
  try {
    return new RegExp(`${lead}(?<=${e.regexp.source})(?=${classOf(set)})`, e.regexp.flags.replace(/[gy]/g, '') + 'g');
  } catch {
    return null;
  }
}

/** Per-character bit masks of a repetition's start rules, so the per-line scan is table lookups. */
interface SplitTable {
  set: Uint8Array;
  before: Uint8Array | null;
  endOk: Uint8Array | null;
  /** Bit r: rule r can start with the character / cannot start after it / needs it. */
  firstMask: Int32Array;
  blockMask: Int32Array;
  needMask: Int32Array;
  within: Int32Array;
  ends: Int32Array;
  atoms: Int32Array;
  /** Scratch: per rule, the nearest position holding a character it needs. */
  nextNeed: Int32Array;
  /** Most ways at one cut point, most steps of one attempt. */
  maxWays: number;
  maxAttempt: number;
  /** Regex source of one cut point (the character before it, checks on it), of a run character. */
  cut: string | null;
  runClass: string;
  hot: Map<number, RegExp | null>;
}

/** A regex character class of the ASCII characters in the set, as ranges ('[]' never matches in JS). */
export function classOf(set: Uint8Array): string {
  const hex = (k: number): string => `\\x${k.toString(16).padStart(2, '0')}`;
  let out = '[';
  for (let k = 0; k < 128; k++) {
    if (set[k] !== 1) continue;
    let end = k;
    while (end + 1 < 128 && set[end + 1] === 1) end++;
    out += end === k ? hex(k) : end === k + 1 ? hex(k) + hex(end) : `${hex(k)}-${hex(end)}`;
    k = end;
  }
  return `${out}]`;
}

/**
 * The characters of `a` that are in `b` (with negateB: not in `b`). A null `b` is no restriction
 * (endChars null: any character may end an iteration; notAfter null: none is blocked), so the
 * result is `a` either way.
 */
function intersect(a: Uint8Array, b: Uint8Array | null, negateB = false): Uint8Array {
  const out = new Uint8Array(128);
  for (let k = 0; k < 128; k++) out[k] = a[k] === 1 && (b === null || (b[k] === 1) !== negateB) ? 1 : 0;
  return out;
}

/** One alternative of a repeated group, as the cost model sees it at a cut point. */
export interface RuleShape {
  /**
   * Regex source (valid in Oniguruma's and V8's syntax) matching the character right before a place
   * where this alternative can start a new iteration; null when it never can inside a run.
   */
  piece: string | null;
  /** Ways an iteration can end at one place (see StartRule.ends), and steps of one attempt. */
  ends: number;
  atoms: number;
  /** Run characters it needs near its start (null: no such requirement). */
  need: Uint8Array | null;
  /** Run characters that can come right before a place where it starts, and that it can start with. */
  prev: Uint8Array;
  first: Uint8Array;
}

/** The run class and per-alternative cut pieces of a repetition; null when its rules are unknown. */
export function repetitionShape(c: Confinement): { runClass: string; set: Uint8Array; gates: string[]; rules: RuleShape[] } | null {
  const rules = c.rules;
  if (rules === undefined || rules === null || rules.length > 30) return null;
  const runClass = classOf(c.set);
  const endOk = c.endChars ?? null;
  return {
    runClass,
    set: c.set,
    gates: c.gates.filter((g) => g.charCodeAt(0) < 128),
    rules: rules.map((rule) => {
      const shape = { ends: Math.min(rule.ends, 1 << 20), atoms: Math.min(rule.atoms, 1 << 20) };
      // A cut point: a character of the run the previous iteration can end with (and that does not
      // block the rule), followed by a character the rule starts with and, within its distance, a
      // character it needs.
      const prev = intersect(intersect(c.set, endOk), rule.notAfter, true);
      const first = intersect(c.set, rule.first);
      const need = rule.needs === null ? null : intersect(c.set, rule.needs);
      // Needing a character the run cannot hold: this alternative never starts inside a run.
      if (!prev.includes(1) || !first.includes(1) || (need !== null && !need.includes(1))) return { ...shape, piece: null, need, prev, first };
      let piece = `${classOf(prev)}(?=${classOf(first)})`;
      if (need !== null) piece += `(?=${runClass}${rule.within >= FAR ? '*' : `{0,${rule.within}}`}${classOf(need)})`;
      return { ...shape, piece, need, prev, first };
    }),
  };
}

/** The cost model's factor for the repetition entered at `at` of the line (one run, from there). */
export function factorAt(line: string, c: Confinement, at: number): number {
  const t = tableFor(c);
  return t === null ? Infinity : scanRuns(line, t, Infinity, at);
}

/** "No such position" for the integer position tables (beyond any line's length). */
const FAR = 0x3fffffff;

const tables = new WeakMap<Confinement, SplitTable | null>();

function tableFor(c: Confinement): SplitTable | null {
  let t = tables.get(c);
  if (t !== undefined) return t;
  if (c.entries === undefined) c.entries = c.prefix ? entriesRegex(c.prefix, c.set, c.before ?? null) : null;
  const rules = c.rules;
  t = null;
  if (rules !== undefined && rules !== null && rules.length <= 30) {
    let before = c.before ?? null;
    // Only a preceding character outside the set pins the repetition to the start of a run.
    if (before !== null) for (let k = 0; k < 128; k++) if (before[k] === 1 && c.set[k] === 1) { before = null; break; }
    const firstMask = new Int32Array(128);
    const blockMask = new Int32Array(128);
    const needMask = new Int32Array(128);
    rules.forEach((rule, r) => {
      for (let k = 0; k < 128; k++) {
        if (rule.first[k] === 1) firstMask[k] = (firstMask[k] as number) | (1 << r);
        if (rule.notAfter !== null && rule.notAfter[k] === 1) blockMask[k] = (blockMask[k] as number) | (1 << r);
        if (rule.needs === null || rule.needs[k] === 1) needMask[k] = (needMask[k] as number) | (1 << r);
      }
    });
    // One cut point, for the native fast path.
    const shape = repetitionShape(c);
    const pieces = (shape?.rules ?? []).flatMap((r) => (r.piece === null ? [] : [r.piece]));
    const runClass = classOf(c.set);
    const endOk = c.endChars ?? null;
    t = {
      maxWays: 1 + rules.reduce((a, r) => a + r.ends, 0),
      maxAttempt: rules.reduce((a, r) => a + r.atoms, 0),
      cut: pieces.length === 0 ? '(?!)' : `(?:${pieces.join('|')})`,
      runClass,
      hot: new Map(),
      set: c.set, before, endOk, firstMask, blockMask, needMask,
      within: Int32Array.from(rules.map((r) => Math.min(r.within, FAR))),
      ends: Int32Array.from(rules.map((r) => Math.min(r.ends, 1 << 20))),
      atoms: Int32Array.from(rules.map((r) => Math.min(r.atoms, 1 << 20))),
      nextNeed: new Int32Array(rules.length),
    };
  }
  tables.set(c, t);
  return t;
}
