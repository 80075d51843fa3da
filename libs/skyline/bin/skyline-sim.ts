/**
 * Standalone Skyline gateway simulator.
 *   node -r @swc-node/register libs/skyline/bin/skyline-sim.ts --port 9991 [--ports 8] [--slots 1] [--seed 1]
 *        [--send-time-ms 0] [--time-scale 1] [--failure-rate 0] [--username root] [--password <pw>] [--host 127.0.0.1]
 * The password comes from --password or SMS_PASSWORD (no default: a gateway password is configuration).
 * Control API: http://host:port/_sim/... (see libs/skyline/README.md).
 */
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startSimulator } from '../src/index';

const logger = pino({ name: 'skyline-sim' });

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9991' },
    host: { type: 'string', default: '127.0.0.1' },
    ports: { type: 'string', default: '8' },
    slots: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    'send-time-ms': { type: 'string', default: '0' },
    'time-scale': { type: 'string', default: '1' },
    'failure-rate': { type: 'string', default: '0' },
    username: { type: 'string', default: 'root' },
    password: { type: 'string' },
  },
});

const num = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isFinite(n)) {
    logger.error(`--${name} must be a number`);
    process.exit(2);
  }
  return n;
};

async function main(): Promise<void> {
  const password = values.password ?? process.env.SMS_PASSWORD;
  if (!password) {
    logger.error('set the gateway password: --password <pw> or SMS_PASSWORD (clients must use the same)');
    process.exit(2);
  }
  const sim = await startSimulator({
    port: num('port'),
    host: String(values.host),
    ports: num('ports'),
    slots: num('slots'),
    seed: num('seed'),
    sendTimeMs: num('send-time-ms'),
    timeScale: num('time-scale'),
    failureRate: num('failure-rate'),
    username: String(values.username),
    password,
  });
  logger.info({ url: sim.url, control: `${sim.url}/_sim/state` }, 'skyline simulator listening');
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
