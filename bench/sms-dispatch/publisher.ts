// The booking side of the sms-dispatch benchmark, run as its own process (the services that request texts are other
// processes): publishes COUNT SendSms to SUBJECT with ids `<PREFIX>-<i>`, at most 256 unacknowledged, and prints
// `start <wall clock ms of its first publish>` and `done <rate per second>`. Env: NATS_URL, SUBJECT, PREFIX, COUNT.
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { publishRequests } from './requests';

async function main(): Promise<void> {
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', noAsyncTraces: true });
  const js = jetstream(nc);
  const subject = process.env.SUBJECT!;
  const prefix = process.env.PREFIX!;
  const count = Number(process.env.COUNT);
  process.stdout.write(`start ${Date.now()}\n`);
  const rate = await publishRequests(js, subject, prefix, count);
  await nc.close();
  process.stdout.write(`done ${rate}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
