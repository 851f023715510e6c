/**
 * `sluice grok`: try a grok expression on lines and print the captures as JSON lines.
 *
 *   sluice grok '%{SYSLOGLINE}' 'Nov 22 01:00:00 host app[1]: hello'
 *   sluice grok --file app.log '%{COMBINEDAPACHELOG}'
 *   tail -f app.log | sluice grok '%{SYSLOGLINE}'
 *
 * A line that does not match prints `{"tags":["_grokparsefailure"]}` on stdout (so output lines stay
 * aligned with input lines) and an explanation on stderr: the longest prefix of the expression that
 * matched and the text where matching stopped.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Event } from '../event/event.js';
import { stringifyValue } from '../event/values.js';
import type { EcsMode } from '../plugins/options.js';
import { compileGrokAsync, type CompiledGrok } from '../formats/grok/compile.js';
import { writeCapture } from '../formats/grok/capture.js';
import { explainMiss } from '../formats/grok/explain.js';
import { GrokPatternError } from '../formats/grok/expand.js';
import { buildLibrary, PatternFileError, type PatternTable } from '../formats/grok/library.js';

const HELP = `Usage: sluice grok [options] EXPRESSION [LINE...]

Matches each LINE (or each line of --file, or of stdin when neither is given) against the grok
EXPRESSION and prints the captures of each line as one JSON object per line. On a miss it prints
{"tags":["_grokparsefailure"]} and explains on stderr how far the expression got.

Options:
  -f, --file FILE                  Read lines from FILE
  -d, --patterns-dir DIR           Extra pattern files (a directory or a file); repeatable
      --patterns-files-glob GLOB   Files to load from each directory (default *)
  -p, --pattern-definitions DEF    NAME=REGEX, or a JSON object {"NAME": "REGEX"}; repeatable
      --ecs [MODE]                 ECS field names: v1 (default when the flag has no value), v8,
                                   disabled (the default without the flag is legacy names)
      --keep-empty-captures        Print empty captures too
      --all-captures               Capture unnamed %{NAME} references too (named_captures_only => false)
      --engine native|oniguruma    Force a regex engine (default: native when the translation is exact)
  -q, --quiet                      No explanations on stderr
  -h, --help                       This help

Exit status: 0 when every line matched, 1 when a line did not, 2 on a usage or pattern error.
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

function capturesJson(g: CompiledGrok, line: string, keepEmpty: boolean): string | undefined {
  const m = g.exec(line);
  if (m === null) return undefined;
  const event = new Event({});
  g.captures(m, (f, v) => writeCapture(event, f.path, v, false, keepEmpty));
  const out = { ...event.data };
  delete out['@timestamp'];
  delete out['@version'];
  const meta = event.metadata;
  if (Object.keys(meta).length > 0) out['@metadata'] = meta;
  return stringifyValue(out);
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
  const ecs = (values.ecs ?? 'disabled') as EcsMode;
  if (!['disabled', 'v1', 'v8'].includes(ecs)) { process.stderr.write(`sluice grok: --ecs must be v1, v8 or disabled\n`); return 2; }
  const engine = values.engine;
  if (engine !== undefined && engine !== 'native' && engine !== 'oniguruma') { process.stderr.write(`sluice grok: --engine must be native or oniguruma\n`); return 2; }
  const namedCapturesOnly = !values['all-captures'];

  let table: PatternTable;
  let grok: CompiledGrok;
  try {
    table = buildLibrary({
      ecs,
      patternsDir: values['patterns-dir'] ?? [],
      patternsFilesGlob: values['patterns-files-glob'] ?? '*',
      definitions: parseDefinitions(values['pattern-definitions'] ?? []),
    });
    grok = await compileGrokAsync(expression, table, { namedCapturesOnly, ...(engine ? { engine } : {}) });
  } catch (e) {
    // Undefined or cyclic patterns, unreadable pattern files, bad definitions, invalid regexes.
    if (e instanceof GrokPatternError || e instanceof PatternFileError || e instanceof Error) {
      process.stderr.write(`sluice grok: ${e.message}\n`);
      return 2;
    }
    throw e;
  }

  const source: AsyncIterable<string> | Iterable<string> = lines.length > 0 ? lines : linesOf(values.file);
  let misses = 0;
  let n = 0;
  for await (const line of source) {
    n++;
    const json = capturesJson(grok, line, values['keep-empty-captures'] ?? false);
    if (json !== undefined) { process.stdout.write(`${json}\n`); continue; }
    misses++;
    process.stdout.write('{"tags":["_grokparsefailure"]}\n');
    if (!values.quiet) {
      const x = await explainMiss(expression, line, table, namedCapturesOnly);
      const where = x.matchedPrefix === ''
        ? '  nothing of the expression matched'
        : `  matched:    ${x.matchedPrefix}\n  stopped at: offset ${x.stoppedAt}: ${JSON.stringify(x.remainingText.slice(0, 80))}`;
      const expanded = x.expression === expression ? '' : `  (inside the definition: ${x.expression.slice(0, 160)})\n`;
      process.stderr.write(`line ${n}: no match\n${expanded}${where}\n  next:       ${x.failedAt.slice(0, 120)}\n`);
    }
  }
  return misses > 0 ? 1 : 0;
}
