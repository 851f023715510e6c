/**
 * Runaway regexes: a line that makes an expression backtrack catastrophically gets `_groktimeout`
 * within about timeout_millis, and the events after it keep flowing with correct results.
 */
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { createGrokFilter } from '../src/filters/grok.js';
import { assessRisk, stepBudget, syncLengthLimit, withinBudget } from '../src/grok/risk.js';

describe('grok runaway guard', () => {
  it('tags an exponential backtracking line _groktimeout and keeps going', async () => {
    const f = await createGrokFilter({ match: { message: '^(?<run>(a+)+)b$' }, timeout_millis: 300 }, 'disabled');
    const good1 = new Event({ message: 'aaab' });
    const bad = new Event({ message: `${'a'.repeat(40)}!` });
    const good2 = new Event({ message: 'ab' });
    const miss = new Event({ message: 'xyz' });
    expect(f.filter(good1)).toBe(true);
    const t0 = Date.now();
    expect(f.filter(bad)).toBe(false);
    const took = Date.now() - t0;
    expect(bad.tags).toEqual(['_groktimeout']);
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3000);
    // The next events are matched normally (a fresh guard worker takes over).
    expect(f.filter(good2)).toBe(true);
    expect(good2.get('run')).toBe('a');
    expect(f.filter(miss)).toBe(false);
    expect(miss.tags).toEqual(['_grokparsefailure']);
    expect(good1.get('run')).toBe('aaa');
    expect(f.stats.timeouts).toBe(1);
    await f.close();
  });

  it('guards polynomial expressions on lines too long for the cost model, and uses tag_on_timeout', async () => {
    const pattern = '%{DATA:a} %{DATA:b} %{DATA:c} %{DATA:d} %{DATA:e}!';
    const f = await createGrokFilter({ match: { message: pattern }, timeout_millis: 200, tag_on_timeout: 'slow' }, 'disabled');
    const long = new Event({ message: 'x '.repeat(3000) });
    const t0 = Date.now();
    expect(f.filter(long)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(long.tags).toEqual(['slow']);
    const short = new Event({ message: 'a b c d e!' });
    expect(f.filter(short)).toBe(true);
    expect(short.get('e')).toBe('e');
    await f.close();
  });

  it('shares one time budget across patterns with timeout_scope => event', async () => {
    const slow = '^(?<run>(a+)+)b$';
    const f = await createGrokFilter({ match: { message: [slow, slow, slow] }, timeout_millis: 300, timeout_scope: 'event' }, 'disabled');
    const bad = new Event({ message: `${'a'.repeat(40)}!` });
    const t0 = Date.now();
    f.filter(bad);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(bad.tags).toEqual(['_groktimeout']);
    await f.close();
  });

  it('runs common patterns on the calling thread: the cost model bounds them', () => {
    expect(syncLengthLimit(assessRisk('\\d+ [a-z]+'), 250)).toBe(Infinity);
    expect(syncLengthLimit(assessRisk('(a+)+b'), 250)).toBe(-1);
    expect(syncLengthLimit(assessRisk('.*? .*'), 250)).toBeGreaterThan(400);
    expect(assessRisk('(?>a+)+b').nested).toBe(false); // atomic content cannot be re-entered
  });

  it('bounds nested repetitions by the longest run of the characters they can match', () => {
    const r = assessRisk('^(?<p>(?:/[a-z]*)+)$');
    expect(r.nested).toBe(true);
    const steps = stepBudget(10);
    expect(withinBudget(r, '/usr/local/lib x', steps)).toBe(true);
    expect(withinBudget(r, `/${'a/'.repeat(40)}!`, steps)).toBe(false);
    expect(assessRisk('(?:.x+)+').confined).toBeNull(); // a dot that can start it: no bound
    // A part that can consume anything but must start with '%' (like IPv6 zones) only counts when '%' is there.
    const gated = assessRisk('^(?<h>(?:[a-z]+(?:%.+)?)+) x$');
    expect(withinBudget(gated, 'abc def x', steps)).toBe(true);
    expect(withinBudget(gated, 'abc%def x', steps)).toBe(false);
  });

  it('bounds quantifiers followed by a literal by that literal\'s count in the line', () => {
    const r = assessRisk('"(.*?)" "(.*?)" "(.*?)"');
    expect(r.follow).toEqual(['"', '"', '"']);
    const steps = stepBudget(10);
    expect(withinBudget(r, `"${'x'.repeat(5000)}" "y" "z"`, steps)).toBe(true);
    expect(withinBudget(r, '" "'.repeat(3000), steps)).toBe(false);
    expect(withinBudget(assessRisk('(.*) (.*) (.*)'), 'x '.repeat(3000), steps)).toBe(false);
  });
});
