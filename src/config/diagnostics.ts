/**
 * Building and rendering config diagnostics: `file:line:col: error[CODE]: message`, the source line, a
 * caret under the column, and a hint ("did you mean …?") where there is one.
 */
import type { Diagnostic } from './diagnostics-types.js';
import type { DiagnosticCode } from './codes.js';
import type { Loc } from './ast.js';

export type { Diagnostic };

/** Collects diagnostics for one file. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  constructor(readonly file: string) {}

  error(code: DiagnosticCode, loc: Pick<Loc, 'line' | 'column'>, message: string, hint?: string): void {
    this.add('error', code, loc, message, hint);
  }

  warn(code: DiagnosticCode, loc: Pick<Loc, 'line' | 'column'>, message: string, hint?: string): void {
    this.add('warning', code, loc, message, hint);
  }

  add(severity: Diagnostic['severity'], code: DiagnosticCode, loc: Pick<Loc, 'line' | 'column'>, message: string, hint?: string): void {
    const d: Diagnostic = { code, severity, message, file: this.file, line: loc.line, column: loc.column };
    if (hint !== undefined) d.hint = hint;
    this.list.push(d);
  }

  get hasErrors(): boolean { return this.list.some((d) => d.severity === 'error'); }
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours (typos). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known name closest to `name`, when it is close enough to be a plausible typo (at most a third of
 * the longer name's length, and at most 3 edits), ties broken by list order.
 */
export function nearestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) { best = candidate; bestDistance = d; }
  }
  if (best === undefined) return undefined;
  const limit = Math.min(3, Math.max(1, Math.floor(Math.max(name.length, best.length) / 3)));
  return bestDistance <= limit ? best : undefined;
}

const ANSI = { red: '\x1b[31m', yellow: '\x1b[33m', blue: '\x1b[34m', cyan: '\x1b[36m', bold: '\x1b[1m', reset: '\x1b[0m' };

/**
 * Render diagnostics for a terminal. `sources` maps file names (as in the diagnostics) to their text, to
 * show the offending line. Diagnostics come out in the order given.
 */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>, opts: { color: boolean }): string {
  const paint = (code: keyof typeof ANSI, s: string): string => (opts.color ? `${ANSI[code]}${s}${ANSI.reset}` : s);
  const lineCache = new Map<string, string[]>();
  const out: string[] = [];
  for (const d of diagnostics) {
    const sev = d.severity === 'error' ? paint('red', `error[${d.code}]`) : paint('yellow', `warning[${d.code}]`);
    const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
    out.push(`${paint('bold', where)}: ${sev}: ${paint('bold', d.message)}`);
    const text = sources.get(d.file);
    if (text !== undefined && d.line > 0) {
      let lines = lineCache.get(d.file);
      if (!lines) { lines = text.split(/\r?\n/); lineCache.set(d.file, lines); }
      const src = lines[d.line - 1];
      if (src !== undefined) {
        const num = String(d.line);
        const gutter = ' '.repeat(num.length);
        // Keep tabs in the caret's indentation so it lines up under the same column.
        const indent = src.slice(0, Math.max(0, d.column - 1)).replace(/[^\t]/g, ' ');
        out.push(`${paint('blue', `${num} |`)} ${src}`);
        out.push(`${paint('blue', `${gutter} |`)} ${indent}${paint(d.severity === 'error' ? 'red' : 'yellow', '^')}`);
      }
    }
    if (d.hint) out.push(`${paint('cyan', 'hint')}: ${d.hint}`);
    out.push('');
  }
  return out.join('\n');
}
