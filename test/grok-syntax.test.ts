/** The shared regex-source scanners used by the risk model, the line screen and the miss explainer. */
import { describe, expect, it } from 'vitest';
import { classEnd, groupClose } from '../src/formats/grok/syntax.js';

describe('grok regex source scanning', () => {
  it('skips character classes, nested ones and a leading literal ]', () => {
    expect(classEnd('[a-z]x', 0)).toBe(5);
    expect(classEnd('[]a]x', 0)).toBe(4);
    expect(classEnd('[^]a]x', 0)).toBe(5);
    expect(classEnd('[a[b]c]x', 0)).toBe(7);
    expect(classEnd('[\\]]x', 0)).toBe(4);
    expect(classEnd('[abc', 0)).toBe(4);
  });

  it('finds the closing parenthesis of a group, not one inside a class or escaped', () => {
    const src = '(a[)](b\\))c)d';
    expect(groupClose(src, 1)).toBe(src.length - 2);
    expect(groupClose('a|b)c', 0)).toBe(3); // from inside an alternative: the enclosing group's end
    expect(groupClose('(a', 1)).toBe(2);
  });
});
