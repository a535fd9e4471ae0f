// The fields of a syslog record, apart from the implementation: the source registry names them without loading it.
/** Every field a syslog record may have: parse.ts's, `truncated` (the source's), `sd.<id>.<name>` per parameter. */
export const SYSLOG_FIELDS = [
  "facility",
  "severity",
  "host",
  "app",
  "procid",
  "msgid",
  "structured_data",
  "sd.*",
  "malformed",
  "truncated",
];
