/**
 * The decoded form of one syslog message, shared by the RFC 5424 and RFC 3164 decoders.
 * Absent header fields (NILVALUE `-`, or a part RFC 3164 senders leave out) are `null`.
 */
import type { Timestamp } from '../../event/timestamp.js';
import type { Zone } from '../../event/timezone.js';

export type SyslogFormat = 'rfc5424' | 'rfc3164';

/** SD-ID → { PARAM-NAME → value }, values unescaped, in message order. */
export type StructuredData = Record<string, Record<string, string>>;

export interface SyslogMessage {
  format: SyslogFormat;
  /** PRI value 0..191; null only for a PRI-less RFC 3164 message accepted in lenient mode. */
  priority: number | null;
  facility: number | null;
  severity: number | null;
  /** RFC 5424 VERSION; null for RFC 3164. */
  version: number | null;
  /** TIMESTAMP text exactly as in the message (without a Cisco `*`/`.` marker). */
  timestamp: string | null;
  /** The instant of `timestamp` (RFC 3164: year guessed and zone applied). */
  time: Timestamp | null;
  hostname: string | null;
  appname: string | null;
  procid: string | null;
  msgid: string | null;
  structuredData: StructuredData | null;
  /** STRUCTURED-DATA as written (the legacy `syslog5424_sd` field). */
  structuredDataText: string | null;
  /** MSG without a leading UTF-8 BOM; null when the message has no MSG part. */
  message: string | null;
  /** True when MSG started with a BOM (RFC 5424 §6.4: it announces UTF-8). */
  bom: boolean;
  /** Cisco IOS message counter and sequence number (`<189>643: 000104: …`), lenient mode only. */
  ciscoCounter?: number;
  ciscoSequence?: number;
}

export type SyslogResult =
  | { ok: true; value: SyslogMessage }
  /** `offset` is the 0-based character position where decoding stopped. */
  | { ok: false; error: string; offset: number; format: SyslogFormat | null };

export interface DecodeOptions {
  /**
   * `strict` (default) follows the RFCs; `lenient` accepts what real senders emit (see README of
   * src/syslog or `LENIENT_RULES`).
   */
  mode?: 'strict' | 'lenient';
  /** Force one format; `auto` (default) looks at what follows the PRI. */
  format?: 'auto' | SyslogFormat;
  /** "Now", for guessing the year of RFC 3164 timestamps (ms since epoch or Date). Default: the clock. */
  now?: number | Date;
  /** Zone of RFC 3164 timestamps without an offset. Default: the process's local zone (as Logstash). */
  zone?: Zone;
  /** Month abbreviations accepted in RFC 3164 timestamps besides English (from a locale). */
  monthNames?: ReadonlyMap<string, number>;
}
