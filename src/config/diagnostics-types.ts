/** A config problem, found at start-up and reported with its location and, where possible, a fix. */
export interface Diagnostic {
  /** Stable code, documented in docs/errors.md (e.g. `SLC_UNKNOWN_PLUGIN`). */
  code: string;
  severity: 'error' | 'warning';
  message: string;
  file: string;
  line: number;
  column: number;
  /** A suggested fix ("did you mean `grok`?"). */
  hint?: string;
}
