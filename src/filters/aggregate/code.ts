/**
 * The Ruby that aggregate's `code` and `timeout_code` may hold, in sluice: the documented map operations,
 * parsed at start-up into a small program. Statements are separated by `;` or new lines:
 *
 *   map['k'] = EXPR      map['k'] ||= EXPR      map['k'] += EXPR      map['k'] -= EXPR      map['k'] << EXPR
 *   event.set('field', EXPR)      event.remove('field')      event.tag('t')      event.cancel[()]
 *   map.merge!(event.to_hash)      fail 'message' (or raise)
 *
 * EXPR: a number, a string ('…' or "…"), nil, true, false, [], {}, a hash literal {'k' => EXPR, …},
 * map['k'], event.get('field'), optionally followed by .to_i, .to_f, .to_s, .size/.length, or a sum
 * EXPR + EXPR / difference EXPR - EXPR. Anything else is refused with AggregateCodeError.
 */
import type { Event } from '../../event/event.js';
import { toS } from '../../event/ruby.js';
import { isHash, isNumeric, LsFloat, numericValue, deepClone, type Hash, type Value } from '../../event/values.js';
import { rubyToF } from '../../formats/ruby-float.js';

export class AggregateCodeError extends Error {}
/** A Ruby error while running the code on an event (NoMethodError on nil, …). */
export class AggregateRuntimeError extends Error {}

type Expr =
  | { t: 'lit'; v: Value }
  | { t: 'array' }
  | { t: 'hash'; entries: [string, Expr][] }
  | { t: 'map'; key: string }
  | { t: 'get'; field: string }
  | { t: 'call'; recv: Expr; method: string }
  | { t: 'bin'; op: '+' | '-'; a: Expr; b: Expr };

type Stmt =
  | { t: 'assign'; op: '=' | '||=' | '+=' | '-=' | '<<'; key: string; e: Expr }
  | { t: 'set'; field: string; e: Expr }
  | { t: 'remove'; field: string }
  | { t: 'tag'; tag: string }
  | { t: 'cancel' }
  | { t: 'merge' }
  | { t: 'fail'; message: string };

const TOKEN = /\s*(?:(\d+\.\d+|\d+)|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|(\|\|=|\+=|-=|<<|=>|[=()[\]{},.+\-!;\n])|([A-Za-z_][A-Za-z0-9_]*[!?]?))/y;

interface Tok { k: 'num' | 'str' | 'op' | 'id'; v: string }

function tokenize(code: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const src = code.replace(/#[^\n'"]*$/gm, '');
  while (i < src.length) {
    if (/^[ \t\r]*$/.test(src.slice(i))) break;
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(src);
    if (!m) throw new AggregateCodeError(`cannot read \`${src.slice(i).trim().slice(0, 40)}\``);
    i = TOKEN.lastIndex;
    if (m[1] !== undefined) out.push({ k: 'num', v: m[1] });
    else if (m[2] !== undefined) out.push({ k: 'str', v: m[2].replace(/\\(.)/g, '$1') });
    else if (m[3] !== undefined) out.push({ k: 'str', v: m[3].replace(/\\n/g, '\n').replace(/\\(.)/g, '$1') });
    else if (m[4] !== undefined) out.push({ k: 'op', v: m[4] === '\n' ? ';' : m[4] });
    else out.push({ k: 'id', v: m[5]! });
  }
  return out;
}

class Parser {
  #i = 0;
  constructor(readonly toks: Tok[], readonly allowMap: boolean) {}
  peek(): Tok | undefined { return this.toks[this.#i]; }
  next(): Tok {
    const t = this.toks[this.#i++];
    if (!t) throw new AggregateCodeError('unexpected end of code');
    return t;
  }
  isOp(v: string): boolean { const t = this.peek(); return t !== undefined && t.k === 'op' && t.v === v; }
  isId(v: string): boolean { const t = this.peek(); return t !== undefined && t.k === 'id' && t.v === v; }
  expect(v: string): void {
    const t = this.next();
    if (t.v !== v || t.k === 'str') throw new AggregateCodeError(`expected \`${v}\`, found \`${t.v}\``);
  }
  str(): string {
    const t = this.next();
    if (t.k !== 'str') throw new AggregateCodeError(`expected a string, found \`${t.v}\``);
    return t.v;
  }
  mapKey(): string {
    if (!this.allowMap) throw new AggregateCodeError('`map` is not available in timeout_code');
    this.expect('[');
    const k = this.str();
    this.expect(']');
    return k;
  }
  program(): Stmt[] {
    const out: Stmt[] = [];
    while (this.peek()) {
      if (this.isOp(';')) { this.next(); continue; }
      out.push(this.stmt());
      if (this.peek() && !this.isOp(';')) throw new AggregateCodeError(`unexpected \`${this.peek()!.v}\``);
    }
    return out;
  }
  stmt(): Stmt {
    const t = this.next();
    if (t.k === 'id' && t.v === 'map') {
      if (this.isOp('.')) {
        this.next();
        const m = this.next();
        if (m.v !== 'merge!') throw new AggregateCodeError(`unsupported map method \`${m.v}\``);
        this.expect('('); this.expect('event'); this.expect('.'); this.expect('to_hash'); this.expect(')');
        return { t: 'merge' };
      }
      const key = this.mapKey();
      const op = this.next();
      if (op.k !== 'op' || !['=', '||=', '+=', '-=', '<<'].includes(op.v)) throw new AggregateCodeError(`unsupported operator \`${op.v}\` on map['${key}']`);
      return { t: 'assign', op: op.v as '=', key, e: this.expr() };
    }
    if (t.k === 'id' && t.v === 'event') {
      this.expect('.');
      const m = this.next().v;
      if (m === 'cancel') { if (this.isOp('(')) { this.next(); this.expect(')'); } return { t: 'cancel' }; }
      this.expect('(');
      const field = this.str();
      if (m === 'set') { this.expect(','); const e = this.expr(); this.expect(')'); return { t: 'set', field, e }; }
      this.expect(')');
      if (m === 'remove') return { t: 'remove', field };
      if (m === 'tag') return { t: 'tag', tag: field };
      throw new AggregateCodeError(`unsupported event method \`${m}\``);
    }
    if (t.k === 'id' && (t.v === 'fail' || t.v === 'raise')) return { t: 'fail', message: this.peek()?.k === 'str' ? this.str() : 'unhandled exception' };
    throw new AggregateCodeError(`unsupported statement starting with \`${t.v}\``);
  }
  expr(): Expr {
    let e = this.postfix(this.primary());
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().v as '+' | '-';
      e = { t: 'bin', op, a: e, b: this.postfix(this.primary()) };
    }
    return e;
  }
  postfix(e: Expr): Expr {
    let cur = e;
    while (this.isOp('.')) {
      this.next();
      const m = this.next().v;
      if (!['to_i', 'to_f', 'to_s', 'size', 'length'].includes(m)) throw new AggregateCodeError(`unsupported method \`${m}\``);
      cur = { t: 'call', recv: cur, method: m };
    }
    return cur;
  }
  primary(): Expr {
    const t = this.next();
    if (t.k === 'num') return { t: 'lit', v: t.v.includes('.') ? new LsFloat(Number(t.v)) : Number(t.v) };
    if (t.k === 'str') return { t: 'lit', v: t.v };
    if (t.k === 'op' && t.v === '-') { const n = this.next(); if (n.k !== 'num') throw new AggregateCodeError('expected a number after `-`'); return { t: 'lit', v: n.v.includes('.') ? new LsFloat(-Number(n.v)) : -Number(n.v) }; }
    if (t.k === 'op' && t.v === '[') { this.expect(']'); return { t: 'array' }; }
    if (t.k === 'op' && t.v === '{') {
      const entries: [string, Expr][] = [];
      while (!this.isOp('}')) {
        const k = this.str();
        this.expect('=>');
        entries.push([k, this.expr()]);
        if (this.isOp(',')) this.next();
        else break;
      }
      this.expect('}');
      return { t: 'hash', entries };
    }
    if (t.k === 'id') {
      if (t.v === 'nil') return { t: 'lit', v: null };
      if (t.v === 'true' || t.v === 'false') return { t: 'lit', v: t.v === 'true' };
      if (t.v === 'map') return { t: 'map', key: this.mapKey() };
      if (t.v === 'event') {
        this.expect('.');
        const m = this.next().v;
        if (m !== 'get') throw new AggregateCodeError(`unsupported event method \`${m}\` in an expression`);
        this.expect('(');
        const field = this.str();
        this.expect(')');
        return { t: 'get', field };
      }
    }
    throw new AggregateCodeError(`unsupported expression \`${t.v}\``);
  }
}

export type Program = (event: Event, map: Hash) => void;

/** Compile `code` (with `map`) or `timeout_code` (without); throws AggregateCodeError on unsupported Ruby. */
export function compileAggregateCode(code: string, allowMap = true): Program {
  const stmts = new Parser(tokenize(code), allowMap).program();
  return (event, map) => { for (const s of stmts) run(s, event, map); };
}

function typeName(v: Value | undefined): string {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'string') return 'String';
  if (Array.isArray(v)) return 'Array';
  if (isHash(v)) return 'Hash';
  if (v instanceof LsFloat) return 'Float';
  return typeof v === 'number' || typeof v === 'bigint' ? 'Integer' : typeof v === 'boolean' ? (v ? 'TrueClass' : 'FalseClass') : 'Object';
}

function plus(a: Value | undefined, b: Value | undefined, op: '+' | '-'): Value {
  if (isNumeric(a) && isNumeric(b)) {
    const r = op === '+' ? numericValue(a) + numericValue(b) : numericValue(a) - numericValue(b);
    return a instanceof LsFloat || b instanceof LsFloat || !Number.isInteger(r) ? new LsFloat(r) : r;
  }
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (op === '+' && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (a === undefined || a === null) throw new AggregateRuntimeError(`undefined method \`${op}' for nil`);
  throw new AggregateRuntimeError(`${typeName(b)} can't be coerced into ${typeName(a)}`);
}

function evaluate(e: Expr, event: Event, map: Hash): Value {
  switch (e.t) {
    case 'lit': return e.v;
    case 'array': return [];
    case 'hash': return Object.fromEntries(e.entries.map(([k, x]) => [k, evaluate(x, event, map)]));
    case 'map': return map[e.key] ?? null;
    case 'get': return deepClone(event.get(e.field) ?? null);
    case 'bin': return plus(evaluate(e.a, event, map), evaluate(e.b, event, map), e.op);
    case 'call': {
      const v = evaluate(e.recv, event, map);
      if (e.method === 'to_s') return toS(v);
      if (e.method === 'size' || e.method === 'length') {
        if (typeof v === 'string' || Array.isArray(v)) return v.length;
        if (isHash(v)) return Object.keys(v).length;
        throw new AggregateRuntimeError(`undefined method \`${e.method}' for ${typeName(v)}`);
      }
      const n = isNumeric(v) ? numericValue(v) : typeof v === 'string' ? rubyToF(v) : v === null ? 0 : Number.NaN;
      if (Number.isNaN(n)) throw new AggregateRuntimeError(`undefined method \`${e.method}' for ${typeName(v)}`);
      return e.method === 'to_i' ? Math.trunc(n) : new LsFloat(n);
    }
  }
}

function run(s: Stmt, event: Event, map: Hash): void {
  switch (s.t) {
    case 'assign': {
      const cur = map[s.key];
      if (s.op === '=') map[s.key] = evaluate(s.e, event, map);
      else if (s.op === '||=') { if (cur === undefined || cur === null || cur === false) map[s.key] = evaluate(s.e, event, map); }
      else if (s.op === '<<') {
        if (!Array.isArray(cur)) throw new AggregateRuntimeError(`undefined method \`<<' for ${typeName(cur)}`);
        cur.push(evaluate(s.e, event, map));
      } else map[s.key] = plus(cur, evaluate(s.e, event, map), s.op === '+=' ? '+' : '-');
      return;
    }
    case 'set': event.set(s.field, deepClone(evaluate(s.e, event, map))); return;
    case 'remove': event.remove(s.field); return;
    case 'tag': event.tag(s.tag); return;
    case 'cancel': event.cancel(); return;
    case 'merge': Object.assign(map, deepClone(event.data)); return;
    case 'fail': throw new AggregateRuntimeError(s.message);
  }
}
