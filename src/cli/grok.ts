/**
 * `sluice grok`: try a grok expression on lines and print the captures as JSON lines.
 *
 *   sluice grok '%{SYSLOGLINE}' 'Nov 22 01:00:00 host app[1]: hello'
 *   sluice grok --file app.log '%{COMBINEDAPACHELOG}'
 *   tail -f app.log | sluice grok '%{SYSLOGLINE}'
 *
 * A line that does not match prints `{"tags":["_grokparsefailure"]}` on stdout (so output lines stay
 * aligned with input lines) and an explanation on stderr: the longest prefix of the expression that
 * matched and the text where matching stopped. A line whose match runs past --timeout-millis is
 * stopped by the GrokMatcher's guard and prints `{"tags":["_groktimeout"]}`; the exit status is then 2.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { stringifyValue } from '../event/values.js';
import { ECS_VALUES } from '../event/ecs.js';
import { GROK_DEFAULTS, GrokMatcher, GrokPatternError, type GrokExpression, type MissExplanation } from '../formats/grok/index.js';

/** A user at a terminal wants an answer within seconds (the grok filter's default is 30 s). */
const CLI_TIMEOUT_MILLIS = 5000;

const HELP = `Usage: sluice grok [options] EXPRESSION [LINE...]

Matches each LINE (or each line of --file, or of stdin when neither is given) against the grok
EXPRESSION and prints the captures of each line as one JSON object per line. On a miss it prints
${JSON.stringify({ tags: GROK_DEFAULTS.tagOnFailure })} and explains on stderr how far the expression got.

Options:
  -f, --file FILE                  Read lines from FILE
  -d, --patterns-dir DIR           Extra pattern files (a directory or a file); repeatable
      --patterns-files-glob GLOB   Files to load from each directory (default ${GROK_DEFAULTS.patternsFilesGlob})
  -p, --pattern-definitions DEF    NAME=REGEX, or a JSON object {"NAME": "REGEX"}; repeatable
      --ecs [MODE]                 ECS field names: v1 (default when the flag has no value), v8,
                                   disabled (the default without the flag is legacy names)
      --keep-empty-captures        Print empty captures too
      --all-captures               Capture unnamed %{NAME} references too (named_captures_only => false)
      --timeout-millis N           Stop a line whose match runs longer than N ms, as the grok filter's
                                   timeout_millis does (default ${CLI_TIMEOUT_MILLIS}; 0: never stop)
      --engine native|oniguruma    Force a regex engine (default: native when the translation is exact)
  -q, --quiet                      No explanations on stderr
  -h, --help                       This help

Exit status: 0 when every line matched, 1 when a line did not, 2 on a usage or pattern error or
when a line's match was stopped by --timeout-millis.
`;

function parseDefinitions(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    if (v.trim().startsWith('{')) {
      const obj = JSON.parse(v) as Record<string, unknown>;
      for (const [k, x] of Object.entries(obj)) out[k] = String(x);
      continue;
    }
    const eq = v.indexOf('=');
    if (eq <= 0) throw new Error(`--pattern-definitions expects NAME=REGEX, got ${JSON.stringify(v)}`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

async function* linesOf(file: string | undefined): AsyncGenerator<string> {
  const input = file === undefined ? process.stdin : createReadStream(file);
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

/** The stderr lines for a line that did not match: how far the expression got. */
function describeMiss(n: number, expression: string, x: MissExplanation): string {
  const where = x.matchedPrefix === ''
    ? '  nothing of the expression matched'
    : `  matched:    ${x.matchedPrefix}\n  stopped at: offset ${x.stoppedAt}: ${JSON.stringify(x.remainingText.slice(0, 80))}`;
  const expanded = x.expression === expression ? '' : `  (inside the definition: ${x.expression.slice(0, 160)})\n`;
  return `line ${n}: no match\n${expanded}${where}\n  next:       ${x.failedAt.slice(0, 120)}\n`;
}

export async function grokCommand(argv: string[]): Promise<number> {
  // `--ecs` may stand alone (v1) or take a mode.
  const args = argv.flatMap((a, i) => (a === '--ecs' && (argv[i + 1] === undefined || !/^(v1|v8|disabled)$/.test(argv[i + 1] as string)) ? ['--ecs', 'v1'] : [a]));
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        file: { type: 'string', short: 'f' },
        'patterns-dir': { type: 'string', short: 'd', multiple: true },
        'patterns-files-glob': { type: 'string' },
        'pattern-definitions': { type: 'string', short: 'p', multiple: true },
        ecs: { type: 'string' },
        'keep-empty-captures': { type: 'boolean' },
        'all-captures': { type: 'boolean' },
        'timeout-millis': { type: 'string' },
        engine: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`sluice grok: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { process.stdout.write(HELP); return 0; }
  const [expression, ...lines] = positionals;
  if (expression === undefined) { process.stderr.write(`sluice grok: missing EXPRESSION\n\n${HELP}`); return 2; }
  const ecs = ECS_VALUES.find((m) => m === (values.ecs ?? 'disabled'));
  if (ecs === undefined) { process.stderr.write(`sluice grok: --ecs must be v1, v8 or disabled\n`); return 2; }
  const engine = values.engine;
  if (engine !== undefined && engine !== 'native' && engine !== 'oniguruma') { process.stderr.write(`sluice grok: --engine must be native or oniguruma\n`); return 2; }
  const timeoutMillis = values['timeout-millis'] === undefined ? CLI_TIMEOUT_MILLIS : Number(values['timeout-millis']);
  if (!Number.isInteger(timeoutMillis) || timeoutMillis < 0) { process.stderr.write(`sluice grok: --timeout-millis must be a whole number of milliseconds (0: no limit)\n`); return 2; }

  let matcher: GrokMatcher;
  let grok: GrokExpression;
  try {
    matcher = new GrokMatcher({
      ecs,
      cwd: process.cwd(),
      patternsDir: values['patterns-dir'] ?? [],
      ...(values['patterns-files-glob'] === undefined ? {} : { patternsFilesGlob: values['patterns-files-glob'] }),
      patternDefinitions: parseDefinitions(values['pattern-definitions'] ?? []),
      namedCapturesOnly: !values['all-captures'],
      ...(values['keep-empty-captures'] ? { keepEmptyCaptures: true } : {}),
      timeoutMillis,
      ...(engine === undefined ? {} : { engine }),
    });
    grok = await matcher.compile(expression);
  } catch (e) {
    // Undefined or cyclic patterns, unreadable pattern files, bad definitions, invalid regexes.
    if (e instanceof GrokPatternError || e instanceof Error) {
      process.stderr.write(`sluice grok: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const source: AsyncIterable<string> | Iterable<string> = lines.length > 0 ? lines : linesOf(values.file);
  let misses = 0;
  let timeouts = 0;
  let n = 0;
  try {
    for await (const line of source) {
      n++;
      const r = await grok.inspect(line, { explain: !values.quiet });
      if (r.status === 'match') { process.stdout.write(`${stringifyValue(r.fields)}\n`); continue; }
      // Output lines stay aligned with input lines: a line that failed prints its tags.
      if (r.status === 'timeout') {
        timeouts++;
        process.stdout.write(`${JSON.stringify({ tags: [GROK_DEFAULTS.tagOnTimeout] })}\n`);
        process.stderr.write(`line ${n}: timed out: the match ran longer than ${r.timeoutMillis} ms and was stopped (--timeout-millis)\n`);
        continue;
      }
      misses++;
      process.stdout.write(`${JSON.stringify({ tags: GROK_DEFAULTS.tagOnFailure })}\n`);
      if (r.explanation !== undefined) process.stderr.write(describeMiss(n, expression, r.explanation));
    }
  } finally {
    await matcher.close();
  }
  return timeouts > 0 ? 2 : misses > 0 ? 1 : 0;
}
