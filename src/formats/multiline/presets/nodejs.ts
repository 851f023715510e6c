/**
 * Node.js: error stacks, their `{ code: … }` properties and `[cause]`, and the crash report of an
 * uncaught exception:
 *
 *     /app/src/server.js:30            ← phase `preamble`: the source line, then a caret line
 *         throw new Error('boom');
 *         ^
 *                                      ← phase `preamble2`: a blank line, then the error line
 *     Error: boom                      ← phase `frames`
 *         at Object.<anonymous> (/app/src/server.js:30:11) {
 *       code: 'E_BOOM'                 ← inside braces (depth > 0)
 *     }
 *
 *     Node.js v20.11.0
 */
import { AT_FRAME, BLANK, type Dialect } from './types.js';

const CRASH_LOCATION = /^(?:\/|file:\/\/|[A-Za-z]:\\|node:)\S*:\d+\s*$/;
const CARET = /^\s*\^+\s*$/;
const HEADER = /^(?:Uncaught )?(?:[A-Z][\w$]*)?Error(?: \[[\w.-]+\])?: \S/;
/** A frame ends with its location: `(file:1:2)`, `file:1:2`, `(native)`, `(index 0)`; only the tail is searched. */
const FRAME_START = /^\s+at \S/;
const FRAME_END = /(?:\((?:[^()\s]+:\d+:\d+|native|index \d+)\)|\s[^()\s]+:\d+:\d+)\s*(?:\{\s*)?$/;
const isFrame = (line: string): boolean => FRAME_START.test(line) && FRAME_END.test(line.length > 400 ? line.slice(-400) : line);
const CAUSE_ELIDED = /^\s+\.\.\. \d+ lines? matching cause stack trace \.\.\.\s*$/;
const VERSION = /^Node\.js v\d+\.\d+\.\d+\s*$/;

/** `{` minus `}` outside single-quoted strings (how util.inspect prints error properties). */
function braceDelta(line: string): number {
  const bare = line.replace(/'(?:[^'\\]|\\.)*'/g, '');
  let d = 0;
  for (const c of bare) {
    if (c === '{') d++;
    else if (c === '}') d--;
  }
  return d;
}

export const nodejs: Dialect = {
  name: 'nodejs',
  doc: 'Node.js: `Error: …` with `at` frames, `{ code: … }` properties, `[cause]`, and uncaught-exception crash reports.',
  start(line) {
    if (CRASH_LOCATION.test(line)) return { kind: 'own', phase: 'preamble' };
    if (HEADER.test(line)) return { kind: 'header', phase: 'frames' };
    if (isFrame(line)) return { kind: 'frame', phase: 'frames' };
    return undefined;
  },
  next(line, st) {
    switch (st.phase) {
      case 'preamble':
        if (CARET.test(line)) { st.phase = 'preamble2'; st.depth = 0; return 'append'; }
        // The source line (sometimes two); more means this was not a crash report.
        if (st.depth < 2) { st.depth++; return 'append'; }
        return undefined;
      case 'preamble2':
        if (BLANK.test(line)) return 'append';
        st.phase = 'frames';
        st.depth = Math.max(0, braceDelta(line));
        return 'append';
      case 'frames':
        if (st.depth > 0) { st.depth = Math.max(0, st.depth + braceDelta(line)); return 'append'; }
        if (AT_FRAME.test(line)) { st.depth = Math.max(0, braceDelta(line)); return 'append'; }
        if (CAUSE_ELIDED.test(line) || VERSION.test(line)) return 'append';
        if (BLANK.test(line)) return 'hold';
        return undefined;
      default:
        return undefined;
    }
  },
};
