/**
 * Standalone Skyline gateway simulator.
 *   node -r @swc-node/register libs/skyline/bin/skyline-sim.ts --port 9991 [--ports 8] [--slots 1] [--seed 1]
 *        [--send-time-ms 0] [--time-scale 1] [--failure-rate 0] [--username root] [--password root] [--host 127.0.0.1]
 * Control API: http://host:port/_sim/... (see libs/skyline/README.md).
 */
import { parseArgs } from 'node:util';
import { startSimulator } from '../src/index';

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
    password: { type: 'string', default: 'root' },
  },
});

const num = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isFinite(n)) {
    console.error(`--${name} must be a number`);
    process.exit(2);
  }
  return n;
};

async function main(): Promise<void> {
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
    password: String(values.password),
  });
  console.log(`skyline simulator listening on ${sim.url} (control: ${sim.url}/_sim/state)`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
