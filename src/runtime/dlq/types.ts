/** Where a pipeline puts events its outputs rejected for good (`dead_letter_queue.enable: true`). */
import type { DeadLetterFigures } from '../../services/metrics.js';
import type { RejectedEvent } from '../executor.js';

export interface DeadLetterWriter {
  /** Keep one rejected event with its reason, plugin id and type (and the time, added by the writer). */
  write(entry: RejectedEvent): void;
  /** Write what is buffered and release the segment files. */
  close(): Promise<void>;
  figures(): DeadLetterFigures;
}
