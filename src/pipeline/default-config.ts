/** The pipeline `sluice run` uses when given no config: standard input to JSON lines on standard output. */
export const DEFAULT_PIPELINE_CONFIG = `input { stdin { } }
output { stdout { codec => json_lines } }
`;
