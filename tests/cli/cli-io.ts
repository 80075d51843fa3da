import { runCli } from '../../tools/cli/cli-program';
import type { Io } from '../../tools/cli/output';

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in this process (same code as the binary) with captured output and no progress bars. */
export async function cli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l = '') => out.push(l), err: (l = '') => err.push(l), interactive: false };
  // DATA_DIR points at an empty folder so a platform.json of a running `npm start` never leaks into the test.
  const code = await runCli(args, io, { DATA_DIR: '/nonexistent-dailydesk-cli-test', ...env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
