/**
 * Facility and severity names. Two tables exist in Logstash and both are kept as they are there:
 * the syslog input's (capitalised severities, facility 3 = "system") and the syslog_pri filter's
 * (lower case, facility 3 = "daemon").
 */

/** logstash-input-syslog `facility_labels` default. */
export const FACILITY_LABELS: readonly string[] = [
  'kernel', 'user-level', 'mail', 'system', 'security/authorization', 'syslogd', 'line printer',
  'network news', 'UUCP', 'clock', 'security/authorization', 'FTP', 'NTP', 'log audit', 'log alert',
  'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];

/** logstash-input-syslog `severity_labels` default. */
export const SEVERITY_LABELS: readonly string[] = [
  'Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug',
];
