/**
 * What sits between a pipeline's inputs and its workers (Logstash's `queue.type`): `memory` or
 * `persisted`. Inputs push events and are held back when it is full; workers read batches and
 * acknowledge each once every output is done with it. A persisted queue forgets an event only when its
 * batch is acknowledged, so a crash replays what was accepted but not delivered (at-least-once).
 */
import type { Event } from '../../event/event.js';
import type { QueueFigures } from '../../services/metrics.js';

export interface QueueBatch {
  readonly events: Event[];
}

export interface EventQueue {
  readonly type: 'memory' | 'persisted';
  /** Accept an event; false means full: the input should stop reading until `drained()`. Never drops. */
  push(event: Event): boolean;
  /** Resolves when there is room again (or the queue is closed). */
  drained(): Promise<void>;
  /** Resolves once every event pushed so far is accepted for good (persisted: written to its page). */
  accepted(): Promise<void>;
  /**
   * Resolves once every event pushed so far is safe: delivered by every output (memory), or accepted
   * (persisted: the queue itself replays it after a crash).
   */
  delivered(): Promise<void>;
  readonly full: boolean;
  /**
   * The next batch: waits for a first event, then up to `delayMs` for `max`. Null once the queue is closed
   * and nothing more will be handed out (memory: drained; persisted: at once unless `queue.drain`).
   */
  read(max: number, delayMs: number): Promise<QueueBatch | null>;
  /** Every output is done with the batch. */
  ack(batch: QueueBatch): void;
  /** No more events will be pushed (the inputs have stopped). */
  close(): void;
  /** Release files and timers after the pipeline stopped (persisted: a last checkpoint). */
  dispose(): Promise<void>;
  figures(): QueueFigures;
}
