/**
 * The agent runs every pipeline of the process (one from -f/-e, or those of pipelines.yml), as Logstash's
 * agent does: a pipeline that fails to start is reported and the others run; `Pipelines running` is logged
 * once every started pipeline listens; reload (automatic, or on SIGHUP) recompiles what changed, keeps the
 * old pipeline when the new config is broken, and swaps a changed pipeline after it drained; pipelines talk
 * through one pipeline bus; `path.data` is locked while state lives there.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { PipelinePlan, Step } from '../config/plan.js';
import { loadPipeline, renderDiagnostics, type LoadSettings, type LoadSource } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import type { EcsMode } from '../plugins/options.js';
import { getLogger, symbol, type Logger } from '../services/logger.js';
import { MetricsRegistry, type PipelineStats } from '../services/metrics.js';
import { LocalPipelineBus } from './bus.js';
import { lockDataDir } from './data-lock.js';
import { parseRetainAge, SegmentedDeadLetterWriter } from './dlq/writer.js';
import { Pipeline, type PipelineSettings } from './pipeline.js';
import { PersistedQueue } from './queue/persisted/queue.js';
import { chunkableInput, threadCount, threadExecutors, whyNotThreaded } from './threads.js';
import type { EventQueue } from './queue/types.js';
import { DEFAULT_DATA_DIR } from '../plugins/context.js';
import { startApiServer, type ApiServer } from '../api/server.js';

/** One pipeline to run: its id, settings (logstash.yml, flags, its pipelines.yml entry) and config source. */
export interface PipelineSpec {
  id: string;
  settings: Settings;
  source: LoadSource;
  /** -e semantics: a missing input or output gets Logstash's defaults. */
  fillDefaults: boolean;
}

export interface AgentOptions {
  /** Process-wide settings (logstash.yml and flags). */
  settings: Settings;
  /** The pipelines to run; called again on reload (pipelines.yml may have changed). */
  specs: () => PipelineSpec[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** Colour in rendered config errors. */
  color: boolean;
  metrics?: MetricsRegistry;
}

interface Running {
  spec: PipelineSpec;
  fingerprint: string;
  pipeline: Pipeline;
  finished: Promise<void>;
  /** Has a `pipeline` output: stopped before the pipelines it may send to. */
  sends: boolean;
}

/** What a compiled pipeline needs to start, or the reason it cannot. */
type Compiled = { ok: true; plan: PipelinePlan; fingerprint: string } | { ok: false; message: string; errors: number };

/** Whether a section (with its conditionals) has a plugin of that name. */
function usesPlugin(steps: readonly Step[], name: string): boolean {
  return steps.some((st) => (st.type === 'plugin' ? st.plugin.name === name : st.branches.some((b) => usesPlugin(b.steps, name))));
}

/** Fingerprint of what a pipeline runs: its config texts and its settings. */
function fingerprintOf(sources: ReadonlyMap<string, string>, spec: PipelineSpec): string {
  const h = createHash('sha256');
  for (const [file, text] of [...sources].sort(([a], [b]) => (a < b ? -1 : 1))) h.update(file).update('\0').update(text).update('\0');
  h.update(JSON.stringify(spec.settings.entries().filter(([k]) => !k.startsWith('config.reload')).sort()));
  return h.digest('hex');
}

export class Agent {
  readonly metrics: MetricsRegistry;
  readonly bus = new LocalPipelineBus();
  readonly #o: AgentOptions;
  readonly #log: Logger = getLogger('logstash.agent');
  readonly #running = new Map<string, Running>();
  readonly #failed = new Set<string>();
  /** What each pipeline last ran (also once it finished): an unchanged config is not started again. */
  readonly #lastFingerprint = new Map<string, string>();
  #releaseLock: (() => void) | undefined;
  #api: Promise<ApiServer | undefined> | undefined;
  #finished = false;
  #stopping = false;
  #reloading: Promise<void> | undefined;
  #reloadTimer: NodeJS.Timeout | undefined;
  #allDone!: () => void;
  /** Resolves when no pipeline runs any more (their inputs finished, or stop()). */
  readonly done: Promise<void>;

  constructor(o: AgentOptions) {
    this.#o = o;
    this.metrics = o.metrics ?? new MetricsRegistry();
    this.done = new Promise((resolve) => { this.#allDone = resolve; });
  }

  get dataDir(): string { return this.#o.settings.string('path.data') ?? DEFAULT_DATA_DIR; }

  /** Pipelines that failed to start or stopped with a failed input. */
  get failures(): readonly string[] { return [...this.#failed]; }

  /** Running pipelines, for the monitoring API. */
  pipelines(): { id: string; pipeline: Pipeline; settings: Settings; stats: PipelineStats }[] {
    return [...this.#running.values()].map((r) => ({ id: r.spec.id, pipeline: r.pipeline, settings: r.spec.settings, stats: r.pipeline.stats }));
  }

  /** Compiled at check(), used by start() (nothing is compiled twice). */
  readonly #checked = new Map<string, Compiled>();

  /**
   * Compile every pipeline and write its problems (rendered, with carets) to `out`; returns the ids of the
   * pipelines whose config has errors and how many errors there are in all (`-t`, and the CLI's refusal
   * to start a broken single pipeline).
   */
  async check(out: (text: string) => void): Promise<{ broken: string[]; errors: number }> {
    const broken: string[] = [];
    let errors = 0;
    for (const spec of this.#o.specs()) {
      const c = await this.#compile(spec, out);
      this.#checked.set(spec.id, c);
      if (!c.ok) { broken.push(spec.id); errors += c.errors; }
    }
    return { broken, errors };
  }

  /** Lock path.data (when state lives there), start every pipeline, and log `Pipelines running`. */
  async start(): Promise<void> {
    const specs = this.#o.specs();
    const stateful = this.#o.settings.isSet('path.data') || specs.some((s) => s.settings.string('queue.type') === 'persisted' || s.settings.boolean('dead_letter_queue.enable'));
    if (stateful) this.#releaseLock = lockDataDir(this.dataDir);
    await Promise.all(specs.map((spec) => this.#startPipeline(spec, this.#checked.get(spec.id))));
    this.#checked.clear();
    await this.#announce();
    // The monitoring API (api.enabled): served until every pipeline is done.
    this.#api = startApiServer({ metrics: this.metrics, settings: this.#o.settings, pipelines: () => this.pipelines() }, getLogger('logstash.agent'))
      .catch((err: unknown) => { this.#log.error('Unable to start the Logstash API endpoint', { message: err instanceof Error ? err.message : String(err) }); return undefined; });
    const api = await this.#api;
    // Everything finished while the API was starting (stdin at EOF): it closes at once.
    if (this.#finished) await api?.close();
    this.#watchReload();
    this.#checkDone();
  }

  async #announce(): Promise<void> {
    const ready = await Promise.all([...this.#running.values()].map(async (r) => [r.spec.id, await r.pipeline.ready()] as const));
    const running = ready.filter(([, ok]) => ok).map(([id]) => id);
    const non = [...new Set([...ready.filter(([, ok]) => !ok).map(([id]) => id), ...this.#failed])];
    this.#log.info('Pipelines running', { count: running.length, running_pipelines: running.map(symbol), non_running_pipelines: non.map(symbol) });
  }

  async #compile(spec: PipelineSpec, out?: (text: string) => void): Promise<Compiled> {
    const result = await loadPipeline(spec.source, this.#loadSettings(spec));
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const text = result.diagnostics.length ? renderDiagnostics(result.diagnostics, result.sources, { color: this.#o.color }) : '';
    if (out && text) out(text);
    if (errors.length > 0 || !result.plan) {
      if (!out) this.#log.error(`pipeline ${spec.id}: the configuration has ${errors.length} error${errors.length === 1 ? '' : 's'}`, { pipeline_id: spec.id, errors: text.trim() });
      return { ok: false, message: text.trim(), errors: errors.length };
    }
    if (!out && text) this.#log.warn(`pipeline ${spec.id}: configuration warnings`, { warnings: text.trim() });
    return { ok: true, plan: result.plan, fingerprint: fingerprintOf(result.sources, spec) };
  }

  #loadSettings(spec: PipelineSpec): LoadSettings {
    const s = spec.settings;
    return {
      ecs: s.string('pipeline.ecs_compatibility') as EcsMode,
      supportEscapes: s.boolean('config.support_escapes'),
      env: this.#o.env,
      fillDefaults: spec.fillDefaults,
      cwd: this.#o.cwd,
      dataDir: this.dataDir,
    };
  }

  /** The queue a pipeline's settings ask for (persisted: `<path.queue>/<pipeline.id>`). */
  #queue(spec: PipelineSpec, log: Logger): EventQueue | undefined {
    const s = spec.settings;
    if (s.string('queue.type') !== 'persisted') return undefined;
    return PersistedQueue.open({
      dir: join(s.isSet('path.queue') ? s.string('path.queue')! : join(this.dataDir, 'queue'), spec.id),
      pageCapacity: s.number('queue.page_capacity'),
      maxBytes: s.number('queue.max_bytes'),
      maxEvents: s.number('queue.max_events'),
      checkpointWrites: s.number('queue.checkpoint.writes'),
      checkpointAcks: s.number('queue.checkpoint.acks'),
      checkpointIntervalMs: s.number('queue.checkpoint.interval'),
      drain: s.boolean('queue.drain'),
      logger: log,
    });
  }

  #pipelineSettings(spec: PipelineSpec): PipelineSettings {
    const s = spec.settings;
    const log = getLogger('org.logstash.ackedqueue', spec.id);
    const settings: PipelineSettings = {
      ecs: s.string('pipeline.ecs_compatibility') as EcsMode,
      pipelineId: spec.id,
      workers: s.number('pipeline.workers'),
      batchSize: s.number('pipeline.batch.size'),
      batchDelayMs: s.number('pipeline.batch.delay'),
      unsafeShutdown: s.boolean('pipeline.unsafe_shutdown'),
      stats: this.metrics.pipeline(spec.id),
      cwd: this.#o.cwd,
      dataDir: this.dataDir,
      bus: this.bus,
    };
    const queue = this.#queue(spec, log);
    if (queue) settings.queue = queue;
    if (s.boolean('dead_letter_queue.enable')) {
      const age = s.string('dead_letter_queue.retain.age');
      settings.deadLetters = new SegmentedDeadLetterWriter({
        dir: join(s.isSet('path.dead_letter_queue') ? s.string('path.dead_letter_queue')! : join(this.dataDir, 'dead_letter_queue'), spec.id),
        maxBytes: s.number('dead_letter_queue.max_bytes'),
        storagePolicy: s.string('dead_letter_queue.storage_policy') as 'drop_newer' | 'drop_older',
        flushIntervalMs: s.number('dead_letter_queue.flush_interval'),
        retainAgeMs: age === undefined ? undefined : parseRetainAge(age),
        logger: getLogger('org.logstash.common.io.DeadLetterQueueWriter', spec.id),
      });
    }
    return settings;
  }

  async #startPipeline(spec: PipelineSpec, compiled?: Compiled): Promise<boolean> {
    const c = compiled ?? await this.#compile(spec);
    if (!c.ok) { this.#failed.add(spec.id); return false; }
    let pipeline: Pipeline;
    let settings: PipelineSettings | undefined;
    try {
      settings = this.#pipelineSettings(spec);
      this.#log.info('Starting pipeline', { pipeline_id: spec.id, 'pipeline.workers': settings.workers, 'pipeline.batch.size': settings.batchSize, 'pipeline.batch.delay': settings.batchDelayMs, 'queue.type': settings.queue?.type ?? 'memory' });
      // Workers on threads when asked for (pipeline.worker_threads) and the filters allow it (threads.ts).
      // With the memory queue, the threads also decode the input's data themselves (ChunkFeed).
      const chunkInput = settings.queue === undefined ? chunkableInput(c.plan) : undefined;
      const notThreaded = spec.settings.boolean('pipeline.worker_threads') ? whyNotThreaded(c.plan, settings.workers, chunkInput !== undefined) : 'pipeline.worker_threads is off';
      if (notThreaded === undefined) {
        const plan = c.plan;
        const workers = settings.workers;
        if (chunkInput !== undefined) settings.chunkInput = chunkInput;
        settings.executors = (graph) => threadExecutors(plan, workers, { source: spec.source, load: this.#loadSettings(spec), ...(chunkInput === undefined ? {} : { chunkInput }) }, graph);
        this.#log.debug('filters run on worker threads', { pipeline_id: spec.id, threads: threadCount(workers), ...(chunkInput === undefined ? {} : { decodes_input: plan.inputs[chunkInput]!.id }) });
      } else {
        this.#log.debug('workers run on the pipeline thread', { pipeline_id: spec.id, reason: notThreaded });
      }
      pipeline = await Pipeline.create(c.plan, settings);
    } catch (err) {
      await settings?.queue?.dispose();
      await settings?.deadLetters?.close();
      this.#log.error('Failed to execute action', { id: spec.id, action_type: 'LogStash::PipelineAction::Create', message: err instanceof Error ? err.message : String(err) });
      this.#failed.add(spec.id);
      return false;
    }
    this.#failed.delete(spec.id);
    const finished = pipeline.run().then(() => {
      if (pipeline.failedInputs.length > 0) this.#failed.add(spec.id);
      if (this.#running.get(spec.id)?.pipeline === pipeline) this.#running.delete(spec.id);
      this.#checkDone();
    });
    const sends = usesPlugin(c.plan.outputs, 'pipeline');
    this.#lastFingerprint.set(spec.id, c.fingerprint);
    this.#running.set(spec.id, { spec, fingerprint: c.fingerprint, pipeline, finished, sends });
    return true;
  }

  #checkDone(): void {
    if (this.#running.size > 0 || this.#reloading) return;
    // With automatic reload the process stays up for the next good config, as Logstash does.
    if (!this.#stopping && this.#o.settings.boolean('config.reload.automatic') && this.#failed.size > 0) return;
    if (this.#reloadTimer) clearInterval(this.#reloadTimer);
    this.#releaseLock?.();
    this.#finished = true;
    const api = this.#api;
    this.#api = undefined;
    if (api) void api.then((a) => a?.close()).finally(() => this.#allDone());
    else this.#allDone();
  }

  #watchReload(): void {
    if (!this.#o.settings.boolean('config.reload.automatic')) return;
    const every = this.#o.settings.number('config.reload.interval');
    this.#reloadTimer = setInterval(() => { void this.reload(false); }, Math.max(100, every));
    this.#reloadTimer.unref();
  }

  /**
   * Reload what changed (SIGHUP, or the automatic check): a broken config is reported and the old pipeline
   * keeps running; a changed one is stopped (its in-flight events delivered) and started anew; an unchanged
   * one is left alone; pipelines added to or removed from pipelines.yml are started or stopped.
   */
  reload(explicit = true): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    this.#reloading ??= this.#reload(explicit).finally(() => { this.#reloading = undefined; this.#checkDone(); });
    return this.#reloading;
  }

  async #reload(explicit: boolean): Promise<void> {
    let specs: PipelineSpec[];
    try { specs = this.#o.specs(); } catch (err) {
      this.#log.error('Failed to read the pipelines configuration; nothing reloaded', { message: err instanceof Error ? err.message : String(err) });
      return;
    }
    if (explicit) this.#log.info('Reloading the configuration (SIGHUP)');
    const wanted = new Set(specs.map((s) => s.id));
    for (const [id, r] of this.#running) {
      if (!wanted.has(id)) { this.#log.info('Stopping a pipeline removed from the configuration', { pipeline_id: id }); await r.pipeline.stop(); await r.finished; }
    }
    let changed = false;
    for (const spec of specs) {
      const running = this.#running.get(spec.id);
      const stats = this.metrics.pipeline(spec.id);
      const c = await this.#compile(spec);
      if (!c.ok) {
        if (running || explicit) {
          stats.reloads.failures++;
          stats.reloads.last_failure_timestamp = new Date().toISOString();
          stats.reloads.last_error = { message: c.message, backtrace: [] };
          this.#log.error('Failed to execute action', { id: spec.id, action_type: 'LogStash::PipelineAction::Reload', exception: 'LogStash::ConfigurationError', message: c.message, running: running ? 'the old pipeline keeps running' : 'no pipeline running' });
        }
        continue;
      }
      // Unchanged: left alone, running or not (a pipeline that failed to start is tried again).
      if (!this.#failed.has(spec.id) && this.#lastFingerprint.get(spec.id) === c.fingerprint) continue;
      changed = true;
      if (running) {
        this.#log.info('Reloading pipeline', { pipeline_id: spec.id });
        await running.pipeline.stop();
        await running.finished;
      }
      if (await this.#startPipeline(spec, c)) {
        if (running) {
          stats.reloads.successes++;
          stats.reloads.last_success_timestamp = new Date().toISOString();
        }
      } else if (running) {
        stats.reloads.failures++;
        stats.reloads.last_failure_timestamp = new Date().toISOString();
      }
    }
    if (changed) await this.#announce();
  }

  /** Stop every pipeline (senders first, so receivers get what they send), then release path.data. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.done;
    this.#stopping = true;
    if (this.#reloadTimer) clearInterval(this.#reloadTimer);
    await this.#reloading;
    const all = [...this.#running.values()];
    const senders = all.filter((r) => r.sends);
    const others = all.filter((r) => !senders.includes(r));
    await Promise.all(senders.map((r) => r.pipeline.stop()));
    await Promise.all(others.map((r) => r.pipeline.stop()));
    await Promise.all(all.map((r) => r.finished));
    this.#checkDone();
    return this.done;
  }

  /** Give up waiting for outputs (a second signal). */
  abort(): void {
    for (const r of this.#running.values()) r.pipeline.abort();
  }

  /** Events written by every pipeline (the CLI's progress counter). */
  get eventsOut(): number {
    let n = 0;
    for (const p of this.metrics.pipelines.values()) n += p.events.out.value;
    return n;
  }
}
