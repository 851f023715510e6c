/**
 * The promise behind an input's `ready()`: settled by run() once its sockets are bound (or binding
 * failed), so the pipeline logs `Pipelines running` only when traffic sent at that moment is received.
 */
export interface ReadyLatch {
  readonly promise: Promise<void>;
  open(): void;
  fail(err: unknown): void;
}

export function readyLatch(): ReadyLatch {
  let open!: () => void;
  let fail!: (err: unknown) => void;
  const promise = new Promise<void>((resolve, reject) => { open = resolve; fail = reject; });
  // A failed bind is reported by run(); the latch must not also surface as an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, open, fail };
}
