/**
 * .NET exceptions (Exception.ToString, the runtime's `Unhandled exception.`) and the multi-line
 * entries of Microsoft.Extensions.Logging's console logger (`fail: Category[id]` + lines indented by six):
 *
 *     System.InvalidOperationException: Operation is not valid.
 *      ---> System.IO.IOException: disk full
 *        at Acme.Store.Save() in /src/Store.cs:line 42
 *        --- End of inner exception stack trace ---
 *     --- End of stack trace from previous location ---
 */
import { AT_FRAME, type Dialect } from './types.js';

const UNHANDLED = /^Unhandled [eE]xception\. \S/;
const CONSOLE_ENTRY = /^(?:trce|dbug|info|warn|fail|crit): \S/;
/** PascalCase namespaces, a name ending in Exception (generic arity allowed). */
const HEADER = /^(?:[A-Z]\w*\.)+[A-Z]\w*Exception(?:`\d+)?(?::\s.*|:)?\s*$/;
/** `at Ns.Type.Method(args)` optionally followed by ` in file:line N`. */
const FRAME = /^\s+at [\w.`<>\[\],|+]+\([^()]*\)(?: in [^\n]*?:line \d+)?\s*$/;
const INNER = /^\s*---> \S/;
const END_OF = /^\s*--- End of /;
const CLOSE_INNER = /^\s*<---\s*$/;
const CONSOLE_BODY = /^ {6}/;

export const dotnet: Dialect = {
  name: 'dotnet',
  doc: '.NET: `Namespace.XException: …`, `at … in file:line N`, inner exceptions (`--->`), console-logger entries.',
  start(line) {
    if (UNHANDLED.test(line)) return { kind: 'own', phase: 'trace' };
    if (CONSOLE_ENTRY.test(line)) return { kind: 'own', phase: 'console' };
    if (HEADER.test(line)) return { kind: 'header', phase: 'trace' };
    if (FRAME.test(line) || INNER.test(line) || END_OF.test(line)) return { kind: 'frame', phase: 'trace' };
    return undefined;
  },
  next(line, st) {
    if (st.phase === 'console') return CONSOLE_BODY.test(line) && line.trim() !== '' ? 'append' : undefined;
    if (AT_FRAME.test(line) || INNER.test(line) || END_OF.test(line) || CLOSE_INNER.test(line)) return 'append';
    return undefined;
  },
};
