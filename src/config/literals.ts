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

/** A number literal: `Integer(text)` (bigint beyond 2^53) or `Float(text)` when it has a dot. */
export function numberValue(text: string): number | bigint | LsFloat {
  if (text.includes('.')) return new LsFloat(Number(text.endsWith('.') ? `${text}0` : text));
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
