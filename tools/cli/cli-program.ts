import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { resolveConfig, type GlobalOptions } from './cli-config';
import { CliError, EXIT, UsageError, describe } from './cli-errors';
import { deadLetterList, deadLetterRedrive } from './deadletter.command';
import { messageFind, messageShow } from './message.command';
import type { Io } from './output';
import { gatewayStatus, projectionsRebuild, projectionsStatus, quarantineList, schedulerStatus } from './service.commands';
import { smsSend } from './sms-send.command';

const positiveInt = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
  return n;
};

const UNMASK_HELP = 'show full phone numbers and texts — this prints personal data; use only where that is allowed';

/** The command tree; `run` receives each action so tests and the binary share it. */
function buildProgram(io: Io, env: NodeJS.ProcessEnv): Command {
  const program = new Command('dailydesk')
    .description('Operator CLI for a running DailyDesk platform (defaults from .data/platform.json written by `npm start`).')
    .option('--nats-url <url>', 'NATS server (env NATS_URL)')
    .option('--namespace <ns>', 'NATS namespace of the installation (env NATS_NAMESPACE; "" = none)')
    .option('--data-dir <dir>', 'where `npm start` wrote platform.json (env DATA_DIR, default .data)')
    .option('--scheduler-url <url>', 'scheduler base URL (env SCHEDULER_URL)')
    .option('--sms-dispatch-url <url>', 'sms-dispatch base URL (env SMS_DISPATCH_URL)')
    .option('--receipts-url <url>', 'receipts base URL (env RECEIPTS_URL)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .exitOverride();
  const config = () => resolveConfig(program.opts<GlobalOptions>(), env);

  const gateway = program.command('gateway').description('the SMS gateway as sms-dispatch sees it');
  gateway.command('status').description('reachability, ports, queue, circuit breaker').option('--json', 'raw JSON')
    .action((o: { json?: boolean }) => gatewayStatus(config(), io, o));

  program.command('sms').description('test texts').command('send')
    .description('publish a test SendSms (purpose test) and follow its outcome')
    .requiredOption('--to <phone>', 'recipient, as a person would type it')
    .requiredOption('--text <text>', 'message body (≤ 1530 characters)')
    .option('--business <id>', 'business the text is sent for', 'operator-test')
    .option('--region <CC>', 'region to read a national number with', 'DE')
    .option('--wait <seconds>', 'how long to follow the outcome', positiveInt('--wait'), 30)
    .option('--unmask', UNMASK_HELP)
    .action((o: { to: string; text: string; business: string; region: string; wait: number; unmask?: boolean }) =>
      smsSend(config(), io, { ...o, waitSeconds: o.wait }));

  const message = program.command('message').description("a message's full history (NATS events + receipts' view); phones masked unless --unmask");
  message.command('show <messageId>').description('one message by its messageId')
    .option('--since <when>', 'read NATS from this ISO instant or duration ago (30m, 12h, 7d) instead of all')
    .option('--unmask', UNMASK_HELP).option('--json', 'JSON')
    .action((id: string, o: { since?: string; unmask?: boolean; json?: boolean }) => messageShow(config(), io, id, o));
  message.command('find').description('every message to one phone number')
    .requiredOption('--phone <number>', 'the number (national numbers are read with --region)')
    .option('--region <CC>', 'region to read a national number with', 'DE')
    .option('--since <when>', 'read NATS from this ISO instant or duration ago (30m, 12h, 7d) instead of all')
    .option('--unmask', UNMASK_HELP).option('--json', 'JSON')
    .action((o: { phone: string; region: string; since?: string; unmask?: boolean; json?: boolean }) => messageFind(config(), io, o));

  const dl = program.command('deadletter').description("the namespace's DEAD_LETTER stream");
  dl.command('list').description('dead letters, oldest first: reason, consumer, deliveries, original subject')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 50).option('--json', 'JSON')
    .action((o: { limit: number; json?: boolean }) => deadLetterList(config(), io, o));
  dl.command('redrive [seq]').description('publish the original again on its subject (new msgID), then delete the dead letter')
    .option('--all', 'every dead letter (progress bar)')
    .action((seq: string | undefined, o: { all?: boolean }) => {
      if ((seq === undefined) === !o.all) throw new UsageError('deadletter redrive: give a dead letter seq or --all (not both)');
      if (seq !== undefined && !/^[1-9]\d*$/.test(seq)) throw new UsageError(`deadletter redrive: seq "${seq}" is not a stream sequence (see \`deadletter list\`)`);
      return deadLetterRedrive(config(), io, seq === undefined ? { all: true } : { seq: Number(seq) });
    });

  program.command('quarantine').description('gateway callbacks receipts refused').command('list').option('--json', 'JSON')
    .action((o: { json?: boolean }) => quarantineList(config(), io, o));

  const projections = program.command('projections').description("receipts' read models");
  projections.command('rebuild').description('replay the store into a new generation and wait until it serves')
    .addOption(new Option('--timeout <seconds>', 'stop waiting after').argParser(positiveInt('--timeout')).default(600))
    .action((o: { timeout: number }) => projectionsRebuild(config(), io, { timeoutSeconds: o.timeout }));
  projections.command('status').option('--json', 'JSON').action((o: { json?: boolean }) => projectionsStatus(config(), io, o));

  program.command('scheduler').description('the clock').command('status').description('each schedule: cron, last / next slot, last tick').option('--json', 'raw JSON')
    .action((o: { json?: boolean }) => schedulerStatus(config(), io, o));

  // A group without a sub-command is a usage error, not a silent success.
  for (const group of program.commands) {
    if (group.commands.length) group.action(() => { throw new UsageError(`${group.name()}: which one? ${group.commands.map((c) => c.name()).join(', ')}`); });
  }
  return program;
}

/**
 * Runs the CLI on `argv` (the words after `dailydesk`) and returns its exit code: 0 done, 1 failure, 2 usage.
 * Never throws and never calls `process.exit`.
 */
export async function runCli(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = buildProgram(io, env);
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return EXIT.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      io.err(`error: ${err.message}`);
      return err.exitCode;
    }
    io.err(`error: ${describe(err)}`);
    return EXIT.failure;
  }
}
