/**
 * Skipping over the parts of an Oniguruma (Ruby syntax) regex source that the hand-written scanners
 * in this folder (risk model, line screen, miss explanation) must not look inside: escapes, and
 * character classes, which nest (`[a-z&&[^q]]`) and may hold '(' or ')' as plain characters.
 */

/** Index just after the character class whose '[' is at `open`. A ']' first in the class (after an optional '^') is a literal. */
export function classEnd(src: string, open: number): number {
  let i = open + 1;
  if (src[i] === '^') i++;
  if (src[i] === ']') i++;
  for (let depth = 1; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') { i++; continue; }
    if (c === '[') { const inner = classEnd(src, i); i = inner - 1; continue; }
    if (c === ']' && --depth === 0) return i + 1;
  }
  return src.length;
}

/**
 * Index of the ')' that closes the group open at `from` (where the scan starts at depth 0), past
 * nested groups, escapes and classes; src.length when the source ends first.
 */
export function groupClose(src: string, from: number): number {
  let depth = 0;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') { i++; continue; }
    if (c === '[') { i = classEnd(src, i) - 1; continue; }
    if (c === '(') depth++;
    else if (c === ')') { if (depth === 0) return i; depth--; }
  }
  return src.length;
}
