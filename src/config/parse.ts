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

function describe(e: Expectation): string {
  switch (e.type) {
    case 'literal': return e.text === '"' || e.text === "'" ? 'a string' : `\`${e.text}\``;
    case 'class': return CLASS_NAMES[classKey(e)] ?? `[${classKey(e)}]`;
    case 'any': return 'any character';
    case 'end': return 'end of input';
    default: return e.description ?? 'something else';
  }
}

function describeFound(found: string | null): string {
  if (found === null) return 'end of input';
  if (found === '\n' || found === '\r') return 'end of line';
  if (found === ' ' || found === '\t') return 'whitespace';
  return `\`${found}\``;
}

/** Parse a config; on a syntax error, report it to the sink and return undefined. */
export function parseConfig(text: string, sink: DiagnosticSink): ConfigAst | undefined {
  try {
    return parse(text) as ConfigAst;
  } catch (err) {
    if (!(err instanceof PeggySyntaxError)) throw err;
    const expected = ((err.expected ?? []) as Expectation[]).filter((e) => !isNoise(e));
    const names = [...new Set(expected.map(describe))].sort();
    const wanted = names.length === 0 ? 'something else'
      : names.length === 1 ? names[0]!
        : `one of ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
    const found = err.found;
    let hint: string | undefined;
    if (found === ',' && !names.includes('`,`')) hint = 'plugin options and hash entries are separated by whitespace, not commas';
    else if (found === null) hint = 'a `}` or a closing quote may be missing';
    else if (names.includes('`=>`') && (found === ':' || found === '=')) hint = 'options are set with `=>`';
    sink.error(CODES.SYNTAX, err.location.start, `syntax error: expected ${wanted}, found ${describeFound(found)}`, hint);
    return undefined;
  }
}
