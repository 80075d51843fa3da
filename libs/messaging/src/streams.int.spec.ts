import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats } from './connection';
import { ensureStreams } from './streams';
import { NATS_URL } from './test-support/nats-test-env';

jest.setTimeout(30_000);

describe('ensureStreams (real NATS)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const id = randomBytes(5).toString('hex').toUpperCase();
  const name = `T_${id}_ENSURE`;
  const dlq = { name: `T_${id}_ENSURE_DLQ`, subjects: [`t${id.toLowerCase()}dlq.>`] };

  beforeAll(async () => {
    nc = await connectNats({ servers: NATS_URL, name: 'ensure-streams-test' });
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    for (const s of [name, dlq.name]) await jsm.streams.delete(s).catch(() => undefined);
    await nc.drain();
  });

  it('creates, then leaves alone, then updates what changed', async () => {
    const def = { name, subjects: [`t${id.toLowerCase()}.evt.>`], description: 'first' };
    expect(await ensureStreams(jsm, [def], { deadLetter: dlq })).toEqual([
      { name, action: 'created' },
      { name: dlq.name, action: 'created' },
    ]);
    const cfg = (await jsm.streams.info(name)).config;
    expect(cfg).toMatchObject({ storage: 'file', retention: 'limits', discard: 'old', num_replicas: 1 });
    expect(cfg.duplicate_window).toBe(120_000_000_000);

    expect((await ensureStreams(jsm, [def], { deadLetter: dlq })).map((r) => r.action)).toEqual(['unchanged', 'unchanged']);

    const changed = { ...def, subjects: [...def.subjects, `t${id.toLowerCase()}.cmd.>`], description: 'second' };
    const r = await ensureStreams(jsm, [changed], { deadLetter: dlq, duplicateWindowMs: 60_000 });
    expect(r.map((x) => x.action)).toEqual(['updated', 'updated']);
    const after = (await jsm.streams.info(name)).config;
    expect(after.subjects.sort()).toEqual(changed.subjects.sort());
    expect(after.description).toBe('second');
    expect(after.duplicate_window).toBe(60_000_000_000);
  });
});
