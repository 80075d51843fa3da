// A relay process for the kill test: `node -r @swc-node/register relay-child.fixture.ts`, configured by env
// (DATABASE_URL, ES_SCHEMA, NATS_URL, SUBJECT_PREFIX). Runs until killed.
import { connect } from '@nats-io/transport-node';
import { createPostgresEventStore } from '../create-event-store';
import { Relay } from './relay';

async function main(): Promise<void> {
  const store = await createPostgresEventStore({ connectionString: process.env.DATABASE_URL!, schema: process.env.ES_SCHEMA! });
  const nc = await connect({ servers: process.env.NATS_URL! });
  const prefix = process.env.SUBJECT_PREFIX!;
  const relay = new Relay({
    store,
    nc,
    subjectFor: (e) => `${prefix}.${e.type}`,
    batchSize: Number(process.env.BATCH_SIZE ?? 500),
    maxInFlight: Number(process.env.MAX_IN_FLIGHT ?? 16),
    leadershipCheckMs: 100,
  });
  relay.start();
  process.stdout.write('relay started\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`relay child failed: ${String(err)}\n`);
  process.exit(1);
});
