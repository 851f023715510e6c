/**
 * The pipeline bus of one process: `pipeline { address => "x" }` inputs listen, `pipeline { send_to => ["x"] }`
 * outputs send. Sending pushes into the receiving pipeline's queue as its own input would, with its
 * back-pressure, and resolves once the queue accepted the events (persisted, with a persisted queue).
 */
import type { Event } from '../event/event.js';
import type { InputSink, PipelineBus } from '../plugins/api.js';

export class AddressInUseError extends Error {}

export class LocalPipelineBus implements PipelineBus {
  readonly #listeners = new Map<string, InputSink>();

  listen(address: string, sink: InputSink): () => void {
    if (this.#listeners.has(address)) throw new AddressInUseError(`another pipeline input already listens on address "${address}"`);
    this.#listeners.set(address, sink);
    return () => { if (this.#listeners.get(address) === sink) this.#listeners.delete(address); };
  }

  async send(address: string, events: readonly Event[]): Promise<boolean> {
    const sink = this.#listeners.get(address);
    if (!sink || sink.stopping) return false;
    for (const e of events) if (!sink.push(e)) await sink.drained();
    await sink.accepted();
    return true;
  }

  /** Addresses listened on (for the monitoring API). */
  get addresses(): string[] { return [...this.#listeners.keys()]; }
}
