/**
 * `path.data` belongs to one process: it holds persisted queues, dead letter queues and plugin state that
 * two processes would corrupt. The lock is a `.lock` file created exclusively, holding the owner's pid.
 * A lock left behind by a process that died (`kill -9`) is taken over: its pid no longer runs.
 */
import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(`sluice could not be started because there is already another instance using the configured data directory (${dir}, process ${pid}). If you wish to run multiple instances, you must change the "path.data" setting.`);
  }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Take the lock of `dir` (created if missing); returns the function that releases it. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        try { if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path); } catch { /* already gone */ }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) throw new DataDirLockedError(dir, owner);
      // A stale lock of a process that is gone.
      try { unlinkSync(path); } catch { /* raced with another starter */ }
    }
  }
  throw new DataDirLockedError(dir, Number(readFileSync(path, 'utf8').trim()));
}
