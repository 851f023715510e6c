/**
 * cidr: succeeds (so add_tag/add_field apply) when one of the event's IP addresses lies in one of the
 * networks, as logstash-filter-cidr 3.x does. Addresses come from `address` (sprintf templates) or from
 * `address_field` (a field holding one address or a list); networks from `network` (sprintf templates, each
 * possibly a comma-separated list; a field reference to a list expands to its elements) or from the file
 * `network_path` (entries split on `separator`), re-read every `refresh_interval` seconds when an event
 * arrives. IPv4 and IPv6; an address is never in a network of the other family. Invalid addresses and
 * networks are skipped with a warning, as Ruby's IPAddr rejects them.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Event } from '../event/event.js';
import { compileSprintf } from '../event/sprintf.js';
import { toS } from '../event/ruby.js';
import type { Value } from '../event/values.js';
import { networkIncludes, parseRubyAddress, parseRubyNetwork, type IpAddress, type IpNetwork } from '../formats/ip.js';
import { rateLimited } from '../services/logger.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

export default defineFilter({
  name: 'cidr',
  doc: 'Checks IP addresses (IPv4 and IPv6) against a list of networks, inline or from a file; the common options apply on a match.',
  options: {
    address: { type: 'array', default: [], doc: 'The IP address(es) to check (sprintf allowed).' },
    address_field: { type: 'field_reference', doc: 'A field holding the IP address(es) to check (exclusive with `address`).' },
    network: { type: 'array', default: [], doc: 'The networks to check against (`192.0.2.0/24`, `fe80::/64`; sprintf allowed; comma-separated lists allowed).' },
    network_path: { type: 'path', doc: 'A file listing the networks, one per `separator` (exclusive with `network`).' },
    refresh_interval: { type: 'number', default: 600, doc: 'Seconds after which `network_path` is read again.' },
    separator: { type: 'string', default: '\n', doc: 'What separates the networks in `network_path`.' },
  },
  check: 'create',
  create(o, ctx) {
    if (o.network_path !== undefined && o.network.length > 0) {
      throw new PluginConfigError("The configuration options 'network' and 'network_path' are mutually exclusive", 'network_path');
    }
    if (o.address_field !== undefined && o.address.length > 0) {
      throw new PluginConfigError("The configuration options 'address' and 'address_field' are mutually exclusive", 'address_field');
    }
    const warn = rateLimited(ctx.logger);
    const addressFormats = o.address.map((a) => compileSprintf(toS(a as Value)));
    const addressField = o.address_field;
    const addressesOf = (event: Event): unknown[] => {
      if (addressField !== undefined) {
        const v = event.get(addressField);
        return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
      }
      return addressFormats.map((f) => f(event));
    };

    let networksOf: (event: Event) => IpNetwork[];
    if (o.network_path !== undefined) {
      const path = isAbsolute(o.network_path) ? o.network_path : resolve(ctx.cwd, o.network_path);
      const separator = o.separator;
      const refreshMs = o.refresh_interval * 1000;
      let list: string[] | undefined;
      let parsed: IpNetwork[] = [];
      const load = (initial: boolean): void => {
        try {
          const entries = readFileSync(path, 'utf8').split(separator);
          // Ruby's split drops trailing empty strings; an empty result keeps the previous list.
          while (entries.length > 0 && entries[entries.length - 1] === '') entries.pop();
          if (entries.length > 0) {
            list = entries;
            parsed = [];
            for (const n of entries) {
              const net = parseRubyNetwork(n);
              if (net) parsed.push(net);
              else warn(`network:${n}`, 'Invalid IP network, skipping', { network: n });
            }
          }
        } catch {
          if (list !== undefined && !initial) { ctx.logger.error('Error while opening/parsing the file'); return; }
          throw new PluginConfigError('The file containing the network list is invalid, please check the separator character or permissions for the file.', 'network_path');
        }
      };
      load(true);
      let nextRefresh = Date.now() + refreshMs;
      networksOf = () => {
        if (nextRefresh < Date.now()) {
          load(false);
          nextRefresh = Date.now() + refreshMs;
        }
        return parsed;
      };
    } else {
      const templates = o.network.map((n) => toS(n as Value));
      const constant = templates.every((t) => !t.includes('%{'));
      const parseAll = (texts: string[]): IpNetwork[] => {
        const out: IpNetwork[] = [];
        for (const t of texts) {
          for (const part of t.split(',')) {
            const net = parseRubyNetwork(part.trim());
            if (net) out.push(net);
            else warn(`network:${part}`, 'Invalid IP network, skipping', { network: part });
          }
        }
        return out;
      };
      if (constant) {
        const fixed = parseAll(templates);
        networksOf = () => fixed;
      } else {
        const formats = templates.map(compileSprintf);
        networksOf = (event) => parseAll(formats.map((f) => f(event)));
      }
    }

    return {
      filter(event) {
        const addresses: IpAddress[] = [];
        for (const a of addressesOf(event)) {
          const ip = typeof a === 'string' ? parseRubyAddress(a) : undefined;
          if (ip) addresses.push(ip);
          else warn(`address:${String(a)}`, 'Invalid IP address, skipping', { address: typeof a === 'string' ? a : toS(a as Value) });
        }
        if (addresses.length === 0) return false;
        const networks = networksOf(event);
        for (const a of addresses) for (const n of networks) if (networkIncludes(n, a)) return true;
        return false;
      },
    };
  },
});
