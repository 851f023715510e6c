/**
 * Java (and JVM languages) as printed by Throwable.printStackTrace and the logging frameworks:
 *
 *     java.lang.IllegalStateException: boom
 *     \tat com.acme.Service.run(Service.java:42)
 *     \t... 5 more
 *     Caused by: java.io.IOException: disk full
 *     \tSuppressed: java.lang.RuntimeException: close failed
 *     \t\t... 3 common frames omitted
 */
import { AT_FRAME, type Dialect } from './types.js';

/** A qualified class name in a lowercase package, ending like a throwable, then `: message` or nothing. */
const HEADER = /^(?:[a-z_]\w*\.)+(?:[A-Za-z_]\w*\$)*[A-Z]\w*(?:Exception|Error|Throwable|Failure)(?::\s.*|:)?\s*$/;
const UNCAUGHT = /^Exception in thread "[^"]*" \S/;
/** A Java frame names a source file (or Native Method / Unknown Source) in its parentheses. */
const FRAME = /^\s+at [\w$.\/<>-]+\((?:[\w$.-]+\.(?:java|kt|kts|scala|groovy|clj|gradle)(?::\d+)?|Native Method|Unknown Source)\)/;
const CAUSED_BY = /^\s*Caused by: \S/;
const MORE = /^\s*\.\.\. \d+ (?:more|common frames omitted)\s*$/;
const SUPPRESSED = /^\s+Suppressed: \S/;
const WRAPPED_BY = /^\s*Wrapped by: \S/; // Reactor's checkpoint notes

export const java: Dialect = {
  name: 'java',
  doc: 'Java/JVM: exception line, `at` frames, `Caused by:`, `Suppressed:`, `... N more`.',
  start(line) {
    if (UNCAUGHT.test(line)) return { kind: 'own', phase: 'trace' };
    if (HEADER.test(line)) return { kind: 'header', phase: 'trace' };
    if (FRAME.test(line) || CAUSED_BY.test(line)) return { kind: 'frame', phase: 'trace' };
    return undefined;
  },
  next(line) {
    if (AT_FRAME.test(line) || MORE.test(line) || CAUSED_BY.test(line) || SUPPRESSED.test(line) || WRAPPED_BY.test(line)) {
      return 'append';
    }
    return undefined;
  },
};
