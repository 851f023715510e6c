/**
 * `sluice run`: Logstash's command line. Loads the config (-f file/dir/glob, -e string, or the default
 * pipeline), reports every config problem at once, and runs the pipeline until its inputs finish or
 * SIGINT/SIGTERM, draining in-flight events before exiting 0.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPipeline, renderDiagnostics } from '../config/load.js';
import { ECS_VALUES, type EcsMode } from '../plugins/options.js';
import { LOG_FORMATS, LOG_LEVELS, configureLogging, getLogger, symbol, type LogFormat, type LogLevel } from '../services/logger.js';
import { Pipeline } from '../runtime/pipeline.js';
import { DEFAULT_PIPELINE_CONFIG } from '../runtime/default-config.js';
import { startProgress } from './progress.js';

const HELP = `Usage: sluice run [options]

  -f, --path.config PATH          Config file, directory (every file, sorted) or glob
  -e, --config.string STRING      Config text; missing input/output default to stdin / stdout { codec => rubydebug }
  -t, --config.test_and_exit      Check the config, print "Configuration OK" or every error, and exit
  -w, --pipeline.workers N        Batches processed concurrently (default 1: keeps event order)
  -b, --pipeline.batch.size N     Events per batch (default 125)
  -u, --pipeline.batch.delay MS   Longest wait for a batch to fill (default 50)
      --pipeline.ecs_compatibility disabled|v1|v8   Field names of plugins (default v8)
      --pipeline.id ID            Pipeline name in logs (default main)
      --config.support_escapes    Interpret \\n \\t \\" \\\\ ... in quoted strings
      --log.level LEVEL           fatal, error, warn, info (default), debug, trace
      --log.format FORMAT         plain (default: Logstash's log lines) or json
  -l, --path.logs DIR             Also write logs to DIR/sluice-plain.log
  -r, --config.reload.automatic   Not supported; accepted with a warning
  -h, --help                      This help

Without -f or -e, runs the default pipeline.
`;

class UsageError extends Error {}

function intOption(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

export async function runCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        'path.config': { type: 'string', short: 'f', multiple: true },
        'config.string': { type: 'string', short: 'e' },
        'config.test_and_exit': { type: 'boolean', short: 't' },
        'config.reload.automatic': { type: 'boolean', short: 'r' },
        'config.support_escapes': { type: 'boolean' },
        'pipeline.workers': { type: 'string', short: 'w' },
        'pipeline.batch.size': { type: 'string', short: 'b' },
        'pipeline.batch.delay': { type: 'string', short: 'u' },
        'pipeline.ecs_compatibility': { type: 'string' },
        'pipeline.id': { type: 'string' },
        'log.level': { type: 'string' },
        'log.format': { type: 'string' },
        'path.logs': { type: 'string', short: 'l' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`sluice run: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) { process.stdout.write(HELP); return 0; }

  let workers: number, batchSize: number, batchDelayMs: number;
  let ecs: EcsMode;
  try {
    workers = intOption(values['pipeline.workers'], '-w/--pipeline.workers', 1) ?? 1;
    batchSize = intOption(values['pipeline.batch.size'], '-b/--pipeline.batch.size', 1) ?? 125;
    batchDelayMs = intOption(values['pipeline.batch.delay'], '-u/--pipeline.batch.delay', 0) ?? 50;
    const e = values['pipeline.ecs_compatibility'] ?? 'v8';
    if (!(ECS_VALUES as readonly string[]).includes(e)) throw new UsageError(`--pipeline.ecs_compatibility must be one of ${ECS_VALUES.join(', ')}, got "${e}"`);
    ecs = e as EcsMode;
    const level = values['log.level'] ?? 'info';
    if (!(LOG_LEVELS as string[]).includes(level)) throw new UsageError(`--log.level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
    const format = values['log.format'] ?? 'plain';
    if (!(LOG_FORMATS as string[]).includes(format)) throw new UsageError(`--log.format must be one of ${LOG_FORMATS.join(', ')}, got "${format}"`);
    configureLogging({ level: level as LogLevel, format: format as LogFormat });
    if (values['path.config'] && values['config.string'] !== undefined) {
      throw new UsageError('-e and -f cannot be used together: give the config either as a string or as files');
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`sluice run: ${err.message}\n`);
    return 2;
  }

  const logsDir = values['path.logs'];
  if (logsDir) {
    mkdirSync(logsDir, { recursive: true });
    configureLogging({ file: join(logsDir, `sluice-${values['log.format'] ?? 'plain'}.log`) });
  }
  const log = getLogger('logstash.runner');
  if (values['config.reload.automatic']) log.warn('config.reload.automatic is not supported by sluice; the config is read once');

  const started = performance.now();
  const source = values['path.config']
    ? { paths: values['path.config'] }
    : { text: values['config.string'] ?? DEFAULT_PIPELINE_CONFIG };
  const color = process.stderr.isTTY === true && !process.env.NO_COLOR;
  const { plan, diagnostics, sources } = await loadPipeline(source, {
    ecs,
    supportEscapes: values['config.support_escapes'] === true,
    env: process.env,
    fillDefaults: values['config.string'] !== undefined,
  });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (diagnostics.length) process.stderr.write(renderDiagnostics(diagnostics, sources, { color }));
  if (errors.length || !plan) {
    process.stderr.write(`\nConfiguration has ${errors.length} error${errors.length === 1 ? '' : 's'}; nothing was started.\n`);
    return 1;
  }
  if (values['config.test_and_exit']) {
    process.stdout.write('Configuration OK\n');
    log.debug('config checked', { ms: Math.round(performance.now() - started) });
    return 0;
  }
  if (!values['path.config'] && values['config.string'] === undefined) {
    log.info('no config given (-f or -e): running the default pipeline', { config: DEFAULT_PIPELINE_CONFIG.trim() });
  }

  let pipeline: Pipeline;
  try {
    pipeline = await Pipeline.create(plan, { ecs, workers, batchSize, batchDelayMs, pipelineId: values['pipeline.id'] ?? 'main' });
  } catch (err) {
    process.stderr.write(`sluice: a plugin could not start: ${(err as Error).message}\n`);
    return 1;
  }

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      log.warn(`second ${sig}: exiting without draining`);
      process.exit(1);
    }
    log.info(`${sig} received: shutting down after in-flight events are written`);
    void pipeline.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  log.debug('pipeline started', { workers, batchSize, batchDelayMs, ecs });
  const progress = startProgress(() => pipeline.eventsOut);
  const finished = pipeline.run();
  const id = values['pipeline.id'] ?? 'main';
  void pipeline.ready().then((ok) => {
    getLogger('logstash.agent').info('Pipelines running', ok
      ? { count: 1, running_pipelines: [symbol(id)], non_running_pipelines: [] }
      : { count: 0, running_pipelines: [], non_running_pipelines: [symbol(id)] });
  });
  await finished;
  progress?.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  log.debug('pipeline stopped', { events: pipeline.eventsOut });
  if (pipeline.failedInputs.length) {
    process.stderr.write(`sluice: input ${pipeline.failedInputs.join(', ')} failed; the pipeline stopped after writing what it had received\n`);
    return 1;
  }
  return 0;
}
