// Exits non-zero unless the NATS server at argv[2] answers with JetStream enabled.
const { connect } = require('@nats-io/transport-node');
const { jetstreamManager } = require('@nats-io/jetstream');

(async () => {
  const servers = process.argv[2] ?? 'nats://127.0.0.1:4222';
  const nc = await connect({ servers, timeout: 5000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const info = await jsm.getAccountInfo();
    process.stdout.write(`JetStream ok at ${servers} (streams: ${info.streams})\n`);
  } finally {
    await nc.close();
  }
})().catch((err) => {
  process.stderr.write(`JetStream not available at ${process.argv[2]}: ${err.message}\n`);
  process.exit(1);
});
