/**
 * The filter and output sections as runnable graphs. Filters run per event in config order with
 * conditionals already compiled to closures; the continuation style keeps the common path synchronous
 * (no promise per event) and lets a filter return a Promise only when it must.
 *
 * Order: an event's own path finishes before the events a filter emitted for it (clone, split) continue
 * from the step after that filter, so with one worker the output order is deterministic.
 */
import type { Condition, PluginPlan, Step } from '../config/plan.js';
import type { Event } from '../event/event.js';
import type { FilterInstance, OutputInstance } from '../plugins/api.js';
import { compileFilterMatched } from './decorate.js';
import { createFilter, createOutput, type RuntimeSettings } from './instantiate.js';
import { getLogger } from '../services/logger.js';

type MaybePromise = void | Promise<void>;
type Continuation = (event: Event) => MaybePromise;

/** Tag put on an event whose filter threw: the event goes on instead of crashing the pipeline. */
export const FILTER_EXCEPTION_TAG = '_filter_exception';

interface FilterNode {
  kind: 'filter';
  plan: PluginPlan;
  instance: FilterInstance;
  matched: ((event: Event) => void) | undefined;
}
interface BranchNode<N> { condition: Condition | null; nodes: N[] }
interface IfNode<N> { kind: 'if'; branches: BranchNode<N>[] }
/** A section as instantiated: plugin leaves and if/else chains of further nodes. */
type Tree<L> = L | IfNode<Tree<L>>;
type FNode = Tree<FilterNode>;

interface OutputNode { kind: 'output'; plan: PluginPlan; instance: OutputInstance; index: number }
type ONode = Tree<OutputNode>;

const log = getLogger('logstash.javapipeline');

function pick<N>(node: IfNode<N>, event: Event): BranchNode<N> | undefined {
  for (const b of node.branches) if (b.condition === null || b.condition(event)) return b;
  return undefined;
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

function then(p: MaybePromise, f: () => MaybePromise): MaybePromise {
  return p instanceof Promise ? p.then(f) : f();
}

export class FilterGraph {
  readonly #nodes: FNode[];
  readonly #all: FilterNode[];

  private constructor(nodes: FNode[], all: FilterNode[]) { this.#nodes = nodes; this.#all = all; }

  static async build(steps: Step[], settings: RuntimeSettings): Promise<FilterGraph> {
    const all: FilterNode[] = [];
    const nodes = await buildTree<FilterNode>(steps, async (plan) => ({
      kind: 'filter', plan, instance: await createFilter(plan, settings), matched: compileFilterMatched(plan.options),
    }), all);
    return new FilterGraph(nodes, all);
  }

  get empty(): boolean { return this.#nodes.length === 0; }

  /** Run one event through every filter; surviving events (and those emitted) reach `sink`. */
  run(event: Event, sink: Continuation): MaybePromise {
    return runFrom(this.#nodes, 0, event, sink);
  }

  /** Flush filters that hold events; flushed events continue after their filter. */
  flush(final: boolean, sink: Continuation): MaybePromise {
    return flushFrom(this.#nodes, final, sink);
  }

  async close(): Promise<void> {
    for (const n of this.#all) await n.instance.close?.();
  }
}

function runFrom(nodes: FNode[], start: number, event: Event, k: Continuation): MaybePromise {
  for (let i = start; i < nodes.length; i++) {
    if (event.cancelled) return;
    const node = nodes[i]!;
    if (node.kind === 'if') {
      const branch = pick(node, event);
      if (!branch || branch.nodes.length === 0) continue;
      const next = i + 1;
      return runFrom(branch.nodes, 0, event, (e) => runFrom(nodes, next, e, k));
    }
    let emitted: Event[] | undefined;
    let result: boolean | Promise<boolean>;
    try {
      result = node.instance.filter(event, (e) => { (emitted ??= []).push(e); });
    } catch (err) {
      result = filterThrew(node, event, err);
    }
    const next = i + 1;
    const after = (ok: boolean): MaybePromise => {
      if (ok && node.matched && !event.cancelled) node.matched(event);
      const own = runFrom(nodes, next, event, k);
      if (!emitted) return own;
      const extra = emitted;
      return then(own, () => runEach(extra, (e) => runFrom(nodes, next, e, k)));
    };
    if (result instanceof Promise) {
      return result.then(after, (err) => after(filterThrew(node, event, err)));
    }
    if (result && node.matched && !emitted) {
      // Fast path: no async, nothing emitted: keep looping instead of recursing.
      if (!event.cancelled) node.matched(event);
      continue;
    }
    if (!emitted) continue;
    return after(result);
  }
  if (event.cancelled) return;
  return k(event);
}

function runEach(events: Event[], f: Continuation): MaybePromise {
  for (let i = 0; i < events.length; i++) {
    const r = f(events[i]!);
    if (r instanceof Promise) {
      return r.then(() => runEach(events.slice(i + 1), f));
    }
  }
}

function flushFrom(nodes: FNode[], final: boolean, k: Continuation): MaybePromise {
  let p: MaybePromise = undefined;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const next = i + 1;
    const cont: Continuation = (e) => runFrom(nodes, next, e, k);
    if (node.kind === 'if') {
      for (const b of node.branches) p = then(p, () => flushFrom(b.nodes, final, cont));
    } else if (node.instance.flush) {
      const inst = node.instance;
      p = then(p, () => runEach(inst.flush!(final), cont));
    }
  }
  return p;
}

function filterThrew(node: FilterNode, event: Event, err: unknown): boolean {
  log.warn(`filter ${node.plan.id} (${node.plan.name}) failed on an event; tagged ${FILTER_EXCEPTION_TAG}`, {
    error: err instanceof Error ? err.message : String(err),
  });
  event.tag(FILTER_EXCEPTION_TAG);
  return false;
}

export class OutputGraph {
  readonly #nodes: ONode[];
  readonly #outputs: OutputNode[];

  private constructor(nodes: ONode[], outputs: OutputNode[]) { this.#nodes = nodes; this.#outputs = outputs; }

  static async build(steps: Step[], settings: RuntimeSettings): Promise<OutputGraph> {
    const outputs: OutputNode[] = [];
    const nodes = await buildTree<OutputNode>(steps, async (plan, index) => ({
      kind: 'output', plan, instance: await createOutput(plan, settings), index,
    }), outputs);
    return new OutputGraph(nodes, outputs);
  }

  /** Route a batch to the outputs whose conditions it meets; each output gets its events in order. */
  async write(events: readonly Event[]): Promise<void> {
    if (events.length === 0 || this.#outputs.length === 0) return;
    const perOutput: Event[][] = this.#outputs.map(() => []);
    const route = (nodes: ONode[], e: Event): void => {
      for (const n of nodes) {
        if (n.kind === 'output') perOutput[n.index]!.push(e);
        else { const b = pick(n, e); if (b) route(b.nodes, e); }
      }
    };
    for (const e of events) route(this.#nodes, e);
    for (const o of this.#outputs) {
      const batch = perOutput[o.index]!;
      if (batch.length === 0) continue;
      try {
        await o.instance.receive(batch, { signal: new AbortController().signal, attempt: 0 });
      } catch (err) {
        log.error(`output ${o.plan.id} (${o.plan.name}) failed to write ${batch.length} events`, {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  async close(): Promise<void> {
    for (const o of this.#outputs) {
      try { await o.instance.close?.(); } catch (err) {
        log.error(`output ${o.plan.id} failed to close`, { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
}
