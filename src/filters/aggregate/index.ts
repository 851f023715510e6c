/**
 * aggregate: aggregates information from several events of one task (same `task_id`, sprintf) into a map,
 * as logstash-filter-aggregate 2.10 does. Filters of one pipeline with the same `task_id` pattern share
 * their maps. `map_action` says whether an event may create the map, update it, or both; `end_of_task`
 * deletes it after the code ran. Maps expire after `timeout` seconds from creation or `inactivity_timeout`
 * seconds without events (checked at each 5 s flush, or by event time with `timeout_timestamp_field`);
 * with `push_map_as_event_on_timeout` an expired map becomes an event (task id in `timeout_task_id_field`,
 * `timeout_tags`, `timeout_code`); `push_previous_map_as_event` pushes the previous task's map when a new
 * task starts. The events pushed by the final flush at shutdown are tagged `_aggregatefinalflush`; the
 * maps left can be saved to `aggregate_maps_path` and are loaded again at the next start.
 *
 * `code` is Ruby in Logstash; sluice runs the documented map operations (see ./code.ts) and refuses other
 * code at start-up. An error while running it tags the event `_aggregateexception`.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Event } from '../../event/event.js';
import { parseJson } from '../../event/json.js';
import { compileSprintf } from '../../event/sprintf.js';
import { Timestamp } from '../../event/timestamp.js';
import { isHash, stringifyValue, type Hash } from '../../event/values.js';
import { defineFilter, PluginConfigError } from '../../plugins/api.js';
import { filterMatcher } from '../../plugins/decorate.js';
import { AggregateCodeError, compileAggregateCode, type Program } from './code.js';

export const AGGREGATE_EXCEPTION_TAG = '_aggregateexception';
export const FINAL_FLUSH_TAG = '_aggregatefinalflush';
const DEFAULT_TIMEOUT = 1800;

/** `created`/`last` in the reference time (the clock, or timeout_timestamp_field); `*Wall` on the clock. */
interface Element { created: number; last: number; createdWall: number; lastWall: number; taskId: string; map: Hash }

interface Owner {
  pushOnTimeout: boolean;
  pushPrevious: boolean;
  timeoutEvent(map: Hash, taskId: string): Event;
}

/** The maps of one pipeline, per task_id pattern, shared by its aggregate filters (Logstash's @@pipelines). */
interface PipelineState {
  maps: Map<string, Map<string, Element>>;
  owners: Map<string, Owner>;
  pathSet: boolean;
  instances: number;
}
const pipelines = new Map<string, PipelineState>();

const SUPPORTED = "the map operations sluice supports: map['k'] = / ||= / += / -= / << EXPR, event.set('f', EXPR), event.remove('f'), event.tag('t'), event.cancel, map.merge!(event.to_hash), with EXPR a literal, [], {}, {'k' => EXPR}, map['k'], event.get('f') (optionally .to_i, .to_f, .to_s, .size) or EXPR + EXPR";

function compile(code: string, option: string, allowMap: boolean): Program {
  try {
    return compileAggregateCode(code, allowMap);
  } catch (e) {
    if (!(e instanceof AggregateCodeError)) throw e;
    throw new PluginConfigError(`Aggregate plugin: ${option} is Ruby that sluice cannot run (${e.message})`, option,
      `use ${SUPPORTED}; for other Ruby, keep the state in a ruby filter instead`);
  }
}

export default defineFilter({
  name: 'aggregate',
  doc: 'Aggregates information from the events of one task into a map, pushed as an event at the end of the task or on timeout.',
  options: {
    task_id: { type: 'string', required: true, doc: 'The task id of an event (sprintf, must hold a `%{field}`).' },
    code: { type: 'string', required: true, doc: 'What to do with `event` and `map` (the documented map operations; see the known differences).' },
    map_action: { type: 'string', values: ['create', 'update', 'create_or_update'], default: 'create_or_update', doc: 'Whether the event may create the map, update it, or both.' },
    end_of_task: { type: 'boolean', default: false, doc: 'The task ends with this event: its map is deleted after the code ran.' },
    aggregate_maps_path: { type: 'string', doc: 'File the maps are saved to at shutdown and loaded from at start-up (one filter per pipeline).' },
    timeout: { type: 'number', doc: 'Seconds after its creation a map expires (default 1800).' },
    inactivity_timeout: { type: 'number', doc: 'Seconds without events after which a map expires (must be lower than timeout).' },
    timeout_code: { type: 'string', doc: 'What to do with the `event` made of an expired map.' },
    push_map_as_event_on_timeout: { type: 'boolean', default: false, doc: 'An expired map becomes an event.' },
    push_previous_map_as_event: { type: 'boolean', default: false, doc: 'When a new task id appears, the previous map becomes an event (tasks come one after the other).' },
    timeout_timestamp_field: { type: 'string', doc: 'Measure timeouts with this event field (a timestamp, e.g. `@timestamp`) instead of the clock.' },
    timeout_task_id_field: { type: 'string', doc: 'Field of the timeout event to put the task id in.' },
    timeout_tags: { type: 'array', default: [], doc: 'Tags added to timeout events.' },
    map_count_warning_threshold: { type: 'number', default: 5000, doc: 'Warn when more maps than this are in memory (0: never).' },
    periodic_flush: { type: 'boolean', default: true, doc: 'Check for expired maps on the periodic flush.' },
  },
  check(o) {
    if (!/%\{.+\}/.test(o.task_id)) throw new PluginConfigError(`Aggregate plugin: task_id pattern '${o.task_id}' must contain a dynamic expression like '%{field}'`, 'task_id');
    compile(o.code, 'code', true);
    if (o.timeout_code !== undefined) compile(o.timeout_code, 'timeout_code', false);
  },
  create(o, ctx) {
    if (!/%\{.+\}/.test(o.task_id)) throw new PluginConfigError(`Aggregate plugin: task_id pattern '${o.task_id}' must contain a dynamic expression like '%{field}'`, 'task_id');
    const code = compile(o.code, 'code', true);
    const timeoutCode = o.timeout_code === undefined ? undefined : compile(o.timeout_code, 'timeout_code', false);
    const hasTimeoutOptions = o.timeout !== undefined || o.inactivity_timeout !== undefined || o.timeout_code !== undefined
      || o.push_map_as_event_on_timeout || o.push_previous_map_as_event || o.timeout_timestamp_field !== undefined
      || o.timeout_task_id_field !== undefined || o.timeout_tags.length > 0;
    const timeout = o.timeout ?? DEFAULT_TIMEOUT;
    const inactivity = o.inactivity_timeout ?? timeout;
    if (o.inactivity_timeout !== undefined && o.inactivity_timeout > timeout) {
      throw new PluginConfigError(`Aggregate plugin: For task_id pattern ${o.task_id}, inactivity_timeout (${o.inactivity_timeout}) must be lower than timeout (${o.timeout ?? DEFAULT_TIMEOUT})`, 'inactivity_timeout');
    }
    let state = pipelines.get(ctx.pipelineId);
    if (!state) { state = { maps: new Map(), owners: new Map(), pathSet: false, instances: 0 }; pipelines.set(ctx.pipelineId, state); }
    const pipeline = state;
    pipeline.instances++;
    const matched = filterMatcher(o);
    const taskIdOf = compileSprintf(o.task_id);
    const codeErrors = ctx.metrics.counter('code_errors');
    const timeouts = ctx.metrics.counter('task_timeouts');
    const pushed = ctx.metrics.counter('pushed_events');
    const gauge = ctx.metrics.gauge('aggregate_maps');

    const owner: Owner = {
      pushOnTimeout: o.push_map_as_event_on_timeout,
      pushPrevious: o.push_previous_map_as_event,
      timeoutEvent(map, taskId) {
        const e = new Event(structuredClone(map));
        if (o.timeout_task_id_field !== undefined) e.set(o.timeout_task_id_field, taskId);
        for (const t of o.timeout_tags) e.tag(String(t));
        if (timeoutCode) {
          try { timeoutCode(e, {}); } catch (err) {
            ctx.logger.error('Aggregate exception occurred', { error: (err as Error).message, timeout_code: o.timeout_code ?? '' });
            e.tag(AGGREGATE_EXCEPTION_TAG);
          }
        }
        pushed.inc();
        return e;
      },
    };
    if (hasTimeoutOptions) {
      if (pipeline.owners.has(o.task_id)) {
        throw new PluginConfigError(`Aggregate plugin: For task_id pattern '${o.task_id}', there are more than one filter which defines timeout options. All timeout options have to be defined in only one aggregate filter per task_id pattern. Timeout options are : timeout, inactivity_timeout, timeout_code, push_map_as_event_on_timeout, push_previous_map_as_event, timeout_timestamp_field, timeout_task_id_field, timeout_tags`, 'timeout');
      }
      pipeline.owners.set(o.task_id, owner);
    }
    const mapsPath = o.aggregate_maps_path === undefined ? undefined : (isAbsolute(o.aggregate_maps_path) ? o.aggregate_maps_path : resolve(ctx.cwd, o.aggregate_maps_path));
    if (mapsPath !== undefined) {
      if (pipeline.pathSet) throw new PluginConfigError("Aggregate plugin: Option 'aggregate_maps_path' must be set on only one aggregate filter", 'aggregate_maps_path');
      pipeline.pathSet = true;
    }
    if (!pipeline.maps.has(o.task_id)) pipeline.maps.set(o.task_id, new Map());
    if (mapsPath !== undefined && existsSync(mapsPath)) {
      const saved = parseJson(readFileSync(mapsPath, 'utf8'));
      if (isHash(saved)) {
        for (const [pattern, elements] of Object.entries(saved)) {
          if (!isHash(elements)) continue;
          const m = pipeline.maps.get(pattern) ?? new Map<string, Element>();
          for (const [taskId, el] of Object.entries(elements)) {
            if (!isHash(el) || !isHash(el.map)) continue;
            m.set(taskId, { created: Number(el.created), last: Number(el.last), createdWall: Number(el.createdWall), lastWall: Number(el.lastWall), taskId, map: el.map });
          }
          pipeline.maps.set(pattern, m);
        }
      }
      rmSync(mapsPath, { force: true });
      ctx.logger.info(`Aggregate maps loaded from : ${mapsPath}`);
    }
    const maps = (): Map<string, Element> => pipeline.maps.get(o.task_id)!;
    /** The filter that handles timeouts for this pattern: the one with timeout options, else this one. */
    const flusher = (): Owner => pipeline.owners.get(o.task_id) ?? owner;
    const isFlusher = (): boolean => flusher() === owner;
    const refTime = (event: Event): number => {
      if (o.timeout_timestamp_field === undefined) return Date.now();
      const v = event.get(o.timeout_timestamp_field);
      return v instanceof Timestamp ? v.epochMs : typeof v === 'string' ? (Timestamp.parse(v)?.epochMs ?? Date.now()) : Date.now();
    };
    const shiftPrevious = (): Event | undefined => {
      const first = maps().entries().next();
      if (first.done) return undefined;
      const [taskId, el] = first.value;
      maps().delete(taskId);
      return flusher().timeoutEvent(el.map, taskId);
    };
    let warnedAt = 0;

    return {
      filter(event, emit) {
        const taskId = taskIdOf(event);
        if (taskId === o.task_id) return false;
        const threshold = o.map_count_warning_threshold;
        if (threshold > 0 && maps().size >= threshold && Date.now() - warnedAt > 10_000) {
          warnedAt = Date.now();
          ctx.logger.warn(`Aggregate filter memory warning: task_id pattern '${o.task_id}' has ${maps().size} maps in memory (threshold: ${threshold}).`);
        }
        let toYield: Event | undefined;
        if (o.timeout_timestamp_field !== undefined) {
          const el = maps().get(taskId);
          if (el) {
            const t = refTime(event);
            if (el.created < t - timeout * 1000 || el.last < t - inactivity * 1000) {
              const f = flusher();
              if (f.pushOnTimeout || f.pushPrevious) toYield = f.timeoutEvent(el.map, taskId);
              maps().delete(taskId);
              timeouts.inc();
            }
          }
        }
        let el = maps().get(taskId);
        if (el === undefined) {
          if (o.map_action === 'update') return false;
          if (flusher().pushPrevious && maps().size > 0) toYield = shiftPrevious();
          const now = refTime(event);
          el = { created: now, last: now, createdWall: Date.now(), lastWall: Date.now(), taskId, map: {} };
          maps().set(taskId, el);
        } else if (o.map_action === 'create') {
          return false;
        }
        el.last = refTime(event);
        el.lastWall = Date.now();
        let ok = false;
        try {
          code(event, el.map);
          ok = true;
        } catch (err) {
          ctx.logger.error('Aggregate exception occurred', { error: (err as Error).message, code: o.code, map: stringifyValue(el.map) });
          event.tag(AGGREGATE_EXCEPTION_TAG);
          codeErrors.inc();
        }
        if (o.end_of_task) maps().delete(taskId);
        gauge.set(maps().size);
        if (ok) matched(event);
        if (toYield) emit(toYield);
        // The common options were applied above, before the pushed event, as upstream does.
        return false;
      },
      flush(final) {
        if (!isFlusher()) return [];
        if (!final && !o.periodic_flush) return [];
        const out: Event[] = [];
        const now = Date.now();
        const f = flusher();
        for (const [taskId, el] of maps()) {
          if (el.createdWall < now - timeout * 1000 || el.lastWall < now - inactivity * 1000) {
            if (f.pushOnTimeout || f.pushPrevious) out.push(f.timeoutEvent(el.map, taskId));
            maps().delete(taskId);
            timeouts.inc();
          }
        }
        if (final && f.pushPrevious) { const e = shiftPrevious(); if (e) out.push(e); }
        if (final) for (const e of out) e.tag(FINAL_FLUSH_TAG);
        gauge.set(maps().size);
        return out;
      },
      close() {
        if (mapsPath !== undefined) {
          const saved: Hash = {};
          for (const [pattern, m] of pipeline.maps) {
            if (m.size === 0) continue;
            saved[pattern] = Object.fromEntries([...m].map(([k, el]) => [k, { created: el.created, last: el.last, createdWall: el.createdWall, lastWall: el.lastWall, map: el.map }]));
          }
          if (Object.keys(saved).length > 0) {
            writeFileSync(mapsPath, stringifyValue(saved));
            ctx.logger.info(`Aggregate maps stored to : ${mapsPath}`);
          }
        }
        if (pipeline.owners.get(o.task_id) === owner) pipeline.owners.delete(o.task_id);
        if (mapsPath !== undefined) pipeline.pathSet = false;
        // The last filter of the pipeline closed: its maps go (a restart starts afresh, or from the file).
        if (--pipeline.instances === 0 && pipelines.get(ctx.pipelineId) === pipeline) pipelines.delete(ctx.pipelineId);
      },
    };
  },
});
