/**
 * For the file input's end-to-end tests: a writer appending numbered lines to a log as an application
 * does (one descriptor held open, reopened after a rotation as on SIGHUP), the real `logrotate`, and a
 * `sluice run` whose stdout carries `<message>|<path>` per event.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, waitFor } from './cli.js';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `sluice-${prefix}-`));
}

export function logrotateBinary(): string {
  for (const p of ['/usr/sbin/logrotate', '/usr/bin/logrotate']) if (existsSync(p)) return p;
  try { return execFileSync('sh', ['-c', 'command -v logrotate'], { encoding: 'utf8' }).trim(); } catch { throw new Error('logrotate is not installed (.ci/run installs the Debian package)'); }
}

/** Run the real logrotate once, forced, on `log` with the given directives (e.g. `copytruncate`). */
export function logrotate(dir: string, log: string, directives: string[]): void {
  const conf = join(dir, 'logrotate.conf');
  writeFileSync(conf, `${log} {\n  rotate 20\n  missingok\n  ${directives.join('\n  ')}\n}\n`, { mode: 0o644 });
  execFileSync(logrotateBinary(), ['-f', '-s', join(dir, 'logrotate.state'), conf], { stdio: 'pipe' });
}

/** Appends `line <n>` lines to a file through one open descriptor, like a logging application. */
export class NumberedWriter {
  next = 1;
  #fd: number;
  constructor(readonly path: string) { this.#fd = openSync(path, 'a'); }

  /** Append `count` lines; `partialLast` leaves the last one without its newline (its rest comes later). */
  write(count: number): void {
    let text = '';
    for (let i = 0; i < count; i++) text += `line ${this.next++}\n`;
    writeSync(this.#fd, text);
  }

  /** What an application does on SIGHUP after a rotation: close and open its log by name again. */
  reopen(): void { closeSync(this.#fd); this.#fd = openSync(this.path, 'a'); }

  raw(text: string): void { writeSync(this.#fd, text); }

  close(): void { closeSync(this.#fd); }
}

/** `sluice run` of one file input (options given as config text) printing `<message>|<path>` per event. */
export function runFileInput(inputOptions: string, extraArgs: string[] = [], codec = ''): ReturnType<typeof startCli> & { lines: () => string[] } {
  const config = `input { file { ${inputOptions} ${codec} } } output { stdout { codec => line { format => "%{message}|%{[log][file][path]}" } } }`;
  const cli = startCli(['run', ...extraArgs, '-e', config], { timeoutMs: 120_000 });
  return { ...cli, lines: () => cli.stdout().split('\n').filter((l) => l !== '') };
}

/** The numbers of `line <n>` messages, in order of arrival. */
export function numbersOf(lines: readonly string[]): number[] {
  return lines.map((l) => /^line (\d+)\|/.exec(l)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
}

/** Waits until every number 1..n has arrived (each at least once). */
export async function waitForNumbers(lines: () => readonly string[], n: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(() => new Set(numbersOf(lines())).size >= n, timeoutMs, `${n} distinct numbered lines (have ${new Set(numbersOf(lines())).size})`);
}

export function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

/** Sorted list of what is missing from 1..n, and the numbers seen more than once. */
export function missingAndDuplicated(numbers: readonly number[], n: number): { missing: number[]; duplicated: number[] } {
  const count = new Map<number, number>();
  for (const x of numbers) count.set(x, (count.get(x) ?? 0) + 1);
  const missing: number[] = [];
  for (let i = 1; i <= n; i++) if (!count.has(i)) missing.push(i);
  const duplicated = [...count].filter(([, c]) => c > 1).map(([x]) => x).sort((a, b) => a - b);
  return { missing, duplicated };
}
