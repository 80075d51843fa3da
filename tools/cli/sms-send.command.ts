import { randomUUID } from 'node:crypto';
import { ContractViolationError, encodeMessage, topology, type SendSms } from '@dailydesk/contracts';
import type { CliConfig } from './cli-config';
import { CliError, UsageError, describe } from './cli-errors';
import { receiptRows } from './message-history';
import { followStream, withBus } from './nats-access';
import { phoneView, type Io } from './output';

/** Options of `sms send`. */
export interface SmsSendOptions {
  to: string;
  text: string;
  business: string;
  region: string;
  waitSeconds: number;
  unmask?: boolean;
}

const OUTCOMES = new Set(['SmsSent', 'SmsFailed', 'SmsSuppressed']);
const FINAL_RECEIPT = new Set(['delivered', 'undelivered', 'transmission-failed', 'failed', 'suppressed']);

/** The SendSms of a test text; ids derive from one random id so the operator can look it up. */
export function testSendSms(opts: Pick<SmsSendOptions, 'to' | 'text' | 'business' | 'region'>, id: string, now: Date): SendSms {
  return {
    id,
    type: 'SendSms',
    v: 1,
    occurredAt: now.toISOString(),
    businessId: opts.business,
    correlationId: id,
    causationId: null,
    data: {
      messageId: `sms:${id}:test`,
      recipient: { phone: opts.to, defaultRegion: opts.region as SendSms['data']['recipient']['defaultRegion'] },
      text: opts.text,
      purpose: 'test',
      refs: {},
    },
  };
}

/**
 * `sms send`: publishes a test SendSms as an external producer does (JetStream, subject from the topology, msgID =
 * envelope id), then follows the SMS stream for its outcome and receipts' view for its final status.
 */
export async function smsSend(config: CliConfig, io: Io, opts: SmsSendOptions): Promise<void> {
  const id = `cli-test-${randomUUID()}`;
  const message = testSendSms(opts, id, new Date());
  let body: string;
  try {
    body = encodeMessage(message);
  } catch (err) {
    if (err instanceof ContractViolationError) throw new UsageError(`not a valid SendSms: ${describe(err).replace(opts.to, phoneView(opts.to, false))}`);
    throw err;
  }
  const t = topology(config.natsNamespace);
  const messageId = message.data.messageId;
  const deadline = Date.now() + opts.waitSeconds * 1_000;
  const outcome = await withBus(config, async (bus) => {
    const ack = await bus.js.publish(t.subjectOf('SendSms'), body, { msgID: id }).catch((err: unknown) => {
      throw new CliError(`publishing SendSms on ${t.subjectOf('SendSms')} failed: ${describe(err)} (do the streams of namespace "${config.natsNamespace}" exist? sms-dispatch creates them at start)`);
    });
    io.out(`Published SendSms ${id} (messageId ${messageId}) to ${phoneView(opts.to, Boolean(opts.unmask))} → ${ack.stream} #${ack.seq}`);
    io.out(`Waiting up to ${opts.waitSeconds} s for sms-dispatch's outcome…`);
    let seen: { type: string; data: Record<string, unknown> } | null = null;
    await followStream(bus, ack.stream, ack.seq + 1, deadline, (m) => {
      try {
        const env = JSON.parse(new TextDecoder().decode(m.data)) as { type?: string; data?: Record<string, unknown> };
        if (env.type && OUTCOMES.has(env.type) && env.data?.['messageId'] === messageId) seen = { type: env.type, data: env.data };
      } catch {
        // Not JSON: someone else's message; not ours to judge here.
      }
      return seen !== null;
    });
    return seen as { type: string; data: Record<string, unknown> } | null;
  });
  if (!outcome) throw new CliError(`no SmsSent / SmsFailed / SmsSuppressed for ${messageId} within ${opts.waitSeconds} s: is sms-dispatch running? (\`gateway status\`; \`message show ${messageId}\` later)`);
  const d = outcome.data;
  const detail = outcome.type === 'SmsSent' ? `tid ${String(d['tid'])}, port ${String(d['port'])}, ${String(d['segments'])} segment(s) ${String(d['encoding'])}` : `reason ${String(d['reason'])}${d['detail'] ? `: ${String(d['detail'])}` : ''}`;
  io.out(`${outcome.type}: ${detail}`);
  if (outcome.type !== 'SmsSent') throw new CliError(`the test text was not sent (${outcome.type}).`);
  io.out('Waiting for receipts (status / delivery report)…');
  let status = 'unknown';
  while (Date.now() < deadline) {
    const { rows, warning } = await receiptRows(config, new Set([messageId]), opts.business, 1);
    if (warning && !rows.size) {
      io.err(`warning: ${warning}`);
      break;
    }
    status = String(rows.get(messageId)?.['status'] ?? 'not yet in receipts');
    if (FINAL_RECEIPT.has(status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  io.out(`receipts: ${status}${FINAL_RECEIPT.has(status) ? '' : ` (no final status within ${opts.waitSeconds} s)`}. History: dailydesk message show ${messageId}`);
  if (status === 'undelivered' || status === 'transmission-failed') throw new CliError(`the test text was not delivered (${status}).`);
}
