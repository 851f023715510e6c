/**
 * Plugin contexts and instances for unit tests: the real context (src/plugins/context.ts) with a logger
 * that records what it was told, and plugins created from their definitions with declared defaults, the
 * way the runtime creates them (a declared default codec included).
 */
import type { CodecInstance, LogData, Logger, PluginContext, PluginDefinition, PluginKind } from '../../src/plugins/api.js';
import type { EcsMode } from '../../src/plugins/options.js';
import { contextFor, createCodecByName, withDefaults } from '../../src/plugins/context.js';

export interface LogLine { level: string; msg: string; data?: LogData }

export interface TestContextOptions {
  ecs?: EcsMode;
  id?: string;
  cwd?: string;
  dataDir?: string;
  /** Codecs to hand out by name instead of the real ones. */
  codecs?: Record<string, () => CodecInstance>;
}

export type TestContext = PluginContext & { logs: LogLine[] };

/** A logger that keeps every line (children write to the same list). */
export function recordingLogger(logs: LogLine[]): Logger {
  const at = (level: string) => (msg: string, data?: LogData): void => { logs.push(data === undefined ? { level, msg } : { level, msg, data }); };
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

export function testContext(options: TestContextOptions = {}, kind: PluginKind = 'filter', name = 'test'): TestContext {
  const logs: LogLine[] = [];
  const logger = recordingLogger(logs);
  const ecs = options.ecs ?? 'v8';
  const settings = {
    ecs,
    loggerFor: () => logger,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  };
  const ctx = contextFor(kind, name, options.id ?? name, { ecs_compatibility: ecs }, settings);
  const codecs = options.codecs ?? {};
  return {
    ...ctx,
    logs,
    createCodec: async (codec, codecOptions) => codecs[codec]?.() ?? createCodecByName(codec, codecOptions ?? {}, settings),
  };
}

/**
 * Create a plugin from its definition as the runtime would: declared defaults filled in, the declared
 * default codec created when `options` gives none (a `codec` given as a string is created by name).
 */
export async function createPlugin<K extends PluginKind>(def: PluginDefinition<K>, options: Record<string, unknown> = {}, ctx: TestContext = testContext({}, def.kind, def.name)): Promise<Awaited<ReturnType<PluginDefinition<K>['create']>>> {
  const opts = withDefaults(def, options);
  const codecSpec = def.allOptions.codec;
  if (codecSpec && (opts.codec === undefined || typeof opts.codec === 'string')) {
    const name = typeof opts.codec === 'string' ? opts.codec : codecSpec.default;
    if (typeof name === 'string') opts.codec = await ctx.createCodec(name);
  }
  return def.create(opts, ctx) as Promise<Awaited<ReturnType<PluginDefinition<K>['create']>>>;
}
