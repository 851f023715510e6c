/**
 * `sluice run`: Logstash's command line. Settings come from `logstash.yml` in `--path.settings` (or
 * LS_SETTINGS_DIR), overridden by flags (every setting is a `--name value` flag, plus Logstash's short
 * ones). The pipelines are the one given by -f/-e (pipelines.yml is then ignored, with Logstash's
 * warning), else those of pipelines.yml, else `path.config`/`config.string` of logstash.yml, else the
 * default pipeline. Every config problem is reported at once; the process runs until its pipelines finish
 * or SIGINT/SIGTERM, and SIGHUP reloads.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderDiagnostics, type LoadSource } from '../config/load.js';
import { applyFlag, readPipelinesFile, readSettingsFile, Settings, SETTINGS, SettingsError } from '../config/settings.js';
import { Agent, type PipelineSpec } from '../runtime/agent.js';
import { DEFAULT_PIPELINE_CONFIG } from '../runtime/default-config.js';
import { configureLogging, getLogger, type LogFormat, type LogLevel } from '../services/logger.js';
import { PACKAGE_ROOT } from '../services/package.js';
import { startProgress } from './progress.js';

const HELP = `Usage: sluice run [options]

  -f, --path.config PATH          Config file, directory (every file, sorted) or glob
  -e, --config.string STRING      Config text; missing input/output default to stdin / stdout { codec => rubydebug }
  -t, --config.test_and_exit      Check the config, print "Configuration OK" or every error, and exit
  -r, --config.reload.automatic   Reload the config when its files change (SIGHUP reloads too)
      --config.reload.interval T  How often to check for changes (default 3s)
  -w, --pipeline.workers N        Worker threads for filters and outputs (default: the number of cores)
  -b, --pipeline.batch.size N     Events per batch (default 125)
  -u, --pipeline.batch.delay MS   Longest wait for a batch to fill (default 50)
      --pipeline.ecs_compatibility disabled|v1|v8   Field names of plugins (default v8)
      --pipeline.id ID            Pipeline name (default main)
      --config.support_escapes    Interpret \\n \\t \\" \\\\ ... in quoted strings
      --path.settings DIR         Directory of logstash.yml and pipelines.yml
      --path.data DIR             Where queues, dead letter queues and plugin state live
  -l, --path.logs DIR             Also write logs to DIR/sluice-plain.log (or -json.log)
      --log.level LEVEL           fatal, error, warn, info (default), debug, trace
      --log.format FORMAT         plain (default: Logstash's log lines) or json
      --<setting> VALUE           Any logstash.yml setting (queue.type, api.http.port, ...)
  -h, --help                      This help

Without -f or -e, runs the pipelines of pipelines.yml, or else the default pipeline.
`;

class UsageError extends Error {}

const SHORT: Record<string, string> = {
  '-f': 'path.config', '-e': 'config.string', '-t': 'config.test_and_exit', '-r': 'config.reload.automatic',
  '-w': 'pipeline.workers', '-b': 'pipeline.batch.size', '-u': 'pipeline.batch.delay', '-l': 'path.logs', '-n': 'node.name',
};

interface Parsed {
  flags: [string, string | true][];
  configPaths: string[];
  help: boolean;
}

/** Logstash's flags: `--name value`, `--name=value`, booleans alone (`-t`, `--config.reload.automatic`). */
function parseFlags(argv: string[]): Parsed {
  const out: Parsed = { flags: [], configPaths: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') { out.help = true; continue; }
    let name: string;
    let value: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) value = arg.slice(eq + 1);
    } else if (SHORT[arg] !== undefined) {
      name = SHORT[arg]!;
    } else {
      throw new UsageError(`unexpected argument "${arg}"`);
    }
    const spec = SETTINGS[name];
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (value === undefined && spec.type === 'boolean') {
      const next = argv[i + 1];
      if (next === 'true' || next === 'false') { value = next; i++; } else { out.flags.push([name, true]); continue; }
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      value = argv[++i]!;
    }
    if (name === 'path.config') out.configPaths.push(value); else out.flags.push([name, value]);
  }
  return out;
}

export async function runCommand(argv: string[]): Promise<number> {
  let parsed: Parsed;
  try { parsed = parseFlags(argv); } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`sluice run: ${err.message}\n\n${HELP}`);
    return 2;
  }
  if (parsed.help) { process.stdout.write(HELP); return 0; }
  const env = process.env;
  const cwd = process.cwd();
  const color = process.stderr.isTTY === true && !env.NO_COLOR;

  // logstash.yml first, then the flags over it.
  const settings = new Settings();
  const settingsDirFlag = parsed.flags.find(([n]) => n === 'path.settings')?.[1];
  const settingsDir = typeof settingsDirFlag === 'string' ? resolve(cwd, settingsDirFlag) : env.LS_SETTINGS_DIR ? resolve(cwd, env.LS_SETTINGS_DIR) : join(PACKAGE_ROOT, 'config');
  const ymlPath = join(settingsDir, 'logstash.yml');
  if (typeof settingsDirFlag === 'string' && !existsSync(settingsDir)) {
    process.stderr.write(`sluice run: --path.settings ${settingsDirFlag}: no such directory\n`);
    return 1;
  }
  if (existsSync(ymlPath)) {
    const text = readFileSync(ymlPath, 'utf8');
    const { diagnostics } = readSettingsFile(ymlPath, text, settings, env);
    if (diagnostics.length) process.stderr.write(renderDiagnostics(diagnostics, new Map([[ymlPath, text]]), { color }));
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    if (errors) { process.stderr.write(`\n${ymlPath} has ${errors} error${errors === 1 ? '' : 's'}; nothing was started.\n`); return 1; }
  }
  try {
    for (const [name, value] of parsed.flags) applyFlag(settings, name, value);
    if (parsed.configPaths.length && settings.isSet('config.string') && settings.origin('config.string') === 'command line') {
      throw new SettingsError('-e and -f cannot be used together: give the config either as a string or as files');
    }
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    process.stderr.write(`sluice run: ${err.message}\n`);
    return 2;
  }

  const logsDir = settings.string('path.logs');
  const format = settings.string('log.format') as LogFormat;
  configureLogging({ level: settings.string('log.level') as LogLevel, format });
  if (logsDir) {
    mkdirSync(logsDir, { recursive: true });
    configureLogging({ file: join(logsDir, `sluice-${format}.log`) });
  }
  const log = getLogger('logstash.runner');

  // Which pipelines: -f/-e, else pipelines.yml, else logstash.yml's config, else the default pipeline.
  const fromFlags = parsed.configPaths.length > 0 || settings.origin('config.string') === 'command line';
  const pipelinesYml = join(settingsDir, 'pipelines.yml');
  let pipelinesError = false;
  const single = (source: LoadSource, fillDefaults: boolean): PipelineSpec[] => [{ id: settings.string('pipeline.id')!, settings, source, fillDefaults }];
  const specs = (): PipelineSpec[] => {
    if (parsed.configPaths.length > 0) return single({ paths: parsed.configPaths }, false);
    if (fromFlags) return single({ text: settings.string('config.string')! }, true);
    if (existsSync(pipelinesYml)) {
      const text = readFileSync(pipelinesYml, 'utf8');
      const { entries, diagnostics } = readPipelinesFile(pipelinesYml, text, settings, env);
      if (diagnostics.length) {
        pipelinesError = diagnostics.some((d) => d.severity === 'error');
        process.stderr.write(renderDiagnostics(diagnostics, new Map([[pipelinesYml, text]]), { color }));
      }
      return entries.map((e) => {
        const path = e.settings.string('path.config');
        const source: LoadSource = e.settings.origin('path.config')?.startsWith(pipelinesYml) && path !== undefined ? { paths: [path] } : { text: e.settings.string('config.string')! };
        return { id: e.id, settings: e.settings, source, fillDefaults: source.text !== undefined };
      });
    }
    if (settings.isSet('path.config')) return single({ paths: [settings.string('path.config')!] }, false);
    if (settings.isSet('config.string')) return single({ text: settings.string('config.string')! }, true);
    return single({ text: DEFAULT_PIPELINE_CONFIG }, false);
  };
  if (fromFlags && existsSync(pipelinesYml)) log.warn("Ignoring the 'pipelines.yml' file because modules or command line options are specified");
  if (!fromFlags && !existsSync(pipelinesYml) && !settings.isSet('path.config') && !settings.isSet('config.string') && !settings.boolean('config.test_and_exit')) {
    log.info('no config given (-f or -e) and no pipelines.yml: running the default pipeline', { config: DEFAULT_PIPELINE_CONFIG.trim() });
  }

  const agent = new Agent({ settings, specs, env, cwd, color });
  const started = performance.now();
  const all = specs();
  if (pipelinesError && all.length === 0) { process.stderr.write(`\n${pipelinesYml} has errors; nothing was started.\n`); return 1; }
  if (all.length === 0) { process.stderr.write(`sluice run: ${pipelinesYml} defines no pipeline\n`); return 1; }
  const { broken, errors } = await agent.check((text) => process.stderr.write(text));
  const summary = (): string => `\nConfiguration has ${errors} error${errors === 1 ? '' : 's'}${all.length > 1 ? ` (pipeline${broken.length === 1 ? '' : 's'} ${broken.join(', ')})` : ''}; nothing was started.\n`;
  if (settings.boolean('config.test_and_exit')) {
    if (broken.length || pipelinesError) { process.stderr.write(summary()); return 1; }
    process.stdout.write('Configuration OK\n');
    log.debug('config checked', { ms: Math.round(performance.now() - started) });
    return 0;
  }
  // One broken pipeline of several is reported and the others run, as in Logstash.
  if (broken.length === all.length) { process.stderr.write(summary()); return 1; }

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      log.warn(`second ${sig}: exiting without waiting for in-flight events`);
      agent.abort();
      process.exit(1);
    }
    log.info(`${sig} received: shutting down after in-flight events are written`);
    void agent.stop();
  };
  const onHup = (): void => { void agent.reload(true); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onHup);
  try {
    await agent.start();
  } catch (err) {
    process.stderr.write(`sluice: ${(err as Error).message}\n`);
    return 1;
  }
  const progress = startProgress(() => agent.eventsOut);
  await agent.done;
  progress?.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onHup);
  if (agent.failures.length) {
    process.stderr.write(`sluice: pipeline ${agent.failures.join(', ')} failed (see the log); the others stopped after writing what they had received\n`);
    return 1;
  }
  return 0;
}
