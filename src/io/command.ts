/**
 * Child processes started from a command line the way Logstash's Ruby plugins start them (`Open3.popen2`,
 * `IO.popen` with a string): Ruby's Process.spawn runs a command line through `/bin/sh -c` only when it
 * needs a shell (a metacharacter, an environment assignment in front, a shell reserved word or special
 * builtin as first word); otherwise it splits the line on spaces and tabs and executes the program itself.
 * The difference shows: a program that does not exist is a spawn error (no process, no output) rather
 * than a shell that prints "not found" and exits 127. An array is an argv, never given to a shell.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

// Ruby's process.c: the characters that make a command line go through the shell.
const SHELL_META = /[*?{}[\]<>()~&|\\$;'`"\n#]/;
const SH_WORDS = new Set([
  '!', '.', ':', 'break', 'case', 'continue', 'do', 'done', 'elif', 'else', 'esac', 'eval', 'exec', 'exit',
  'export', 'fi', 'for', 'if', 'in', 'readonly', 'return', 'set', 'shift', 'then', 'times', 'trap', 'unset',
  'until', 'while',
]);

/** The argv a command line runs as: `['/bin/sh', '-c', line]` when it needs a shell, else its words. */
export function commandArgv(command: string | readonly string[]): string[] {
  if (typeof command !== 'string') return [...command];
  const words = command.split(/[ \t]+/).filter((w) => w !== '');
  const first = words[0] ?? '';
  const needsShell = SHELL_META.test(command) || first.includes('=') || SH_WORDS.has(first) || words.length === 0;
  return needsShell ? ['/bin/sh', '-c', command] : words;
}

/**
 * Start a command. Spawn failures (ENOENT, EACCES) arrive as the child's `error` event, as with
 * child_process.spawn; `started` resolves once the process runs or rejects with that error.
 * With `group`, the process leads a process group of its own, so `killGroup` ends what it started too
 * (the `sleep` behind `sh -c 'tail -f x | grep y'`), which would otherwise hold its pipes open.
 */
export function startCommand(command: string | readonly string[], stdio: StdioOptions, opts: { group?: boolean } = {}): { child: ChildProcess; started: Promise<void> } {
  const [file, ...args] = commandArgv(command);
  const child = spawn(file!, args, { stdio, windowsHide: true, detached: opts.group === true });
  const started = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
  started.catch(() => undefined);
  return { child, started };
}

/** Resolves with the exit code (null when a signal ended the process) once the process has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(child.exitCode));
  });
}

/** Signal a process started with `group` and everything in its process group. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try { process.kill(-child.pid, signal); } catch { child.kill(signal); }
}
