// The gateway side of the benchmarks (gateway-process.ts starts it), run as its own process (the real gateway is a device of its own, and
// Kannel's fake SMS centre is a process of its own too): a zero-delay simulator with 8 ports. Prints `url <base url>`
// once listening; stops on SIGTERM. Env: SIM_USERNAME, SIM_PASSWORD, SIM_OPTIONS (JSON: dlrDelayMs, srUrl).
import { startSimulator } from '@dailydesk/skyline';

async function main(): Promise<void> {
  const sim = await startSimulator({
    port: 0,
    ports: 8,
    sendTimeMs: 0,
    recordLimit: 1000,
    ...(JSON.parse(process.env.SIM_OPTIONS ?? '{}') as { dlrDelayMs?: number; srUrl?: string }),
    startEpochMs: performance.timeOrigin + performance.now(),
    username: process.env.SIM_USERNAME!,
    password: process.env.SIM_PASSWORD!,
  });
  process.stdout.write(`url ${sim.url}\n`);
  process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
