/**
 * Parsing text with a Joda-Time pattern (`DateTimeFormat.forPattern`), as Logstash's date filter does.
 * The pattern is compiled once into a list of steps. Joda's parsing rules kept here:
 * - a numeric field reads 1 up to its maximum digits (`dd` also reads `1`); a year reads up to 9
 *   digits unless the next step is numeric too, then exactly as many as the pattern letters;
 * - text fields (MMM, MMMM, EEE, a, G) match short or full names of the locale, case-insensitively,
 *   longest first; literals match case-insensitively;
 * - `yy` is a two-digit year around (current year - 30) ± 50; `Z`/`ZZ` read an offset (`-0700`,
 *   `-07:00`, `Z`), `ZZZ` a zone id; `z` (zone names) cannot be parsed;
 * - the whole text must be consumed, and field values must be valid (no Feb 30, no hour 24).
 */
import type { LocaleNames } from '../../formats/syslog/locale.js';
import { daysInMonth, resolveZone, type Zone } from '../../event/timezone.js';

type Field = 'year' | 'year2' | 'month' | 'day' | 'doy' | 'hour' | 'clockhour24' | 'hourhalf' | 'clockhourhalf' | 'minute' | 'second' | 'dow' | 'ignore';

type Step =
  | { t: 'lit'; text: string }
  | { t: 'num'; field: Field; max: number; signed: boolean }
  | { t: 'year2'; lenient: boolean }
  | { t: 'frac' }
  | { t: 'text'; field: 'month' | 'dow' | 'ampm' | 'era' }
  | { t: 'offset' }
  | { t: 'zoneid' };

export class JodaPatternError extends Error {}

export interface ParsedFields {
  year?: number;
  month?: number;
  day?: number;
  doy?: number;
  hour?: number;
  clockhour24?: number;
  hourhalf?: number;
  clockhourhalf?: number;
  ampm?: number;
  bc?: boolean;
  minute?: number;
  second?: number;
  millis?: number;
  offsetMin?: number;
  zone?: Zone;
}

const NUMERIC = new Set(['y', 'Y', 'x', 'M', 'd', 'D', 'H', 'k', 'h', 'K', 'm', 's', 'S', 'e', 'C', 'w']);

/** Split a pattern into letter runs, quoted literals and other characters (Joda's parseToken). */
function tokens(pattern: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (/[A-Za-z]/.test(c)) {
      let j = i + 1;
      while (pattern[j] === c) j++;
      out.push(pattern.slice(i, j));
      i = j;
    } else if (c === "'") {
      if (pattern[i + 1] === "'") { out.push("''"); i += 2; continue; }
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw new JodaPatternError(`unterminated quote in pattern "${pattern}"`);
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") { text += "'"; j += 2; continue; }
          break;
        }
        text += pattern[j];
        j++;
      }
      out.push(`'${text}`);
      i = j + 1;
    } else {
      out.push(`'${c}`);
      i++;
    }
  }
  return out;
}

function isNumericToken(tok: string | undefined): boolean {
  if (tok === undefined || tok.startsWith("'")) return false;
  const c = tok[0]!;
  if (c === 'M') return tok.length <= 2;
  return NUMERIC.has(c);
}

export function compileJoda(pattern: string): Step[] {
  const toks = tokens(pattern);
  const steps: Step[] = [];
  toks.forEach((tok, idx) => {
    if (tok === "''") { steps.push({ t: 'lit', text: "'" }); return; }
    if (tok.startsWith("'")) {
      const last = steps[steps.length - 1];
      if (last && last.t === 'lit') last.text += tok.slice(1);
      else steps.push({ t: 'lit', text: tok.slice(1) });
      return;
    }
    const c = tok[0]!;
    const n = tok.length;
    const nextNumeric = isNumericToken(toks[idx + 1]);
    switch (c) {
      case 'y': case 'Y': case 'x':
        if (n === 2) steps.push({ t: 'year2', lenient: !nextNumeric });
        else steps.push({ t: 'num', field: 'year', max: nextNumeric ? n : 9, signed: c === 'y' || c === 'x' });
        break;
      case 'M':
        if (n >= 3) steps.push({ t: 'text', field: 'month' });
        else steps.push({ t: 'num', field: 'month', max: 2, signed: false });
        break;
      case 'd': steps.push({ t: 'num', field: 'day', max: 2, signed: false }); break;
      case 'D': steps.push({ t: 'num', field: 'doy', max: 3, signed: false }); break;
      case 'H': steps.push({ t: 'num', field: 'hour', max: 2, signed: false }); break;
      case 'k': steps.push({ t: 'num', field: 'clockhour24', max: 2, signed: false }); break;
      case 'K': steps.push({ t: 'num', field: 'hourhalf', max: 2, signed: false }); break;
      case 'h': steps.push({ t: 'num', field: 'clockhourhalf', max: 2, signed: false }); break;
      case 'm': steps.push({ t: 'num', field: 'minute', max: 2, signed: false }); break;
      case 's': steps.push({ t: 'num', field: 'second', max: 2, signed: false }); break;
      case 'S': steps.push({ t: 'frac' }); break;
      case 'e': steps.push({ t: 'num', field: 'dow', max: 1, signed: false }); break;
      case 'E': steps.push({ t: 'text', field: 'dow' }); break;
      case 'a': steps.push({ t: 'text', field: 'ampm' }); break;
      case 'G': steps.push({ t: 'text', field: 'era' }); break;
      case 'Z': steps.push(n >= 3 ? { t: 'zoneid' } : { t: 'offset' }); break;
      case 'z': throw new JodaPatternError(`time zone names ('z') cannot be parsed, in pattern "${pattern}"; use Z, ZZ or ZZZ`);
      case 'w': case 'C':
        throw new JodaPatternError(`pattern letter '${c}' (${c === 'w' ? 'week of weekyear' : 'century'}) is not supported for parsing, in pattern "${pattern}"`);
      default:
        throw new JodaPatternError(`Illegal pattern component: ${tok} (in pattern "${pattern}")`);
    }
  });
  return steps;
}

function matchName(text: string, at: number, names: ReadonlyMap<string, number>): { end: number; value: number } | null {
  // Longest name first, as Joda's TextField does.
  const lower = text.slice(at, at + 32).toLowerCase();
  let best: { end: number; value: number } | null = null;
  for (const [name, v] of names) {
    if (lower.startsWith(name) && (best === null || name.length > best.end - at)) best = { end: at + name.length, value: v };
  }
  return best;
}

const ERAS: ReadonlyMap<string, number> = new Map([['ad', 1], ['bc', 0], ['ce', 1], ['bce', 0]]);

/** Run compiled steps over a text; returns the fields or null when the text does not match. */
export function runJoda(steps: Step[], text: string, names: LocaleNames, now: number): ParsedFields | null {
  const f: ParsedFields = {};
  let p = 0;
  for (const st of steps) {
    switch (st.t) {
      case 'lit': {
        if (text.slice(p, p + st.text.length).toLowerCase() !== st.text.toLowerCase()) return null;
        p += st.text.length;
        break;
      }
      case 'num': {
        let q = p;
        let neg = false;
        if (st.signed && (text[q] === '-' || text[q] === '+')) { neg = text[q] === '-'; q++; }
        const start = q;
        while (q < text.length && q - start < st.max && text.charCodeAt(q) >= 48 && text.charCodeAt(q) <= 57) q++;
        if (q === start) return null;
        const v = Number(text.slice(start, q)) * (neg ? -1 : 1);
        p = q;
        if (st.field !== 'dow' && st.field !== 'ignore') (f as Record<string, number>)[st.field] = v;
        break;
      }
      case 'year2': {
        let q = p;
        const signed = text[q] === '-' || text[q] === '+';
        if (signed) q++;
        const start = q;
        while (q < text.length && q - start < (st.lenient ? 9 : 2) && text.charCodeAt(q) >= 48 && text.charCodeAt(q) <= 57) q++;
        const len = q - start;
        if (len === 0) return null;
        const v = Number(text.slice(start, q));
        if (st.lenient && (len !== 2 || signed)) {
          f.year = text[p] === '-' ? -v : v;
        } else {
          if (signed) return null;
          // Joda's two-digit year: within pivot ± 50, pivot = current year - 30.
          const pivot = new Date(now).getUTCFullYear() - 30;
          const low = pivot - 50;
          const t = low >= 0 ? low % 100 : 99 + ((low + 1) % 100);
          f.year = v + low + (v < t ? 100 : 0) - t;
        }
        p = q;
        break;
      }
      case 'frac': {
        const start = p;
        while (p < text.length && p - start < 9 && text.charCodeAt(p) >= 48 && text.charCodeAt(p) <= 57) p++;
        if (p === start) return null;
        // Joda keeps milliseconds: further digits are dropped.
        f.millis = Number(text.slice(start, Math.min(p, start + 3)).padEnd(3, '0'));
        break;
      }
      case 'text': {
        const map = st.field === 'month' ? names.months : st.field === 'dow' ? names.weekdays : st.field === 'ampm' ? names.ampm : ERAS;
        const m = matchName(text, p, map);
        if (!m) return null;
        if (st.field === 'month') f.month = m.value;
        else if (st.field === 'ampm') f.ampm = m.value;
        else if (st.field === 'era') f.bc = m.value === 0;
        p = m.end;
        break;
      }
      case 'offset': {
        const c = text[p];
        if (c === 'Z' || c === 'z') { f.offsetMin = 0; p++; break; }
        const m = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/.exec(text.slice(p, p + 12));
        if (!m) return null;
        const h = Number(m[2]);
        const mi = Number(m[3] ?? '0');
        if (h > 23 || mi > 59) return null;
        f.offsetMin = (m[1] === '-' ? -1 : 1) * (h * 60 + mi);
        p += m[0].length;
        break;
      }
      case 'zoneid': {
        const m = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*/.exec(text.slice(p, p + 64));
        if (!m) return null;
        const z = resolveZone(m[0]);
        if (!z) return null;
        f.zone = z;
        p += m[0].length;
        break;
      }
    }
  }
  return p === text.length ? f : null;
}

/** Local date-time fields after validation; null when a field is out of range. */
export function localFields(f: ParsedFields, year: number): { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number } | null {
  const y = f.bc ? 1 - year : year;
  let mo = f.month ?? 1;
  let d = f.day ?? 1;
  if (mo < 1 || mo > 12) return null;
  if (f.doy !== undefined) {
    const leap = daysInMonth(y, 2) === 29;
    if (f.doy < 1 || f.doy > (leap ? 366 : 365)) return null;
    let left = f.doy;
    mo = 1;
    while (left > daysInMonth(y, mo)) { left -= daysInMonth(y, mo); mo++; }
    d = left;
  }
  if (d < 1 || d > daysInMonth(y, mo)) return null;
  let h = 0;
  if (f.hour !== undefined) { if (f.hour > 23) return null; h = f.hour; }
  else if (f.clockhour24 !== undefined) { if (f.clockhour24 < 1 || f.clockhour24 > 24) return null; h = f.clockhour24 % 24; }
  else if (f.hourhalf !== undefined) { if (f.hourhalf > 11) return null; h = f.hourhalf + 12 * (f.ampm ?? 0); }
  else if (f.clockhourhalf !== undefined) { if (f.clockhourhalf < 1 || f.clockhourhalf > 12) return null; h = (f.clockhourhalf % 12) + 12 * (f.ampm ?? 0); }
  else if (f.ampm !== undefined) h = 12 * f.ampm;
  const mi = f.minute ?? 0;
  const s = f.second ?? 0;
  if (mi > 59 || s > 59) return null;
  return { y, mo, d, h, mi, s, ms: f.millis ?? 0 };
}
