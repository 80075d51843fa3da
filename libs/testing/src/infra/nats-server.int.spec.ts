import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createTestStream } from '../harness/test-stream';
import { type NatsServerHandle, startNatsServer } from './nats-server';

describe('startNatsServer', () => {
  let nats: NatsServerHandle;

  beforeAll(async () => {
    nats = await startNatsServer({ jetstream: true });
  });
  afterAll(() => nats?.dispose());

  it('starts a private JetStream server on a free port', async () => {
    expect(nats.port).not.toBe(4222);
    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const account = await jsm.getAccountInfo();
      expect(account.streams).toBe(0); // private: none of the machine's streams
    } finally {
      await nc.close();
    }
  });

  it("keeps a file stream's messages across SIGKILL and restart, on the same port", async () => {
    let nc = await connect({ servers: nats.url });
    const stream = await createTestStream(nc, { prefix: 'crash' });
    const js = jetstream(nc);
    for (let i = 1; i <= 5; i++) await js.publish(`${stream.subjectPrefix}.n`, `m${i}`);
    await nc.close();

    await nats.kill();
    expect(nats.isRunning()).toBe(false);
    await nats.restart();
    expect(nats.isRunning()).toBe(true);

    nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(stream.name);
      expect(info.state.messages).toBe(5);
      const last = await jsm.streams.getMessage(stream.name, { seq: 5 });
      expect(last?.string()).toBe('m5');
    } finally {
      await nc.close();
    }
  });

  it('stop() refuses connections until restart()', async () => {
    await nats.stop();
    await expect(connect({ servers: nats.url, reconnect: false, timeout: 500 })).rejects.toThrow();
    await nats.restart();
    const nc = await connect({ servers: nats.url });
    await nc.close();
  });
});
