/** Entry of `npx dailydesk` / `npm run cli --`: the operator CLI (see tools/cli/README.md). */
import { runCli } from './cli-program';
import { processIo } from './output';

void runCli(process.argv.slice(2), processIo).then((code) => {
  process.exitCode = code;
});
