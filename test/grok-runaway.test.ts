/**
 * Runaway regexes: a line that makes an expression backtrack catastrophically gets `_groktimeout`
 * within about timeout_millis, and the events after it keep flowing with correct results.
 */
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { GrokFilter } from '../src/filters/grok.js';
import { compileGrokAsync } from '../src/formats/grok/compile.js';
import { builtinPatterns } from '../src/formats/grok/library.js';
import { assessRisk, splitFactor, stepBudget, withinBudget } from '../src/formats/grok/risk.js';
import { grokFilter } from './helpers/grok.js';

/**
 * The line is tagged _groktimeout after about timeout_millis (300 ms here): not at once (the match
 * really ran and was stopped), and not after the regex would have finished on its own (never).
 */
function expectTimedOut(f: GrokFilter, event: Event): void {
  const t0 = Date.now();
  expect(f.filter(event)).toBe(false);
  const took = Date.now() - t0;
  expect(event.tags).toEqual(['_groktimeout']);
  expect(took).toBeGreaterThanOrEqual(250);
  expect(took).toBeLessThan(3000);
}

/**
 * Send the guard worker a line that it matches at once, so that the timings measured next are those of
 * the match and not of the worker's start (run from the TypeScript sources, the worker transpiles them).
 */
function expectGuardedMatch(f: GrokFilter, line: string): Event {
  const before = f.stats.guarded;
  const event = new Event({ message: line });
  expect(f.filter(event)).toBe(true);
  expect(f.stats.guarded).toBe(before + 1);
  return event;
}

describe('grok runaway guard', () => {
  it('tags an exponential backtracking line _groktimeout and keeps going', async () => {
    const f = await grokFilter({ match: { message: '^(?<run>(a+)+)b$' }, timeout_millis: 300 });
    const good1 = new Event({ message: 'aaab' });
    const bad = new Event({ message: `${'a'.repeat(40)}!` });
    const good2 = new Event({ message: 'ab' });
    const miss = new Event({ message: 'xyz' });
    expect(f.filter(good1)).toBe(true);
    expectGuardedMatch(f, `${'a'.repeat(40)}b`);
    expectTimedOut(f, bad);
    // The next events are matched normally, on this thread or by a fresh guard worker.
    expect(expectGuardedMatch(f, `${'a'.repeat(39)}b`).get('run')).toBe('a'.repeat(39));
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
    const f = await grokFilter({ match: { message: pattern }, timeout_millis: 200, tag_on_timeout: 'slow' });
    const long = new Event({ message: 'x '.repeat(3000) });
    expectGuardedMatch(f, `a b c d e!${' x'.repeat(3000)}`);
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
    const f = await grokFilter({ match: { message: [slow, slow, slow] }, timeout_millis: 300, timeout_scope: 'event' });
    const bad = new Event({ message: `${'a'.repeat(40)}!` });
    expectGuardedMatch(f, `${'a'.repeat(40)}b`);
    const t0 = Date.now();
    f.filter(bad);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(bad.tags).toEqual(['_groktimeout']);
    await f.close();
  });

  it('finds the shapes that can backtrack badly, and only those', () => {
    expect(assessRisk('\\d+ [a-z]+').risky).toBe(false);
    expect(assessRisk('(a+)+b').nested).toBe(true);
    expect(assessRisk('.*? .*').broad).toBe(2);
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

  it('keeps real syslog lines on the calling thread for legacy SYSLOGLINE: host cuts only where an alternative can start', async () => {
    const r = assessRisk((await compileGrokAsync('%{SYSLOGLINE}', builtinPatterns('disabled'))).prepared);
    expect(r.nested).toBe(true);
    const steps = stepBudget(15000);
    const lines = [
      'Jun 15 02:04:59 combo sshd(pam_unix)[20882]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=220-135-151-1.hinet-ip.hinet.net  user=root',
      'Jun 17 20:55:06 combo ftpd[30755]: connection from 82.252.162.81 (lns-vlq-45-tou-82-252-162-81.adsl.proxad.net) at Fri Jun 17 20:55:06 2005 ',
      'Dec 10 09:12:46 LabSZ sshd[24503]: reverse mapping checking getaddrinfo for customer-187-141-143-180-sta.uninet-ide.com.mx [187.141.143.180] failed - POSSIBLE BREAK-IN ATTEMPT!',
      'Mar  4 05:06:07 web-3.example.org nginx[812]: GET /a/b.c?x=1 from 2001:db8::8a2e:370:7334',
    ];
    for (const l of lines) expect(withinBudget(r, l, steps)).toBe(true);
    // Crafted host runs where the alternatives overlap (cuts after '-', '.' or between digit groups) are not.
    for (const run of ['a-'.repeat(40), 'a.'.repeat(40), '1.2.'.repeat(20)]) {
      expect(withinBudget(r, `Jun 15 02:04:59 ${run}!`, steps)).toBe(false);
    }
    // The filter, at the default timeout_millis, matches them all without the guard worker.
    const f = await grokFilter({ match: { message: '%{SYSLOGLINE}' } });
    for (const l of lines) expect(f.filter(new Event({ message: l }))).toBe(true);
    expect(f.stats.guarded).toBe(0);
    await f.close();
  });

  it('counts both ends of HOSTNAME\'s (\\.?|\\b) as separate paths at a cut after a hyphen', () => {
    const r = assessRisk('^(?<h>(?:\\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(\\.?|\\b))+) x$');
    const rules = r.confined?.[0]?.rules;
    expect(rules?.length).toBe(1);
    expect(rules?.[0]?.ends).toBe(2);
    const c = r.confined?.[0];
    if (c === undefined) throw new Error('no confinement');
    // 8 hyphens: at most 3 ways each (no cut, or end by '' or by \\b then start again).
    const f8 = splitFactor('a-a-a-a-a-a-a-a-a x', c, Infinity);
    const f9 = splitFactor('a-a-a-a-a-a-a-a-a-a x', c, Infinity);
    expect(f9 / f8).toBeGreaterThanOrEqual(3);
    // No cut inside a word: HOSTNAME starts only after a non-word character.
    expect(splitFactor('combination x', c, Infinity)).toBeLessThan(splitFactor('co-mb-in-at-ion x', c, Infinity));
  });

  it('tags a crafted %{SYSLOGHOST}+ line _groktimeout within timeout_millis and keeps going', async () => {
    const f = await grokFilter({ match: { message: '%{SYSLOGLINE}' }, timeout_millis: 300 });
    const bad = new Event({ message: `Jun 15 02:04:59 ${'a-'.repeat(40)}!` });
    const good = new Event({ message: 'Jun 15 02:04:59 combo sshd(pam_unix)[20882]: session opened for user root' });
    expect(expectGuardedMatch(f, `Jun 15 02:04:59 ${'a-'.repeat(40)}a cron[1]: x`).get('program')).toBe('cron');
    expectTimedOut(f, bad);
    expect(f.filter(good)).toBe(true);
    expect(good.get('logsource')).toBe('combo');
    expect(good.get('program')).toBe('sshd(pam_unix)');
    expect(f.stats.guarded).toBe(2);
    await f.close();
  });
});
