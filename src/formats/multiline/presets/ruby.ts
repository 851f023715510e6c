/**
 * Ruby: uncaught exceptions and logged backtraces (Rails prints bare frames):
 *
 *     app.rb:3:in 'Integer#/': divided by 0 (ZeroDivisionError)
 *     \tfrom app.rb:3:in 'divide'
 *     \t ... 4 levels...
 *     app/models/user.rb:10:in `display_name'
 */
import type { Dialect } from './types.js';

const UNCAUGHT = /^\S+:\d+:in [`'].*\([A-Z][\w:]*\)\s*$/;
const FROM = /^\s+from \S+:\d+:in /;
const BARE_FRAME = /^\s*\S+?\.(?:rb|erb|rake|ru|haml|slim|jbuilder|builder):\d+:in [`']/;
const ANY_FRAME = /^\s*\S+:\d+:in [`']/;
const LEVELS = /^\s*\.\.\. \d+ levels\.\.\.\s*$/;
const DID_YOU_MEAN = /^Did you mean\?/;

export const ruby: Dialect = {
  name: 'ruby',
  doc: 'Ruby: `file:line:in ...: message (Class)`, `from` frames, bare Rails frames, `... N levels...`.',
  start(line) {
    if (UNCAUGHT.test(line)) return { kind: 'own', phase: 'trace' };
    if (FROM.test(line) || BARE_FRAME.test(line)) return { kind: 'frame', phase: 'trace' };
    return undefined;
  },
  next(line, st) {
    if (FROM.test(line) || ANY_FRAME.test(line) || LEVELS.test(line)) { st.phase = 'trace'; return 'append'; }
    if (DID_YOU_MEAN.test(line)) { st.phase = 'suggest'; return 'append'; }
    if (st.phase === 'suggest' && /^\s+\S/.test(line)) return 'append';
    return undefined;
  },
};
