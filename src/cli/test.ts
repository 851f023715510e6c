/**
 * `sluice test`: run logstash-filter-verifier test case files against a pipeline's filters, in-process.
 *
 *   sluice test CASES CONFIG...   LFV's form: a case file (or a directory of them) against a config
 *   sluice test PATH...           fixtures side by side: <name>.test.yaml next to <name>.conf (or <name>/)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPipeline, renderDiagnostics } from '../config/load.js';
import type { CodecPlan, PipelinePlan } from '../config/plan.js';
import { isCodecPlan } from '../config/plan.js';
import type { Event } from '../event/event.js';
import type { CodecInstance } from '../plugins/api.js';
import { ECS_VALUES, type EcsMode } from '../plugins/options.js';
import { compileInputDecoration } from '../runtime/decorate.js';
import { createCodec, createCodecByName } from '../runtime/instantiate.js';
import { LOG_LEVELS, configureLogging, type LogLevel } from '../services/logger.js';
import { CaseFileError, loadCaseFile, type CaseFile } from '../testing/cases.js';
import { COLORS, NO_COLORS, wantColor } from '../testing/diff.js';
import { discoverSideBySide, discoverWithConfig, displayPath, type Pairing } from '../testing/discover.js';
import { junitXml } from '../testing/junit.js';
import { Progress, formatFileResult, summaryLine, totals } from '../testing/report.js';
import { planRunner, runCaseFile, sharedRunner, type FileResult, type TestTarget } from '../testing/run.js';
import { writeUpdates } from '../testing/update.js';

const HELP = `Usage: sluice test CASES CONFIG...     test case file(s) against a config (logstash-filter-verifier's form)
       sluice test PATH...               every <name>.test.yaml|.test.yml|.test.json under PATH against the
                                         <name>.conf (or directory <name>/) beside it; <name>.<variant>.test.yaml
                                         also uses <name>.conf, so a config can have several case files

Case files use logstash-filter-verifier's format (JSON or YAML): codec, fields, ignore, input_plugin,
export_metadata, testcases[] with input (lines), expected (events), description, event/fields. sluice adds
input_raw (text, or a list of chunks, fed to the codec unchanged), input_base64 (bytes), input_frames (whole
frames, each decoded on its own like a UDP datagram), and a file-level ecs_compatibility. The config's inputs and outputs are not run: each case's input goes through the case
file's codec (default line), gets the fields, then runs through the filters. @version and the fields in
"ignore" are left out of the comparison; @timestamp is compared only when the expected event has one.

Options:
  -u, --update                    Rewrite the expectations of failing cases from the actual events
      --junit FILE                Write a JUnit XML report to FILE
  -v, --verbose                   Print every case with its time, not only failures
      --color / --no-color        Force colours on or off (default: on a terminal, unless NO_COLOR is set)
      --pipeline.ecs_compatibility disabled|v1|v8   Field names of plugins (default v8); a case file's
                                  ecs_compatibility wins
      --config.support_escapes    Interpret \\n \\t \\" \\\\ ... in quoted strings of the config
      --log.level LEVEL           Plugin log level (default error: plugin warnings would clutter results)
  -h, --help                      This help

Exit status: 0 when every case passes (or was updated), 1 when one fails, 2 on a usage error.
`;

interface Settings {
  ecs: EcsMode;
  supportEscapes: boolean;
}

export async function testCommand(argv: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        update: { type: 'boolean', short: 'u' },
        junit: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        'pipeline.ecs_compatibility': { type: 'string' },
        'config.support_escapes': { type: 'boolean' },
        'log.level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`sluice test: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) { process.stdout.write(HELP); return 0; }
  if (positionals.length === 0) { process.stderr.write(`sluice test: give case files or a fixtures directory\n\n${HELP}`); return 2; }
  const ecs = values['pipeline.ecs_compatibility'] ?? 'v8';
  if (!(ECS_VALUES as readonly string[]).includes(ecs)) {
    process.stderr.write(`sluice test: --pipeline.ecs_compatibility must be one of ${ECS_VALUES.join(', ')}, got "${ecs}"\n`);
    return 2;
  }
  const level = values['log.level'] ?? 'error';
  if (!(LOG_LEVELS as string[]).includes(level)) {
    process.stderr.write(`sluice test: --log.level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"\n`);
    return 2;
  }
  configureLogging({ level: level as LogLevel });
  const settings: Settings = { ecs: ecs as EcsMode, supportEscapes: values['config.support_escapes'] === true };
  const color = values['no-color'] ? false : values.color ? true : wantColor(process.stdout);
  const palette = color ? COLORS : NO_COLORS;
  const verbose = values.verbose === true;

  const started = performance.now();
  const { pairs, problems } = positionals.length === 1
    ? await discoverSideBySide(positionals)
    : await discoverWithConfig(positionals[0]!, positionals.slice(1));

  const results: FileResult[] = problems.map((p) => ({ path: p.path, config: [], error: p.message, cases: [], setupMs: 0, durationMs: 0 }));
  for (const r of results) process.stdout.write(formatFileResult(r, palette, verbose));

  // Load every case file first, so the progress line knows the total.
  const loaded: { pair: Pairing; file?: CaseFile; error?: string }[] = [];
  for (const pair of pairs) {
    try {
      const file = await loadCaseFile(pair.casePath);
      for (const w of file.warnings) process.stderr.write(`sluice test: ${displayPath(file.path)}: ${w}\n`);
      loaded.push({ pair, file });
    } catch (err) {
      loaded.push({ pair, error: err instanceof CaseFileError ? err.message.slice(err.file.length + 2) : (err as Error).message });
    }
  }
  const total = loaded.reduce((n, l) => n + (l.file?.cases.length ?? 0), 0);
  const progress = new Progress(process.stderr, { enabled: true });
  const targets = new Targets(settings, color);
  let done = 0;

  for (const { pair, file, error } of loaded) {
    let result: FileResult;
    if (!file) {
      result = { path: pair.casePath, config: pair.config, error: error ?? 'unreadable', cases: [], setupMs: 0, durationMs: 0 };
    } else {
      progress.clear(); // config diagnostics may follow on stderr
      const target = await targets.get(pair.config, file.ecs ?? settings.ecs);
      if ('error' in target) {
        result = { path: pair.casePath, config: pair.config, error: target.error, cases: [], setupMs: 0, durationMs: 0 };
      } else {
        result = await runCaseFile(file, target, {
          onCase: (f, c) => { progress.update(done++, total, `${displayPath(f.path)} › ${c.name}`); },
        });
      }
    }
    if (values.update && result.file) await update(result);
    results.push(result);
    progress.clear();
    process.stdout.write(formatFileResult(result, palette, verbose));
  }
  progress.clear();
  await targets.close();

  const wallMs = performance.now() - started;
  const t = totals(results);
  if (values.junit) {
    const path = resolve(values.junit);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, junitXml(results, wallMs));
  }
  process.stdout.write(summaryLine(t, wallMs, palette));
  return t.failed > 0 ? 1 : 0;
}

/** `--update`: failing cases get their actual events as expectations; the file is written once. */
async function update(result: FileResult): Promise<void> {
  const failing = result.cases.filter((c) => c.status === 'failed');
  if (failing.length === 0) return;
  const updates = failing.map((c) => ({ path: c.testCase.expectedPath, events: c.comparison!.updated }));
  await writeUpdates(result.file!, updates);
  for (const c of failing) c.status = 'updated';
}

/** Compiled configs and codecs, shared by the case files that use the same ones. */
class Targets {
  #plans = new Map<string, Promise<TestTarget | { error: string }>>();
  #codecPlans = new Map<string, Promise<CodecPlan | { error: string }>>();
  #runners: { close(): Promise<void> }[] = [];

  constructor(readonly settings: Settings, readonly color: boolean) {}

  /** Close every pipeline's filters (grok's guard workers would keep the process alive). */
  async close(): Promise<void> {
    for (const r of this.#runners) await r.close();
  }

  get(config: string[], ecs: EcsMode): Promise<TestTarget | { error: string }> {
    const key = `${ecs}\0${config.join('\0')}`;
    let p = this.#plans.get(key);
    if (!p) { p = this.#load(config, ecs); this.#plans.set(key, p); }
    return p;
  }

  async #load(config: string[], ecs: EcsMode): Promise<TestTarget | { error: string }> {
    try {
      return await this.#compile(config, ecs);
    } catch (err) {
      return { error: `loading the config ${config.map((c) => displayPath(c)).join(' ')} failed: ${(err as Error).message}` };
    }
  }

  async #compile(config: string[], ecs: EcsMode): Promise<TestTarget | { error: string }> {
    const { plan, diagnostics, sources } = await loadPipeline({ paths: config }, {
      ecs, supportEscapes: this.settings.supportEscapes, env: process.env, fillDefaults: false,
    });
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (diagnostics.length) process.stderr.write(renderDiagnostics(diagnostics, sources, { color: this.color }));
    if (errors.length || !plan) {
      return { error: `the config ${config.map((c) => displayPath(c)).join(' ')} has ${errors.length} error${errors.length === 1 ? '' : 's'} (shown above)` };
    }
    const shared = sharedRunner(() => planRunner(plan, ecs));
    this.#runners.push(shared);
    return {
      config,
      runner: shared.get,
      createCodec: (file) => this.#codecFor(file, plan, ecs),
    };
  }

  async #codecFor(file: CaseFile, plan: PipelinePlan, ecs: EcsMode): Promise<{ codec: CodecInstance; codecName: string; decorate?: (e: Event) => void }> {
    let decorate: ((e: Event) => void) | undefined;
    let fromInput: CodecPlan | string | undefined;
    if (file.inputPlugin !== undefined) {
      const input = plan.inputs.find((i) => i.id === file.inputPlugin);
      if (!input) {
        const ids = plan.inputs.map((i) => i.id);
        throw new Error(`input_plugin "${file.inputPlugin}": the config has no input with that id (inputs: ${ids.join(', ') || 'none'})`);
      }
      decorate = compileInputDecoration(input.options);
      const c = input.options.codec as unknown;
      fromInput = isCodecPlan(c) ? c : typeof c === 'string' ? c : (input.definition.options.codec?.default as string | undefined);
    }
    const runtime = { ecs };
    if (!file.codecGiven && fromInput !== undefined) {
      if (typeof fromInput === 'string') return { codec: await createCodecByName(fromInput, {}, runtime), codecName: fromInput, ...(decorate ? { decorate } : {}) };
      return { codec: await createCodec(fromInput, runtime), codecName: fromInput.name, ...(decorate ? { decorate } : {}) };
    }
    const spec = file.codec;
    if (/^\w+$/.test(spec)) return { codec: await createCodecByName(spec, {}, runtime), codecName: spec, ...(decorate ? { decorate } : {}) };
    const codecPlan = await this.#codecPlan(spec, ecs);
    if ('error' in codecPlan) throw new Error(codecPlan.error);
    return { codec: await createCodec(codecPlan, runtime), codecName: codecPlan.name, ...(decorate ? { decorate } : {}) };
  }

  /** A codec with options, as LFV's `codec` may give it, is read by the config compiler itself. */
  #codecPlan(spec: string, ecs: EcsMode): Promise<CodecPlan | { error: string }> {
    const key = `${ecs}\0${spec}`;
    let p = this.#codecPlans.get(key);
    if (!p) {
      p = (async () => {
        const text = `input { stdin { codec => ${spec} } }\noutput { stdout {} }\n`;
        const { plan, diagnostics, sources } = await loadPipeline({ text }, {
          ecs, supportEscapes: this.settings.supportEscapes, env: process.env, fillDefaults: false,
        });
        const codec = plan?.inputs[0]?.options.codec as unknown;
        if (diagnostics.some((d) => d.severity === 'error') || !isCodecPlan(codec)) {
          return { error: `codec ${JSON.stringify(spec)} is not a valid codec:\n${renderDiagnostics(diagnostics, sources, { color: false })}` };
        }
        return codec;
      })();
      this.#codecPlans.set(key, p);
    }
    return p;
  }
}
