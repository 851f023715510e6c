/**
 * Parsing one config text with the generated Peggy parser, turning Peggy's expected/found into a readable
 * syntax error with its location.
 */
import type { ConfigAst } from './ast.js';
import { CODES } from './codes.js';
import type { DiagnosticSink } from './diagnostics.js';
import { parse, SyntaxError as PeggySyntaxError } from './generated/logstash.js';

interface Expectation {
  type: 'literal' | 'class' | 'any' | 'end' | 'other';
  text?: string;
  parts?: (string | [string, string])[];
  inverted?: boolean;
  description?: string;
}

/** Character classes of the grammar, by what a reader would call them. */
const CLASS_NAMES: Record<string, string> = {
  'A-Za-z0-9_-': 'a name',
  'A-Za-z_': 'a name',
  'A-Za-z0-9_': 'a letter, digit or `_` (barewords have at least two characters)',
  '0-9': 'a digit',
  '^\\][,': 'a field name',
};

function classKey(e: Expectation): string {
  const parts = (e.parts ?? []).map((p) => (Array.isArray(p) ? `${p[0]}-${p[1]}` : p === ']' || p === '[' ? `\\${p}` : p)).join('');
  return `${e.inverted ? '^' : ''}${parts}`;
}

/** Whitespace and comments may go almost anywhere; listing them in every message only adds noise. */
function isNoise(e: Expectation): boolean {
  if (e.type === 'literal') return e.text === '#' || e.text === '\n' || e.text === '\r';
  if (e.type === 'class') return classKey(e) === ' \t\r\n';
  return false;
}

function describe(e: Expectation): string[] {
  switch (e.type) {
    case 'literal': return [e.text === '"' || e.text === "'" ? 'a string' : `\`${e.text}\``];
    case 'class': {
      const named = CLASS_NAMES[classKey(e)];
      if (named) return [named];
      // A class of single characters (Peggy merges "<" / ">" into one) reads better as those characters.
      if (!e.inverted && (e.parts ?? []).every((p) => typeof p === 'string')) return (e.parts as string[]).map((c) => `\`${c}\``);
      return [`[${classKey(e)}]`];
    }
    case 'any': return ['any character'];
    case 'end': return ['end of input'];
    default: return [e.description ?? 'something else'];
  }
}

function describeFound(found: string | null): string {
  if (found === null) return 'end of input';
  if (found === '\n' || found === '\r') return 'end of line';
  if (found === ' ' || found === '\t') return 'whitespace';
  return `\`${found}\``;
}

/**
 * Where the string or regex left open at the end of the text starts, scanning as the grammar reads:
 * `#` starts a comment outside strings, and a backslash escapes only the closing delimiter.
 */
function unclosedStart(text: string): { line: number; column: number } | undefined {
  let open = -1;
  let delim = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (open >= 0) {
      if (c === '\\' && text[i + 1] === delim) i++;
      else if (c === delim) open = -1;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"' || c === "'" || c === '/') {
      open = i;
      delim = c;
    }
  }
  if (open < 0) return undefined;
  const before = text.slice(0, open);
  const line = before.split('\n').length;
  return { line, column: open - before.lastIndexOf('\n') };
}

/** Parse a config; on a syntax error, report it to the sink and return undefined. */
export function parseConfig(text: string, sink: DiagnosticSink): ConfigAst | undefined {
  try {
    return parse(text) as ConfigAst;
  } catch (err) {
    if (!(err instanceof PeggySyntaxError)) throw err;
    const expected = ((err.expected ?? []) as Expectation[]).filter((e) => !isNoise(e));
    const found = err.found;
    if (found === null && expected.some((e) => e.type === 'any')) {
      // Only the inside of a string or regex accepts any character: one was left open.
      const start = unclosedStart(text);
      sink.error(CODES.SYNTAX, start ?? err.location.start, 'syntax error: this quoted string or regex is never closed', 'a closing `"`, `\'` or `/` is missing');
      return undefined;
    }
    const names = [...new Set(expected.flatMap(describe))].sort();
    const wanted = names.length === 0 ? 'something else'
      : names.length === 1 ? names[0]!
        : `one of ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
    let hint: string | undefined;
    if (found === ',' && !names.includes('`,`')) hint = 'plugin options and hash entries are separated by whitespace, not commas';
    else if (found === null) hint = 'a closing `}` may be missing';
    else if (names.includes('`=>`') && (found === ':' || found === '=')) hint = 'options are set with `=>`';
    else if (names.includes('`==`') && found === '=') hint = 'compare with `==`';
    sink.error(CODES.SYNTAX, err.location.start, `syntax error: expected ${wanted}, found ${describeFound(found)}`, hint);
    return undefined;
  }
}
