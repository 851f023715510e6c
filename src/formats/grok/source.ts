/**
 * One pass over an expanded Oniguruma (Ruby syntax) regex that prepares it for either engine:
 *
 * - named groups are renamed `g0`, `g1`, … in order of appearance, because grok names
 *   (`NUMBER:bytes:int`, `[a][b]`, `@metadata`) are not valid JavaScript group names, and the
 *   original names are returned in the same order;
 * - `\d \w \s \h` (and their negations) become explicit ASCII classes: in Ruby they are ASCII-only,
 *   while both oniguruma-to-es and Oniguruma's defaults read them as Unicode classes. Spelling them
 *   out gives both engines Ruby's meaning (and keeps V8 on its fast ASCII paths);
 * - `\k<name>` back-references follow the renaming (to the first group of that name).
 */

export interface PreparedSource {
  source: string;
  /** Original group names; index i is group `g${i}`. */
  names: string[];
}

const CLASS_BODY: Record<string, string> = {
  d: '0-9',
  w: 'a-zA-Z0-9_',
  s: '\\t\\n\\x0B\\f\\r ',
  h: '0-9a-fA-F',
};

export class GrokSyntaxError extends Error {}

export function prepareSource(src: string): PreparedSource {
  const names: string[] = [];
  const firstIndex = new Map<string, number>();
  let out = '';
  let depth = 0; // character-class nesting
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i] as string;
    if (c === '\\') {
      const e = src[i + 1];
      if (e === undefined) throw new GrokSyntaxError('regex ends with a lone backslash');
      const lower = e.toLowerCase();
      if (lower in CLASS_BODY && (e === lower || e === e.toUpperCase())) {
        const body = CLASS_BODY[lower] as string;
        const negated = e !== lower;
        if (depth > 0) out += negated ? `[^${body}]` : body;
        else out += negated ? `[^${body}]` : `[${body}]`;
        i += 2;
        continue;
      }
      if (e === 'k' && src[i + 2] === '<' && depth === 0) {
        const close = src.indexOf('>', i + 3);
        if (close > 0) {
          const ref = src.slice(i + 3, close);
          const idx = firstIndex.get(ref);
          if (idx !== undefined) { out += `\\k<g${idx}>`; i = close + 1; continue; }
        }
      }
      out += c + e;
      i += 2;
      continue;
    }
    if (depth > 0) {
      if (c === '[') {
        // POSIX bracket `[:alpha:]` is not a nested class.
        const posix = /^\[:\^?[a-z]+:\]/.exec(src.slice(i, i + 12));
        if (posix) { out += posix[0]; i += posix[0].length; continue; }
        depth++;
        out += c; i++;
        if (src[i] === '^') { out += '^'; i++; }
        if (src[i] === ']') { out += '\\]'; i++; }
        continue;
      }
      if (c === ']') depth--;
      out += c; i++;
      continue;
    }
    if (c === '[') {
      depth = 1;
      out += c; i++;
      if (src[i] === '^') { out += '^'; i++; }
      // A `]` first in a class is a literal in Oniguruma.
      if (src[i] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2, i + 3);
      if (rest === '#') {
        const close = src.indexOf(')', i);
        i = close < 0 ? n : close + 1;
        continue;
      }
      if ((rest === '<' || rest === "'") && src[i + 3] !== '=' && src[i + 3] !== '!') {
        const closer = rest === '<' ? '>' : "'";
        const close = src.indexOf(closer, i + 3);
        if (close < 0) throw new GrokSyntaxError(`unterminated group name at offset ${i}`);
        const name = src.slice(i + 3, close);
        const idx = names.length;
        names.push(name);
        if (!firstIndex.has(name)) firstIndex.set(name, idx);
        out += `(?<g${idx}>`;
        i = close + 1;
        continue;
      }
    }
    out += c; i++;
  }
  return { source: out, names };
}

/**
 * Does a named group sit inside a group that can repeat (`(?: (?<g0>x))*`)? Oniguruma keeps a
 * capture from an earlier iteration when a later one does not set it; JavaScript clears the
 * captures of a quantified group at every iteration. Such patterns are not translated natively.
 */
export function hasCaptureInRepeat(src: string): boolean {
  // For every open group: is it named itself, and does it contain a named group?
  const stack: Array<{ self: boolean; inner: boolean }> = [{ self: false, inner: false }];
  let i = 0;
  let depth = 0;
  // Only groups with named groups strictly inside matter: a repeated `(?<g0>x)+` is set by every
  // iteration, so both engines report the last one.
  let lastGroupHadInner = false;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\\') { i += 2; lastGroupHadInner = false; continue; }
    if (depth > 0) {
      if (c === '[') depth++;
      else if (c === ']') depth--;
      i++;
      continue;
    }
    if (c === '[') { depth = 1; i++; if (src[i] === '^') i++; if (src[i] === ']') i++; lastGroupHadInner = false; continue; }
    if (c === '(') {
      stack.push({ self: /^\(\?<g\d+>/.test(src.slice(i, i + 12)), inner: false });
      i++;
      continue;
    }
    if (c === ')') {
      const f = stack.pop() ?? { self: false, inner: false };
      const parent = stack[stack.length - 1];
      if (parent && (f.self || f.inner)) parent.inner = true;
      lastGroupHadInner = f.inner;
      i++;
      continue;
    }
    if (lastGroupHadInner) {
      if (c === '*' || c === '+') return true;
      if (c === '{') {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(src.slice(i, i + 16));
        if (m && (m[2] === ',' ? (m[3] === '' || Number(m[3]) > 1) : Number(m[1]) > 1)) return true;
      }
    }
    lastGroupHadInner = false;
    i++;
  }
  return false;
}

interface Node { nullable: boolean; named: boolean }

/**
 * Does an optional or starred group that can match the empty string hold a named group
 * (`(?:(?<g0>x*))?`)? Oniguruma takes the empty iteration and reports the capture as "", while
 * JavaScript rejects empty iterations and reports it as unset. Such patterns are not translated.
 */
export function hasNullableOptionalCapture(src: string): boolean {
  let i = 0;
  let found = false;
  const quant = (): { min: number } | undefined => {
    const c = src[i];
    let q: { min: number } | undefined;
    let len = 0;
    if (c === '*' || c === '?') { q = { min: 0 }; len = 1; } else if (c === '+') { q = { min: 1 }; len = 1; } else if (c === '{') {
      const m = /^\{(\d*)(,?)(\d*)\}/.exec(src.slice(i, i + 16));
      if (m && (m[1] !== '' || m[2] === ',')) { q = { min: m[1] === '' ? 0 : Number(m[1]) }; len = m[0].length; }
    }
    if (q === undefined) return undefined;
    i += len;
    if (src[i] === '?' || src[i] === '+') i++;
    return q;
  };
  // alternation := sequence ('|' sequence)*
  const alternation = (): Node => {
    let nullable = false;
    let named = false;
    for (;;) {
      const s = sequence();
      nullable ||= s.nullable;
      named ||= s.named;
      if (src[i] === '|') { i++; continue; }
      return { nullable, named };
    }
  };
  const sequence = (): Node => {
    let nullable = true;
    let named = false;
    while (i < src.length && src[i] !== '|' && src[i] !== ')') {
      const a = atom();
      const q = quant();
      if (q !== undefined && q.min === 0 && a.named && a.nullable) found = true;
      nullable &&= a.nullable || (q !== undefined && q.min === 0);
      named ||= a.named;
    }
    return { nullable, named };
  };
  const atom = (): Node => {
    const c = src[i] as string;
    if (c === '\\') {
      const e = src[i + 1] ?? '';
      i += 2;
      if (/[xpPk]/.test(e) && (src[i] === '{' || src[i] === '<')) i = src.indexOf(src[i] === '{' ? '}' : '>', i) + 1;
      // Zero-width escapes: word boundaries and anchors.
      return { nullable: /[bBAzZG]/.test(e), named: false };
    }
    if (c === '[') {
      let depth = 0;
      for (; i < src.length; i++) {
        const d = src[i];
        if (d === '\\') { i++; continue; }
        if (d === '[') depth++;
        else if (d === ']') { depth--; if (depth === 0) { i++; break; } }
      }
      return { nullable: false, named: false };
    }
    if (c === '(') {
      i++;
      let named = false;
      let lookaround = false;
      if (src[i] === '?') {
        const head = /^\?(<[=!]|[=!]|<g\d+>|>|[a-zA-Z-]*:|[a-zA-Z-]*\))/.exec(src.slice(i, i + 16));
        if (head) {
          const h = head[1] as string;
          i += head[0].length;
          if (h.endsWith(')') && !h.startsWith('<')) return { nullable: true, named: false }; // (?i)
          lookaround = /^(<[=!]|[=!])$/.test(h);
          named = h.startsWith('<g');
        }
      }
      const inner = alternation();
      i++; // ')'
      return { nullable: lookaround || inner.nullable, named: named || inner.named };
    }
    i++;
    return { nullable: c === '^' || c === '$', named: false };
  };
  while (i < src.length) { alternation(); i++; }
  return found;
}
