/**
 * Conditionals compiled to closures with Logstash 8's semantics (logstash-core's lscl.rb builds the
 * expression tree, org.logstash.config.ir.compiler.EventCondition evaluates it):
 *
 * - Boolean operators: `and` binds tighter than `or`, applied with Logstash's own shunting-yard, which
 *   pops at most one operator per incoming operator: `a and b and c or d` is `a and ((b and c) or d)`.
 *   `xor`/`nand` work alone but cannot be mixed with another operator without parentheses (Logstash
 *   fails to compile that). `nand` is `!(a and b)`, `xor` is `(!a and b) or (a and !b)`.
 * - Truthiness: missing, nil, `false`, `""` and the string `"false"` are false; everything else (0, [],
 *   {}) is true (a value is false when its text is empty or "false").
 * - `==` is typed: `[status] == 200` is false for the string "200"; integers and floats compare by value.
 * - `<` `>` `<=` `>=` compare numbers with numbers and strings with strings (lexicographically); any other
 *   pair (a missing field, a string against a number) is an evaluation error in Logstash, which drops the
 *   event; here the comparison is simply false and the event goes on.
 * - `in`: see `compileIn` for the cases (substring for strings, membership for arrays; a hash field never
 *   contains anything).
 * - `=~` / `!~` match strings only (a non-string field never matches) with Ruby regex syntax, translated
 *   once to a JS RegExp by oniguruma-to-es.
 * - Operands are found as lscl.rb finds them (see `Builder.picks`): each operator takes the nodes of the
 *   kinds it knows, in document order, looking inside lists and method calls. So `[a] == ["x", "y"]`
 *   compares with "x", `length([a]) > 1` is `[a] > 1`, and a regex in `==`, `<`… leaves that side
 *   empty, which Logstash fails to compile ("Failed to parse right-hand side of conditional").
 *   Constructs that read differently from what Logstash does with them get a warning.
 */
import type { Event } from '../event/event.js';
import { parseFieldRef, type FieldPath } from '../event/fieldref.js';
import { Timestamp } from '../event/timestamp.js';
import { LsFloat, formatFloat, isHash, isNumeric, numericValue } from '../event/values.js';
import type { Condition } from './plan.js';
import type { ArrayNode, BarewordNode, BooleanOperator, ConditionNode, ExpressionNode, Loc, NumberNode, RegexpNode, RValueNode, SelectorNode, StringNode, ValueNode } from './ast.js';
import { CODES } from './codes.js';
import type { DiagnosticSink } from './diagnostics.js';
import { NumberLiteralError, numberValue, stringValue, substituteWholeEnv, UndefinedVariableError, type Env } from './literals.js';

/** A constant from the config: string, integer, float, or a list of constants. */
type Const = string | number | bigint | LsFloat | boolean | Const[] | { [key: string]: Const };

type Operand =
  | { k: 'event'; path: FieldPath; text: string; loc: Loc }
  | { k: 'value'; v: Const; loc: Loc }
  | { k: 'regex'; pattern: string; loc: Loc };

type EqIR = { k: 'eq' | 'neq'; l: Operand; r: Operand; loc: Loc };
type CompareIR = { k: 'gt' | 'gte' | 'lt' | 'lte'; l: Operand; r: Operand; loc: Loc };
type InIR = { k: 'in'; l: Operand; r: Operand; loc: Loc };
type MatchIR = { k: 'match'; l: Operand; r: Operand; loc: Loc };
type BoolIR =
  | { k: 'and' | 'or'; l: IR; r: IR; loc: Loc }
  | { k: 'not'; e: IR; loc: Loc }
  | { k: 'truthy'; e: IR; loc: Loc }
  | EqIR | CompareIR | InIR | MatchIR;

type IR = Operand | BoolIR;

const isOperand = (ir: IR): ir is Operand => ir.k === 'event' || ir.k === 'value' || ir.k === 'regex';

class ConditionError extends Error {
  constructor(readonly code: (typeof CODES)[keyof typeof CODES], readonly loc: Loc, message: string, readonly hint?: string) { super(message); }
}

export interface ConditionSettings {
  supportEscapes: boolean;
  env: Env;
}

const TRUE: Condition = () => true;
const FALSE: Condition = () => false;
const constant = (b: boolean): Condition => (b ? TRUE : FALSE);

// ---- AST → IR (lscl.rb) ---------------------------------------------------------------------------

const OPS: Record<string, (EqIR | CompareIR)['k']> = { '==': 'eq', '!=': 'neq', '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' };

/** A node lscl.rb's recursive_select picks as an operand; `nested` when it was found inside a list, a hash or a method call. */
type Picked = { node: SelectorNode | StringNode | NumberNode | RegexpNode | ArrayNode | BarewordNode; nested: boolean };
type PickKind = Picked['node']['type'];

// The node classes each expression of lscl.rb selects (ComparisonExpression: Selector, Number, String;
// RegexpExpression: Selector, RegExp, String; InExpression: any RValue, barewords included; a lone
// expression: Selector).
const COMPARE_PICKS: ReadonlySet<PickKind> = new Set(['selector', 'string', 'number']);
const MATCH_PICKS: ReadonlySet<PickKind> = new Set(['selector', 'string', 'regexp']);
const IN_PICKS: ReadonlySet<PickKind> = new Set(['selector', 'string', 'number', 'array', 'regexp', 'bareword']);
const LONE_PICKS: ReadonlySet<PickKind> = new Set(['selector']);

const sourceOf = (n: Picked['node']): string => {
  switch (n.type) {
    case 'selector': return n.text;
    case 'string': return `${n.quote}${n.raw}${n.quote}`;
    case 'number': return n.text;
    case 'regexp': return `/${n.raw}/`;
    case 'bareword': return n.value;
    case 'array': return 'a list';
  }
};

class Builder {
  constructor(readonly settings: ConditionSettings, readonly sink: DiagnosticSink) {}

  /**
   * The nodes of the given kinds in an operand, in document order, as lscl.rb's recursive_select finds
   * them: a node of a wanted kind is taken whole; anything else is searched inside (list items, hash keys
   * and values, a method call's name and arguments).
   */
  picks(node: RValueNode | ValueNode | BarewordNode, kinds: ReadonlySet<PickKind>, nested = false): Picked[] {
    if (node.type !== 'method_call' && node.type !== 'hash' && node.type !== 'plugin' && kinds.has(node.type)) return [{ node, nested }];
    switch (node.type) {
      case 'array': return node.items.flatMap((i) => this.picks(i, kinds, true));
      case 'hash': return node.entries.flatMap((e) => [...this.picks(e.key, kinds, true), ...this.picks(e.value, kinds, true)]);
      case 'method_call': return [
        // The method's name is a bareword, which only `in` selects.
        ...this.picks({ type: 'bareword', value: node.name, loc: node.loc }, kinds, true),
        ...node.args.flatMap((a) => this.picks(a, kinds, true)),
      ];
      case 'plugin':
        throw new ConditionError(CODES.CONDITION_TYPES, node.loc, `a plugin (\`${node.name} {…}\`) cannot be used as a value in a condition`);
      default: return [];
    }
  }

  /** Warn when what Logstash evaluates is not what the text seems to say. */
  ignored(loc: Loc, what: string, why: 'list' | 'method'): void {
    const [reason, hint] = why === 'list'
      ? ['a list compared with `==`, `<`… stands for its first string or number', 'to test membership in a list, use `in`: [field] in ["a", "b"]']
      : ['a method call is not called, only what it contains is used', 'Logstash has no functions in conditions; write the field reference itself'];
    this.sink.warn(CODES.CONDITION_IGNORED, loc, `Logstash evaluates this as ${what} (${reason}); sluice does the same`, hint);
  }

  pickedOperand(p: Picked): Operand {
    const n = p.node;
    if (n.type === 'bareword') return { k: 'value', v: n.value, loc: n.loc };
    return this.operand(n);
  }

  string(node: StringNode): string {
    const s = stringValue(node.raw, this.settings.supportEscapes);
    try {
      return substituteWholeEnv(s, this.settings.env);
    } catch (err) {
      if (err instanceof UndefinedVariableError) throw new ConditionError(CODES.UNDEFINED_VARIABLE, node.loc, err.message, `set ${err.variable} in the environment, or give a default: \${${err.variable}:default}`);
      throw err;
    }
  }

  number(text: string, loc: Loc): number | bigint | LsFloat {
    try {
      return numberValue(text);
    } catch (err) {
      if (err instanceof NumberLiteralError) throw new ConditionError(CODES.BAD_NUMBER, loc, err.message);
      throw err;
    }
  }

  constValue(node: ValueNode): Const {
    switch (node.type) {
      case 'string': return this.string(node);
      case 'bareword': return node.value;
      case 'number': return this.number(node.text, node.loc);
      case 'array': return node.items.map((i) => this.constValue(i));
      case 'hash': {
        const out: { [key: string]: Const } = {};
        for (const e of node.entries) {
          const key = e.key.type === 'string' ? this.string(e.key) : e.key.type === 'number' ? String(this.number(e.key.text, e.key.loc)) : e.key.value;
          out[key] = this.constValue(e.value);
        }
        return out;
      }
      case 'plugin':
        throw new ConditionError(CODES.CONDITION_TYPES, node.loc, `a plugin (\`${node.name} {…}\`) cannot be used as a value in a condition`);
    }
  }

  operand(node: RValueNode): Operand {
    switch (node.type) {
      case 'selector': {
        let path: FieldPath;
        try { path = parseFieldRef(node.text); } catch (err) {
          throw new ConditionError(CODES.BAD_FIELD_REFERENCE, node.loc, `invalid field reference \`${node.text}\`: ${(err as Error).message}`);
        }
        return { k: 'event', path, text: node.text, loc: node.loc };
      }
      case 'string': return { k: 'value', v: this.string(node), loc: node.loc };
      case 'number': return { k: 'value', v: this.number(node.text, node.loc), loc: node.loc };
      case 'array': return { k: 'value', v: (node as ArrayNode).items.map((i) => this.constValue(i)), loc: node.loc };
      case 'regexp': return { k: 'regex', pattern: node.raw, loc: node.loc };
      case 'method_call':
        // Operands are picked (see picks) before they get here; a method call is never one itself.
        throw new ConditionError(CODES.METHOD_CALL, node.loc, `method calls (\`${node.name}(…)\`) are not evaluated in conditions`, 'Logstash has no functions in conditions');
    }
  }

  expression(e: ExpressionNode): IR {
    switch (e.type) {
      case 'paren': return this.condition(e.condition);
      case 'not':
        return { k: 'not', e: e.operand.type === 'selector' ? this.operand(e.operand) : this.condition(e.operand), loc: e.loc };
      case 'in': {
        // InExpression: `item, list = recursive_select(RValue)` over both sides together.
        const found = [...this.picks(e.left, IN_PICKS), ...this.picks(e.right, IN_PICKS)];
        if (found.length < 2) {
          throw new ConditionError(CODES.CONDITION_TYPES, e.loc, `\`${e.negate ? 'not in' : 'in'}\` needs a value on each side; Logstash fails to compile this condition`);
        }
        const [item, list] = found as [Picked, Picked];
        if (item.nested || list.nested || found.length > 2) this.ignored(e.loc, `\`${sourceOf(item.node)} in ${sourceOf(list.node)}\``, 'method');
        const ir: BoolIR = { k: 'in', l: this.pickedOperand(item), r: this.pickedOperand(list), loc: e.loc };
        return e.negate ? { k: 'not', e: ir, loc: e.loc } : ir;
      }
      case 'compare': {
        // ComparisonExpression: `lval, operator, rval = recursive_select(Selector, Number, String, …)`.
        const left = this.picks(e.left, COMPARE_PICKS);
        const right = this.picks(e.right, COMPARE_PICKS);
        const regexHint = `to match a regex, use \`=~\`: [field] =~ /regex/`;
        if (left.length !== 1) {
          const why = left.length === 0 ? 'has no field reference, string or number' : 'holds more than one value';
          throw new ConditionError(CODES.CONDITION_TYPES, e.left.loc, `the left side of \`${e.op}\` ${why}; Logstash fails to compile this comparison`, e.left.type === 'regexp' ? regexHint : undefined);
        }
        if (right.length === 0) {
          throw new ConditionError(CODES.CONDITION_TYPES, e.right.loc,
            `the right side of \`${e.op}\` has no field reference, string or number; Logstash fails to compile it ("Failed to parse right-hand side of conditional")`,
            e.right.type === 'regexp' ? regexHint : undefined);
        }
        const [l, r] = [left[0]!, right[0]!];
        if (l.nested || r.nested) {
          this.ignored(e.loc, `\`${sourceOf(l.node)} ${e.op} ${sourceOf(r.node)}\``, e.left.type === 'method_call' || e.right.type === 'method_call' ? 'method' : 'list');
        }
        return { k: OPS[e.op]!, l: this.pickedOperand(l), r: this.pickedOperand(r), loc: e.loc } as EqIR | CompareIR;
      }
      case 'match': {
        // RegexpExpression: `selector, operator, regexp = recursive_select(Selector, RegExp, String, …)`.
        const left = this.picks(e.left, MATCH_PICKS);
        if (left.length !== 1) {
          const why = left.length === 0 ? 'has no field reference or string' : 'holds more than one value';
          throw new ConditionError(CODES.CONDITION_TYPES, e.left.loc, `the left side of \`${e.op}\` ${why}; Logstash fails to compile this match`);
        }
        if (left[0]!.nested) this.ignored(e.loc, `\`${sourceOf(left[0]!.node)} ${e.op} ${e.right.type === 'regexp' ? `/${e.right.raw}/` : `${e.right.quote}${e.right.raw}${e.right.quote}`}\``, 'method');
        // A string on the right is used as a regex, as Logstash does.
        const r: Operand = e.right.type === 'string'
          ? { k: 'regex', pattern: this.string(e.right), loc: e.right.loc }
          : { k: 'regex', pattern: e.right.raw, loc: e.right.loc };
        const ir: BoolIR = { k: 'match', l: this.pickedOperand(left[0]!), r, loc: e.loc };
        return e.op === '!~' ? { k: 'not', e: ir, loc: e.loc } : ir;
      }
      case 'rvalue': {
        if (e.value.type !== 'method_call') return this.operand(e.value);
        // A lone method call: Logstash's Expression#expr takes the one field reference among its arguments.
        const found = this.picks(e.value, LONE_PICKS);
        if (found.length !== 1) {
          throw new ConditionError(CODES.METHOD_CALL, e.value.loc, `method calls (\`${e.value.name}(…)\`) are not evaluated by Logstash, and this one has ${found.length === 0 ? 'no field reference' : 'more than one field reference'} for it to test instead; Logstash fails to compile it`, 'Logstash has no functions in conditions');
        }
        this.ignored(e.loc, `\`if ${sourceOf(found[0]!.node)}\``, 'method');
        return { k: 'truthy', e: this.pickedOperand(found[0]!), loc: e.loc };
      }
    }
  }

  condition(c: ConditionNode): IR {
    if (c.rest.length === 0) {
      const only = c.first;
      if (only.type === 'rvalue' && only.value.type === 'selector') return { k: 'truthy', e: this.operand(only.value), loc: only.loc };
      return this.expression(only);
    }
    return this.join(c);
  }

  /** Logstash's join_conditions: shunting-yard that pops at most one operator, then RPN evaluation. */
  join(c: ConditionNode): IR {
    type Op = { op: BooleanOperator; loc: Loc };
    const precedence = (o: Op): number => {
      if (o.op === 'and') return 2;
      if (o.op === 'or') return 1;
      throw new ConditionError(CODES.OPERATOR_MIX, o.loc, `\`${o.op}\` cannot be combined with other boolean operators without parentheses`, `group it: (a ${o.op} b) and c`);
    };
    const out: (IR | Op)[] = [];
    const ops: Op[] = [];
    out.push(this.expression(c.first));
    for (const { op, opLoc, expr } of c.rest) {
      const tok: Op = { op, loc: opLoc };
      const top = ops[ops.length - 1];
      if (top && precedence(top) > precedence(tok)) out.push(ops.pop()!);
      ops.push(tok);
      out.push(this.expression(expr));
    }
    for (let i = ops.length - 1; i >= 0; i--) out.push(ops[i]!);
    const stack: IR[] = [];
    for (const item of out) {
      if ('op' in item) {
        const r = stack.pop()!;
        const l = stack.pop()!;
        const loc = item.loc;
        switch (item.op) {
          case 'and': stack.push({ k: 'and', l, r, loc }); break;
          case 'or': stack.push({ k: 'or', l, r, loc }); break;
          case 'nand': stack.push({ k: 'not', e: { k: 'and', l, r, loc }, loc }); break;
          case 'xor': stack.push({
            k: 'or',
            l: { k: 'and', l: { k: 'not', e: l, loc }, r, loc },
            r: { k: 'and', l, r: { k: 'not', e: r, loc }, loc },
            loc,
          }); break;
        }
      } else stack.push(item);
    }
    return stack[0]!;
  }
}

// ---- value semantics (Ruby objects as Logstash's Java code sees them) ---------------------------------

/** Ruby's `to_s` of an event value, as Java's toString shows it for Logstash's Ruby objects. */
function rubyToS(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (v instanceof LsFloat) return formatFloat(v.value);
  if (v instanceof Timestamp) return v.toString();
  if (Array.isArray(v)) return `[${v.map(rubyToS).join(', ')}]`;
  if (isHash(v)) return `{${Object.entries(v).map(([k, x]) => `${k}=${rubyToS(x)}`).join(', ')}}`;
  return String(v);
}

/** Java's Double.toString, for float constants of a list (`[x] in [1.5, 2.0]` compares texts). */
function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [m, e] = n.toExponential().split('e') as [string, string];
  return `${m.includes('.') ? m : `${m}.0`}E${Number(e)}`;
}

/** Java's toString of a config constant (String, Long, Double, List, Map). */
function javaToString(v: unknown): string {
  if (v instanceof LsFloat) return javaDouble(v.value);
  if (Array.isArray(v)) return `[${v.map(javaToString).join(', ')}]`;
  if (isHash(v)) return `{${Object.entries(v).map(([k, x]) => `${k}=${javaToString(x)}`).join(', ')}}`;
  return rubyToS(v);
}

/** Logstash's valueIsTruthy: false when missing, or when its text is empty or "false". */
export function isTruthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  const s = rubyToS(v);
  return s !== '' && s !== 'false';
}

/** Ruby `==` between an event value and a constant or another event value. */
export function rubyEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? null) === (b ?? null);
  if (isNumeric(a) && isNumeric(b)) {
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      const [x, y] = [a, b].map((n) => (typeof n === 'bigint' ? n : n instanceof LsFloat ? n.value : n));
      if (typeof x === 'number' && !Number.isInteger(x)) return false;
      if (typeof y === 'number' && !Number.isInteger(y)) return false;
      return BigInt(x as number | bigint) === BigInt(y as number | bigint);
    }
    return numericValue(a) === numericValue(b);
  }
  if (a instanceof Timestamp && b instanceof Timestamp) return a.epochMs === b.epochMs && a.nanoOfMilli === b.nanoOfMilli;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => rubyEquals(x, b[i]));
  if (isHash(a) && isHash(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && rubyEquals(a[k], b[k]));
  }
  return false;
}

/** `a <=> b` for comparable pairs (numbers, strings, timestamps), else undefined (an evaluation error). */
export function rubyCompare(a: unknown, b: unknown): number | undefined {
  if (isNumeric(a) && isNumeric(b)) {
    if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
    const x = numericValue(a);
    const y = numericValue(b);
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : undefined;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    // Ruby compares the UTF-8 bytes; code point order is the same order.
    if (a === b) return 0;
    const n = Math.min(a.length, b.length);
    let i = 0;
    while (i < n && a.codePointAt(i) === b.codePointAt(i)) i += (a.codePointAt(i)! > 0xffff ? 2 : 1);
    if (i >= a.length) return -1;
    if (i >= b.length) return 1;
    return a.codePointAt(i)! < b.codePointAt(i)! ? -1 : 1;
  }
  if (a instanceof Timestamp && b instanceof Timestamp) {
    return a.epochMs !== b.epochMs ? Math.sign(a.epochMs - b.epochMs) : Math.sign(a.nanoOfMilli - b.nanoOfMilli);
  }
  return undefined;
}

// ---- IR → closures (EventCondition.Compiler) -------------------------------------------------------

function typeError(ir: { loc: Loc }, what: string): ConditionError {
  return new ConditionError(CODES.CONDITION_TYPES, ir.loc, what);
}

function describe(o: IR): string {
  if (o.k === 'event') return `field reference ${o.text}`;
  if (o.k === 'value') return typeof o.v === 'string' ? `string ${JSON.stringify(o.v)}` : Array.isArray(o.v) ? 'array' : `value ${rubyToS(o.v)}`;
  if (o.k === 'regex') return `regex /${o.pattern}/`;
  return 'condition';
}

/** oniguruma-to-es, loaded only when a condition has a regex (it is large and `-t` should stay fast). */
let toRegExp: ((pattern: string) => RegExp) | undefined;

function compileRegex(pattern: string, loc: Loc): RegExp {
  try {
    if (!toRegExp) throw new Error('regex engine not loaded');
    return toRegExp(pattern);
  } catch (err) {
    try {
      return new RegExp(pattern, 'u');
    } catch {
      throw new ConditionError(CODES.BAD_REGEX, loc, `invalid regex /${pattern}/: ${(err as Error).message}`);
    }
  }
}

function get(path: FieldPath): (e: Event) => unknown {
  return (e) => e.get(path);
}

function truthyOf(ir: IR): Condition {
  if (ir.k === 'event') { const g = get(ir.path); return (e) => isTruthy(g(e)); }
  if (ir.k === 'value') return constant(isTruthy(ir.v));
  if (ir.k === 'regex') return constant(isTruthy(ir.pattern));
  return compile(ir);
}

function booleanOperand(ir: IR, op: string): Condition {
  if (!isOperand(ir) || ir.k === 'event') return truthyOf(ir);
  throw typeError(ir, `\`${op}\` needs conditions or field references on both sides, not a ${describe(ir)}`);
}

function constOf(o: Operand): Const {
  return o.k === 'regex' ? o.pattern : (o as { v: Const }).v;
}

function compileEq(ir: EqIR): Condition {
  const { l, r } = ir;
  if (l.k === 'event' && r.k === 'event') {
    const a = get(l.path); const b = get(r.path);
    return (e) => rubyEquals(a(e), b(e));
  }
  if (l.k === 'event' || r.k === 'event') {
    const field = (l.k === 'event' ? l : r) as Extract<Operand, { k: 'event' }>;
    const value = constOf(l.k === 'event' ? r : l);
    const g = get(field.path);
    return (e) => rubyEquals(value, g(e));
  }
  // Two constants: Java equals, so 1 == 1.0 is false here.
  const a = constOf(l); const b = constOf(r);
  return constant(typeof a === typeof b && (a instanceof LsFloat) === (b instanceof LsFloat) && rubyEquals(a, b));
}

function compileCompare(ir: CompareIR): Condition {
  const test = { gt: (c: number) => c > 0, gte: (c: number) => c >= 0, lt: (c: number) => c < 0, lte: (c: number) => c <= 0 }[ir.k];
  const { l, r } = ir;
  const side = (o: Operand): ((e: Event) => unknown) => {
    if (o.k === 'event') return get(o.path);
    const v = constOf(o);
    return () => v;
  };
  if (l.k !== 'event' && r.k !== 'event') {
    // Logstash compares two constants at start-up with Java's compareTo, which throws for a Long
    // against a Double: `1 < 2.5` stops the pipeline there.
    const [a, b] = [constOf(l), constOf(r)];
    if (isNumeric(a) && isNumeric(b) && (a instanceof LsFloat) !== (b instanceof LsFloat)) {
      throw typeError(ir, `cannot order an integer constant against a float constant (${rubyToS(a)}, ${rubyToS(b)}); Logstash fails to compile this comparison`);
    }
    const c = rubyCompare(a, b);
    if (c === undefined) throw typeError(ir, `cannot compare ${describe(l)} with ${describe(r)}`);
    return constant(test(c));
  }
  const a = side(l); const b = side(r);
  return (e) => {
    const c = rubyCompare(a(e), b(e));
    return c !== undefined && test(c);
  };
}

function isScalarConst(v: Const): v is string | number | bigint | LsFloat {
  return typeof v === 'string' || isNumeric(v);
}

/**
 * `in`, case by case as EventCondition.Compiler#in:
 * - `[field] in "text"`: the field is a string and a substring of the text;
 * - `"text" in [field]`: the field is a string containing the text, or an array with that string;
 * - `123 in [field]`: the field is an array containing the number;
 * - `[field] in [list constant]`: some item's text equals the field's text;
 * - `[a] in [b]`: b contains a as a substring (both strings) or an element (b an array); a hash or array
 *   `a` never matches; otherwise a equals b;
 * - two constants: decided once.
 */
function compileIn(ir: InIR): Condition {
  const { l, r } = ir;
  if (l.k === 'event' && r.k !== 'event' && isScalarConst(constOf(r))) {
    const text = javaToString(constOf(r));
    const g = get(l.path);
    return (e) => { const f = g(e); return typeof f === 'string' && text.includes(f); };
  }
  if (l.k !== 'event' && r.k === 'event' && isScalarConst(constOf(l))) {
    const v = constOf(l);
    const g = get(r.path);
    if (typeof v === 'string') {
      return (e) => {
        const f = g(e);
        return (typeof f === 'string' && f.includes(v)) || (Array.isArray(f) && f.some((x) => x === v));
      };
    }
    return (e) => { const f = g(e); return Array.isArray(f) && f.some((x) => rubyEquals(v, x)); };
  }
  if (l.k === 'event' && r.k !== 'event' && Array.isArray(constOf(r))) {
    const texts = (constOf(r) as Const[]).map(javaToString);
    const g = get(l.path);
    return (e) => {
      const f = g(e);
      if (f === undefined || f === null) return false;
      const s = rubyToS(f);
      return texts.includes(s);
    };
  }
  if (l.k === 'event' && r.k === 'event') {
    const a = get(l.path); const b = get(r.path);
    return (e) => {
      const lf = a(e); const rf = b(e);
      if (Array.isArray(lf) || isHash(lf)) return false;
      if (typeof lf === 'string' && typeof rf === 'string') return rf.includes(lf);
      if (Array.isArray(rf)) return lf !== undefined && lf !== null && rf.some((x) => rubyEquals(lf, x));
      return lf !== undefined && lf !== null && rubyEquals(lf, rf);
    };
  }
  if (l.k !== 'event' && r.k !== 'event') {
    const found = constOf(r); const other = constOf(l);
    if (Array.isArray(found) && typeof other === 'string') return constant(found.some((x) => javaToString(x) === other));
    if (typeof found === 'string' && typeof other === 'string') return constant(found.includes(other));
    if (typeof found === 'string' && Array.isArray(other)) return constant(other.some((x) => javaToString(x) === found));
    return constant(rubyEquals(found, other) && typeof found === typeof other);
  }
  throw typeError(ir, `\`in\` cannot test a ${describe(l)} against a ${describe(r)}`);
}

function compileMatch(ir: MatchIR): Condition {
  const { l, r } = ir;
  const re = compileRegex((r as Extract<Operand, { k: 'regex' }>).pattern, r.loc);
  if (l.k === 'event') {
    const g = get(l.path);
    return (e) => { const f = g(e); return typeof f === 'string' && re.test(f); };
  }
  const v = constOf(l);
  return constant(typeof v === 'string' && re.test(v));
}

function compile(ir: IR): Condition {
  if (isOperand(ir)) return truthyOf(ir);
  switch (ir.k) {
    case 'and': {
      const a = booleanOperand(ir.l, 'and'); const b = booleanOperand(ir.r, 'and');
      return (e) => a(e) && b(e);
    }
    case 'or': {
      const a = booleanOperand(ir.l, 'or'); const b = booleanOperand(ir.r, 'or');
      return (e) => a(e) || b(e);
    }
    case 'not': {
      if (isOperand(ir.e) && ir.e.k !== 'event') throw typeError(ir, `\`!\` needs a condition or a field reference, not a ${describe(ir.e)}`);
      const inner = truthyOf(ir.e);
      return (e) => !inner(e);
    }
    case 'truthy': return truthyOf(ir.e);
    case 'eq': return compileEq(ir);
    case 'neq': { const eq = compileEq(ir); return (e) => !eq(e); }
    case 'gt': case 'gte': case 'lt': case 'lte': return compileCompare(ir);
    case 'in': return compileIn(ir);
    case 'match': return compileMatch(ir);
  }
}

function hasRegex(node: ConditionNode): boolean {
  const inExpr = (e: ExpressionNode): boolean => {
    switch (e.type) {
      case 'match': return true;
      case 'paren': return hasRegex(e.condition);
      case 'not': return e.operand.type === 'condition' && hasRegex(e.operand);
      default: return false;
    }
  };
  return inExpr(node.first) || node.rest.some((r) => inExpr(r.expr));
}

/**
 * Compile an `if` / `else if` condition. Problems (operand types Logstash cannot compile, bad regexes,
 * mixed xor/nand, undefined variables) are reported to `sink`; the result is then undefined.
 */
export async function compileCondition(node: ConditionNode, settings: ConditionSettings, sink: DiagnosticSink): Promise<Condition | undefined> {
  if (!toRegExp && hasRegex(node)) toRegExp = (await import('oniguruma-to-es')).toRegExp;
  try {
    const ir = new Builder(settings, sink).condition(node);
    return compile(ir);
  } catch (err) {
    if (err instanceof ConditionError) {
      sink.error(err.code, err.loc, err.message, err.hint);
      return undefined;
    }
    throw err;
  }
}
