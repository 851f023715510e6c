/**
 * XML as the xml filter's two Ruby libraries read it:
 * - a DOM for XPath, like Nokogiri/libxml2's: by default it recovers from errors (a mismatched end tag
 *   closes up to its element, a duplicate attribute keeps the first, text after the root is dropped),
 *   strictly when asked; `removeNamespaces` drops every namespace (Nokogiri's remove_namespaces!). Built from
 *   saxes events into an @xmldom/xmldom document, which the `xpath` package evaluates XPath 1.0 on.
 * - serialization of a node as Nokogiri's `to_s` prints it (libxml2's xmlNodeDump with FORMAT: an element
 *   whose children are all elements gets them on their own lines, indented by two spaces).
 * - XmlSimple's `xml_in` (REXML semantics) of a well-formed document: attributes and child elements become
 *   keys, repeated elements arrays, text `content` (ForceArray, ForceContent, SuppressEmpty as options).
 */
import { DOMImplementation } from '@xmldom/xmldom';
import { SaxesParser, type SaxesAttributeNS, type SaxesTagNS } from 'saxes';
import type { Hash, Value } from '../event/values.js';

// Node type numbers of the DOM (the xmldom typings do not export the Node constants as values we can use).
const ELEMENT = 1;
const ATTRIBUTE = 2;
const TEXT = 3;
const CDATA = 4;
const PI = 7;
const COMMENT = 8;
const DOCUMENT = 9;

/** The subset of the DOM this module walks (xmldom nodes). */
export interface XNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<XNode>;
  attributes?: ArrayLike<XNode>;
  localName?: string | null;
  prefix?: string | null;
  namespaceURI?: string | null;
  value?: string;
  data?: string;
  target?: string;
  documentElement?: XNode | null;
}

export interface ParseOptions {
  /** libxml2's RECOVER: keep going after errors (default true). */
  recover: boolean;
  removeNamespaces?: boolean;
  /** NOBLANKS: drop whitespace-only text between elements. */
  noBlanks?: boolean;
  /** NOCDATA: CDATA sections become text. */
  noCdata?: boolean;
}

export interface Parsed {
  /** The document (its root may be missing when recovery found none). */
  doc: XNode;
  errors: string[];
}

export class XmlParseError extends Error {}

/** Parse into a DOM. Without `recover` the first error throws XmlParseError. */
export function parseDom(text: string, opts: ParseOptions): Parsed {
  const impl = new DOMImplementation();
  const doc = impl.createDocument(null, '');
  const errors: string[] = [];
  const parser = new SaxesParser({ xmlns: true, position: true });
  type El = ReturnType<typeof doc.createElementNS>;
  const stack: El[] = [];
  let rootDone = false;
  const current = (): El | undefined => stack[stack.length - 1];
  const add = (node: Parameters<El['appendChild']>[0]): void => {
    const parent = current();
    if (parent) parent.appendChild(node);
    else if (!rootDone && node.nodeType !== TEXT && node.nodeType !== CDATA) doc.appendChild(node);
  };
  parser.on('error', (err) => {
    errors.push(err.message);
    if (!opts.recover) throw new XmlParseError(err.message);
  });
  parser.on('opentag', (tag) => {
    if (stack.length === 0 && rootDone) return; // extra content after the root: libxml2 drops it
    const t = tag as SaxesTagNS;
    const remove = opts.removeNamespaces === true;
    const el = remove ? doc.createElement(t.local) : doc.createElementNS(t.uri || null, t.name);
    const attrs = Object.values(t.attributes) as SaxesAttributeNS[];
    for (const a of attrs) {
      const isDecl = a.prefix === 'xmlns' || a.name === 'xmlns';
      if (remove) { if (!isDecl) el.setAttribute(a.local, a.value); continue; }
      if (isDecl) el.setAttributeNS('http://www.w3.org/2000/xmlns/', a.name, a.value);
      else el.setAttributeNS(a.uri || null, a.name, a.value);
    }
    add(el);
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
    if (stack.length === 0) rootDone = true;
  });
  parser.on('text', (t) => {
    if (stack.length === 0) return;
    if (opts.noBlanks && /^[ \t\r\n]*$/.test(t)) return;
    add(doc.createTextNode(t));
  });
  parser.on('cdata', (t) => { if (stack.length > 0) add(opts.noCdata ? doc.createTextNode(t) : doc.createCDATASection(t)); });
  parser.on('comment', (t) => { add(doc.createComment(t)); });
  parser.on('processinginstruction', (pi) => { add(doc.createProcessingInstruction(pi.target, pi.body)); });
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof XmlParseError) throw e;
    if (!opts.recover) throw new XmlParseError((e as Error).message);
    errors.push((e as Error).message);
  }
  if (!opts.recover && errors.length > 0) throw new XmlParseError(errors[0]!);
  return { doc: doc as unknown as XNode, errors };
}

/** Nokogiri's `document.root.namespaces`: the root's declarations as XPath prefixes (`xmlns` for the default). */
export function rootNamespaces(doc: XNode): Record<string, string> {
  const root = doc.documentElement;
  const out: Record<string, string> = {};
  if (!root?.attributes) return out;
  for (let i = 0; i < root.attributes.length; i++) {
    const a = root.attributes[i]!;
    if (a.nodeName === 'xmlns') out.xmlns = a.value ?? '';
    else if (a.nodeName.startsWith('xmlns:')) out[a.nodeName.slice(6)] = a.value ?? '';
  }
  return out;
}

// ---- serialization (libxml2's xmlNodeDump with FORMAT) -------------------------------------------------

function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"\n\r\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' })[c]!);
}

function dump(node: XNode, level: number, format: boolean): string {
  switch (node.nodeType) {
    case TEXT: return escapeText(node.nodeValue ?? '');
    case CDATA: return `<![CDATA[${node.nodeValue ?? ''}]]>`;
    case COMMENT: return `<!--${node.nodeValue ?? ''}-->`;
    case PI: return `<?${node.target ?? node.nodeName}${node.data ? ` ${node.data}` : ''}?>`;
    case ATTRIBUTE: return node.value ?? '';
    case DOCUMENT: return node.documentElement ? dump(node.documentElement, 0, true) : '';
    case ELEMENT: break;
    default: return '';
  }
  let s = `<${node.nodeName}`;
  const attrs = node.attributes;
  if (attrs) {
    // Namespace declarations first, as libxml2 keeps them apart from the attributes.
    for (let i = 0; i < attrs.length; i++) { const a = attrs[i]!; if (a.nodeName === 'xmlns' || a.nodeName.startsWith('xmlns:')) s += ` ${a.nodeName}="${escapeAttr(a.value ?? '')}"`; }
    for (let i = 0; i < attrs.length; i++) { const a = attrs[i]!; if (!(a.nodeName === 'xmlns' || a.nodeName.startsWith('xmlns:'))) s += ` ${a.nodeName}="${escapeAttr(a.value ?? '')}"`; }
  }
  const kids = node.childNodes;
  if (kids.length === 0) return `${s}/>`;
  s += '>';
  let fmt = format;
  for (let i = 0; i < kids.length && fmt; i++) { const t = kids[i]!.nodeType; if (t === TEXT || t === CDATA) fmt = false; }
  if (fmt) s += '\n';
  for (let i = 0; i < kids.length; i++) {
    if (fmt) s += '  '.repeat(level + 1);
    s += dump(kids[i]!, level + 1, fmt);
    if (fmt) s += '\n';
  }
  if (fmt) s += '  '.repeat(level);
  return `${s}</${node.nodeName}>`;
}

/** A node as Nokogiri's `to_s` prints it (an attribute prints its value). */
export function nodeToString(node: XNode): string {
  return dump(node, 0, true);
}

// ---- XmlSimple.xml_in ---------------------------------------------------------------------------------

export interface XmlSimpleOptions {
  forceArray: boolean;
  forceContent: boolean;
  suppressEmpty: boolean;
}

const CONTENT = 'content';

const isHashValue = (v: Value | undefined): v is Hash => typeof v === 'object' && v !== null && !Array.isArray(v);

/** XmlSimple's `empty`: nil, a blank string or an empty hash. */
function isEmpty(v: Value | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return !/\S/.test(v);
  if (isHashValue(v)) return Object.keys(v).length === 0;
  return false;
}

function elementChildren(n: XNode): XNode[] {
  const out: XNode[] = [];
  for (let i = 0; i < n.childNodes.length; i++) if (n.childNodes[i]!.nodeType === ELEMENT) out.push(n.childNodes[i]!);
  return out;
}

function textChildren(n: XNode): XNode[] {
  const out: XNode[] = [];
  for (let i = 0; i < n.childNodes.length; i++) { const t = n.childNodes[i]!.nodeType; if (t === TEXT || t === CDATA) out.push(n.childNodes[i]!); }
  return out;
}

function localName(n: XNode): string {
  const name = n.nodeName;
  const c = name.indexOf(':');
  return c >= 0 ? name.slice(c + 1) : name;
}

/** XmlSimple.xml_in of a parsed document (its root's content; the root's own name is dropped). */
export function xmlSimple(doc: XNode, opts: XmlSimpleOptions): Value {
  const root = doc.documentElement;
  if (!root) throw new XmlParseError('no root element');

  const merge = (hash: Hash, key: string, value: Value): void => {
    if (Object.prototype.hasOwnProperty.call(hash, key)) {
      const cur = hash[key]!;
      if (Array.isArray(cur)) cur.push(value);
      else hash[key] = [cur, value];
    } else if (Array.isArray(value)) {
      hash[key] = [value];
    } else {
      hash[key] = key !== CONTENT && opts.forceArray ? [value] : value;
    }
  };

  const collapse = (el: XNode): Value => {
    let result: Hash = {};
    const attrs = el.attributes;
    const hasAttrs = attrs !== undefined && attrs.length > 0;
    if (attrs) for (let i = 0; i < attrs.length; i++) result[attrs[i]!.nodeName] = attrs[i]!.value ?? '';
    const kids = elementChildren(el);
    const texts = textChildren(el);
    if (kids.length > 0) {
      for (const child of kids) {
        const value = collapse(child);
        if (isEmpty(value) && !hasAttrs && opts.suppressEmpty) continue;
        merge(result, localName(child), value);
      }
      // Mixed content: the text pieces (as REXML prints them) go to `content`.
      if (texts.length > 0 && texts.map((t) => t.nodeValue ?? '').join('').trim() !== '') {
        const pieces = texts.map((t) => (t.nodeType === CDATA ? t.nodeValue ?? '' : escapeText(t.nodeValue ?? '')));
        result[CONTENT] = pieces.length === 1 ? pieces[0]! : pieces;
      }
    } else if (texts.length > 0) {
      const value = texts.map((t) => t.nodeValue ?? '').join('');
      if (isEmpty(value) && !hasAttrs) return {};
      if (hasAttrs || opts.forceContent) { merge(result, CONTENT, value); return result; }
      return value;
    }
    // A hash holding one array under the anonymous tag folds into that array.
    const arrays = Object.values(result).filter(Array.isArray).length;
    if (arrays === 1 && Array.isArray(result.anon)) return result.anon;
    if (Object.keys(result).length === 0 && opts.suppressEmpty) return null;
    result = { ...result };
    return result;
  };
  return collapse(root);
}
