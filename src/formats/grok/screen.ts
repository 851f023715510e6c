/**
 * The per-line screen in front of a risky expression: decides, at a cost far below the match itself,
 * whether a line can be matched on the calling thread within the cost model's budget (risk.ts), and
 * sends the rest to the precise per-line check and, beyond it, to the guard worker.
 *
 * - Polynomial expressions (broad quantifiers, no nesting): the model's bound depends on the line's
 *   length and a few character counts. Below a length computed once per expression the bound holds
 *   whatever the content, so the screen is one comparison (plus an `includes` per gate character
 *   when the gated quantifiers must be ruled out to stay within the budget).
 * - Nested repetitions (legacy `%{SYSLOGHOST}+`): their cost depends on the run of host characters
 *   where the repetition is entered, which only the regex engine knows cheaply. The expression is
 *   rewritten so that V8 checks that run itself, at the entries it actually reaches:
 *
 *       A (?<g>R) B   →   A (?:(?!SAFE)(?<flag>)|(?<g>R) B)
 *
 *   SAFE is a lookahead that holds when the run ahead is short and has few cut points (the
 *   places where backtracking can split it). Where it holds the rewritten expression explores
 *   exactly the paths of the original, in the same order, so its match (or miss) is the original's.
 *   The first entry where it fails ends the match with the flag group set: that line goes the slow
 *   way. Because the flag branch ends the whole expression, every group enclosing R must be one the
 *   rest of the expression can be moved into: plain `(?:…)` groups, unquantified, without `|`.
 */
import { NativeEngine, type GrokMatch } from './engine.js';
import type { CompiledGrok } from './compile.js';
import { classEnd } from './syntax.js';
import { classOf, repetitionShape, withinBudget, type Confinement, type RiskReport } from './risk.js';

type RepetitionShape = NonNullable<ReturnType<typeof repetitionShape>>;
type RuleShape = RepetitionShape['rules'][number];

/** Returned by LineScreen.exec for a line that needs the guard worker. */
export const NEEDS_GUARD = Symbol('needs guard');

/**
 * The cost model's bound for a line of `length` characters whose content is unknown, except that
 * (with `gatesAbsent`) the gate characters of broad quantifiers are not in it. `factor`: the bound
 * on nested repetitions.
 */
function lengthBound(r: RiskReport, length: number, gatesAbsent: boolean, factor: number): number {
  const n = length + 1;
  let bound = n * factor;
  for (let i = 0; i < r.follow.length; i++) {
    const k = r.follow[i] === '' || (gatesAbsent && r.gates[i] !== null && r.gates[i] !== undefined) ? 1 : n;
    bound = (bound * k) / (i + 1);
  }
  return bound;
}

/** The longest length (up to 2^20) for which `ok` holds, given it holds for shorter ones; -1 if none. */
function longest(ok: (length: number) => boolean): number {
  if (!ok(0)) return -1;
  let lo = 0;
  let hi = 1 << 20;
  if (ok(hi)) return hi;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (ok(mid)) lo = mid; else hi = mid;
  }
  return lo;
}

// ---- the rewrite for nested repetitions ----------------------------------------------------------

interface Group {
  start: number;
  /** Index after the header (`(`, `(?:`, `(?<name>`, …). */
  body: number;
  /** Index after the closing ')'. */
  end: number;
  header: string;
  quantified: boolean;
  alternation: boolean;
  parent: Group | undefined;
}

/** The groups of an Oniguruma (Ruby syntax) source, and whether its top level has an alternation. */
function scanGroups(src: string): { groups: Group[]; rootAlternation: boolean } {
  const groups: Group[] = [];
  const stack: Group[] = [];
  let rootAlternation = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') { i++; continue; }
    if (c === '[') { i = classEnd(src, i) - 1; continue; }
    if (c === '(') {
      if (src.startsWith('(?#', i)) { i = src.indexOf(')', i); continue; }
      const option = /^\(\?[imx-]+\)/.exec(src.slice(i, i + 12));
      if (option) { i += option[0].length - 1; continue; }
      const head = /^\(\?(?:<[=!]|<[^>]*>|[:=!>]|[imx-]+:)?/.exec(src.slice(i, i + 64))?.[0] ?? '(';
      const g: Group = { start: i, body: i + head.length, end: -1, header: head, quantified: false, alternation: false, parent: stack[stack.length - 1] };
      groups.push(g);
      stack.push(g);
      i += head.length - 1;
      continue;
    }
    if (c === ')') {
      const g = stack.pop();
      if (g === undefined) continue;
      g.end = i + 1;
      g.quantified = /^(?:[*+?]|\{\d*,?\d*\})/.test(src.slice(i + 1, i + 12));
      continue;
    }
    if (c === '|') {
      const top = stack[stack.length - 1];
      if (top === undefined) rootAlternation = true; else top.alternation = true;
    }
  }
  return { groups, rootAlternation };
}

/** How to tell that a match ended at a repetition's unsafe entry: a group set or left unset. */
export interface FlagMark { group: number; raisedWhenSet: boolean }

/**
 * The rewritten source, or null when a repetition is not on a path of plain groups from the top of
 * the expression. A repetition inside its own capture group g{k} needs no flag: the match ended at an
 * unsafe entry exactly when g{k} is unset, and the captures keep their numbers. Otherwise a flag
 * group is added (g{firstFlag}, g{firstFlag + 1}, …).
 */
export function flagRewrite(src: string, reps: Array<{ at: number; end: number; safe: string }>, firstFlag: number): { source: string; marks: FlagMark[] } | null {
  const { groups, rootAlternation } = scanGroups(src);
  if (rootAlternation) return null;
  const drop = new Set<number>();
  const insert = new Map<number, string>();
  const units: Array<[number, number]> = [];
  const marks: FlagMark[] = [];
  for (let k = 0; k < reps.length; k++) {
    const rep = reps[k] as { at: number; end: number; safe: string };
    const g = groups.find((x) => x.start === rep.at);
    if (g === undefined) return null;
    // The unit: the repetition with the groups that wrap exactly it (its capture group).
    let start = rep.at;
    let end = rep.end;
    let up = g.parent;
    // The repeated group itself may be the capture (`%{SYSLOGHOST:logsource}+`).
    let capture = /^\(\?<g(\d+)>$/.test(g.header) ? Number(g.header.slice(4, -1)) : undefined;
    while (up !== undefined && up.body === start && up.end === end + 1 && !up.quantified && !up.alternation && /^\((?:\?<[^=!][^>]*>|\?:)?$/.test(up.header)) {
      start = up.start;
      end = up.end;
      const named = /^\(\?<g(\d+)>$/.exec(up.header);
      if (named) capture = Number(named[1]);
      up = up.parent;
    }
    // Every group above it is flattened: it must be plain grouping.
    for (; up !== undefined; up = up.parent) {
      if (up.header !== '(?:' || up.quantified || up.alternation) return null;
      for (let j = up.start; j < up.body; j++) drop.add(j);
      drop.add(up.end - 1);
    }
    if (units.some(([s, e]) => start < e && s < end)) return null;
    units.push([start, end]);
    let flag = '';
    if (capture !== undefined) marks.push({ group: capture, raisedWhenSet: false });
    else {
      const group = firstFlag + marks.filter((m) => m.raisedWhenSet).length;
      marks.push({ group, raisedWhenSet: true });
      flag = `(?<g${group}>)`;
    }
    insert.set(start, `${insert.get(start) ?? ''}(?:(?!${rep.safe})${flag}|`);
  }
  let out = '';
  for (let i = 0; i < src.length; i++) {
    const ins = insert.get(i);
    if (ins !== undefined) out += ins;
    if (!drop.has(i)) out += src[i];
  }
  return { source: out + ')'.repeat(reps.length), marks };
}


/**
 * Cut points of some alternatives, ignoring what each needs near its start (so they count a
 * superset of the cut points): `cut` matches up to a character right before a cut point, `plain`
 * a stretch without one. Both look only at the next character, which V8 runs far faster than the
 * exact pieces' lookaheads. Characters are grouped by the characters that make them a cut when
 * next; a group that cannot precede its own members is matched a whole stretch at a time, and
 * `[g]+(?![g…])` only matches maximal stretches, so a run still parses one way only (a loose
 * `[g]+` could split a stretch in exponentially many ways when SAFE fails).
 */
function looseCuts(live: RuleShape[], set: Uint8Array): { cut: string; plain: string } {
  const groups = new Map<string, { chars: Uint8Array; next: Uint8Array }>();
  for (let k = 0; k < 128; k++) {
    if (set[k] !== 1) continue;
    const next = new Uint8Array(128);
    for (const r of live) if (r.piece !== null && r.prev[k] === 1) for (let j = 0; j < 128; j++) if (r.first[j] === 1) next[j] = 1;
    const key = next.join('');
    let g = groups.get(key);
    if (g === undefined) { g = { chars: new Uint8Array(128), next }; groups.set(key, g); }
    g.chars[k] = 1;
  }
  const cut: string[] = [];
  const plain: string[] = [];
  // Larger groups first (letters before digits before separators): the usual stretch matches at the
  // first alternative tried.
  const size = (a: Uint8Array): number => a.reduce((x, v) => x + v, 0);
  for (const { chars, next } of [...groups.values()].sort((a, b) => size(b.chars) - size(a.chars))) {
    const g = classOf(chars);
    if (!next.includes(1)) { plain.push(`${g}+(?!${g})`); continue; }
    const n = classOf(next);
    if (chars.some((v, k) => v === 1 && next[k] === 1)) {
      cut.push(`${g}(?=${n})`);
      plain.push(`${g}(?!${n})`);
    } else {
      cut.push(`${g}+(?=${n})`);
      plain.push(`${g}+(?!${classOf(chars.map((v, k) => v | (next[k] as number)))})`);
    }
  }
  return { cut: cut.length === 0 ? '(?!)' : `(?:${cut.join('|')})`, plain: `(?:${plain.join('|')})` };
}

/**
 * SAFE for one repetition: an alternation of tiers, each a lookahead that holds only when the run
 * ahead is within the factor it promises (cheapest first):
 * - short: a run of at most `short` characters, whatever it holds;
 * - gated: a run without the characters the costliest alternative needs (IPv6's ':'), so that
 *   alternative cannot start anywhere in it: at most `maxRun` characters and few cut points of the
 *   others, counted loosely;
 * - full: at most `maxRun` characters and few cut points of any alternative, counted exactly.
 * Every character is either right before a cut (the cut pattern consumes it) or plain, so each
 * lookahead walks the run once and backtracks little.
 */
export function safeSource(shape: RepetitionShape, perRep: number, maxRun: number): { safe: string; factor: number } | undefined {
  const { runClass, set, rules, gates } = shape;
  // Neither in the run nor right after it may there be a gate character: the repetition could go on
  // through it (IPv6's zone after '%') and consume anything.
  const isGate = (k: number): boolean => gates.includes(String.fromCharCode(k));
  const stop = classOf(set.map((v, k) => (v === 1 || isGate(k) ? 1 : 0)));
  const open = set.map((v, k) => (v === 1 && !isGate(k) ? 1 : 0));
  const count = rules.length;
  const tiers: string[] = [];
  let factor = 0;
  /** A tier over the alternatives that can start in runs without `gate`. */
  const tier = (gate: Uint8Array | null): void => {
    const live = rules.filter((r) => gate === null || r.need === null || r.need.some((v, k) => v === 1 && gate[k] !== 1));
    const attempt = count + live.reduce((a, r) => a + r.atoms - 1, 0);
    const starters = live.filter((r) => r.piece !== null);
    const ways = 1 + starters.reduce((a, r) => a + r.ends, 0);
    const room = perRep / ((maxRun + 1) * attempt);
    if (room < 1) return;
    const allowed = classOf(gate === null ? open : open.map((v, k) => (v === 1 && gate[k] !== 1 ? 1 : 0)));
    // (An empty class is an error in Oniguruma: then the run must be empty.)
    let source = allowed === '[]' ? `(?!${stop})` : `(?=${allowed}{0,${maxRun}}(?!${stop}))`;
    if (starters.length > 0) {
      const cuts = Math.min(12, Math.floor(Math.log(room) / Math.log(ways) + 1e-9));
      let cut: string;
      let plain: string;
      if (gate !== null) ({ cut, plain } = looseCuts(starters, set));
      else {
        cut = `(?:${starters.map((r) => r.piece).join('|')})`;
        plain = `(?:(?!${cut})${runClass})`;
      }
      source += `(?=${plain}*(?:${cut}${plain}*){0,${cuts}}(?!${runClass}))`;
      factor = Math.max(factor, (maxRun + 1) * ways ** cuts * attempt);
    } else factor = Math.max(factor, (maxRun + 1) * attempt);
    tiers.push(source);
  };
  // Short runs: at most length - 1 cut points, each with every alternative's ways.
  const allWays = 1 + rules.reduce((a, r) => a + (r.piece === null ? 0 : r.ends), 0);
  const allAttempt = rules.reduce((a, r) => a + r.atoms, 0);
  let short = 0;
  while (short < maxRun && (short + 2) * allWays ** short * allAttempt <= perRep) short++;
  if (short > 0) { tiers.push(`(?=${classOf(open)}{0,${short}}(?!${stop}))`); factor = Math.max(factor, (short + 1) * allWays ** (short - 1) * allAttempt); }
  // The costliest alternative that needs one of a few characters near its start.
  const gated = rules.filter((r) => r.need !== null && r.need.reduce((a, v) => a + v, 0) <= 2).sort((a, b) => b.atoms - a.atoms)[0];
  if (gated !== undefined) tier(gated.need);
  tier(null);
  if (tiers.length === 0) return undefined;
  return { safe: tiers.length === 1 ? tiers[0] as string : `(?:${tiers.join('|')})`, factor };
}

/** Line lengths and run sizes tried for the rewrite, best first (a small timeout_millis needs the smaller ones). */
const SHAPES: ReadonlyArray<[number, number]> = [[1024, 64], [512, 64], [512, 32], [256, 32], [256, 16], [128, 16], [128, 8]];

// ---- the screen ------------------------------------------------------------------------------------

export class LineScreen {
  readonly #grok: CompiledGrok;
  readonly #risk: RiskReport;
  readonly #steps: number;
  /** Lines up to this length are within the budget whatever they hold. */
  readonly #plainMax: number;
  /** Lines up to this length are within the budget when they hold no gate character (or, with #flagged, when the flagged engine raises no flag). */
  readonly #gatedMax: number;
  readonly #gates: string[];
  readonly #flagged: NativeEngine | undefined;
  readonly #marks: FlagMark[];
  /** Whether the rewritten expression numbers its captures as the original does (one capture writer serves both). */
  readonly sameLayout: boolean;
  /** Per nested repetition: its SAFE lookahead and the factor it guarantees (tests check the two agree). */
  readonly safety: ReadonlyArray<{ confinement: Confinement; safe: string; factor: number }>;

  constructor(grok: CompiledGrok, risk: RiskReport, steps: number) {
    this.#grok = grok;
    this.#risk = risk;
    this.#steps = steps;
    // Gate characters the screen looks for in the line. Those of parts inside a nested repetition
    // (IPv6's zone after '%') are checked by SAFE instead, right after the run.
    const gates = new Set<string>();
    const inside = (i: number, g: string): boolean => g.charCodeAt(0) < 128 && (risk.confined ?? []).some((c) => c.at !== undefined && c.end !== undefined && c.at <= i && i < c.end && c.gates.includes(g));
    risk.gates.forEach((g, i) => { if (g !== null && g !== undefined && !(risk.nested && inside(risk.broadAt[i] as number, g))) gates.add(g); });
    // (SAFE's classes are ASCII: other gate characters of nested repetitions stay with the screen.)
    for (const c of risk.confined ?? []) for (const g of c.gates) if (g.charCodeAt(0) >= 128) gates.add(g);
    let plainMax = -1;
    let gatedMax = -1;
    let flagged: NativeEngine | undefined;
    const marks: FlagMark[] = [];
    let sameLayout = true;
    const safety: Array<{ confinement: Confinement; safe: string; factor: number }> = [];
    if (!risk.risky) plainMax = Infinity;
    else if (!risk.nested) {
      plainMax = longest((len) => lengthBound(risk, len, false, 1) <= steps);
      gatedMax = gates.size === 0 ? plainMax : longest((len) => lengthBound(risk, len, true, 1) <= steps);
    } else if (risk.confined !== null && grok.engine.kind === 'native') {
      const built = this.#buildFlagged(risk.confined);
      if (built !== undefined) {
        flagged = built.engine;
        gatedMax = built.maxLength;
        marks.push(...built.marks);
        safety.push(...built.safety);
        const plain = grok.engine instanceof NativeEngine ? grok.engine.layout : undefined;
        sameLayout = plain !== undefined && plain.every((n, i) => built.engine.layout[i] === n);
      }
    }
    this.#plainMax = plainMax;
    this.#gatedMax = Math.max(gatedMax, plainMax);
    this.#gates = [...gates];
    this.#flagged = flagged;
    this.#marks = marks;
    this.sameLayout = sameLayout;
    this.safety = safety;
  }

  #buildFlagged(confined: Confinement[]): { engine: NativeEngine; maxLength: number; marks: FlagMark[]; safety: LineScreen['safety'] } | undefined {
    const shapes = [];
    for (const c of confined) {
      const shape = repetitionShape(c);
      if (shape === null || c.at === undefined || c.end === undefined) return undefined;
      shapes.push({ ...shape, at: c.at, end: c.end, confinement: c });
    }
    // The largest line length and run size the budget allows a SAFE for, split evenly between the repetitions.
    let best: { maxLength: number; reps: Array<{ safe: string; factor: number }> } | undefined;
    for (const [maxLength, maxRun] of SHAPES) {
      const perRep = Math.pow(this.#steps / lengthBound(this.#risk, maxLength, true, 1), 1 / shapes.length);
      const reps = shapes.map((s) => safeSource(s, perRep, maxRun));
      if (reps.some((r) => r === undefined)) continue;
      best = { maxLength, reps: reps as Array<{ safe: string; factor: number }> };
      break;
    }
    if (best === undefined) return undefined;
    const firstFlag = this.#grok.engine.groups;
    const reps = shapes.map((s, i) => ({ at: s.at, end: s.end, confinement: s.confinement, ...(best.reps[i] as { safe: string; factor: number }) }));
    const rewritten = flagRewrite(this.#grok.prepared, reps, firstFlag);
    if (rewritten === null) return undefined;
    const engine = NativeEngine.tryCreate(rewritten.source, firstFlag + rewritten.marks.filter((m) => m.raisedWhenSet).length);
    if (engine === undefined) return undefined;
    return { engine, maxLength: best.maxLength, marks: rewritten.marks, safety: reps.map(({ safe, confinement, factor }) => ({ safe, confinement, factor })) };
  }

  /** The length limits, the gate characters looked for, and whether the expression was rewritten (tests read them). */
  get limits(): { plain: number; gated: number; gates: readonly string[]; rewritten: boolean } {
    return { plain: this.#plainMax, gated: this.#gatedMax, gates: this.#gates, rewritten: this.#flagged !== undefined };
  }

  /**
   * Match the line on the calling thread when the cost model allows it; NEEDS_GUARD when the line
   * must go to the guard worker.
   */
  exec(line: string): GrokMatch | null | typeof NEEDS_GUARD {
    const n = line.length;
    if (n <= this.#plainMax) return this.#grok.exec(line);
    if (n <= this.#gatedMax && !this.#hasGate(line)) {
      const flagged = this.#flagged;
      if (flagged === undefined) return this.#grok.exec(line);
      const m = flagged.exec(line);
      if (m === null || !this.#raised(m)) return m;
    }
    return withinBudget(this.#risk, line, this.#steps) ? this.#grok.exec(line) : NEEDS_GUARD;
  }

  #hasGate(line: string): boolean {
    const gates = this.#gates;
    for (let i = 0; i < gates.length; i++) if (line.includes(gates[i] as string)) return true;
    return false;
  }

  #raised(m: GrokMatch): boolean {
    const marks = this.#marks;
    for (let i = 0; i < marks.length; i++) {
      const mark = marks[i] as FlagMark;
      if ((m.group(mark.group) !== undefined) === mark.raisedWhenSet) return true;
    }
    return false;
  }
}
