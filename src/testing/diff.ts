/**
 * Unified diff of two texts (expected vs actual), optionally coloured like `git diff`.
 */
import { structuredPatch } from 'diff';

export interface Palette {
  red(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
  yellow(s: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

export const COLORS: Palette = {
  red: sgr(31, 39), green: sgr(32, 39), cyan: sgr(36, 39), yellow: sgr(33, 39), bold: sgr(1, 22), dim: sgr(2, 22),
};
const id = (s: string) => s;
export const NO_COLORS: Palette = { red: id, green: id, cyan: id, yellow: id, bold: id, dim: id };

/**
 * Colour on a terminal unless NO_COLOR is set (https://no-color.org: any non-empty value);
 * FORCE_COLOR (non-empty, not "0") turns it on for pipes.
 */
export function wantColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** `--- expected` / `+++ actual` and hunks with 3 lines of context; empty when the texts are equal. */
export function unifiedDiff(expected: string, actual: string, palette: Palette = NO_COLORS, labels = { expected: 'expected', actual: 'actual' }): string {
  if (expected === actual) return '';
  const patch = structuredPatch(labels.expected, labels.actual, ensureNl(expected), ensureNl(actual), undefined, undefined, { context: 3 });
  const out = [palette.red(`--- ${labels.expected}`), palette.green(`+++ ${labels.actual}`)];
  for (const h of patch.hunks) {
    out.push(palette.cyan(`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`));
    for (const line of h.lines) {
      if (line.startsWith('\\')) continue; // "\ No newline at end of file" cannot happen: both end in \n
      if (line[0] === '-') out.push(palette.red(line));
      else if (line[0] === '+') out.push(palette.green(line));
      else out.push(line);
    }
  }
  return out.join('\n') + '\n';
}

function range(start: number, lines: number): string {
  return lines === 1 ? String(start) : `${lines === 0 ? start : start},${lines}`;
}

function ensureNl(s: string): string { return s.endsWith('\n') ? s : `${s}\n`; }
