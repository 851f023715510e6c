/**
 * xml: parses XML from a field, as logstash-filter-xml 4.x does: `xpath` expressions (evaluated on a DOM
 * that recovers from errors, as Nokogiri's default parse does; `parse_options => "strict"` makes any error
 * a failure) store their results under the given fields, as an array of strings (a single string with
 * `force_array => false`); with `store_xml` the whole document goes to `target` as XmlSimple's hash.
 * A node result prints as Nokogiri prints it (`<h:div>Content</h:div>`), an attribute as its value.
 * The document's root namespaces are usable in XPath without declaring them; `namespaces` declares others.
 * A value that is not a string, an array of more than one item, or XML that cannot be parsed tags the
 * event `_xmlparsefailure`.
 */
import xpath from 'xpath';
import { toS } from '../event/ruby.js';
import { Timestamp } from '../event/timestamp.js';
import { formatFloat, isHash, LsFloat, type Value } from '../event/values.js';
import { nodeToString, parseDom, rootNamespaces, xmlSimple, type ParseOptions, type XNode } from '../formats/xml.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

export const XML_FAILURE_TAG = '_xmlparsefailure';

/** Nokogiri::XML::ParseOptions constants (by upcased name without underscores). */
const PARSE_OPTIONS: Record<string, number> = {
  STRICT: 0, RECOVER: 1, NOENT: 2, DTDLOAD: 4, DTDATTR: 8, DTDVALID: 16, NOERROR: 32, NOWARNING: 64, PEDANTIC: 128,
  NOBLANKS: 256, SAX1: 512, XINCLUDE: 1024, NONET: 2048, NODICT: 4096, NSCLEAN: 8192, NOCDATA: 16384, NOXINCNODE: 32768,
  COMPACT: 65536, OLD10: 131072, NOBASEFIX: 262144, HUGE: 524288, OLDSAX: 1048576, IGNOREENC: 2097152, BIGLINES: 4194304,
  DEFAULTXML: 2049, DEFAULTXSLT: 2 | 8 | 16384 | 2049, DEFAULTHTML: 1 | 32 | 64 | 2048 | 4194304, DEFAULTSCHEMA: 2049 | 262144 | 4194304 | 8,
};
const DEFAULT_XML = PARSE_OPTIONS.DEFAULTXML!;

/** The filter's xml_parse_options: names split on `,` or `|`, case and underscores ignored. */
export function parseOptionBits(spec: string | undefined): number {
  if (spec === undefined) return DEFAULT_XML;
  let bits = 0;
  for (const opt of spec.split(/,|\|/)) {
    const name = opt.trim().replace(/_/g, '').toUpperCase();
    if (name === '') continue;
    const v = PARSE_OPTIONS[name];
    if (v === undefined) throw new PluginConfigError(`unsupported parse option: ${JSON.stringify(opt)}`, 'parse_options');
    bits |= v;
  }
  return bits;
}

export default defineFilter({
  name: 'xml',
  doc: 'Parses XML from a field into a hash (XmlSimple\'s shape) and/or stores XPath results in fields.',
  options: {
    source: { type: 'string', required: true, doc: 'The field holding the XML.' },
    target: { type: 'string', doc: 'Where the parsed document goes (required when `store_xml` is true).' },
    xpath: { type: 'hash', default: {}, doc: 'XPath expressions and the fields their results go to.' },
    parse_options: { type: 'string', doc: 'Nokogiri parse options for the XPath parse, e.g. `strict` or `noblanks,nocdata` (default: recover).' },
    store_xml: { type: 'boolean', default: true, doc: 'Store the whole document in `target`.' },
    force_array: { type: 'boolean', default: true, doc: 'Always store values as arrays (XmlSimple ForceArray; a single XPath result as a string when false).' },
    force_content: { type: 'boolean', default: false, doc: 'Put element text under `content` even without attributes (XmlSimple ForceContent).' },
    namespaces: { type: 'hash', default: {}, doc: 'Namespace prefixes for the XPath expressions (prefix => URI).' },
    remove_namespaces: { type: 'boolean', default: false, doc: 'Drop all namespaces before the XPath expressions run.' },
    suppress_empty: { type: 'boolean', default: true, doc: 'Leave empty elements out of the stored document (XmlSimple SuppressEmpty).' },
  },
  check: 'create',
  create(o, ctx) {
    if (o.store_xml && (o.target === undefined || o.target === '')) {
      throw new PluginConfigError("When the 'store_xml' configuration option is true, 'target' must also be set", 'target', 'set target, or store_xml => false');
    }
    const bits = parseOptionBits(o.parse_options);
    const parseOpts: ParseOptions = {
      recover: (bits & 1) !== 0, removeNamespaces: o.remove_namespaces, noBlanks: (bits & 256) !== 0, noCdata: (bits & 16384) !== 0,
    };
    const xpaths = Object.entries(o.xpath).map(([expr, dest]) => [expr, toS(dest as Value)] as const);
    const configured = Object.fromEntries(Object.entries(o.namespaces).map(([k, v]) => [k, toS(v as Value)]));
    const useConfigured = Object.keys(configured).length > 0;
    const simple = { forceArray: o.force_array, forceContent: o.force_content, suppressEmpty: o.suppress_empty };
    const { source, target, force_array: forceArray, store_xml: storeXml } = o;
    const failures = ctx.metrics.counter('failures');

    return {
      filter(event) {
        let value = event.get(source);
        if (value === undefined || value === null || value === false) return false;
        const fail = (msg: string, data: Record<string, unknown>): false => {
          event.tag(XML_FAILURE_TAG);
          failures.inc();
          ctx.logger.warn(msg, { source, ...data });
          return false;
        };
        if (Array.isArray(value)) {
          if (value.length !== 1) return fail('XML filter expects single item array', { value: toS(value) });
          value = value[0]!;
        }
        if (typeof value !== 'string') return fail(`XML filter expects a string but received a ${className(value)}`, { value: toS(value) });
        if (value.trim() === '') return false;
        let matched = false;
        try {
          // The plugin always parses for XPath (its `xpath` defaults to {}): in recover mode that cannot
          // fail, so it is skipped when there is no expression; a strict parse still reports errors.
          if (xpaths.length > 0 || !parseOpts.recover) {
            let doc: XNode;
            try {
              doc = parseDom(value, parseOpts).doc;
            } catch (e) {
              return fail('Error parsing xml', { value, exception: (e as Error).message });
            }
            const select = xpath.useNamespaces(useConfigured ? configured : rootNamespaces(doc));
            for (const [expr, dest] of xpaths) {
              const result = select(expr, doc as never) as unknown;
              const items: unknown[] = Array.isArray(result) ? result : [result];
              const data: string[] = [];
              for (const item of items) {
                if (item === false || item === null || item === undefined) continue;
                matched = true;
                data.push(resultToString(item));
              }
              if (data.length === 1 && !forceArray) event.set(dest, data[0]!);
              else if (data.length > 0) event.set(dest, data);
            }
          }
          if (storeXml) {
            let parsed: Value;
            try {
              parsed = xmlSimple(parseDom(value, { recover: false }).doc, simple);
            } catch (e) {
              return fail('Error parsing xml with XmlSimple', { value, exception: (e as Error).message });
            }
            event.set(target!, parsed);
            matched = true;
          }
        } catch (e) {
          const payload: Record<string, unknown> = { exception: (e as Error).message, source, value };
          event.tag(XML_FAILURE_TAG);
          failures.inc();
          ctx.logger.warn('XML Parse Error', payload);
          return false;
        }
        return matched;
      },
    };
  },
});

function resultToString(item: unknown): string {
  if (typeof item === 'string') return item;
  if (typeof item === 'number') return formatFloat(item); // XPath numbers are Ruby Floats: 2.0
  if (typeof item === 'boolean') return String(item);
  return nodeToString(item as XNode);
}

function className(v: Value): string {
  if (Array.isArray(v)) return 'Array';
  if (isHash(v)) return 'Hash';
  if (v instanceof LsFloat) return 'Float';
  if (v instanceof Timestamp) return 'LogStash::Timestamp';
  if (typeof v === 'number' || typeof v === 'bigint') return 'Integer';
  return v ? 'TrueClass' : 'FalseClass';
}
