/**
 * Go panics, fatal errors and goroutine dumps (SIGQUIT):
 *
 *     panic: runtime error: invalid memory address or nil pointer dereference
 *     [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a0f2b]
 *
 *     goroutine 1 [running]:
 *     main.(*Server).handle(0x0, 0xc000010000)
 *     \t/app/server.go:42 +0x2b
 *     created by main.main in goroutine 1
 *     exit status 2
 *
 * Blank lines separate goroutines: they are held and kept only when the dump goes on after them.
 */
import { BLANK, type Dialect } from './types.js';

const OPENERS = /^(?:panic: |fatal error: |SIG[A-Z]+: \S|goroutine \d+ \[[^\]]*\]:\s*$)/;
const GOROUTINE = /^goroutine \d+ \[[^\]]*\]:\s*$/;
/**
 * `pkg.Func(args)`, `main.(*T).M(…)`, `panic({…})`: no blank before the first parenthesis, a closing
 * one at the end. Checked without a regex: the obvious one backtracks quadratically on long lines.
 */
function isCall(line: string): boolean {
  const open = line.indexOf('(');
  if (open <= 0) return false;
  for (let i = 0; i < open; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) return false;
  }
  return line.trimEnd().endsWith(')');
}
const CONTINUATIONS = [
  /^\t\S/, // file:line +0x… and nested "\tpanic: …"
  /^\s+panic: /,
  /^panic: /, // a re-panic: "panic: a [recovered]"
  /^\[signal /,
  /^created by \S/,
  /^\.\.\.additional frames elided\.\.\.\s*$/,
  /^exit status \d+\s*$/,
  /^PC=0x[0-9a-f]+ /,
  /^[a-z][a-z0-9]{1,5}\s+0x[0-9a-f]+\s*$/, // register dump after SIGQUIT
  /^runtime: /,
];

export const go: Dialect = {
  name: 'go',
  doc: 'Go: `panic:`, `fatal error:`, `SIGQUIT:` and goroutine dumps, blank lines between goroutines included.',
  start(line) {
    return OPENERS.test(line) ? { kind: 'own', phase: 'trace' } : undefined;
  },
  next(line) {
    if (BLANK.test(line)) return 'hold';
    if (GOROUTINE.test(line) || isCall(line)) return 'append';
    for (const re of CONTINUATIONS) if (re.test(line)) return 'append';
    return undefined;
  },
};
