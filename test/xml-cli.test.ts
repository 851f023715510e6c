// xml through the real CLI: Logstash-style configs, JSON lines in and out.
import { describe, expect, it } from 'vitest';
import { runFilterSection } from './helpers/pipeline-cli.js';

describe('xml filter through sluice run', () => {
  it('stores the document and XPath results; bad XML is tagged', async () => {
    const { events } = await runFilterSection(
      'xml { source => "message" target => "doc" xpath => [ "/order/item/@sku", "skus" ] add_tag => ["xml"] }',
      [{ message: '<order id="42"><item sku="a1">2</item><item sku="b2">1</item></order>' }, { message: '<order><item>' }]);
    expect(events[0]).toMatchObject({
      doc: { id: '42', item: [{ sku: 'a1', content: '2' }, { sku: 'b2', content: '1' }] },
      skus: ['a1', 'b2'],
      tags: ['xml'],
    });
    expect(events[1]!.tags).toEqual(['_xmlparsefailure']);
    expect(events[1]).not.toHaveProperty('doc');
  });
});
