/**
 * The one place that talks to vscode-oniguruma (Oniguruma compiled to WASM): loading its WASM from
 * node_modules (never from the network), creating a scanner with the options Logstash compiles grok
 * with (Ruby syntax, Regexp::MULTILINE, ASCII `\b`), and reading a match's group offsets. The
 * Oniguruma engine (engine.ts) uses it on the main thread and on the guard worker alike.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import onigModule from 'vscode-oniguruma';
import type * as onig from 'vscode-oniguruma';

export type OnigScanner = onig.OnigScanner;

let ready = false;
let loading: Promise<void> | undefined;

/** Load the WASM build of Oniguruma (once per thread). */
export function loadOniguruma(): Promise<void> {
  if (ready) return Promise.resolve();
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const bytes = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await onigModule.loadWASM(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    ready = true;
  })();
  return loading;
}

export function onigurumaLoaded(): boolean { return ready; }

// vscode-oniguruma's FindOption / Syntax enums are `const enum`s; their values are fixed.
const OPT_MULTILINE = 4;
const OPT_WORD_IS_ASCII = 15;
const SYNTAX_RUBY = 10;
// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** A scanner for one Oniguruma source, as Logstash's grok compiles it. Throws when Oniguruma rejects it. */
export function onigScanner(source: string): OnigScanner {
  if (!ready) throw new Error('Oniguruma is not loaded: await loadOniguruma() first');
  return new onigModule.OnigScanner([source], {
    options: [OPT_MULTILINE, OPT_WORD_IS_ASCII] as unknown as onig.FindOption[],
    syntax: SYNTAX_RUBY as unknown as onig.Syntax,
  });
}

/** Where a search writes a match: whole-match offsets, and per group -1 when it did not take part. */
export interface OnigOffsets {
  start: number;
  end: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/**
 * Search `subject` from its start; on a match write its offsets (UTF-16) into `out` and return true.
 * With Ruby syntax and named groups present, plain groups do not capture, so grok group g{i} is
 * Oniguruma's group i + 1.
 */
export function onigSearch(scanner: OnigScanner, subject: string, out: OnigOffsets): boolean {
  const m = scanner.findNextMatchSync(subject, 0);
  if (m === null) return false;
  const caps = m.captureIndices;
  const whole = caps[0] as onig.IOnigCaptureIndex;
  const len = subject.length;
  const nonAscii = !ASCII_ONLY.test(subject);
  out.start = whole.start;
  out.end = whole.end;
  const { starts, ends } = out;
  for (let g = 0; g < starts.length; g++) {
    const c = caps[g + 1];
    // A group that did not participate comes back as offset 2^32-1, except when the subject has
    // non-ASCII characters: then the offset goes through the UTF-8→UTF-16 table and comes out as an
    // empty match at the end. Both are read as "no match" (an empty capture at the very end of a
    // non-ASCII subject is indistinguishable and treated the same way).
    if (c === undefined || c.start > len || (c.start === len && c.end === len && nonAscii)) {
      starts[g] = -1; ends[g] = -1; continue;
    }
    starts[g] = c.start;
    ends[g] = c.end;
  }
  return true;
}
