/**
 * A stack-trace dialect: how a language's exceptions and tracebacks look when printed as text.
 * Dialects are small state machines driven by the preset joiner (engine.ts), one line at a time.
 */

export type DialectName = 'java' | 'python' | 'go' | 'ruby' | 'nodejs' | 'dotnet';

/**
 * How a line can open a trace:
 * - `own`: it begins an event of its own (`panic: …`, `Traceback …` printed without a log line);
 * - `header`: it begins a trace, and joins the line before it when that line is a one-line log
 *   message that reads like an error report (`ERROR … failed` followed by `java.lang.X: …`);
 * - `frame`: it only makes sense after something (`\tat …`, `Caused by: …`): it joins whatever is
 *   pending, a log line or another trace.
 */
export type StartKind = 'own' | 'header' | 'frame';

/** The mutable state of the trace being joined (one per stream). */
export interface TraceState {
  /** Dialect-defined phase name. */
  phase: string;
  /** Dialect-defined counter (brace depth for Node.js, preamble lines…). */
  depth: number;
}

/**
 * - `append`: the line continues the trace (lines held before it are kept too);
 * - `hold`: a blank line that belongs to the trace only if a continuation follows it;
 * - `undefined`: the trace is over; the line is looked at afresh.
 */
export type Step = 'append' | 'hold' | undefined;

export interface Dialect {
  readonly name: DialectName;
  /** A one-line description for the docs. */
  readonly doc: string;
  start(line: string): { kind: StartKind; phase: string } | undefined;
  next(line: string, state: TraceState): Step;
}

export const BLANK = /^\s*$/;
/** A frame line as Java, .NET and Node.js print them: indented `at …`. */
export const AT_FRAME = /^\s+at \S/;
