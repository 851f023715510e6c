/**
 * The line screen in front of risky grok expressions (src/formats/grok/screen.ts): it must only let a line
 * run on the calling thread when the cost model bounds its work, and the rewritten expression it
 * uses for nested repetitions must give exactly the original's captures.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { compileGrokAsync, type CompiledGrok } from '../src/formats/grok/compile.js';
import { builtinPatterns, PACKAGE_ROOT } from '../src/formats/grok/library.js';
import { assessRisk, factorAt, stepBudget } from '../src/formats/grok/risk.js';
import { flagRewrite, LineScreen, NEEDS_GUARD } from '../src/formats/grok/screen.js';
import type { EcsMode } from '../src/plugins/options.js';
import { grokFilter } from './helpers/grok.js';
import { seededRandom as random } from './helpers/random.js';

async function compiled(pattern: string, ecs: EcsMode = 'disabled'): Promise<CompiledGrok> {
  return compileGrokAsync(pattern, builtinPatterns(ecs));
}

function screenFor(g: CompiledGrok, timeoutMs = 30000): LineScreen {
  return new LineScreen(g, assessRisk(g.prepared), stepBudget(timeoutMs / 2));
}

/** Captures of a match as a comparable string ('null' for a miss). */
function capturesOf(g: CompiledGrok, m: ReturnType<CompiledGrok['exec']>): string {
  if (m === null) return 'null';
  return JSON.stringify(g.fields.map((f) => f.slots.map((s) => m.group(s.group) ?? null)));
}

describe('grok line screen', () => {
  it('needs one length comparison for polynomial expressions on ordinary lines', async () => {
    const apache = screenFor(await compiled('%{COMBINEDAPACHELOG}')).limits;
    expect(apache.rewritten).toBe(false);
    expect(apache.plain).toBeGreaterThan(1000); // quotes counted as the line's length, still within the budget
    const ecsSyslog = screenFor(await compiled('%{SYSLOGLINE}', 'v1')).limits;
    expect(ecsSyslog.plain).toBeGreaterThan(10000);
    // A small timeout leaves a smaller budget: the limits shrink with it.
    expect(screenFor(await compiled('%{COMBINEDAPACHELOG}'), 100).limits.plain).toBeLessThan(apache.plain);
  });

  it('rewrites legacy SYSLOGLINE so V8 checks the host run where it enters %{SYSLOGHOST}+', async () => {
    const g = await compiled('%{SYSLOGLINE}');
    const screen = screenFor(g);
    expect(screen.limits.rewritten).toBe(true);
    expect(screen.sameLayout).toBe(true); // %{SYSLOGHOST:logsource}'s own group marks the branch: no flag group
    // IPv6's zone ('%' then anything) is inside the repetition: SAFE checks for '%' after the run, no scan of the line.
    expect(screen.limits.gates).toEqual([]);
    const ok = 'Jun 15 02:04:59 combo sshd(pam_unix)[20882]: session opened for user root';
    const m = screen.exec(ok);
    expect(m).not.toBe(NEEDS_GUARD);
    expect(capturesOf(g, m as ReturnType<CompiledGrok['exec']>)).toBe(capturesOf(g, g.exec(ok)));
    // Runs the alternatives can split in exponentially many ways go to the guard.
    for (const run of ['a-'.repeat(40), 'a.'.repeat(40), '1.2.'.repeat(20), 'ab:'.repeat(25)]) {
      expect(screen.exec(`Jun 15 02:04:59 ${run}!`)).toBe(NEEDS_GUARD);
    }
    // So does a host followed by the IPv6 zone's '%' (the part after it can match anything); a '%'
    // elsewhere in the line does not matter.
    expect(screen.exec('Jun 15 02:04:59 fe80::1%eth0 x')).toBe(NEEDS_GUARD);
    const percent = 'Jun 15 02:04:59 combo df[7]: /var is 97% full';
    expect(capturesOf(g, screen.exec(percent) as ReturnType<CompiledGrok['exec']>)).toBe(capturesOf(g, g.exec(percent)));
  });

  it('lets SAFE pass only runs whose cost-model factor is within the bound it promises', async () => {
    const cases: Array<[string, number]> = [['%{SYSLOGLINE}', 30000], ['%{SYSLOGLINE}', 300], ['^(?<p>(?:/[a-z]*)+)$', 30000], ['^(?<run>(a+)+)b$', 300]];
    const alphabet = 'ab1f.-:/ %Z';
    let checked = 0;
    for (const [pattern, timeout] of cases) {
      const screen = screenFor(await compiled(pattern), timeout);
      expect(screen.safety.length).toBeGreaterThan(0);
      const next = random(pattern.length * 7919 + timeout);
      for (const { safe, confinement, factor } of screen.safety) {
        const re = new RegExp(safe, 'y');
        for (let n = 0; n < 3000; n++) {
          let line = '';
          const len = 1 + Math.floor(next() * 90);
          for (let i = 0; i < len; i++) line += alphabet[Math.floor(next() * alphabet.length)];
          for (let at = 0; at < line.length; at++) {
            re.lastIndex = at;
            if (!re.test(line)) continue;
            checked++;
            const f = factorAt(line, confinement, at);
            if (f > factor) throw new Error(`${pattern}: SAFE passed ${JSON.stringify(line)} at ${at}, factor ${f} > ${factor}`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('checks a run in time linear in its length: SAFE cannot backtrack badly itself', async () => {
    const screen = screenFor(await compiled('%{SYSLOGLINE}'));
    const t0 = Date.now();
    for (const { safe } of screen.safety) {
      const re = new RegExp(safe, 'y');
      // Long stretches a loose pattern could split many ways, then more cut points than allowed, all
      // within the longest run SAFE considers.
      for (const stretch of ['1', 'a', 'ab', '-', 'f']) {
        for (const cuts of ['a1', '-a', '.1', 'a:', '1.a']) {
          const line = `${stretch.repeat(Math.floor(40 / stretch.length))}${cuts.repeat(8)}!`;
          for (let at = 0; at < 3; at++) { re.lastIndex = at; re.test(line); }
        }
      }
    }
    // Backtracking over the ways to split a run would take far longer than this (minutes and more).
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('gives exactly the original captures on every fixture line of every risky library pattern', async () => {
    const samples = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'fixtures', 'grok', 'library-lines.json'), 'utf8')) as Array<{ pattern: string; line: string; ecsOnly?: boolean }>;
    const lines = samples.map((s) => s.line);
    // Lines that reach the nested repetition in other ways: hosts with many dots and hyphens, IPv6 hosts.
    lines.push('Jun 15 02:04:59 a.b-c.d-e.f-g.h sshd[1]: x', 'Jun 15 02:04:59 2001:db8::1 x', 'Jun 15 02:04:59 10.0.0.1.example x', 'Jun 15 02:04:59 host[x');
    let rewritten = 0;
    let compared = 0;
    for (const ecs of ['disabled', 'v1'] as const) {
      for (const s of samples) {
        if (s.ecsOnly && ecs === 'disabled') continue;
        const g = await compiled(s.pattern, ecs);
        if (!assessRisk(g.prepared).risky) continue;
        const screen = screenFor(g);
        if (screen.limits.rewritten) rewritten++;
        for (const line of lines) {
          const m = screen.exec(line);
          if (m === NEEDS_GUARD) continue;
          compared++;
          expect(`${s.pattern} ${line}\n${capturesOf(g, m)}`).toBe(`${s.pattern} ${line}\n${capturesOf(g, g.exec(line))}`);
        }
      }
    }
    expect(rewritten).toBeGreaterThan(0);
    expect(compared).toBeGreaterThan(500);
  });

  it('writes the same events with and without the protection, on every library fixture line', async () => {
    const samples = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'fixtures', 'grok', 'library-lines.json'), 'utf8')) as Array<{ pattern: string; line: string; ecsOnly?: boolean }>;
    // Each line with its own pattern (another pattern could backtrack for ever on it without the protection).
    const cases = samples.map((x) => ({ ...x, modes: x.ecsOnly ? ['v1'] as const : ['disabled', 'v1'] as const }));
    cases.push({ pattern: '%{SYSLOGLINE}', line: 'Jun 15 02:04:59 web-03.prod.example.com sshd[7]: x', modes: ['disabled', 'v1'] });
    for (const c of cases) {
      for (const ecs of c.modes) {
        const guarded = await grokFilter({ match: { message: c.pattern } }, ecs);
        const bare = await grokFilter({ match: { message: c.pattern }, timeout_millis: 0 }, ecs);
        const a = new Event({ message: c.line, '@timestamp': '2026-01-01T00:00:00Z' });
        const b = new Event({ message: c.line, '@timestamp': '2026-01-01T00:00:00Z' });
        guarded.filter(a);
        bare.filter(b);
        expect(JSON.stringify(a.data)).toBe(JSON.stringify(b.data));
        await guarded.close();
        await bare.close();
      }
    }
  });

  it('rewrites only repetitions reached through plain groups', () => {
    const safe = '(?=x)';
    const rewrite = (src: string, flag: number): string | null => {
      const at = src.indexOf('(b+)+');
      return flagRewrite(src, [{ at, end: at + 5, safe }], flag)?.source ?? null;
    };
    // The capture group that wraps the repetition moves with it, and tells which branch matched;
    // the plain group around is flattened.
    expect(rewrite('(?:a (?<g0>(b+)+) c)d', 1)).toBe('a (?:(?!(?=x))|(?<g0>(b+)+) cd)');
    expect(flagRewrite('a(?:(b+)+) c', [{ at: 4, end: 9, safe }], 0)?.marks).toEqual([{ group: 0, raisedWhenSet: true }]);
    expect(rewrite('a(?:(b+)+) c', 0)).toBe('a(?:(?!(?=x))(?<g0>)|(?:(b+)+) c)');
    // Inside an alternation, a quantified group or a capture group holding more: no rewrite.
    expect(rewrite('(?:x|a(b+)+)c', 0)).toBeNull();
    expect(rewrite('(?:a(b+)+)?c', 0)).toBeNull();
    expect(rewrite('(?<g0>a(b+)+)c', 1)).toBeNull();
  });
});
