/**
 * The gateway simulator as a container process (docker-compose): like libs/skyline/bin/skyline-sim.ts, configured
 * by environment, plus the callback URL of receipts so status reports, inbound SMS and delivery reports reach it
 * even when a send-sms names no sr_url.
 *   SIM_HOST (0.0.0.0) SIM_PORT (9991) SIM_CALLBACK_URL SMS_USERNAME (root) SMS_PASSWORD (required)
 *   SIM_PORTS (8) SIM_SEND_TIME_MS (0) SIM_DLR_DELAY_MS (2000) SIM_TIME_SCALE (1) SIM_FAILURE_RATE (0)
 */
import { createLogger } from '@dailydesk/observability';
import { startSimulator } from '@dailydesk/skyline';

const logger = createLogger({ service: 'simulator', level: 'info' });

function num(key: string, fallback: number): number {
  const raw = process.env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) {
    logger.error(`${key} must be a number`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const callback = process.env.SIM_CALLBACK_URL || undefined;
  const password = process.env.SMS_PASSWORD;
  if (!password) {
    logger.error('SMS_PASSWORD must be set (the same value sms-dispatch uses)');
    process.exit(2);
  }
  const sim = await startSimulator({
    host: process.env.SIM_HOST || '0.0.0.0',
    port: num('SIM_PORT', 9991),
    ports: num('SIM_PORTS', 8),
    username: process.env.SMS_USERNAME || 'root',
    password,
    sendTimeMs: num('SIM_SEND_TIME_MS', 0),
    dlrDelayMs: num('SIM_DLR_DELAY_MS', 2_000),
    timeScale: num('SIM_TIME_SCALE', 1),
    failureRate: num('SIM_FAILURE_RATE', 0),
    srUrl: callback,
    smsUrl: callback,
  });
  logger.info({ url: sim.url, control: '/_sim/state', callbacksTo: callback ? new URL(callback).origin : 'the sr_url of each request' }, 'skyline simulator listening');
  const stop = () => void sim.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
