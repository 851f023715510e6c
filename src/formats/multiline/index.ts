/** Multi-line joining: pure logic keyed per stream. The `multiline` codec (src/codecs/multiline.ts) wires it to streams. */
export { LineTokenizer } from '../lines.js';
export { lineConverter, rubyInspectBody, CharsetError, type LineConverter } from '../charset.js';
export { LineBuffer, PatternJoiner, type JoinLimits, type JoinedRecord, type Joiner, type LineMatcher, type RecordSink } from './joiner.js';
export { IdleFlusher, systemClock, type Clock } from './idle-flush.js';
export { compileLineMatcher, PatternCompileError, type MatcherOptions } from './matcher.js';
export { DIALECTS, PRESET_NAMES, ALL_PRESET, PresetJoiner, PresetError, resolvePreset } from './presets/index.js';
