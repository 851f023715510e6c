/**
 * The filter and output sections as runnable graphs, run a batch at a time, node by node, as Logstash's
 * compiled pipeline does: each filter gets every event of the batch that reaches it (one loop per filter,
 * or one `filterBatch` call), conditionals split the batch between their branches.
 *
 * Order: every event of the batch keeps its place; events a filter emits for one (clone, split) follow it
 * directly and continue from the next filter (Logstash's multi_filter), so with one worker the output order
 * is deterministic. A filter that throws tags the event `_filter_exception` and the batch goes on.
 */
import type { Condition, PluginPlan, Step } from '../config/plan.js';
import type { Event } from '../event/event.js';
import type { FilterInstance, OutputInstance } from '../plugins/api.js';
import type { RuntimeSettings } from '../plugins/context.js';
import { getLogger, rateLimited } from '../services/logger.js';
import { PluginStats } from '../services/metrics.js';
import { compileFilterMatched } from './decorate.js';
import { createFilter, createOutput } from './instantiate.js';

/** Tag put on an event whose filter threw: the event goes on instead of crashing the pipeline. */
export const FILTER_EXCEPTION_TAG = '_filter_exception';

export interface GraphSettings extends RuntimeSettings {
  /** Where the graph's plugins count events in/out and time spent (the pipeline's metrics). */
  statsFor?: (kind: 'filter' | 'output', id: string, name: string) => PluginStats;
}

interface FilterNode {
  kind: 'filter';
  plan: PluginPlan;
  instance: FilterInstance;
  matched: ((event: Event) => void) | undefined;
  stats: PluginStats;
}
interface BranchNode<N> { condition: Condition | null; nodes: N[] }
interface IfNode<N> { kind: 'if'; branches: BranchNode<N>[] }
/** A section as instantiated: plugin leaves and if/else chains of further nodes. */
type Tree<L> = L | IfNode<Tree<L>>;
type FNode = Tree<FilterNode>;

export interface OutputNode { kind: 'output'; plan: PluginPlan; instance: OutputInstance; index: number; stats: PluginStats }
type ONode = Tree<OutputNode>;

const log = getLogger('logstash.javapipeline');

/** Index of the branch an event takes, or -1. */
function pick<N>(node: IfNode<N>, event: Event): number {
  const bs = node.branches;
  for (let i = 0; i < bs.length; i++) {
    const c = bs[i]!.condition;
    if (c === null || c(event)) return i;
  }
  return -1;
}

/**
 * Instantiate a section's steps in config order: each plugin becomes a leaf made by `leaf` (also collected
 * in `leaves`), each if/else chain a branch node with its conditions.
 */
async function buildTree<L>(steps: Step[], leaf: (plan: PluginPlan, index: number) => Promise<L>, leaves: L[]): Promise<Tree<L>[]> {
  const build = async (ss: Step[]): Promise<Tree<L>[]> => {
    const out: Tree<L>[] = [];
    for (const s of ss) {
      if (s.type === 'plugin') {
        const node = await leaf(s.plugin, leaves.length);
        leaves.push(node);
        out.push(node);
      } else {
        const branches: BranchNode<Tree<L>>[] = [];
        for (const b of s.branches) branches.push({ condition: b.condition, nodes: await build(b.steps) });
        out.push({ kind: 'if', branches });
      }
    }
    return out;
  };
  return build(steps);
}

function statsOf(settings: GraphSettings, kind: 'filter' | 'output', plan: PluginPlan): PluginStats {
  return settings.statsFor?.(kind, plan.id, plan.name) ?? new PluginStats(kind, plan.id, plan.name);
}

/** Events of a batch with the place (slot) of the input event each descends from. */
interface Items { events: Event[]; slots: number[] }
type MaybePromise<T> = T | Promise<T>;

const warnMatched = rateLimited(log);

export class FilterGraph {
  readonly #nodes: FNode[];
  readonly #all: FilterNode[];

  private constructor(nodes: FNode[], all: FilterNode[]) { this.#nodes = nodes; this.#all = all; }

  static async build(steps: Step[], settings: GraphSettings): Promise<FilterGraph> {
    const all: FilterNode[] = [];
    const statsSettings = (plan: PluginPlan): GraphSettings => ({ ...settings, metricsFor: () => statsOf(settings, 'filter', plan) });
    const nodes = await buildTree<FilterNode>(steps, async (plan) => {
      const stats = statsOf(settings, 'filter', plan);
      return { kind: 'filter', plan, instance: await createFilter(plan, statsSettings(plan)), matched: compileFilterMatched(plan.options), stats };
    }, all);
    return new FilterGraph(nodes, all);
  }

  get empty(): boolean { return this.#nodes.length === 0; }

  /** Whether a filter holds events to flush (periodically and at shutdown). */
  get flushes(): boolean { return this.#all.some((n) => n.instance.flush !== undefined); }

  /** Run a batch through every filter; returns surviving and emitted events, in order. */
  run(events: Event[]): MaybePromise<Event[]> {
    if (this.#nodes.length === 0 || events.length === 0) return events;
    const slots = new Array<number>(events.length);
    for (let i = 0; i < slots.length; i++) slots[i] = i;
    const r = runNodes(this.#nodes, 0, { events, slots });
    return r instanceof Promise ? r.then((items) => items.events) : r.events;
  }

  /** Flush filters that hold events; flushed events continue after their filter. Returns what comes out. */
  async flush(final: boolean): Promise<Event[]> {
    return (await flushNodes(this.#nodes, final)).events;
  }

  async close(): Promise<void> {
    for (const n of this.#all) {
      try { await n.instance.close?.(); } catch (err) { log.error(`filter ${n.plan.id} failed to close`, { error: String(err) }); }
    }
  }
}

function runNodes(nodes: FNode[], start: number, items: Items): MaybePromise<Items> {
  let cur = items;
  for (let i = start; i < nodes.length; i++) {
    if (cur.events.length === 0) return cur;
    const node = nodes[i]!;
    const r = node.kind === 'if' ? runIf(node, cur) : runFilter(node, cur);
    if (r instanceof Promise) {
      const next = i + 1;
      return r.then((done) => runNodes(nodes, next, done));
    }
    cur = r;
  }
  return cur;
}

function runIf(node: IfNode<FNode>, items: Items): MaybePromise<Items> {
  const { events, slots } = items;
  const parts: Items[] = node.branches.map(() => ({ events: [], slots: [] }));
  const rest: Items = { events: [], slots: [] };
  for (let i = 0; i < events.length; i++) {
    const b = pick(node, events[i]!);
    const into = b < 0 ? rest : parts[b]!;
    into.events.push(events[i]!);
    into.slots.push(slots[i]!);
  }
  if (rest.events.length === events.length) return items;
  const results: MaybePromise<Items>[] = parts.map((p, b) => (p.events.length ? runNodes(node.branches[b]!.nodes, 0, p) : p));
  if (results.some((r) => r instanceof Promise)) return Promise.all(results).then((done) => mergeBySlot([rest, ...done]));
  return mergeBySlot([rest, ...(results as Items[])]);
}

/** The branches' events back in batch order (a stable sort by slot: each part is already in order). */
function mergeBySlot(parts: Items[]): Items {
  const nonEmpty = parts.filter((p) => p.events.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? { events: [], slots: [] };
  const all: { e: Event; s: number }[] = [];
  for (const p of nonEmpty) for (let i = 0; i < p.events.length; i++) all.push({ e: p.events[i]!, s: p.slots[i]! });
  all.sort((a, b) => a.s - b.s);
  return { events: all.map((x) => x.e), slots: all.map((x) => x.s) };
}

function filterThrew(node: FilterNode, event: Event, err: unknown): boolean {
  log.warn(`filter ${node.plan.id} (${node.plan.name}) failed on an event; tagged ${FILTER_EXCEPTION_TAG}`, {
    error: err instanceof Error ? err.message : String(err),
  });
  event.tag(FILTER_EXCEPTION_TAG);
  return false;
}

function runFilter(node: FilterNode, items: Items): MaybePromise<Items> {
  const { events } = items;
  const n = events.length;
  const t0 = performance.now();
  node.stats.events.in.inc(n);
  let children: Map<number, Event[]> | undefined;
  const results = new Array<boolean>(n);
  const inst = node.instance;
  if (inst.filterBatch) {
    const byEvent = new Map<Event, number>();
    for (let i = 0; i < n; i++) byEvent.set(events[i]!, i);
    const emit = (child: Event, parent: Event): void => {
      const at = byEvent.get(parent) ?? n - 1;
      children ??= new Map();
      const list = children.get(at);
      if (list) list.push(child); else children.set(at, [child]);
    };
    let r: readonly boolean[] | Promise<readonly boolean[]>;
    try { r = inst.filterBatch(events, emit); } catch (err) { r = events.map((e) => filterThrew(node, e, err)); }
    const finish = (ok: readonly boolean[]): Items => {
      for (let i = 0; i < n; i++) results[i] = ok[i] === true;
      return afterFilter(node, items, results, children, t0);
    };
    return r instanceof Promise ? r.then(finish, (err: unknown) => finish(events.map((e) => filterThrew(node, e, err)))) : finish(r);
  }
  let pending: Promise<void>[] | undefined;
  for (let i = 0; i < n; i++) {
    const e = events[i]!;
    const emit = (child: Event): void => {
      children ??= new Map();
      const list = children.get(i);
      if (list) list.push(child); else children.set(i, [child]);
    };
    let r: boolean | Promise<boolean>;
    try { r = inst.filter(e, emit); } catch (err) { r = filterThrew(node, e, err); }
    if (r instanceof Promise) {
      (pending ??= []).push(r.then((ok) => { results[i] = ok; }, (err: unknown) => { results[i] = filterThrew(node, e, err); }));
    } else results[i] = r;
  }
  if (pending) return Promise.all(pending).then(() => afterFilter(node, items, results, children, t0));
  return afterFilter(node, items, results, children, t0);
}

/** Common options on success, then the batch without cancelled events, emitted events after their parent. */
function afterFilter(node: FilterNode, items: Items, results: boolean[], children: Map<number, Event[]> | undefined, t0: number): Items {
  const { events, slots } = items;
  const matched = node.matched;
  let cancelled = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.cancelled) { cancelled++; continue; }
    if (results[i] && matched) {
      try { matched(e); } catch (err) {
        warnMatched(node.plan.id, `filter ${node.plan.id}: could not apply add_field/add_tag/remove_field/remove_tag to an event`, { reason: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  let out = items;
  if (cancelled > 0 || children) {
    const oe: Event[] = [];
    const os: number[] = [];
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      if (!e.cancelled) { oe.push(e); os.push(slots[i]!); }
      const kids = children?.get(i);
      if (kids) for (const k of kids) if (!k.cancelled) { oe.push(k); os.push(slots[i]!); }
    }
    out = { events: oe, slots: os };
  }
  node.stats.events.out.inc(out.events.length);
  node.stats.events.duration_in_millis.inc(performance.now() - t0);
  return out;
}

async function flushNodes(nodes: FNode[], final: boolean): Promise<Items> {
  const out: Items = { events: [], slots: [] };
  const add = (items: Items): void => { out.events.push(...items.events); out.slots.push(...items.slots); };
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    let flushed: Items | undefined;
    if (node.kind === 'if') {
      const parts: Items = { events: [], slots: [] };
      for (const b of node.branches) {
        const got = await flushNodes(b.nodes, final);
        parts.events.push(...got.events);
        parts.slots.push(...got.slots);
      }
      flushed = parts;
    } else if (node.instance.flush) {
      let events: Event[] = [];
      try { events = node.instance.flush(final); } catch (err) { log.error(`filter ${node.plan.id} failed to flush`, { error: String(err) }); }
      flushed = { events, slots: events.map((_, k) => k) };
    }
    if (flushed && flushed.events.length > 0) add(await runNodes(nodes, i + 1, flushed));
  }
  return out;
}

/** Routes a batch through an output section's conditionals: the events each output receives. */
function routeBatch<L extends { index: number }>(nodes: Tree<L>[], count: number, isLeaf: (n: Tree<L>) => n is L, events: readonly Event[]): Event[][] {
  const perOutput: Event[][] = Array.from({ length: count }, () => []);
  // The usual section: outputs without conditionals get the whole batch.
  if (nodes.every(isLeaf)) {
    for (const n of nodes as L[]) perOutput[n.index] = events as Event[];
    return perOutput;
  }
  const route = (ns: Tree<L>[], e: Event): void => {
    for (const n of ns) {
      if (isLeaf(n)) perOutput[n.index]!.push(e);
      else { const b = pick(n as IfNode<Tree<L>>, e); if (b >= 0) route((n as IfNode<Tree<L>>).branches[b]!.nodes, e); }
    }
  };
  for (const e of events) route(nodes, e);
  return perOutput;
}

/** The output section: which outputs each event reaches, by the section's conditionals. */
export class OutputGraph {
  readonly #nodes: ONode[];
  readonly outputs: readonly OutputNode[];

  private constructor(nodes: ONode[], outputs: OutputNode[]) { this.#nodes = nodes; this.outputs = outputs; }

  static async build(steps: Step[], settings: GraphSettings): Promise<OutputGraph> {
    const outputs: OutputNode[] = [];
    const nodes = await buildTree<OutputNode>(steps, async (plan, index) => {
      const stats = statsOf(settings, 'output', plan);
      return { kind: 'output', plan, instance: await createOutput(plan, { ...settings, metricsFor: () => stats }), index, stats };
    }, outputs);
    return new OutputGraph(nodes, outputs);
  }

  /** The events of a batch each output receives, in batch order (index = the output's index). */
  route(events: readonly Event[]): Event[][] {
    return routeBatch(this.#nodes, this.outputs.length, (n): n is OutputNode => n.kind === 'output', events);
  }

  async close(): Promise<void> {
    for (const o of this.outputs) {
      try { await o.instance.close?.(); } catch (err) {
        log.error(`output ${o.plan.id} failed to close`, { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}

/** An output leaf without its instance: where a worker thread routes what it encodes for the pipeline thread. */
export interface OutputSlot { kind: 'output'; plan: PluginPlan; index: number }

/**
 * The output section's routing alone, its outputs not instantiated (a worker thread encodes events for
 * some outputs; the outputs themselves live on the pipeline thread). Same order of outputs as OutputGraph.
 */
export class OutputRouter {
  readonly #nodes: Tree<OutputSlot>[];
  readonly outputs: readonly OutputSlot[];

  private constructor(nodes: Tree<OutputSlot>[], outputs: OutputSlot[]) { this.#nodes = nodes; this.outputs = outputs; }

  static async build(steps: Step[]): Promise<OutputRouter> {
    const outputs: OutputSlot[] = [];
    const nodes = await buildTree<OutputSlot>(steps, (plan, index) => Promise.resolve({ kind: 'output', plan, index }), outputs);
    return new OutputRouter(nodes, outputs);
  }

  route(events: readonly Event[]): Event[][] {
    return routeBatch(this.#nodes, this.outputs.length, (n): n is OutputSlot => n.kind === 'output', events);
  }
}
