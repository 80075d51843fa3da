import type { RunningService } from './start-service';

/**
 * The body of every `main.ts`: starts the service, stops it gracefully on SIGINT / SIGTERM (in-flight messages
 * finish and are acknowledged), and exits non-zero with the reason when it cannot start.
 */
export function runMain(start: () => Promise<RunningService>): void {
  start().then(
    (service) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        service.logger.info({ signal }, `${service.name} stopping`);
        service.close().then(
          () => process.exit(0),
          (err: unknown) => {
            service.logger.error({ err }, `${service.name} did not stop cleanly`);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    },
    (err: unknown) => {
      // No logger may exist yet (bad configuration): stderr is the only place left to say why.
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
