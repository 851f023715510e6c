/**
 * The `pipeline` input: receives what `pipeline { send_to => [...] }` outputs of other pipelines in this
 * process send to its `address` (Logstash's pipeline-to-pipeline communication). Events arrive with the
 * sender's fields and go through this pipeline's queue and filters like any input's.
 */
import { defineInput, PluginConfigError } from '../plugins/api.js';

export default defineInput({
  name: 'pipeline',
  doc: 'Receives events sent by `pipeline` outputs of other pipelines of this process to its `address`.',
  options: {
    address: { type: 'string', required: true, doc: 'The virtual address this input listens on (unique in the process).' },
  },
  create(options, ctx) {
    const bus = ctx.bus;
    if (!bus) throw new PluginConfigError('pipeline-to-pipeline communication needs the sluice runtime', 'address');
    let unlisten: (() => void) | undefined;
    let finish: (() => void) | undefined;
    let stopped = false;
    let listening: Promise<void> | undefined;
    return {
      run(sink) {
        return new Promise<void>((resolve, reject) => {
          finish = resolve;
          try {
            unlisten = bus.listen(options.address, sink);
            ctx.logger.info('Starting pipeline input', { address: options.address });
            listening = Promise.resolve();
          } catch (err) {
            listening = Promise.reject(err);
            listening.catch(() => undefined);
            reject(err);
            return;
          }
          if (stopped) { unlisten(); resolve(); }
        });
      },
      ready: () => listening ?? Promise.resolve(),
      stop() {
        stopped = true;
        unlisten?.();
        finish?.();
      },
    };
  },
});
