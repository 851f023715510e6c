/**
 * ArcSight Common Event Format (CEF), as logstash-codec-cef 6.x reads and writes it: the header fields, the
 * extension key/value grammar and escapes, and the table of CEF names, short keys and ECS field names.
 */
import { rubyRegExp } from './ruby-regexp.js';

export interface CefField {
  /** The full CEF name (`sourceAddress`). */
  readonly n: string;
  /** The short key (`src`); the name when absent. */
  readonly k?: string;
  /** The ECS field reference. */
  readonly e: string;
  /** A legacy name passed through. */
  readonly legacy?: string;
  /** When several fields share an ECS field, the highest priority one is what the encoder writes. */
  readonly priority?: number;
  /** A timestamp, normalized in ECS mode. */
  readonly ts?: boolean;
}

/** The fields of logstash-codec-cef's mapping table, `device` being `observer` or `host`. */
export function cefFields(device: string): CefField[] {
  const custom: CefField[] = [];
  for (let i = 1; i <= 15; i++) {
    custom.push(
      { n: `deviceCustomFloatingPoint${i}`, k: `cfp${i}`, e: `[cef][device_custom_floating_point_${i}][value]` },
      { n: `deviceCustomFloatingPoint${i}Label`, k: `cfp${i}Label`, e: `[cef][device_custom_floating_point_${i}][label]` },
      { n: `deviceCustomIPv6Address${i}`, k: `c6a${i}`, e: `[cef][device_custom_ipv6_address_${i}][value]` },
      { n: `deviceCustomIPv6Address${i}Label`, k: `c6a${i}Label`, e: `[cef][device_custom_ipv6_address_${i}][label]` },
      { n: `deviceCustomNumber${i}`, k: `cn${i}`, e: `[cef][device_custom_number_${i}][value]` },
      { n: `deviceCustomNumber${i}Label`, k: `cn${i}Label`, e: `[cef][device_custom_number_${i}][label]` },
      { n: `deviceCustomString${i}`, k: `cs${i}`, e: `[cef][device_custom_string_${i}][value]` },
      { n: `deviceCustomString${i}Label`, k: `cs${i}Label`, e: `[cef][device_custom_string_${i}][label]` },
    );
  }
  return [
    { n: 'agentAddress', k: 'agt', e: "[agent][ip]" },
    { n: 'agentDnsDomain', e: "[cef][agent][registered_domain]", priority: 10 },
    { n: 'agentHostName', k: 'ahost', e: "[agent][name]" },
    { n: 'agentId', k: 'aid', e: "[agent][id]" },
    { n: 'agentMacAddress', k: 'amac', e: "[agent][mac]" },
    { n: 'agentNtDomain', e: "[cef][agent][registered_domain]" },
    { n: 'agentReceiptTime', k: 'art', e: "[event][created]", ts: true },
    { n: 'agentTimeZone', k: 'atz', e: "[cef][agent][timezone]" },
    { n: 'agentTranslatedAddress', e: "[cef][agent][nat][ip]" },
    { n: 'agentTranslatedZoneExternalID', e: "[cef][agent][translated_zone][external_id]" },
    { n: 'agentTranslatedZoneURI', e: "[cef][agent][translated_zone][uri]" },
    { n: 'agentType', k: 'at', e: "[agent][type]" },
    { n: 'agentVersion', k: 'av', e: "[agent][version]" },
    { n: 'agentZoneExternalID', e: "[cef][agent][zone][external_id]" },
    { n: 'agentZoneURI', e: "[cef][agent][zone][uri]" },
    { n: 'applicationProtocol', k: 'app', e: "[network][protocol]" },
    { n: 'baseEventCount', k: 'cnt', e: "[cef][base_event_count]" },
    { n: 'bytesIn', k: 'in', e: "[source][bytes]" },
    { n: 'bytesOut', k: 'out', e: "[destination][bytes]" },
    { n: 'categoryDeviceType', k: 'catdt', e: "[cef][device_type]" },
    { n: 'customerExternalID', e: "[organization][id]" },
    { n: 'customerURI', e: "[organization][name]" },
    { n: 'destinationAddress', k: 'dst', e: "[destination][ip]" },
    { n: 'destinationDnsDomain', e: "[destination][registered_domain]", priority: 10 },
    { n: 'destinationGeoLatitude', k: 'dlat', e: "[destination][geo][location][lat]", legacy: 'destinationLatitude' },
    { n: 'destinationGeoLongitude', k: 'dlong', e: "[destination][geo][location][lon]", legacy: 'destinationLongitude' },
    { n: 'destinationHostName', k: 'dhost', e: "[destination][domain]" },
    { n: 'destinationMacAddress', k: 'dmac', e: "[destination][mac]" },
    { n: 'destinationNtDomain', k: 'dntdom', e: "[destination][registered_domain]" },
    { n: 'destinationPort', k: 'dpt', e: "[destination][port]" },
    { n: 'destinationProcessId', k: 'dpid', e: "[destination][process][pid]" },
    { n: 'destinationProcessName', k: 'dproc', e: "[destination][process][name]" },
    { n: 'destinationServiceName', e: "[destination][service][name]" },
    { n: 'destinationTranslatedAddress', e: "[destination][nat][ip]" },
    { n: 'destinationTranslatedPort', e: "[destination][nat][port]" },
    { n: 'destinationTranslatedZoneExternalID', e: "[cef][destination][translated_zone][external_id]" },
    { n: 'destinationTranslatedZoneURI', e: "[cef][destination][translated_zone][uri]" },
    { n: 'destinationUserId', k: 'duid', e: "[destination][user][id]" },
    { n: 'destinationUserName', k: 'duser', e: "[destination][user][name]" },
    { n: 'destinationUserPrivileges', k: 'dpriv', e: "[destination][user][group][name]" },
    { n: 'destinationZoneExternalID', e: "[cef][destination][zone][external_id]" },
    { n: 'destinationZoneURI', e: "[cef][destination][zone][uri]" },
    { n: 'deviceAction', k: 'act', e: "[event][action]" },
    { n: 'deviceAddress', k: 'dvc', e: `[${device}][ip]` },
    ...custom,
    { n: 'deviceDirection', e: "[network][direction]" },
    { n: 'deviceDnsDomain', e: `[${device}][registered_domain]`, priority: 10 },
    { n: 'deviceEventCategory', k: 'cat', e: "[cef][category]" },
    { n: 'deviceExternalId', e: device === 'host' ? '[host][id]' : '[observer][name]' },
    { n: 'deviceFacility', e: "[log][syslog][facility][code]" },
    { n: 'deviceHostName', k: 'dvchost', e: device === 'host' ? '[host][name]' : '[observer][hostname]' },
    { n: 'deviceInboundInterface', e: "[observer][ingress][interface][name]" },
    { n: 'deviceMacAddress', k: 'dvcmac', e: `[${device}][mac]` },
    { n: 'deviceNtDomain', e: "[cef][nt_domain]" },
    { n: 'deviceOutboundInterface', e: "[observer][egress][interface][name]" },
    { n: 'devicePayloadId', e: "[cef][payload_id]" },
    { n: 'deviceProcessId', k: 'dvcpid', e: "[process][pid]" },
    { n: 'deviceProcessName', e: "[process][name]" },
    { n: 'deviceReceiptTime', k: 'rt', e: "@timestamp", ts: true },
    { n: 'deviceTimeZone', k: 'dtz', e: "[event][timezone]", legacy: 'destinationTimeZone' },
    { n: 'deviceTranslatedAddress', e: "[host][nat][ip]" },
    { n: 'deviceTranslatedZoneExternalID', e: "[cef][translated_zone][external_id]" },
    { n: 'deviceTranslatedZoneURI', e: "[cef][translated_zone][uri]" },
    { n: 'deviceVersion', e: "[observer][version]" },
    { n: 'deviceZoneExternalID', e: "[cef][zone][external_id]" },
    { n: 'deviceZoneURI', e: "[cef][zone][uri]" },
    { n: 'endTime', k: 'end', e: "[event][end]", ts: true },
    { n: 'eventId', e: "[event][id]" },
    { n: 'eventOutcome', k: 'outcome', e: "[event][outcome]" },
    { n: 'externalId', e: "[cef][external_id]" },
    { n: 'fileCreateTime', e: "[file][created]" },
    { n: 'fileHash', e: "[file][hash]" },
    { n: 'fileId', e: "[file][inode]" },
    { n: 'fileModificationTime', e: "[file][mtime]", ts: true },
    { n: 'fileName', k: 'fname', e: "[file][name]" },
    { n: 'filePath', e: "[file][path]" },
    { n: 'filePermission', e: "[file][group]" },
    { n: 'fileSize', k: 'fsize', e: "[file][size]" },
    { n: 'fileType', e: "[file][extension]" },
    { n: 'managerReceiptTime', k: 'mrt', e: "[event][ingested]", ts: true },
    { n: 'message', k: 'msg', e: "[message]" },
    { n: 'oldFileCreateTime', e: "[cef][old_file][created]", ts: true },
    { n: 'oldFileHash', e: "[cef][old_file][hash]" },
    { n: 'oldFileId', e: "[cef][old_file][inode]" },
    { n: 'oldFileModificationTime', e: "[cef][old_file][mtime]", ts: true },
    { n: 'oldFileName', e: "[cef][old_file][name]" },
    { n: 'oldFilePath', e: "[cef][old_file][path]" },
    { n: 'oldFilePermission', e: "[cef][old_file][group]" },
    { n: 'oldFileSize', e: "[cef][old_file][size]" },
    { n: 'oldFileType', e: "[cef][old_file][extension]" },
    { n: 'rawEvent', e: "[event][original]" },
    { n: 'Reason', k: 'reason', e: "[event][reason]" },
    { n: 'requestClientApplication', e: "[user_agent][original]" },
    { n: 'requestContext', e: "[http][request][referrer]" },
    { n: 'requestCookies', e: "[cef][request][cookies]" },
    { n: 'requestMethod', e: "[http][request][method]" },
    { n: 'requestUrl', k: 'request', e: "[url][original]" },
    { n: 'sourceAddress', k: 'src', e: "[source][ip]" },
    { n: 'sourceDnsDomain', e: "[source][registered_domain]", priority: 10 },
    { n: 'sourceGeoLatitude', k: 'slat', e: "[source][geo][location][lat]", legacy: 'sourceLatitude' },
    { n: 'sourceGeoLongitude', k: 'slong', e: "[source][geo][location][lon]", legacy: 'sourceLongitude' },
    { n: 'sourceHostName', k: 'shost', e: "[source][domain]" },
    { n: 'sourceMacAddress', k: 'smac', e: "[source][mac]" },
    { n: 'sourceNtDomain', k: 'sntdom', e: "[source][registered_domain]" },
    { n: 'sourcePort', k: 'spt', e: "[source][port]" },
    { n: 'sourceProcessId', k: 'spid', e: "[source][process][pid]" },
    { n: 'sourceProcessName', k: 'sproc', e: "[source][process][name]" },
    { n: 'sourceServiceName', e: "[source][service][name]" },
    { n: 'sourceTranslatedAddress', e: "[source][nat][ip]" },
    { n: 'sourceTranslatedPort', e: "[source][nat][port]" },
    { n: 'sourceTranslatedZoneExternalID', e: "[cef][source][translated_zone][external_id]" },
    { n: 'sourceTranslatedZoneURI', e: "[cef][source][translated_zone][uri]" },
    { n: 'sourceUserId', k: 'suid', e: "[source][user][id]" },
    { n: 'sourceUserName', k: 'suser', e: "[source][user][name]" },
    { n: 'sourceUserPrivileges', k: 'spriv', e: "[source][user][group][name]" },
    { n: 'sourceZoneExternalID', e: "[cef][source][zone][external_id]" },
    { n: 'sourceZoneURI', e: "[cef][source][zone][uri]" },
    { n: 'startTime', k: 'start', e: "[event][start]", ts: true },
    { n: 'transportProtocol', k: 'proto', e: "[network][transport]" },
    { n: 'type', e: "[cef][type]" },
  ];
}

/** The seven header fields, in order, with their names in legacy and ECS mode. */
export function headerFields(ecs: boolean): readonly string[] {
  return ecs
    ? ['[cef][version]', '[observer][vendor]', '[observer][product]', '[observer][version]', '[event][code]', '[cef][name]', '[event][severity]']
    : ['cefVersion', 'deviceVendor', 'deviceProduct', 'deviceVersion', 'deviceEventClassId', 'name', 'severity'];
}

export interface CefMappings {
  decode: Map<string, string>;
  encode: Map<string, string>;
  timestampFields: Set<string>;
}

/** Key → field name for decoding, field name → key for encoding (as generate_mappings! builds them). */
export function cefMappings(opts: { ecs: boolean; device: string; reverseMapping: boolean }): CefMappings {
  const decode = new Map<string, string>();
  const encode = new Map<string, string>();
  const timestampFields = new Set<string>();
  const fields = cefFields(opts.device).map((f, i) => ({ f, i }))
    .sort((a, b) => (a.f.priority ?? 0) - (b.f.priority ?? 0) || a.i - b.i).map((x) => x.f);
  for (const f of fields) {
    const key = f.k ?? f.n;
    const fieldName = opts.ecs ? f.e : f.n;
    decode.set(key, fieldName);
    decode.set(f.n, fieldName);
    const target = opts.reverseMapping ? key : f.n;
    encode.set(fieldName, target);
    if (f.n !== fieldName) encode.set(f.n, target);
    if (f.legacy !== undefined) {
      decode.set(f.legacy, opts.ecs ? f.e : f.legacy);
      encode.set(f.legacy, opts.reverseMapping ? key : f.legacy);
    }
    if (opts.ecs && f.ts) timestampFields.add(fieldName);
  }
  return { decode, encode, timestampFields };
}

/** A header field up to the next unescaped pipe (escapes are `\|` and `\\`). */
export const HEADER_NEXT_FIELD = /^((?:\\\||\\\\|[^|])*?)\|/;
const HEADER_ESCAPE = /\\([\\|])/g;
export function unescapeHeader(s: string): string { return s.replace(HEADER_ESCAPE, '$1'); }

// Extension keys: a word, optional dot-joined subkeys, optional `[n]` index, followed by `=`.
const KEY = String.raw`(?:\w+(?:\.[^\.=\s\|\\\[\]]+)*(?:\[[0-9]+\])?(?==))`;
// A value: non-spaces, or runs of spaces not followed by something shaped like `key=` (Ruby's possessive `\s++`).
const VALUE = String.raw`(?:\S|\s++(?!${KEY}=))*`;
export const EXTENSION_NEXT_KEY_VALUE = rubyRegExp(String.raw`\A(${KEY})=(${VALUE})\s*`);
export const EXTENSION_KEY_ARRAY = /^([^[\]]+)((?:\[[0-9]+\])+)$/;

const UNESCAPE_EXT: Record<string, string> = { '\\\\': '\\', '\\=': '=', '\\n': '\n', '\\r': '\r' };
export function unescapeExtensionValue(s: string): string {
  return s.replace(/\\\\|\\=|\\n|\\r/g, (m) => UNESCAPE_EXT[m]!);
}

const ESCAPE_HEADER: Record<string, string> = { '\\': '\\\\', '|': '\\|', '\n': ' ', '\r': ' ' };
/** Escape pipes and backslashes in a header value; newlines become spaces. */
export function sanitizeHeaderField(s: string): string {
  return s.replace(/\r\n/g, '\n').replace(/[\\|\n\r]/g, (m) => ESCAPE_HEADER[m]!);
}

/** Extension keys keep only ASCII letters and digits. */
export function sanitizeExtensionKey(s: string): string { return s.replace(/[^a-zA-Z0-9]/g, ''); }

const ESCAPE_EXT: Record<string, string> = { '\\': '\\\\', '=': '\\=', '\n': '\\n', '\r': '\\n' };
/** Escape equals and backslashes in an extension value; newlines become `\n`. */
export function sanitizeExtensionValue(s: string): string {
  return s.replace(/\r\n/g, '\n').replace(/[\\=\n\r]/g, (m) => ESCAPE_EXT[m]!);
}

/** Ruby's Float(s) succeeding on an integral value between 0 and 10. */
export function validSeverity(s: string): boolean {
  if (!/^[+-]?(?:\d[\d_]*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(s)) return false;
  const f = Number(s.replace(/_/g, ''));
  return Number.isInteger(f) && f >= 0 && f <= 10;
}
