/**
 * Date patterns as Logstash prints them: Joda-Time patterns (`%{+yyyy.MM.dd}` in sprintf, the date
 * filter's formats) and java.time patterns (`%{{yyyy-MM-dd}}`), always in UTC as Logstash's sprintf does.
 *
 * A pattern is tokenized once (the tokenizer mirrors Joda's `DateTimeFormat.parseToken`, so the date
 * filter can reuse it for parsing) and compiled into a list of small printers.
 */

export class DatePatternError extends Error {}

/** One piece of a Joda pattern: a run of one letter (`yyyy`) or literal text (quotes already removed). */
export type JodaToken =
  | { kind: 'field'; letter: string; count: number }
  | { kind: 'literal'; text: string };

const isLetter = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');

/**
 * Split a Joda pattern into tokens, exactly as Joda does: a run of the same ASCII letter is a field;
 * anything else is literal text, where `'…'` quotes letters and `''` is a single quote.
 */
export function tokenizeJoda(pattern: string): JodaToken[] {
  const out: JodaToken[] = [];
  let i = 0;
  const n = pattern.length;
  while (i < n) {
    const c = pattern[i]!;
    if (isLetter(c)) {
      let j = i + 1;
      while (j < n && pattern[j] === c) j++;
      out.push({ kind: 'field', letter: c, count: j - i });
      i = j;
      continue;
    }
    let text = '';
    let inLiteral = false;
    for (; i < n; i++) {
      const ch = pattern[i]!;
      if (ch === "'") {
        if (i + 1 < n && pattern[i + 1] === "'") { text += "'"; i++; }
        else inLiteral = !inLiteral;
      } else if (!inLiteral && isLetter(ch)) {
        break;
      } else text += ch;
    }
    // Joda drops empty literal tokens (a lone `''` pair still yields one quote above).
    if (text !== '') {
      const last = out[out.length - 1];
      if (last?.kind === 'literal') last.text += text;
      else out.push({ kind: 'literal', text });
    }
  }
  return out;
}

// ---- calendar helpers (UTC) ------------------------------------------------------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** The broken-down UTC fields of an instant; computed once per formatting call. */
export interface DateFields {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  milli: number;
  /** nanoseconds within the second */
  nano: number;
  /** ISO day of week, 1 = Monday … 7 = Sunday */
  dow: number;
  dayOfYear: number;
  weekyear: number;
  week: number;
}

const DAY_MS = 86_400_000;

export function dateFields(epochMs: number, nanoOfMilli = 0): DateFields {
  const d = new Date(epochMs);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  const dow = ((d.getUTCDay() + 6) % 7) + 1;
  const startOfYear = Date.UTC(year, 0, 1);
  const midnight = Date.UTC(year, month - 1, day);
  const dayOfYear = Math.round((midnight - startOfYear) / DAY_MS) + 1;
  // ISO week: the week with the year's first Thursday is week 1.
  const thursday = midnight + (4 - dow) * DAY_MS;
  const weekyear = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(weekyear, 0, 1)) / DAY_MS / 7) + 1;
  const milli = d.getUTCMilliseconds();
  return {
    year, month, day, dow, dayOfYear, weekyear, week,
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(),
    milli, nano: milli * 1_000_000 + nanoOfMilli,
  };
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n));
  const p = s.length >= width ? s : '0'.repeat(width - s.length) + s;
  return n < 0 ? '-' + p : p;
}

type Printer = (f: DateFields) => string;

// ---- Joda ------------------------------------------------------------------------------------------

function jodaPrinter(letter: string, count: number): Printer {
  switch (letter) {
    case 'G': return (f) => (f.year > 0 ? 'AD' : 'BC');
    case 'C': return (f) => pad(Math.floor(yearOfEra(f.year) / 100), count);
    case 'Y': return count === 2 ? (f) => pad(((f.year % 100) + 100) % 100, 2) : (f) => pad(yearOfEra(f.year), count);
    case 'y': return count === 2 ? (f) => pad(((f.year % 100) + 100) % 100, 2) : (f) => pad(f.year, count);
    case 'x': return count === 2 ? (f) => pad(((f.weekyear % 100) + 100) % 100, 2) : (f) => pad(f.weekyear, count);
    case 'M':
      if (count >= 4) return (f) => MONTHS[f.month - 1]!;
      if (count === 3) return (f) => MONTHS[f.month - 1]!.slice(0, 3);
      return (f) => pad(f.month, count);
    case 'd': return (f) => pad(f.day, count);
    case 'a': return (f) => (f.hour < 12 ? 'AM' : 'PM');
    case 'h': return (f) => pad(f.hour % 12 === 0 ? 12 : f.hour % 12, count);
    case 'H': return (f) => pad(f.hour, count);
    case 'k': return (f) => pad(f.hour === 0 ? 24 : f.hour, count);
    case 'K': return (f) => pad(f.hour % 12, count);
    case 'm': return (f) => pad(f.minute, count);
    case 's': return (f) => pad(f.second, count);
    // Joda keeps milliseconds only: digits past the third are zeros.
    case 'S': return (f) => fraction(f.milli * 1_000_000, count);
    case 'e': return (f) => pad(f.dow, count);
    case 'E': return count >= 4 ? (f) => DAYS[f.dow - 1]! : (f) => DAYS[f.dow - 1]!.slice(0, 3);
    case 'D': return (f) => pad(f.dayOfYear, count);
    case 'w': return (f) => pad(f.week, count);
    case 'z': return count >= 4 ? () => 'Coordinated Universal Time' : () => 'UTC';
    case 'Z': return count === 1 ? () => '+0000' : count === 2 ? () => '+00:00' : () => 'UTC';
    default: throw new DatePatternError(`Illegal pattern component: ${letter.repeat(count)}`);
  }
}

function yearOfEra(year: number): number { return year > 0 ? year : 1 - year; }

/** The first `digits` digits of a nanosecond fraction, truncated, zero-padded on the right. */
function fraction(nanos: number, digits: number): string {
  const s = pad(nanos, 9);
  return digits <= 9 ? s.slice(0, digits) : s + '0'.repeat(digits - 9);
}

export type DateFormatter = (epochMs: number, nanoOfMilli?: number) => string;

/**
 * Join printers into a formatter. `unitMs` is the finest unit the pattern prints (a day for
 * `yyyy.MM.dd`): instants within the same unit print the same text, so the last result is reused,
 * which makes per-event index names (`logs-%{+yyyy.MM.dd}`) cheap.
 */
function assemble(printers: (Printer | string)[], unitMs: number): DateFormatter {
  if (printers.every((p) => typeof p === 'string')) {
    const text = printers.join('');
    return () => text;
  }
  let lastUnit = Number.NaN;
  let lastText = '';
  return (epochMs, nanoOfMilli = 0) => {
    const unit = unitMs > 1 ? Math.floor(epochMs / unitMs) : Number.NaN;
    if (unit === lastUnit) return lastText;
    const f = dateFields(epochMs, nanoOfMilli);
    let s = '';
    for (const p of printers) s += typeof p === 'string' ? p : p(f);
    lastUnit = unit;
    lastText = s;
    return s;
  };
}

const HOUR_LETTERS = 'aHhKk';

/** The finest unit, in milliseconds, printed by these fields (1 when sub-second or unknown). */
function unitOf(tokens: readonly { letter: string }[]): number {
  let unit = 86_400_000;
  for (const { letter } of tokens) {
    if (HOUR_LETTERS.includes(letter)) unit = Math.min(unit, 3_600_000);
    else if (letter === 'm') unit = Math.min(unit, 60_000);
    else if (letter === 's') unit = Math.min(unit, 1000);
    else if ('SnNA'.includes(letter)) unit = 1;
  }
  return unit;
}

/** Compile a Joda-Time pattern into a UTC formatter. Throws DatePatternError like Joda's forPattern. */
export function compileJoda(pattern: string): DateFormatter {
  if (pattern === '') throw new DatePatternError('Invalid pattern specification');
  const tokens = tokenizeJoda(pattern);
  const fields = tokens.filter((t): t is Extract<JodaToken, { kind: 'field' }> => t.kind === 'field');
  return assemble(tokens.map((t) => (t.kind === 'literal' ? t.text : jodaPrinter(t.letter, t.count))), unitOf(fields));
}

// ---- java.time -------------------------------------------------------------------------------------

function tooMany(letter: string, count: number): never {
  throw new DatePatternError(`Too many pattern letters: ${letter.repeat(count)}`);
}

function javaText(full: string, count: number, narrow = full[0]!): string {
  return count <= 3 ? full.slice(0, 3) : count === 4 ? full : narrow;
}

/** A number with java.time's width rules: 1 letter = as is, 2 = two digits, more = padded to the count. */
function javaNumber(get: (f: DateFields) => number, letter: string, count: number, max = 2): Printer {
  if (count > max) tooMany(letter, count);
  return count === 1 ? (f) => String(get(f)) : (f) => pad(get(f), count);
}

function javaYear(get: (f: DateFields) => number, count: number): Printer {
  // `yy` prints the last two digits; otherwise at least `count` digits.
  if (count === 2) return (f) => pad(((get(f) % 100) + 100) % 100, 2);
  return (f) => pad(get(f), count);
}

function javaPrinter(letter: string, count: number): Printer {
  switch (letter) {
    case 'G': return (f) => (f.year > 0 ? (count === 4 ? 'Anno Domini' : count === 5 ? 'A' : 'AD') : (count === 4 ? 'Before Christ' : count === 5 ? 'B' : 'BC'));
    case 'u': return javaYear((f) => f.year, count);
    case 'y': return javaYear((f) => yearOfEra(f.year), count);
    // Week-based fields use ISO weeks (Monday first, 4-day minimum), as Logstash's own example shows.
    case 'Y': return javaYear((f) => f.weekyear, count);
    case 'w': return javaNumber((f) => f.week, letter, count);
    case 'Q': case 'q':
      if (count >= 6) tooMany(letter, count);
      if (count === 3) return (f) => `Q${Math.ceil(f.month / 3)}`;
      if (count === 4) return (f) => ['1st', '2nd', '3rd', '4th'][Math.ceil(f.month / 3) - 1]! + ' quarter';
      return count === 2 ? (f) => pad(Math.ceil(f.month / 3), 2) : (f) => String(Math.ceil(f.month / 3));
    case 'M': case 'L':
      if (count >= 6) tooMany(letter, count);
      if (count >= 3) return (f) => javaText(MONTHS[f.month - 1]!, count);
      return javaNumber((f) => f.month, letter, count);
    case 'd': return javaNumber((f) => f.day, letter, count);
    case 'D': return javaNumber((f) => f.dayOfYear, letter, count, 3);
    // Locale-dependent week-of-month fields are not supported rather than printed wrong.
    case 'W': case 'F': throw new DatePatternError(`Unsupported pattern letter: ${letter}`);
    case 'E':
      if (count >= 6) tooMany(letter, count);
      return (f) => javaText(DAYS[f.dow - 1]!, count);
    case 'e': case 'c':
      if (count >= 3) return (f) => javaText(DAYS[f.dow - 1]!, count);
      return javaNumber((f) => f.dow, letter, count);
    case 'a': if (count > 1) tooMany(letter, count); return (f) => (f.hour < 12 ? 'AM' : 'PM');
    case 'h': return javaNumber((f) => (f.hour % 12 === 0 ? 12 : f.hour % 12), letter, count);
    case 'K': return javaNumber((f) => f.hour % 12, letter, count);
    case 'k': return javaNumber((f) => (f.hour === 0 ? 24 : f.hour), letter, count);
    case 'H': return javaNumber((f) => f.hour, letter, count);
    case 'm': return javaNumber((f) => f.minute, letter, count);
    case 's': return javaNumber((f) => f.second, letter, count);
    case 'S': if (count > 9) tooMany(letter, count); return (f) => fraction(f.nano, count);
    case 'A': return (f) => pad(((f.hour * 60 + f.minute) * 60 + f.second) * 1000 + f.milli, count);
    case 'n': return (f) => pad(f.nano, count);
    case 'N': return (f) => pad(((f.hour * 60 + f.minute) * 60 + f.second) * 1e9 + f.nano, count);
    // The zone is ZoneOffset.UTC, whose id and zone text are "Z".
    case 'V': if (count !== 2) throw new DatePatternError('Pattern letter count must be 2: V'); return () => 'Z';
    case 'z': if (count > 4) tooMany(letter, count); return () => 'Z';
    case 'O': if (count !== 1 && count !== 4) throw new DatePatternError('Pattern letter count must be 1 or 4: O'); return () => 'GMT';
    case 'X': if (count > 5) tooMany(letter, count); return () => 'Z';
    case 'x':
      if (count > 5) tooMany(letter, count);
      return () => (count === 1 ? '+00' : count === 2 || count === 4 ? '+0000' : '+00:00');
    case 'Z':
      if (count > 5) tooMany(letter, count);
      return () => (count <= 3 ? '+0000' : count === 4 ? 'GMT' : 'Z');
    default: throw new DatePatternError(`Unknown pattern letter: ${letter}`);
  }
}

/**
 * Compile a java.time `DateTimeFormatter.ofPattern` pattern into a UTC formatter (nanosecond aware).
 * Optional sections `[...]` always print: every field is available on an instant in UTC.
 */
export function compileJavaTime(pattern: string): DateFormatter {
  const parts: (Printer | string)[] = [];
  const letters: { letter: string }[] = [];
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern[i]!;
    if (isLetter(c)) {
      let j = i + 1;
      while (j < n && pattern[j] === c) j++;
      parts.push(javaPrinter(c, j - i));
      letters.push({ letter: c });
      i = j;
    } else if (c === "'") {
      let j = i + 1;
      let text = '';
      for (; j < n; j++) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") { text += "'"; j++; } else break;
        } else text += pattern[j];
      }
      if (j >= n) throw new DatePatternError(`Pattern ends with an incomplete string literal: ${pattern}`);
      parts.push(i + 1 === j ? "'" : text);
      i = j + 1;
    } else if (c === '[' || c === ']') {
      i++;
    } else if (c === '{' || c === '}' || c === '#') {
      throw new DatePatternError(`Pattern includes reserved character: '${c}'`);
    } else {
      parts.push(c);
      i++;
    }
  }
  return assemble(parts, unitOf(letters));
}
