/**
 * Python tracebacks, chained ones included:
 *
 *     Traceback (most recent call last):
 *       File "/app/x.py", line 10, in <module>
 *         main()
 *     ValueError: bad
 *
 *     During handling of the above exception, another exception occurred:
 *
 *     Traceback (most recent call last):
 *     …
 *
 * Phases: `frames` (indented lines until the exception line), `group` (an exception group: its box is
 * indented to the end, exception lines included), `after` (the exception line was seen: only a blank
 * line then a chaining sentence continues), `chain` (a chaining sentence was seen: blank lines, then
 * the next `Traceback`).
 */
import { BLANK, type Dialect } from './types.js';

const TRACEBACK = /^\s*(?:\+ )?(?:Exception Group )?Traceback \(most recent call last\):\s*$/;
/** `ValueError: bad`, `requests.exceptions.ConnectionError: …`, `KeyboardInterrupt`. */
const EXCEPTION_LINE = /^(?:[A-Za-z_][\w]*\.)*[A-Z_][\w]*(?::(?:\s.*)?)?\s*$/;
const CHAIN = /^(?:During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)\s*$/;

/** The phase a traceback header opens. */
const openedBy = (header: string): string => (header.includes('Exception Group') ? 'group' : 'frames');

export const python: Dialect = {
  name: 'python',
  doc: 'Python: `Traceback (most recent call last):`, indented frames, the exception line, chained exceptions.',
  start(line) {
    return TRACEBACK.test(line) ? { kind: 'header', phase: openedBy(line) } : undefined;
  },
  next(line, st) {
    switch (st.phase) {
      case 'frames':
        if (BLANK.test(line)) return undefined;
        if (/^\s/.test(line)) return 'append';
        if (EXCEPTION_LINE.test(line)) { st.phase = 'after'; return 'append'; }
        return undefined;
      case 'group':
        if (BLANK.test(line)) { st.phase = 'after'; return 'hold'; }
        return /^\s/.test(line) ? 'append' : undefined;
      case 'after':
        if (BLANK.test(line)) return 'hold';
        if (CHAIN.test(line)) { st.phase = 'chain'; return 'append'; }
        return undefined;
      case 'chain':
        if (BLANK.test(line)) return 'append';
        if (TRACEBACK.test(line)) { st.phase = openedBy(line); return 'append'; }
        return undefined;
      default:
        return undefined;
    }
  },
};
