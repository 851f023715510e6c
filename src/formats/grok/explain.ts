/**
 * Explaining a miss: find the longest prefix of the grok expression that still matches the line,
 * and where in the line that prefix stopped. The expression is cut into top-level pieces
 * (`%{NAME:field}`, groups, classes, escapes, literal characters, each with its quantifier); an
 * expression that is a single reference is opened up (`%{SYSLOGLINE}` → its definition) so the
 * explanation points inside it. Prefixes are matched by the caller (the GrokMatcher, through its
 * runaway guard: a prefix can backtrack as badly as the whole).
 */
import type { PatternTable } from './library.js';
import { classEnd, groupClose } from './syntax.js';

export interface MissExplanation {
  /** The expression that was cut into pieces (after opening single references). */
  expression: string;
  /** The longest prefix of `expression` that matches somewhere in the line ('' when none). */
  matchedPrefix: string;
  /** The rest of the expression, starting with the piece that failed. */
  failedAt: string;
  /** Offset in the line where the matched prefix ended (0 when nothing matched). */
  stoppedAt: number;
  /** The line from `stoppedAt` on. */
  remainingText: string;
}

const QUANT = /^(?:[*+?]|\{\d*(?:,\d*)?\})[?+]?/;

/** Cut a regex into top-level pieces; returns undefined when it has a top-level alternation. */
export function splitPieces(src: string): string[] | undefined {
  const pieces: string[] = [];
  let i = 0;
  while (i < src.length) {
    const start = i;
    const c = src[i] as string;
    if (c === '%' && src[i + 1] === '{') {
      const close = src.indexOf('}', i);
      i = close < 0 ? src.length : close + 1;
    } else if (c === '\\') {
      i += 2;
      if (/[xpPk]/.test(src[start + 1] ?? '') && (src[i] === '{' || src[i] === '<')) {
        const close = src.indexOf(src[i] === '{' ? '}' : '>', i);
        i = close < 0 ? src.length : close + 1;
      }
    } else if (c === '[') {
      i = classEnd(src, i);
    } else if (c === '(') {
      i = Math.min(src.length, groupClose(src, i + 1) + 1);
    } else if (c === '|') {
      return undefined;
    } else {
      i++;
    }
    const q = QUANT.exec(src.slice(i, i + 16));
    if (q) i += q[0].length;
    pieces.push(src.slice(start, i));
  }
  return pieces;
}

const SINGLE_REF = /^%\{([A-z0-9]+)(?::[^}]*)?\}$/;

/** Open `%{NAME}` (alone) into NAME's definition, repeatedly, as long as it stays one piece. */
function openSingleReference(expr: string, table: PatternTable): string {
  let cur = expr;
  for (let depth = 0; depth < 20; depth++) {
    const m = SINGLE_REF.exec(cur.trim());
    if (!m) break;
    const def = table.get(m[1] as string);
    if (def === undefined) break;
    cur = def.regex;
  }
  return cur;
}

/**
 * Where a grok expression (or a prefix of it) stops matching the line: the offset where its match
 * ends, or undefined when it does not match (or cannot be compiled, or was stopped).
 */
export type PrefixMatcher = (expression: string) => Promise<number | undefined>;

export async function explainMiss(expr: string, line: string, table: PatternTable, matchEnd: PrefixMatcher): Promise<MissExplanation> {
  const expression = openSingleReference(expr, table);
  let pieces = splitPieces(expression) ?? [expression];
  const prefixMatch = (k: number): Promise<number | undefined> => matchEnd(pieces.slice(0, k).join(''));
  let best = 0;
  let stoppedAt = 0;
  // When the failing piece is a reference, open it and look inside (a few levels deep).
  for (let round = 0; round < 8; round++) {
    // Prefixes that match form an initial run (a longer prefix matching implies the shorter ones do).
    best = 0;
    stoppedAt = 0;
    let lo = 1;
    let hi = pieces.length;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const end = await prefixMatch(mid);
      if (end !== undefined) { best = mid; stoppedAt = end; lo = mid + 1; } else hi = mid - 1;
    }
    const failing = pieces[best];
    const ref = failing === undefined ? null : SINGLE_REF.exec(failing);
    const def = ref ? table.get(ref[1] as string) : undefined;
    const inner = def === undefined ? undefined : splitPieces(def.regex);
    if (inner === undefined || inner.length <= 1) break;
    pieces = [...pieces.slice(0, best), ...inner, ...pieces.slice(best + 1)];
  }
  return {
    expression: pieces.join(''),
    matchedPrefix: pieces.slice(0, best).join(''),
    failedAt: pieces.slice(best).join(''),
    stoppedAt,
    remainingText: line.slice(stoppedAt),
  };
}
