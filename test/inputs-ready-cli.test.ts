/**
 * `Pipelines running` is logged only once every input listens: a TCP connection and a UDP datagram sent
 * the moment the line appears are received, every time (the udp socket binds after the tcp one, so a
 * line logged too early loses the datagram). Ten starts through the real CLI.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, jsonLines, startCli, waitFor } from './helpers/cli.js';

describe('inputs are ready when Pipelines running is logged', () => {
  it('ten starts: the first TCP line and the first UDP datagram always arrive', async () => {
    for (let round = 0; round < 10; round++) {
      const [tcpPort, udpPort, syslogPort] = [await freePort(), await freePort(), await freePort()];
      const cli = startCli(['run', '-w', '1', '-e', `input {
        tcp { host => "127.0.0.1" port => ${tcpPort} }
        udp { host => "127.0.0.1" port => ${udpPort} }
        syslog { host => "127.0.0.1" port => ${syslogPort} }
      } output { stdout { codec => json_lines } }`]);
      try {
        await waitFor(() => /Pipelines running/.test(cli.stderr()) || cli.child.exitCode !== null, 20_000, 'Pipelines running');
        const u = dgram.createSocket('udp4');
        u.send(`udp ${round}`, udpPort, '127.0.0.1');
        u.send(`<13>1 - - - - - - syslog-udp ${round}`, syslogPort, '127.0.0.1', () => u.close());
        const s = net.connect(tcpPort, '127.0.0.1', () => s.end(`tcp ${round}\n`));
        s.on('error', () => undefined);
        await waitFor(() => jsonLines(cli.stdout()).length >= 3, 5_000, `round ${round}: three events`);
        expect(jsonLines(cli.stdout()).map((e) => String(e.message)).sort()).toEqual([`syslog-udp ${round}`, `tcp ${round}`, `udp ${round}`]);
      } finally {
        cli.child.kill('SIGTERM');
        await cli.done;
      }
    }
  }, 120_000);
});
