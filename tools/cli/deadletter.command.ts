import { topology } from '@dailydesk/contracts';
import { readDeadLetter, type ReadDeadLetter } from '@dailydesk/messaging';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { Presets, SingleBar } from 'cli-progress';
import { CliError, describe } from './cli-errors';
import type { CliConfig } from './cli-config';
import { messageCount, readStream, withBus, type Bus } from './nats-access';
import { columns, type Io } from './output';

/** One stored dead letter with its sequence in the dead-letter stream. */
export interface DeadLetterEntry extends Omit<ReadDeadLetter, 'payload'> {
  seq: number;
  bytes: number;
}

function entryOf(seq: number, get: (name: string) => string | undefined, data: Uint8Array): DeadLetterEntry {
  const { payload, ...record } = readDeadLetter(get, data);
  return { seq, ...record, bytes: payload.length };
}

/** The dead letters of the namespace, oldest first, at most `limit`. */
export async function listDeadLetters(bus: Bus, namespace: string, limit: number): Promise<DeadLetterEntry[]> {
  const stream = topology(namespace).deadLetterStream.name;
  if ((await messageCount(bus, stream, namespace)) === 0) return [];
  const out: DeadLetterEntry[] = [];
  for await (const m of readStream(bus, stream, { max: limit })) {
    try {
      out.push(entryOf(m.seq, (n) => m.headers?.get(n) || undefined, m.data));
    } catch (err) {
      // Someone published by hand into the dead-letter stream: show it, never hide it.
      out.push({ seq: m.seq, reason: 'not-a-dead-letter', detail: describe(err), subject: m.subject, stream: '-', streamSeq: 0, consumer: '-', deliveryCount: 0, deadLetteredAt: '-', bytes: m.data.length });
    }
  }
  return out;
}

/**
 * Publishes the dead letter's original payload, with its original `Dd-*` headers, to the original subject, then
 * deletes the dead letter. The msgID `redrive:<dead-letter stream>:<seq>` differs from the original's (which the
 * stream may still remember inside its duplicate window) and stays the same if a re-drive is repeated after a
 * crash between publish and delete, so the message is stored once either way.
 */
export async function redriveDeadLetter(bus: Bus, namespace: string, seq: number): Promise<{ subject: string; stream: string; seq: number; duplicate: boolean }> {
  const dlStream = topology(namespace).deadLetterStream.name;
  const stored = await bus.jsm.streams.getMessage(dlStream, { seq }).catch((err: unknown) => {
    throw new CliError(`dead letter #${seq} cannot be read from ${dlStream}: ${describe(err)}`);
  });
  if (!stored) throw new CliError(`no dead letter #${seq} in ${dlStream} (already re-driven or deleted?)`);
  let record: ReadDeadLetter;
  try {
    record = readDeadLetter((n) => stored.header?.get(n) || undefined, stored.data);
  } catch (err) {
    throw new CliError(`#${seq} in ${dlStream} cannot be re-driven: ${describe(err)}`);
  }
  const h = natsHeaders();
  for (const [k, values] of stored.header ?? []) {
    if (/^dd-/i.test(k) && !/^dd-dlq-/i.test(k)) for (const v of values) h.append(k, v);
  }
  const ack = await bus.js.publish(record.subject, stored.data, { msgID: `redrive:${dlStream}:${seq}`, headers: h }).catch((err: unknown) => {
    throw new CliError(`re-drive of #${seq} to ${record.subject} failed (the dead letter is kept): ${describe(err)}`);
  });
  await bus.jsm.streams.deleteMessage(dlStream, seq);
  return { subject: record.subject, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
}

/** `deadletter list`. */
export async function deadLetterList(config: CliConfig, io: Io, opts: { limit: number; json?: boolean }): Promise<void> {
  const entries = await withBus(config, (bus) => listDeadLetters(bus, config.natsNamespace, opts.limit));
  if (opts.json) return io.out(JSON.stringify(entries, null, 2));
  if (entries.length === 0) return io.out(`No dead letters in ${topology(config.natsNamespace).deadLetterStream.name}.`);
  io.out(columns(
    ['seq', 'dead-lettered at', 'reason', 'deliveries', 'consumer', 'original subject', 'detail'],
    entries.map((e) => [e.seq, e.deadLetteredAt, e.reason, e.deliveryCount, e.consumer, `${e.subject} (${e.stream} #${e.streamSeq})`, e.detail.slice(0, 80)]),
  ).join('\n'));
  io.out(`${entries.length} dead letter(s)${entries.length === opts.limit ? ` (first ${opts.limit}; --limit for more)` : ''}.`);
}

/** `deadletter redrive <seq>` or `--all` (with a progress bar); exit 1 if any re-drive failed. */
export async function deadLetterRedrive(config: CliConfig, io: Io, opts: { seq?: number; all?: boolean }): Promise<void> {
  await withBus(config, async (bus) => {
    if (opts.seq !== undefined) {
      const r = await redriveDeadLetter(bus, config.natsNamespace, opts.seq);
      io.out(`Re-drove #${opts.seq} → ${r.subject} (${r.stream} #${r.seq}${r.duplicate ? ', duplicate: already re-driven before' : ''}); dead letter deleted.`);
      return;
    }
    const entries = await listDeadLetters(bus, config.natsNamespace, Number.MAX_SAFE_INTEGER);
    if (entries.length === 0) return io.out('No dead letters to re-drive.');
    const bar = new SingleBar({ stream: process.stderr, format: 're-drive [{bar}] {value}/{total} dead letters', noTTYOutput: false }, Presets.shades_classic);
    if (io.interactive) bar.start(entries.length, 0);
    const failures: string[] = [];
    for (const e of entries) {
      try {
        await redriveDeadLetter(bus, config.natsNamespace, e.seq);
      } catch (err) {
        failures.push(`#${e.seq}: ${describe(err)}`);
      }
      if (io.interactive) bar.increment();
    }
    if (io.interactive) bar.stop();
    io.out(`Re-drove ${entries.length - failures.length} of ${entries.length} dead letter(s).`);
    if (failures.length) throw new CliError(`${failures.length} re-drive(s) failed:\n  ${failures.join('\n  ')}`);
  });
}
