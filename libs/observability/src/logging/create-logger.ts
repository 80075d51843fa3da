import pino, { type DestinationStream, type Level, type Logger, type LoggerOptions } from 'pino';
import { redactSecrets } from '../redaction/redact-secrets';
import { redactLine, redactString } from '../redaction/redact-string';

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Service name, written on every line as `service`. */
  service: string;
  /** Minimum level; defaults to `LOG_LEVEL` from the environment, else `info`. */
  level?: Level | 'silent';
  /** Where lines go; defaults to stdout. Tests pass a stream to read the real output. */
  destination?: DestinationStream;
}

/**
 * Creates the pino root logger of a process: JSON lines with `level` as a label, ISO `time` and `service`, and
 * redaction on three layers, so that nothing logged can carry a secret, a message body or a full phone number:
 * 1. `hooks.logMethod` sanitizes the message and interpolation arguments (and turns a logged `Error` into a
 *    sanitized object) before pino formats them;
 * 2. `formatters.log` / `formatters.bindings` run {@link redactSecrets} over the merged object and child bindings
 *    (secret keys at any depth, bodies, phone keys, strings);
 * 3. `hooks.streamWrite` runs the same string rules over the finished line as a backstop (message prefixes,
 *    anything pino adds itself).
 * Call it once per process (ObservabilityModule does) and derive children from it.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  if (!options.service) throw new Error('createLogger: `service` is required');
  const level = options.level ?? parseLevel(process.env.LOG_LEVEL) ?? 'info';
  const config: LoggerOptions = {
    level,
    base: { service: options.service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redactSecrets(bindings),
      log: (obj) => redactSecrets(obj),
    },
    // pino's default `err` serializer would rebuild our sanitized plain object and rename its type to "Object".
    serializers: { err: (value: unknown) => (value instanceof Error ? redactSecrets(value) : value) },
    hooks: {
      logMethod(args, method) {
        const safe: unknown[] = args.map((arg, i) =>
          typeof arg === 'string' ? redactString(arg) : i > 0 ? redactSecrets(arg) : arg,
        );
        const first = safe[0];
        if (first instanceof Error) {
          // pino would take the message from the raw error; hand it the sanitized one instead.
          safe[0] = { err: first };
          if (safe.length === 1) safe.push(redactString(first.message));
        }
        return (method as (...a: unknown[]) => void).apply(this, safe);
      },
      streamWrite: redactLine,
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

function parseLevel(value: string | undefined): Level | 'silent' | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.toLowerCase();
  if (!LEVELS.has(v)) throw new Error(`LOG_LEVEL must be one of ${[...LEVELS].join(', ')} (got "${value}")`);
  return v as Level | 'silent';
}

/** What a consumed message contributes to every line logged while handling it. */
export interface MessageLogContext {
  subject: string;
  type?: string;
  messageId?: string;
  correlationId?: string;
  deliveryCount?: number;
  /** Anything else worth carrying (stream sequence, consumer name); sanitized like all bindings. */
  [extra: string]: unknown;
}

/**
 * The per-consumed-message child logger: every line it writes carries `subject`, `type`, `messageId`,
 * `correlationId` and `deliveryCount` (absent fields are left out).
 */
export function childForMessage(logger: Logger, context: MessageLogContext): Logger {
  const bindings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value !== undefined) bindings[key] = value;
  }
  return logger.child(bindings);
}
