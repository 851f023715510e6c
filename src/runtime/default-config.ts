/**
 * The pipeline `sluice run` (and `npm start`) uses when given no config: a syslog listener on TCP and UDP
 * port 5514 (514 needs privileges) decoding RFC 5424 and RFC 3164, printing each event as a JSON line.
 * Try it with `logger --rfc5424 -n 127.0.0.1 -P 5514 -T "hello"` (TCP) or without `-T` (UDP).
 */
export const DEFAULT_PIPELINE_CONFIG = `input { syslog { port => 5514 } }
output { stdout { codec => json_lines } }
`;
