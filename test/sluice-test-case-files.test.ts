import { describe, expect, it } from 'vitest';
import { LsFloat } from '../src/event/values.js';
import { CaseFileError, parseCaseFile } from '../src/testing/cases.js';

// The syslog example of logstash-filter-verifier's README, in both of its formats.
const LFV_JSON = `{
  "fields": { "type": "syslog" },
  "testcases": [
    {
      "input": ["Oct  6 20:55:29 myhost myprogram[31993]: This is a test message"],
      "expected": [
        { "@timestamp": "2015-10-06T20:55:29.000Z", "host": "myhost", "message": "This is a test message",
          "pid": 31993, "program": "myprogram", "type": "syslog" }
      ]
    }
  ]
}`;

const LFV_YAML = `fields:
  type: "syslog"
testcases:
  - input:
      - "Oct  6 20:55:29 myhost myprogram[31993]: This is a test message"
    expected:
      - "@timestamp": "2015-10-06T20:55:29.000Z"
        host: "myhost"
        message: "This is a test message"
        pid: 31993
        program: "myprogram"
        type: "syslog"
`;

describe('sluice test case files', () => {
  it('reads LFV JSON and YAML files to the same cases, with LFV defaults (line codec, @version ignored)', () => {
    const j = parseCaseFile('syslog.json', LFV_JSON);
    const y = parseCaseFile('syslog.yaml', LFV_YAML);
    for (const f of [j, y]) {
      expect(f.codec).toBe('line');
      expect(f.codecGiven).toBe(false);
      expect(f.ignore).toEqual(['@version']);
      expect(f.fields).toEqual({ type: 'syslog' });
      expect(f.cases).toHaveLength(1);
      expect(f.cases[0]!.input).toEqual({ kind: 'lines', lines: ['Oct  6 20:55:29 myhost myprogram[31993]: This is a test message'] });
      expect(f.cases[0]!.expected[0]!.pid).toBe(31993);
      expect(f.cases[0]!.name).toBe('#1');
    }
    expect(j.format).toBe('json');
    expect(y.format).toBe('yaml');
  });

  it('keeps floats apart from integers in both formats, and big integers exact', () => {
    const j = parseCaseFile('n.json', '{"testcases":[{"input":["x"],"expected":[{"f":10.0,"i":10,"big":12345678901234567890}]}]}');
    const y = parseCaseFile('n.yml', 'testcases:\n  - input: ["x"]\n    expected:\n      - {f: 10.0, i: 10, big: 12345678901234567890}\n');
    for (const f of [j, y]) {
      const e = f.cases[0]!.expected[0]!;
      expect(e.f).toBeInstanceOf(LsFloat);
      expect(e.i).toBe(10);
      expect(e.big).toBe(12345678901234567890n);
    }
  });

  it('expands field-reference keys in fields and expected events, as LFV does', () => {
    const f = parseCaseFile('b.json', JSON.stringify({
      fields: { '[log][file][path]': '/tmp/test.log', '[fields][type]': 'openlog' },
      testcases: [{ input: ['x'], expected: [{ log: { level: 'info' }, '[log][file][path]': '/tmp/test.log' }] }],
    }));
    expect(f.fields).toEqual({ log: { file: { path: '/tmp/test.log' } }, fields: { type: 'openlog' } });
    expect(f.cases[0]!.expected[0]).toEqual({ log: { level: 'info', file: { path: '/tmp/test.log' } } });
  });

  it('reads the older format with top-level input and expected as one case, alongside testcases', () => {
    const f = parseCaseFile('old.json', JSON.stringify({
      codec: 'json_lines', ignore: ['host'],
      input: ['{"a":1}', '{"a":2}'], expected: [{ a: 1 }, { a: 2 }],
      testcases: [{ description: 'third', input: ['{"a":3}'], expected: [{ a: 3 }] }],
    }));
    expect(f.codec).toBe('json_lines');
    expect(f.ignore).toEqual(['host', '@version']);
    expect(f.cases.map((c) => [c.name, c.expectedPath])).toEqual([
      ['input/expected', ['expected']],
      ['third', ['testcases', 0, 'expected']],
    ]);
    expect(f.cases[0]!.expected).toHaveLength(2);
  });

  it('reads raw input as text chunks or base64 bytes, and case-local fields (event / fields)', () => {
    const f = parseCaseFile('raw.yaml', `codec: multiline { pattern => "^\\\\s" what => "previous" }
testcases:
  - description: one chunk
    input_raw: "a\\n  b\\n"
  - description: split chunks
    input_raw: ["a\\n ", " b\\n"]
  - description: bytes
    input_base64: "aMOpbGxvCg=="
    event: { type: x }
    fields: { "[a][b]": 1 }
  - description: no input
    fields: { only: yes }
    expected: [{ only: yes }]
`);
    expect(f.codec).toBe('multiline { pattern => "^\\\\s" what => "previous" }');
    expect(f.cases[0]!.input).toEqual({ kind: 'raw', chunks: [Buffer.from('a\n  b\n')] });
    expect(f.cases[1]!.input).toEqual({ kind: 'raw', chunks: [Buffer.from('a\n '), Buffer.from(' b\n')] });
    expect(f.cases[2]!.input).toEqual({ kind: 'raw', chunks: [Buffer.from('héllo\n')] });
    expect(f.cases[2]!.fields).toEqual({ type: 'x', a: { b: 1 } });
    expect(f.cases[3]!.input).toEqual({ kind: 'none' });
  });

  it('rejects unknown keys, conflicting inputs and malformed files with the file and place', () => {
    const bad = (path: string, text: string) => { try { parseCaseFile(path, text); return ''; } catch (e) { expect(e).toBeInstanceOf(CaseFileError); return (e as Error).message; } };
    expect(bad('a.json', '{"testcases":[{"input":["x"],"expect":[]}]}')).toBe('a.json: testcases[0]: unknown key "expect" (known: input, input_raw, input_base64, input_frames, expected, description, event, fields, expected_outputs)');
    expect(bad('a.json', '{"testcases":[{"input":["x"],"input_raw":"y"}]}')).toBe('a.json: testcases[0]: give only one of input, input_raw');
    expect(bad('a.json', '{"testcases": [')).toMatch(/^a\.json: invalid JSON: /);
    expect(bad('a.yaml', 'testcases: [\n')).toMatch(/^a\.yaml: invalid YAML: /);
    expect(bad('a.json', '{"testcases":[{"input":[1],"expected":[]}]}')).toBe('a.json: testcases[0].input[0] must be text (quote it in YAML)');
    expect(bad('a.json', '{"codec":"line"}')).toBe('a.json: no test cases (add "testcases" with "input" and "expected")');
    expect(bad('a.txt', '{}')).toBe('a.txt: test case files must end in .json, .yaml or .yml');
  });

  it('warns about LFV keys it reads but cannot check', () => {
    const f = parseCaseFile('o.json', '{"export_outputs":true,"testcases":[{"input":["x"],"expected":[],"expected_outputs":["es"]}]}');
    expect(f.warnings).toEqual([
      'export_outputs is not checked by sluice test (outputs are not run)',
      'testcases[0]: expected_outputs is not checked by sluice test (outputs are not run)',
    ]);
  });
});
