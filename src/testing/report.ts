/**
 * What `sluice test` prints: failures with their file, case and diff; every case with its time in verbose
 * mode; a progress line on stderr during long runs on a terminal; a summary line `N passed, N failed`.
 */
import type { Palette } from './diff.js';
import { renderDiff } from './compare.js';
import { displayPath } from './discover.js';
import type { CaseResult, FileResult } from './run.js';

export interface Writable { write(s: string): unknown; isTTY?: boolean; columns?: number }

export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 100) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The lines for one case file's results (failures always, passes when verbose). */
export function formatFileResult(r: FileResult, palette: Palette, verbose: boolean): string {
  const file = displayPath(r.path);
  const out: string[] = [];
  if (r.error) {
    out.push(`${palette.red(palette.bold('ERROR'))} ${file}`);
    out.push(indent(r.error));
    out.push('');
  }
  for (const c of r.cases) {
    const title = `${file} › ${c.testCase.name} ${palette.dim(`(${formatMs(c.durationMs)})`)}`;
    if (c.status === 'passed') { if (verbose) out.push(`${palette.green('PASS')} ${title}`); continue; }
    if (c.status === 'updated') { out.push(`${palette.yellow('UPDATED')} ${title}`); continue; }
    out.push(`${palette.red(palette.bold(c.status === 'error' ? 'ERROR' : 'FAIL'))} ${title}`);
    out.push(indent(`config: ${r.config.map((p) => displayPath(p)).join(' ')}`));
    if (c.status === 'error') out.push(indent(c.error ?? ''));
    else {
      out.push(indent(c.comparison!.summary));
      out.push(indent(renderDiff(c.comparison!, palette).trimEnd()));
    }
    out.push('');
  }
  return out.length ? `${out.join('\n')}\n` : '';
}

function indent(s: string): string {
  return s.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
}

export interface Totals {
  passed: number;
  failed: number;
  errors: number;
  updated: number;
  cases: number;
  files: number;
  caseMs: number;
  /** Median time of a case (the mean is dominated by the first cases, which pay for warm-up). */
  medianMs: number;
  setupMs: number;
}

export function totals(results: FileResult[]): Totals {
  const all: CaseResult[] = results.flatMap((r) => r.cases);
  const t: Totals = {
    passed: all.filter((c) => c.status === 'passed').length,
    failed: all.filter((c) => c.status === 'failed' || c.status === 'error').length + results.filter((r) => r.error).length,
    errors: all.filter((c) => c.status === 'error').length + results.filter((r) => r.error).length,
    updated: all.filter((c) => c.status === 'updated').length,
    cases: all.length,
    files: results.length,
    caseMs: all.reduce((s, c) => s + c.durationMs, 0),
    medianMs: median(all.map((c) => c.durationMs)),
    setupMs: results.reduce((s, r) => s + r.setupMs, 0),
  };
  return t;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `N passed, N failed` then counts and times: per case (median and mean), filter setup, wall time. */
export function summaryLine(t: Totals, wallMs: number, palette: Palette): string {
  const failed = `${t.failed} failed`;
  const passed = `${t.passed} passed`;
  let line = `${t.passed ? palette.green(passed) : passed}, ${t.failed ? palette.red(palette.bold(failed)) : failed}`;
  if (t.updated) line += `, ${palette.yellow(`${t.updated} updated`)}`;
  const details = [
    `${t.cases} case${t.cases === 1 ? '' : 's'} in ${t.files} file${t.files === 1 ? '' : 's'}`,
    t.errors ? `${t.errors} error${t.errors === 1 ? '' : 's'}` : '',
    t.cases ? `${formatMs(t.medianMs)} per case (median; mean ${formatMs(t.caseMs / t.cases)})` : '',
    `filter setup ${formatMs(t.setupMs)}`,
    `total ${formatMs(wallMs)}`,
  ].filter(Boolean);
  return `${line} ${palette.dim(`(${details.join(', ')})`)}\n`;
}

/**
 * A one-line progress indicator on a terminal's stderr, shown once a run takes longer than `delayMs`;
 * redrawn at most every 100 ms and erased before anything else is printed.
 */
export class Progress {
  #stream: Writable;
  #enabled: boolean;
  #started = Date.now();
  #lastDraw = 0;
  #shown = false;
  #delayMs: number;

  constructor(stream: Writable, options: { enabled: boolean; delayMs?: number }) {
    this.#stream = stream;
    this.#enabled = options.enabled && stream.isTTY === true;
    this.#delayMs = options.delayMs ?? 300;
  }

  update(done: number, total: number, label: string): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#started < this.#delayMs || now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    const width = Math.max(20, (this.#stream.columns || 80) - 1); // 0 when the terminal size is unknown
    let text = `[${done}/${total}] ${label}`;
    if (text.length > width) text = `${text.slice(0, width - 1)}…`;
    this.#stream.write(`\r\x1b[2K${text}`);
    this.#shown = true;
  }

  clear(): void {
    if (!this.#shown) return;
    this.#stream.write('\r\x1b[2K');
    this.#shown = false;
  }
}
