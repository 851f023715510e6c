/**
 * The grok room's door: everything outside src/formats/grok uses grok through these exports (the
 * GrokMatcher facade, matcher.ts), never the compiler, engines, screen or guard directly.
 */
export {
  GrokMatcher, GrokExpression, GROK_DEFAULTS, MISS, MATCH, TIMED_OUT,
  type CaptureOptions, type GrokMatcherOptions, type Inspection, type MatchOutcome,
} from './matcher.js';
export type { EngineKind } from './engine.js';
export { GrokPatternError } from './expand.js';
export type { MissExplanation } from './explain.js';
// Reading the field a filter matches, as Logstash's grok does (Ruby's to_s of the value).
export { fieldReader, rubyToS } from './capture.js';
// The built-in pattern names of a mode (the debugger's autocompletion).
export { builtinPatternNames } from './library.js';
