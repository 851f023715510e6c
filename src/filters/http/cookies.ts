/**
 * The cookie store of the http filter's client (Manticore keeps one per client when `cookies` is on, Apache's
 * BasicCookieStore): cookies from `Set-Cookie` answers are sent back to matching requests, RFC 6265 rules for
 * domain, path, expiry and `Secure`. In memory only, as Logstash's.
 */

interface Cookie {
  name: string;
  value: string;
  domain: string;
  /** No Domain attribute: sent to exactly this host only. */
  hostOnly: boolean;
  path: string;
  secure: boolean;
  /** Epoch ms; undefined for a session cookie. */
  expires: number | undefined;
  created: number;
}

const IP = /^(\d{1,3}\.){3}\d{1,3}$|^\[?[0-9a-f:]+\]?$/i;

function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  return !IP.test(host) && host.endsWith(`.${domain}`);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** RFC 6265 5.1.4: the directory of the request path. */
function defaultPath(path: string): string {
  if (!path.startsWith('/')) return '/';
  const last = path.lastIndexOf('/');
  return last <= 0 ? '/' : path.slice(0, last);
}

export class CookieJar {
  readonly #cookies = new Map<string, Cookie>();

  /** Take the `Set-Cookie` values of an answer to a request for `url`. */
  store(url: URL, setCookie: string | string[] | undefined, now = Date.now()): void {
    if (setCookie === undefined) return;
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) this.#storeOne(url, line, now);
  }

  #storeOne(url: URL, line: string, now: number): void {
    const [pair = '', ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (name === '') return;
    const host = url.hostname.toLowerCase();
    let domain = host;
    let hostOnly = true;
    let path = defaultPath(url.pathname);
    let secure = false;
    let expires: number | undefined;
    let maxAge: number | undefined;
    for (const a of attrs) {
      const i = a.indexOf('=');
      const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
      const v = i < 0 ? '' : a.slice(i + 1).trim();
      if (key === 'domain' && v !== '') {
        const d = v.replace(/^\./, '').toLowerCase();
        // A cookie for another domain than the host's own is refused.
        if (!domainMatches(host, d)) return;
        domain = d;
        hostOnly = false;
      } else if (key === 'path' && v.startsWith('/')) path = v;
      else if (key === 'secure') secure = true;
      else if (key === 'max-age' && /^-?\d+$/.test(v)) maxAge = Number(v);
      else if (key === 'expires') {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) expires = t;
      }
    }
    if (maxAge !== undefined) expires = maxAge <= 0 ? 0 : now + maxAge * 1000;
    const key = `${domain};${path};${name}`;
    if (expires !== undefined && expires <= now) { this.#cookies.delete(key); return; }
    const created = this.#cookies.get(key)?.created ?? now;
    this.#cookies.set(key, { name, value, domain, hostOnly, path, secure, expires, created });
  }

  /** The `Cookie` header for a request to `url`, or undefined when no cookie matches. */
  header(url: URL, now = Date.now()): string | undefined {
    const host = url.hostname.toLowerCase();
    const https = url.protocol === 'https:';
    const matching: Cookie[] = [];
    for (const [key, c] of this.#cookies) {
      if (c.expires !== undefined && c.expires <= now) { this.#cookies.delete(key); continue; }
      if (c.hostOnly ? host !== c.domain : !domainMatches(host, c.domain)) continue;
      if (!pathMatches(url.pathname || '/', c.path)) continue;
      if (c.secure && !https) continue;
      matching.push(c);
    }
    if (matching.length === 0) return undefined;
    // Longer paths first, then older cookies first (RFC 6265 5.4).
    matching.sort((a, b) => b.path.length - a.path.length || a.created - b.created);
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}
