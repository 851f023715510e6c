/**
 * Config literals to values, as Logstash reads them: quotes stripped, escapes processed only with
 * `config.support_escapes`, integers vs floats by the presence of a dot, `${VAR}` substitution.
 */
import { LsFloat } from '../event/values.js';

/**
 * Logstash's escape processing (LogStash::Config::StringEscape, used when `config.support_escapes` is on):
 * `\"` `\'` `\\` become the character, `\n` `\r` `\t` the control character; any other backslash pair is
 * kept as written (so `\d` in a regex survives).
 */
export function processEscapes(raw: string): string {
  return raw.replace(/\\([\s\S])/g, (whole, c: string) => {
    switch (c) {
      case '"': case "'": case '\\': return c;
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      default: return whole;
    }
  });
}

/** A quoted string's value: raw text between the quotes, with escapes processed when enabled. */
export function stringValue(raw: string, supportEscapes: boolean): string {
  return supportEscapes ? processEscapes(raw) : raw;
}

export class NumberLiteralError extends Error {
  constructor(readonly text: string) {
    super(`invalid number \`${text}\``);
  }
}

/**
 * A number literal as Logstash reads it: `Float(text)` when it has a dot, else Ruby's `Integer(text)`, for
 * which a leading zero means octal (`file_mode => 0640` is 416) and `08` is an error, as is `4.`.
 * Integers beyond 2^53 become bigints.
 */
export function numberValue(text: string): number | bigint | LsFloat {
  if (text.includes('.')) {
    if (text.endsWith('.')) throw new NumberLiteralError(text);
    return new LsFloat(Number(text));
  }
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  if (digits.length > 1 && digits.startsWith('0')) {
    if (/[89]/.test(digits)) throw new NumberLiteralError(text);
    const big = BigInt(`0o${digits.slice(1)}`) * (negative ? -1n : 1n);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** Logstash's substitution placeholder: `${NAME}` or `${NAME:default}`. */
const PLACEHOLDER = /\$\{([a-zA-Z_.][a-zA-Z0-9_.]*)(?::([^}]*))?\}/g;
const WHOLE_PLACEHOLDER = /^\$\{([a-zA-Z_.][a-zA-Z0-9_.]*)(?::([^}]*))?\}$/;

export type Env = Readonly<Record<string, string | undefined>>;

export class UndefinedVariableError extends Error {
  constructor(readonly placeholder: string, readonly variable: string) {
    super(`Cannot evaluate \`${placeholder}\`: environment variable \`${variable}\` is not set and there is no default value given`);
  }
}

/**
 * Replace every `${VAR}` / `${VAR:default}` in a plugin option's string (Logstash's `deep_replace`):
 * the environment's value, else the default, else an error.
 */
export function substituteEnv(s: string, env: Env): string {
  if (!s.includes('${')) return s;
  return s.replace(PLACEHOLDER, (whole, name: string, dflt: string | undefined) => {
    const v = env[name] ?? dflt;
    if (v === undefined) throw new UndefinedVariableError(whole, name);
    return v;
  });
}

/**
 * In conditionals Logstash substitutes only a string that is exactly one placeholder
 * (ConfigVariableExpander matches the whole value); anything else is left as written.
 */
export function substituteWholeEnv(s: string, env: Env): string {
  const m = WHOLE_PLACEHOLDER.exec(s);
  if (!m) return s;
  const v = env[m[1]!] ?? m[2];
  if (v === undefined) throw new UndefinedVariableError(s, m[1]!);
  return v;
}
