/**
 * The sincedb: where the file input remembers how far it read each file, in Logstash's own format so a
 * sincedb written by Logstash is read by sluice and the other way round. One line per file:
 *
 *     <inode> <major device> <minor device> <byte offset> <last active, epoch seconds> <last known path>
 *
 * e.g. `2977152 1 4 94 1519319662.852678 /var/log/app.log`. Lines of the old four-field format (no time, no
 * path) are read too. Entries not active for `sincedb_clean_after` are dropped when the file is written.
 *
 * Logstash identifies a file by its inode alone, which mistakes a new file for an old one when the file
 * system reuses an inode (common on ext4 right after a rotation deleted a file). sluice also keeps the
 * first bytes of each file (its fingerprint) in a sidecar, `<sincedb_path>.fingerprints`, JSON by inode
 * key; a sincedb entry whose fingerprint does not match the file found is not resumed. Without the sidecar
 * (a sincedb from Logstash) the inode is trusted, as Logstash does.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface SincedbEntry {
  /** `inode major minor`, the identity Logstash keys its entries by. */
  key: string;
  position: number;
  /** Last activity, epoch seconds (fractional). */
  lastActive: number;
  path: string;
  /** The file's first bytes when it was last read (sluice's sidecar); undefined when not known. */
  fingerprint?: Buffer;
}

/** A sincedb path that means "remember nothing" (Logstash: `/dev/null`, or `NUL` on Windows). */
export function isNullSincedb(path: string): boolean {
  return path === '/dev/null' || path.toUpperCase() === 'NUL';
}

/** Linux's dev_t split into major and minor numbers (glibc's gnu_dev_major/gnu_dev_minor). */
export function deviceNumbers(dev: number | bigint): [number, number] {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & 0xfffff000n);
  const minor = (d & 0xffn) | ((d >> 12n) & 0xffffff00n);
  return [Number(major), Number(minor)];
}

export function identityKey(ino: number | bigint, dev: number | bigint): string {
  const [major, minor] = deviceNumbers(dev);
  return `${ino} ${major} ${minor}`;
}

/** Parse a sincedb file's text (malformed lines are skipped). */
export function parseSincedb(text: string): SincedbEntry[] {
  const out: SincedbEntry[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(' ');
    if (parts.length < 4) continue;
    const [ino, major, minor, pos] = parts as [string, string, string, string];
    const position = Number(pos);
    if (!/^\d+$/.test(ino) || !Number.isInteger(Number(major)) || !Number.isInteger(Number(minor)) || !Number.isSafeInteger(position)) continue;
    const lastActive = parts.length >= 5 ? Number(parts[4]) : Date.now() / 1000;
    out.push({
      key: `${ino} ${Number(major)} ${Number(minor)}`,
      position,
      lastActive: Number.isFinite(lastActive) ? lastActive : Date.now() / 1000,
      path: parts.slice(5).join(' '),
    });
  }
  return out;
}

export function formatSincedb(entries: Iterable<SincedbEntry>): string {
  let out = '';
  // Logstash writes the time as Ruby's Time#to_f: seconds with up to six decimals.
  for (const e of entries) out += `${e.key} ${e.position} ${Number(e.lastActive.toFixed(6))}${e.path === '' ? '' : ` ${e.path}`}\n`;
  return out;
}

/** Read the sincedb and its fingerprint sidecar; a missing file is an empty sincedb. */
export function loadSincedb(path: string): Map<string, SincedbEntry> {
  const db = new Map<string, SincedbEntry>();
  if (isNullSincedb(path)) return db;
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch { return db; }
  for (const e of parseSincedb(text)) db.set(e.key, e);
  try {
    const prints = JSON.parse(readFileSync(`${path}.fingerprints`, 'utf8')) as Record<string, string>;
    for (const [key, hex] of Object.entries(prints)) {
      const e = db.get(key);
      if (e && typeof hex === 'string') e.fingerprint = Buffer.from(hex, 'hex');
    }
  } catch { /* no sidecar: the inodes are trusted */ }
  return db;
}

/**
 * Write the entries still active within `cleanAfterSeconds` (atomically: a crash leaves the old file or the
 * new one, never half of one). Returns the keys dropped as expired.
 */
export function saveSincedb(path: string, entries: Iterable<SincedbEntry>, cleanAfterSeconds: number, now = Date.now() / 1000): string[] {
  const expired: string[] = [];
  const kept: SincedbEntry[] = [];
  for (const e of entries) {
    if (now > e.lastActive + cleanAfterSeconds) expired.push(e.key);
    else kept.push(e);
  }
  if (isNullSincedb(path)) return expired;
  mkdirSync(dirname(path), { recursive: true });
  const prints: Record<string, string> = {};
  for (const e of kept) if (e.fingerprint && e.fingerprint.length > 0) prints[e.key] = e.fingerprint.toString('hex');
  atomicWrite(`${path}.fingerprints`, JSON.stringify(prints));
  atomicWrite(path, formatSincedb(kept));
  return expired;
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
