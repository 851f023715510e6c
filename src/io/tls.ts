/**
 * TLS settings of the tcp input (Logstash's `ssl_*` options) turned into Node's TLS options.
 * Files are read once at start-up; a missing or unreadable file is a start-up error naming the option.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { SecureContextOptions, TlsOptions, ConnectionOptions, SecureVersion, PeerCertificate, TLSSocket } from 'node:tls';
import type { Logger } from '../services/logger.js';

type Options = Readonly<Record<string, unknown>>;

export type ClientAuthentication = 'none' | 'optional' | 'required';

/** Option declarations shared by inputs that speak TLS (docs come from Logstash's tcp input). */
export const TLS_OPTION_SPECS = {
  ssl_enabled: { type: 'boolean', default: false, doc: 'Enable TLS (other `ssl_*` options take effect only then).' },
  ssl_certificate: { type: 'path', doc: 'PEM certificate of this end (required with `ssl_enabled` in server mode).' },
  ssl_key: { type: 'path', doc: 'PEM private key of `ssl_certificate` (PKCS#8 or traditional).' },
  ssl_key_passphrase: { type: 'password', doc: 'Passphrase of an encrypted `ssl_key`.' },
  ssl_extra_chain_certs: { type: 'array', default: [], doc: 'Extra PEM certificates sent after `ssl_certificate` (intermediate CAs).' },
  ssl_certificate_authorities: { type: 'array', default: [], doc: 'PEM files or directories of CAs that client certificates must chain to (server) or the server certificate (client).' },
  ssl_client_authentication: { type: 'string', values: ['none', 'optional', 'required'], doc: 'Server mode: whether clients must present a certificate signed by `ssl_certificate_authorities` (default `required`, in effect only when CAs are set).' },
  ssl_verification_mode: { type: 'string', values: ['full', 'none'], doc: 'Client mode: verify the server certificate and host name (`full`) or not (`none`).' },
  ssl_supported_protocols: { type: 'array', list: true, values: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], default: [], doc: 'Allowed TLS versions (default: the runtime\'s defaults).' },
  ssl_cipher_suites: { type: 'array', list: true, default: [], doc: 'Cipher suites in priority order, OpenSSL names (default: the runtime\'s defaults).' },
  ssl_enable: { type: 'boolean', deprecated: 'Use `ssl_enabled` instead.', doc: 'Deprecated name of `ssl_enabled`.' },
  ssl_cert: { type: 'path', deprecated: 'Use `ssl_certificate` instead.', doc: 'Deprecated name of `ssl_certificate`.' },
  ssl_verify: { type: 'boolean', deprecated: 'Use `ssl_client_authentication` (server) or `ssl_verification_mode` (client) instead.', doc: 'Deprecated: true = `ssl_client_authentication => required` / `ssl_verification_mode => full`.' },
} as const;

/**
 * Declarations of the TLS options Logstash 8's server inputs (beats 6.x, http 3.x) still accept, deprecated
 * (removed in Logstash 9). Read by withLegacyServerTls.
 */
export const LEGACY_SERVER_TLS_SPECS = {
  ssl: { type: 'boolean', deprecated: "Use 'ssl_enabled' instead.", doc: 'Deprecated name of `ssl_enabled`.' },
  ssl_verify_mode: { type: 'string', values: ['none', 'peer', 'force_peer'], deprecated: "Set 'ssl_client_authentication' instead.", doc: 'Deprecated: none/peer/force_peer = `ssl_client_authentication` none/optional/required.' },
  cipher_suites: { type: 'array', deprecated: "Set 'ssl_cipher_suites' instead.", doc: 'Deprecated name of `ssl_cipher_suites`.' },
  tls_min_version: { type: 'number', deprecated: "Set 'ssl_supported_protocols' instead.", doc: 'Deprecated: lowest TLS version (e.g. 1.2).' },
  tls_max_version: { type: 'number', deprecated: "Set 'ssl_supported_protocols' instead.", doc: 'Deprecated: highest TLS version (e.g. 1.3).' },
} as const;

/**
 * The TLS options Logstash 8's beats and http inputs still accept, deprecated, as their current ones:
 * `ssl` is `ssl_enabled`; `ssl_verify_mode`/`verify_mode` none/peer/force_peer are `ssl_client_authentication`
 * none/optional/required; `cipher_suites` is `ssl_cipher_suites`; `tls_min_version`..`tls_max_version` are
 * `ssl_supported_protocols`. A current option the config sets wins over its deprecated form.
 */
export function withLegacyServerTls<O extends Record<string, unknown>>(options: O): O {
  const out: Record<string, unknown> = { ...options };
  if (options.ssl !== undefined && !options.ssl_enabled) out.ssl_enabled = options.ssl;
  const verify = (options.ssl_verify_mode ?? options.verify_mode) as string | undefined;
  if (verify !== undefined && (options.ssl_client_authentication === undefined || options.ssl_client_authentication === 'none')) {
    const mapped = LEGACY_VERIFY_MODES[verify.toLowerCase()];
    if (mapped === undefined) throw new TlsConfigError(`Unsupported value ${verify} for deprecated option \`ssl_verify_mode\``);
    out.ssl_client_authentication = mapped;
  }
  const ciphers = options.cipher_suites as unknown[] | undefined;
  if (ciphers !== undefined && ciphers.length > 0 && !((options.ssl_cipher_suites as unknown[] | undefined)?.length)) out.ssl_cipher_suites = ciphers;
  if (options.tls_min_version !== undefined || options.tls_max_version !== undefined) {
    const min = Number(options.tls_min_version ?? 1.2);
    const max = Number(options.tls_max_version ?? 1.3);
    out.ssl_supported_protocols = (['TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const).filter((p) => {
      const v = Number(p.slice(4));
      return v >= min && v <= max;
    });
  }
  return out as O;
}

const LEGACY_VERIFY_MODES: Record<string, ClientAuthentication> = { none: 'none', peer: 'optional', force_peer: 'required' };

export interface TlsSettings {
  enabled: boolean;
  clientAuthentication: ClientAuthentication;
  /** Node options for a server (server mode) or a client connection (client mode). */
  server?: TlsOptions;
  client?: ConnectionOptions;
}

/** A `password` option arrives as a string or a wrapper that hides its value when printed. */
export function secretValue(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') {
    const o = v as { value?: unknown; reveal?: () => unknown };
    if (typeof o.reveal === 'function') return String(o.reveal());
    if (o.value !== undefined) return String(o.value);
  }
  return String(v);
}

export class TlsConfigError extends Error {}

function readPem(option: string, path: string, baseDir: string | undefined): Buffer[] {
  const full = isAbsolute(path) || !baseDir ? resolve(path) : join(baseDir, path);
  let st;
  try { st = statSync(full); } catch (err) {
    throw new TlsConfigError(`${option}: cannot read ${full}: ${(err as Error).message}`);
  }
  if (st.isDirectory()) {
    return readdirSync(full).sort()
      .filter((f) => /\.(pem|crt|cer)$/i.test(f))
      .map((f) => readFileSync(join(full, f)));
  }
  return [readFileSync(full)];
}

const PROTOCOL_ORDER: readonly SecureVersion[] = ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** Builds Node TLS options from the validated plugin options; throws TlsConfigError on a bad setup. */
export function tlsSettings(options: Options, mode: 'server' | 'client', logger: Logger, configDir?: string): TlsSettings {
  const enabled = Boolean(options.ssl_enabled ?? false) || Boolean(options.ssl_enable ?? false);
  const verifyLegacy = options.ssl_verify as boolean | undefined;
  let clientAuth: ClientAuthentication = (options.ssl_client_authentication as ClientAuthentication | undefined) ?? 'required';
  if (verifyLegacy !== undefined && options.ssl_client_authentication === undefined) clientAuth = verifyLegacy ? 'required' : 'none';
  if (!enabled) {
    const set = Object.keys(options).filter((k) => k.startsWith('ssl_') && k !== 'ssl_enabled' && k !== 'ssl_enable'
      && options[k] !== undefined && !(Array.isArray(options[k]) && (options[k] as unknown[]).length === 0)
      );
    if (set.length > 0) logger.warn(`Configured SSL settings are not used when \`ssl_enabled\` is set to \`false\`: ${set.join(', ')}`);
    return { enabled: false, clientAuthentication: 'none' };
  }
  const certPath = (options.ssl_certificate ?? options.ssl_cert) as string | undefined;
  const keyPath = options.ssl_key as string | undefined;
  if (certPath && !keyPath) throw new TlsConfigError('Using an `ssl_certificate` requires an `ssl_key`');
  if (keyPath && !certPath) throw new TlsConfigError('An `ssl_certificate` is required when using an `ssl_key`');
  if (mode === 'client' && options.ssl_client_authentication !== undefined) {
    throw new TlsConfigError('`ssl_client_authentication` must not be configured when mode is `client`, use `ssl_verification_mode` instead.');
  }
  if (mode === 'server' && options.ssl_verification_mode !== undefined) {
    throw new TlsConfigError('`ssl_verification_mode` must not be configured when mode is `server`, use `ssl_client_authentication` instead.');
  }
  if (mode === 'server' && !certPath) throw new TlsConfigError('An `ssl_certificate` is required when `ssl_enabled` => true');

  const cas = ((options.ssl_certificate_authorities ?? []) as string[]).flatMap((p) => readPem('ssl_certificate_authorities', p, configDir));
  const base: SecureContextOptions = {};
  if (certPath && keyPath) {
    const chain = [...readPem('ssl_certificate', certPath, configDir),
      ...((options.ssl_extra_chain_certs ?? []) as string[]).flatMap((p) => readPem('ssl_extra_chain_certs', p, configDir))];
    base.cert = Buffer.concat(chain.flatMap((b) => [b, Buffer.from('\n')]));
    base.key = readPem('ssl_key', keyPath, configDir)[0];
    const pass = secretValue(options.ssl_key_passphrase);
    if (pass !== undefined) base.passphrase = pass;
  }
  if (cas.length > 0) base.ca = cas;
  const protocols = ((options.ssl_supported_protocols ?? []) as string[]).filter((p): p is SecureVersion => PROTOCOL_ORDER.includes(p as SecureVersion));
  if (protocols.length > 0) {
    const idx = protocols.map((p) => PROTOCOL_ORDER.indexOf(p)).sort();
    base.minVersion = PROTOCOL_ORDER[idx[0]!];
    base.maxVersion = PROTOCOL_ORDER[idx[idx.length - 1]!];
  }
  const ciphers = (options.ssl_cipher_suites ?? []) as string[];
  if (ciphers.length > 0) base.ciphers = ciphers.join(':');

  if (mode === 'server') {
    // Logstash verifies client certificates only against configured CAs: without them there is
    // nothing to verify against, so the setting has no effect.
    if (options.ssl_client_authentication !== undefined && clientAuth !== 'none' && cas.length === 0) {
      throw new TlsConfigError(`An \`ssl_certificate_authorities\` is required when \`ssl_client_authentication\` => \`${clientAuth}\``);
    }
    if (clientAuth !== 'none' && cas.length === 0) clientAuth = 'none';
    const server: TlsOptions = { ...base, requestCert: clientAuth !== 'none', rejectUnauthorized: clientAuth === 'required' };
    return { enabled: true, clientAuthentication: clientAuth, server };
  }
  const verify = verifyLegacy !== undefined && options.ssl_verification_mode === undefined ? verifyLegacy : options.ssl_verification_mode !== 'none';
  const client: ConnectionOptions = { ...base, rejectUnauthorized: verify };
  if (!verify) client.checkServerIdentity = () => undefined;
  return { enabled: true, clientAuthentication: 'none', client };
}

/** The peer certificate's subject as Java prints an X500 principal (RFC 2253: most specific first). */
export function peerSubject(socket: TLSSocket): string | undefined {
  let cert: PeerCertificate | undefined;
  try { cert = socket.getPeerCertificate(); } catch { return undefined; }
  if (!cert || !cert.subject || Object.keys(cert.subject).length === 0) return undefined;
  const x509 = socket.getPeerX509Certificate?.();
  const escape = (v: string): string => v.replace(/([,+"\\<>;])/g, '\\$1').replace(/^([ #])/, '\\$1').replace(/ $/, '\\ ');
  if (x509) {
    // X509Certificate#subject lists the RDNs in certificate order, one per line.
    const rdns = x509.subject.split('\n').filter(Boolean).map((line) => {
      const eq = line.indexOf('=');
      return `${line.slice(0, eq)}=${escape(line.slice(eq + 1))}`;
    });
    return rdns.reverse().join(',');
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(cert.subject)) {
    for (const one of Array.isArray(v) ? v : [v]) parts.push(`${k}=${escape(String(one))}`);
  }
  return parts.reverse().join(',');
}
