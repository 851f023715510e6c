/**
 * The typed AST the grammar (grammar/logstash.peggy) produces. Every node has `loc`: where it starts
 * (1-based line and column, 0-based offset into its file's text).
 */
export interface Loc {
  line: number;
  column: number;
  offset: number;
}

export interface ConfigAst {
  type: 'config';
  sections: SectionNode[];
}

export type SectionKind = 'input' | 'filter' | 'output';

export interface SectionNode {
  type: 'section';
  kind: SectionKind;
  body: StatementNode[];
  loc: Loc;
}

export type StatementNode = PluginNode | BranchNode;

export interface PluginNode {
  type: 'plugin';
  name: string;
  nameLoc: Loc;
  attributes: AttributeNode[];
  loc: Loc;
}

export interface AttributeNode {
  type: 'attribute';
  name: string;
  value: ValueNode;
  loc: Loc;
}

export interface BarewordNode { type: 'bareword'; value: string; loc: Loc }
/** `raw` is the text between the quotes, escapes not yet processed. */
export interface StringNode { type: 'string'; raw: string; quote: '"' | "'"; loc: Loc }
export interface NumberNode { type: 'number'; text: string; loc: Loc }
export interface ArrayNode { type: 'array'; items: ValueNode[]; loc: Loc }
export interface HashEntryNode { type: 'hashentry'; key: NumberNode | BarewordNode | StringNode; value: ValueNode; loc: Loc }
export interface HashNode { type: 'hash'; entries: HashEntryNode[]; loc: Loc }
/** `raw` is the text between the slashes, verbatim (`\/` included). */
export interface RegexpNode { type: 'regexp'; raw: string; loc: Loc }
export interface SelectorNode { type: 'selector'; text: string; loc: Loc }
export interface MethodCallNode { type: 'method_call'; name: string; args: RValueNode[]; loc: Loc }

export type ValueNode = PluginNode | BarewordNode | StringNode | NumberNode | ArrayNode | HashNode;

export interface BranchClause {
  kind: 'if' | 'else if' | 'else';
  condition: ConditionNode | null;
  body: StatementNode[];
  loc: Loc;
}

export interface BranchNode {
  type: 'branch';
  clauses: BranchClause[];
  loc: Loc;
}

export type BooleanOperator = 'and' | 'or' | 'xor' | 'nand';

/** A flat list `first op expr op expr …`; precedence is applied by the condition compiler, as in Logstash. */
export interface ConditionNode {
  type: 'condition';
  first: ExpressionNode;
  rest: { op: BooleanOperator; opLoc: Loc; expr: ExpressionNode }[];
  loc: Loc;
}

export type RValueNode = StringNode | NumberNode | SelectorNode | ArrayNode | MethodCallNode | RegexpNode;

export type CompareOperator = '==' | '!=' | '<=' | '>=' | '<' | '>';

export type ExpressionNode =
  | { type: 'paren'; condition: ConditionNode; loc: Loc }
  | { type: 'not'; operand: ConditionNode | SelectorNode; loc: Loc }
  | { type: 'in'; negate: boolean; left: RValueNode; right: RValueNode; loc: Loc }
  | { type: 'compare'; op: CompareOperator; left: RValueNode; right: RValueNode; loc: Loc }
  | { type: 'match'; op: '=~' | '!~'; left: RValueNode; right: StringNode | RegexpNode; loc: Loc }
  | { type: 'rvalue'; value: RValueNode; loc: Loc };
