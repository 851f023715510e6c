// Ports of logstash-filter-fingerprint's RSpec examples (spec/filters/fingerprint_spec.rb,
// logstash-plugins/logstash-filter-fingerprint 3.5.0), run in both ECS modes as the spec's matrix does.
// The "tolerance to hash order" examples mock to_hash to force two key orders; here the two events are
// simply built with their keys in different orders.
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { Timestamp } from '../src/event/timestamp.js';
import type { Hash } from '../src/event/values.js';
import fingerprint from '../src/filters/fingerprint.js';
import { PluginConfigError } from '../src/plugins/api.js';
import { filterHarness } from './helpers/filter-run.js';

describe.each([['disabled', 'fingerprint'], ['v8', '[event][hash]']] as const)('fingerprint (ecs %s)', (ecs, field) => {
  const fp = async (config: Record<string, unknown>, data: Hash | Event): Promise<unknown> => {
    const h = await filterHarness(fingerprint, config, { ecs });
    const [e] = await h.run(data);
    return e!.get(field);
  };
  const ip = { clientip: '123.123.123.123' };
  const src = { source: ['clientip'] };

  it('IPV4_NETWORK fingerprints the ip as the network', async () => {
    expect(await fp({ ...src, method: 'IPV4_NETWORK', key: '24' }, ip)).toBe('123.123.123.0');
  });

  describe('MURMUR3', () => {
    it('fingerprints a string', async () => { expect(await fp({ ...src, method: 'MURMUR3' }, ip)).toBe(4013733395); });
    it('fingerprints a number', async () => { expect(await fp({ ...src, method: 'MURMUR3' }, { clientip: 123 })).toBe(823512154); });
  });

  describe('MURMUR3_128', () => {
    const m = { ...src, method: 'MURMUR3_128' };
    it('string hex', async () => { expect(await fp(m, ip)).toBe('41cbc4056eed401d091dfbeabf7ea9e0'); });
    it('string base64', async () => { expect(await fp({ ...m, base64encode: true }, ip)).toBe('QcvEBW7tQB0JHfvqv36p4A=='); });
    it('int32 hex', async () => { expect(await fp({ ...m, base64encode: false }, { clientip: 123 })).toBe('286816c693ac410ed63e1430dcd6f6fe'); });
    it('int32 base64', async () => { expect(await fp({ ...m, base64encode: true }, { clientip: 123 })).toBe('KGgWxpOsQQ7WPhQw3Nb2/g=='); });
    it('int64 hex', async () => { expect(await fp({ ...m, base64encode: false }, { clientip: 2148483647 })).toBe('fdc7699a82556c8c584131f0133ee989'); });
    it('int64 base64', async () => { expect(await fp({ ...m, base64encode: true }, { clientip: 2148483647 })).toBe('/cdpmoJVbIxYQTHwEz7piQ=='); });
  });

  const key = 'longencryptionkey';
  it.each([
    ['SHA1', '3a5076c520b4b463f43806896ea0b3978d09dcae', 'fdc60acc4773dc5ac569ffb78fcb93c9630797f4', '/cYKzEdz3FrFaf+3j8uTyWMHl/Q='],
    ['SHA256', '4dabcab210766e35f03e77120e6986d6e6d4752b2a9ff22980b9253d026080d8', '345bec3eff242d53b568916c2610b3e393d885d6b96d643f38494fd74bf4a9ca', 'NFvsPv8kLVO1aJFsJhCz45PYhda5bWQ/OElP10v0qco='],
    ['SHA384', 'fd605b0a3af3e04ce0d7a0b0d9c48d67a12dab811f60072e6eae84e35d567793ffb68a1807536f11c90874065c2a4392', '22d4c0e8c4fbcdc4887d2038fca7650f0e2e0e2457ff41c06eb2a980dded6749561c814fe182aff93e2538d18593947a', 'ItTA6MT7zcSIfSA4/KdlDw4uDiRX/0HAbrKpgN3tZ0lWHIFP4YKv+T4lONGFk5R6'],
    ['SHA512', '5468e2dc64ea92b617782aae884b35af60041ac9e168a283615b6a462c54c13d42fa9542cce9b7d76a8124ac6616818905e3e5dd35d6e519f77c3b517558639a', '11c19b326936c08d6c50a3c847d883e5a1362e6a64dd55201a25f2c1ac1b673f7d8bf15b8f112a4978276d573275e3b14166e17246f670c2a539401c5bfdace8', 'EcGbMmk2wI1sUKPIR9iD5aE2Lmpk3VUgGiXywawbZz99i/FbjxEqSXgnbVcydeOxQWbhckb2cMKlOUAcW/2s6A=='],
    ['MD5', 'ccdd8d3d940a01b2fb3258c059924c0d', '9336c879e305c9604a3843fc3e75948f', 'kzbIeeMFyWBKOEP8PnWUjw=='],
  ])('%s: plain, HMAC, and HMAC in base64', async (method, plain, hmac, hmac64) => {
    expect(await fp({ ...src, method }, ip)).toBe(plain);
    expect(await fp({ ...src, method, key }, ip)).toBe(hmac);
    expect(await fp({ ...src, method, key, base64encode: true }, ip)).toBe(hmac64);
  });

  it('SHA1 in base64 without a key', async () => {
    expect(await fp({ ...src, method: 'SHA1', base64encode: true }, ip)).toBe('OlB2xSC0tGP0OAaJbqCzl40J3K4=');
  });

  it('produces a fingerprint array for multiple values in the source field', async () => {
    expect(await fp({ method: 'SHA1', source: ['clientip'] }, { clientip: ['123.123.123.123', '223.223.223.223'] }))
      .toEqual(['3a5076c520b4b463f43806896ea0b3978d09dcae', '47bbc4e06edebbace047fed35abeceec64968b81']);
  });

  it('concatenate_all_fields fingerprints the concatenated values', async () => {
    const data = { '@timestamp': '2017-07-26T14:44:27.064Z', clientip: '123.123.123.123', message: 'This is a test message', log_level: 'INFO', offset: 123456789, type: 'test' };
    expect(await fp({ concatenate_all_fields: true }, data)).toBe('cbf022518e97860403160ed8a41847c0db104e63');
  });

  describe('multiple fields', () => {
    const data = { field1: 'test1', field2: 'test2' };
    it('fingerprints the value of the last field', async () => {
      expect(await fp({ method: 'SHA1', source: ['field1', 'field2'] }, data)).toBe('109f4b3c50d7b0df729d299bc6f8e9ef9066971f');
    });
    it('with concatenate_sources fingerprints the concatenated key/pairs', async () => {
      expect(await fp({ method: 'SHA1', source: ['field1', 'field2'], concatenate_sources: true }, data)).toBe('e3b6b71eedc656f1d29408264e8a75535db985cb');
    });
  });

  describe('utf-8 characters', () => {
    const data = { field1: [{ inner_key: '🂡' }, { 1: '2' }], field2: '🂡' };
    it('fingerprints the value of the last field', async () => {
      expect(await fp({ method: 'SHA1', source: ['field1', 'field2'] }, data)).toBe('58fa9e0e60c9f0d24b51d84cddb26732a39eeb3d');
    });
    it('with concatenate_sources', async () => {
      expect(await fp({ method: 'SHA1', source: ['field1', 'field2'], concatenate_sources: true }, data)).toBe('d2a1c14e0c9ef137d67114db23b3f2fdbcc90d08');
    });
  });

  it('PUNCTUATION extracts the punctuation as the fingerprint', async () => {
    const data = { field1: "PHP Warning:  json_encode() [<a href='function.json-encode'>function.json-encode</a>]: Invalid UTF-8 sequence in argument in /var/www/htdocs/test.php on line 233" };
    expect(await fp({ method: 'PUNCTUATION', source: 'field1' }, data)).toBe(":_()[<='.-'>.-</>]:-////.");
  });

  describe('timestamps', () => {
    const at = (ts: Timestamp): Event => { const e = new Event(); e.timestamp = ts; return e; };
    const epoch = new Timestamp(0);
    it('SHA1 with a key', async () => {
      expect(await fp({ source: ['@timestamp'], key: '0123', method: 'SHA1' }, at(epoch))).toBe('1d5379ec92d86a67cfc642d55aa050ca312d3b9a');
    });
    it('MURMUR3', async () => { expect(await fp({ source: ['@timestamp'], method: 'MURMUR3' }, at(epoch))).toBe(743372282); });
    it('MURMUR3_128', async () => { expect(await fp({ source: ['@timestamp'], method: 'MURMUR3_128' }, at(epoch))).toBe('37785b62a8cae473acc315d39b66d86e'); });
    it.each([
      ['millisecond', '2000-01-01T05:00:00.12Z', 4263087275],
      ['microsecond', '2000-01-01T05:00:00.123456Z', 4188855160],
      ['nanosecond', '2000-01-01T05:00:00.123456789Z', 3520111535],
    ])('fractional seconds (%s)', async (_, text, expected) => {
      expect(await fp({ source: ['@timestamp'], method: 'MURMUR3' }, at(Timestamp.parse(text)!))).toBe(expected);
    });
  });

  it('applies add_field and add_tag after fingerprinting', async () => {
    const h = await filterHarness(fingerprint, { method: 'PUNCTUATION', source: 'field1', add_field: { myfield: 'myvalue' }, add_tag: ['mytag'] }, { ecs });
    const [e] = await h.run({ field1: 'Hello, World!' });
    expect(e!.get('myfield')).toBe('myvalue');
    expect(e!.get('tags')).toContain('mytag');
  });

  describe('tolerance to hash order', () => {
    const data1 = { a: { a0: 0, a1: 1 }, b: { b0: 0, b1: 1 } };
    const data2 = { b: { b1: 1, b0: 0 }, a: { a1: 1, a0: 0 } };
    const both = async (config: Record<string, unknown>): Promise<[unknown, unknown]> => {
      const h = await filterHarness(fingerprint, config, { ecs });
      const e1 = new Event(structuredClone(data1));
      const e2 = new Event(structuredClone(data2));
      e2.timestamp = e1.timestamp;
      await h.run(e1); await h.run(e2);
      return [e1.get(field), e2.get(field)];
    };
    it('computes the same hash', async () => { const [x, y] = await both({ source: ['a'] }); expect(x).toBe(y); });
    it('with concatenate_sources', async () => { const [x, y] = await both({ source: ['a', 'b'], concatenate_sources: true }); expect(x).toBe(y); });
    it('with concatenate_all_fields', async () => { const [x, y] = await both({ concatenate_all_fields: true }); expect(x).toBe(y); });
  });

  it('requires a key for IPV4_NETWORK', async () => {
    await expect(filterHarness(fingerprint, { method: 'IPV4_NETWORK' }, { ecs })).rejects.toBeInstanceOf(PluginConfigError);
  });

  it('UUID sets a random UUID', async () => {
    const v = await fp({ method: 'UUID' }, { message: 'x' });
    expect(v).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
