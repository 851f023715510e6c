/**
 * Loading a pipeline config the way Logstash's local config source does: `-f` paths are files,
 * directories (every file in it, sorted, not recursive, skipping `~` backups) or globs; each file is
 * parsed on its own so that errors name the right file and line; filter sections are chained in file
 * order and every output section receives every event. `-e` text is named `config string`; with
 * `fillDefaults` (Logstash's -e behaviour) a missing input becomes `stdin { type => stdin }` and a
 * missing output `stdout { codec => rubydebug }`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EcsMode } from '../plugins/options.js';
import type { ConfigAst } from './ast.js';
import { CODES } from './codes.js';
import { FileCompiler, type FilePlan } from './compile.js';
import { DiagnosticSink, renderDiagnostics, type Diagnostic } from './diagnostics.js';
import { parseConfig } from './parse.js';
import { checkPlugins } from './plugin-check.js';
import type { PipelinePlan, PluginPlan } from './plan.js';

export { renderDiagnostics };
export type { Diagnostic };

export interface LoadSource {
  /** Files, directories or globs (`-f`, repeatable). */
  paths?: string[];
  /** Config text (`-e`). */
  text?: string;
}

export interface LoadSettings {
  ecs: EcsMode;
  supportEscapes: boolean;
  /** Environment for `${VAR}` substitution (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Add Logstash's -e default input and output when the config has none. */
  fillDefaults?: boolean;
  /** Directory that relative paths are resolved against (default: process.cwd()). */
  cwd?: string;
  /** `path.data`, where plugins keep state (e.g. geoip's managed databases) (default: data/ in the installation). */
  dataDir?: string;
  /**
   * Leave out the plugins' own checks (grok compiling every expression, say): for a worker thread loading
   * the very text the pipeline thread has already loaded and checked.
   */
  skipPluginChecks?: boolean;
}

export interface LoadResult {
  /** Present only when there is no error (warnings allowed). */
  plan?: PipelinePlan;
  diagnostics: Diagnostic[];
  /** Text of every file read, by the name diagnostics use. */
  sources: Map<string, string>;
}

/** The name a `-e` config goes by in diagnostics. */
export const CONFIG_STRING = 'config string';
/** Logstash's defaults for -e (LogStash::Config::Defaults). */
export const DEFAULT_INPUT = 'input { stdin { type => stdin } }';
export const DEFAULT_OUTPUT = 'output { stdout { codec => rubydebug } }';

const TEMPORARY_FILE = /~$/;
const GLOB_MAGIC = /[*?[\]{}]/;

/** Expand one `-f` path into files, sorted as Logstash sorts them. */
async function expandPath(path: string, cwd: string): Promise<string[]> {
  const p = path.replace(/^file:\/\//i, '');
  const abs = (q: string): string => (q.startsWith('/') ? q : join(cwd, q));
  let st;
  try { st = statSync(abs(p)); } catch { st = undefined; }
  if (st?.isDirectory()) {
    return readdirSync(abs(p))
      .filter((name) => !name.startsWith('.'))
      .map((name) => join(p, name))
      .filter((f) => { try { return statSync(abs(f)).isFile(); } catch { return false; } })
      .sort();
  }
  if (st?.isFile()) return [p];
  if (!GLOB_MAGIC.test(p)) return [];
  // fast-glob is loaded only for globs: importing it costs more than checking a whole config.
  const fg = (await import('fast-glob')).default;
  return (await fg(p, { cwd, onlyFiles: true, dot: false })).sort();
}

function byPosition(order: Map<string, number>) {
  return (a: Diagnostic, b: Diagnostic): number =>
    (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) || a.line - b.line || a.column - b.column;
}

export async function loadPipeline(source: LoadSource, settings: LoadSettings): Promise<LoadResult> {
  const cwd = settings.cwd ?? process.cwd();
  const env = settings.env ?? process.env;
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const units: { file: string; text: string }[] = [];
  const seen = new Set<string>();

  if (source.text !== undefined && source.text !== '') units.push({ file: CONFIG_STRING, text: source.text });
  for (const path of source.paths ?? []) {
    if (path.trim() === '') {
      diagnostics.push({ code: CODES.CONFIG_NOT_FOUND, severity: 'error', message: 'empty config path', file: '<command line>', line: 0, column: 0, hint: 'give -f a file, a directory or a glob' });
      continue;
    }
    const files = (await expandPath(path, cwd)).filter((f) => !TEMPORARY_FILE.test(f));
    if (files.length === 0) {
      diagnostics.push({ code: CODES.CONFIG_NOT_FOUND, severity: 'error', message: `cannot load configuration for path: ${path} (no such file, or nothing matches)`, file: path, line: 0, column: 0 });
      continue;
    }
    for (const file of files) {
      // The same file reached through two paths is loaded once.
      if (seen.has(file)) continue;
      seen.add(file);
      try {
        // A byte-order mark (Windows editors) is not part of the config.
        const text = readFileSync(file.startsWith('/') ? file : join(cwd, file), 'utf8').replace(/^\uFEFF/, '');
        units.push({ file, text });
      } catch (err) {
        diagnostics.push({ code: CODES.CONFIG_READ, severity: 'error', message: `cannot read ${file}: ${(err as Error).message}`, file, line: 0, column: 0 });
      }
    }
  }

  const asts: { file: string; ast: ConfigAst; sink: DiagnosticSink }[] = [];
  const sinks: DiagnosticSink[] = [];
  for (const { file, text } of units) {
    sources.set(file, text);
    const sink = new DiagnosticSink(file);
    sinks.push(sink);
    const ast = parseConfig(text, sink);
    if (ast) asts.push({ file, ast, sink });
  }

  if (settings.fillDefaults) {
    const parsedAll = asts.length === units.length;
    const has = (kind: string): boolean => asts.some(({ ast }) => ast.sections.some((s) => s.kind === kind));
    if (parsedAll && !has('input')) addDefault('default input', DEFAULT_INPUT);
    if (parsedAll && !has('output')) addDefault('default output', DEFAULT_OUTPUT);
  }
  function addDefault(file: string, text: string): void {
    sources.set(file, text);
    const sink = new DiagnosticSink(file);
    sinks.push(sink);
    const ast = parseConfig(text, sink);
    if (ast) asts.push({ file, ast, sink });
  }

  if (units.length === 0 && asts.length === 0 && diagnostics.length === 0) {
    diagnostics.push({ code: CODES.EMPTY_CONFIG, severity: 'error', message: 'no configuration given', file: source.text !== undefined ? CONFIG_STRING : '<command line>', line: 0, column: 0, hint: 'write at least one input, filter or output section' });
  }

  const plans: FilePlan[] = [];
  for (const { file, ast, sink } of asts) {
    plans.push(await new FileCompiler(file, { supportEscapes: settings.supportEscapes, env, cwd }, sink).compile(ast));
  }
  const idSink = new DiagnosticSink('');
  assignIds(plans.flatMap((p) => p.plugins), idSink);

  const order = new Map<string, number>();
  [...sources.keys()].forEach((f, i) => order.set(f, i));
  let all = [...diagnostics, ...sinks.flatMap((s) => s.list), ...idSink.list];
  const plan: PipelinePlan = {
    inputs: plans.flatMap((p) => p.inputs),
    filters: plans.flatMap((p) => p.filters),
    outputs: plans.flatMap((p) => p.outputs),
  };
  // Plugins judge their own options too; one whose options already failed validation is skipped.
  const rejected = new Set(plans.flatMap((p) => [...p.rejected]));
  if (!settings.skipPluginChecks) all.push(...await checkPlugins(plan, { ecs: settings.ecs, cwd: settings.cwd ?? process.cwd(), ...(settings.dataDir === undefined ? {} : { dataDir: settings.dataDir }) }, rejected));
  all = all.sort(byPosition(order));
  const result: LoadResult = { diagnostics: all, sources };
  if (!all.some((d) => d.severity === 'error')) result.plan = plan;
  return result;
}

/**
 * Explicit ids must be unique; plugins without one get `<name>_<n>` (n counting that plugin name in config
 * order, skipping ids already taken).
 */
function assignIds(plugins: PluginPlan[], sink: DiagnosticSink): void {
  const taken = new Map<string, PluginPlan>();
  for (const p of plugins) {
    if (p.id === '') continue;
    const first = taken.get(p.id);
    if (first) {
      const l = first.location;
      sink.list.push({
        code: CODES.DUPLICATE_ID, severity: 'error', file: p.location.file, line: p.location.line, column: p.location.column,
        message: `two plugins have the id \`${p.id}\` (the other is the ${first.kind} \`${first.name}\` at ${l.file}:${l.line}:${l.column})`,
        hint: 'plugin ids must be unique in a pipeline',
      });
    } else taken.set(p.id, p);
  }
  const counters = new Map<string, number>();
  for (const p of plugins) {
    if (p.id !== '') continue;
    let n = counters.get(p.name) ?? 0;
    let id: string;
    do { n += 1; id = `${p.name}_${n}`; } while (taken.has(id));
    counters.set(p.name, n);
    taken.set(id, p);
    p.id = id;
  }
}
