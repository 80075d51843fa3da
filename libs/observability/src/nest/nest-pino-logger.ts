import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Level, Logger } from 'pino';

const NEST_TO_PINO: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Nest's `LoggerService` on top of a pino logger, so Nest's own lines (module init, route mapping, exceptions)
 * are JSON lines of the same process logger, redacted like every other line.
 * Use it as the application logger: `NestFactory.create(AppModule, adapter, { bufferLogs: true })`, then
 * `app.useLogger(app.get(NestPinoLogger))`.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Pino's level gate decides; Nest's per-level switches map onto the lowest level asked for. */
  setLogLevels(levels: LogLevel[]): void {
    const order: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
    const lowest = order.find((l) => levels.includes(l));
    this.logger.level = lowest ? NEST_TO_PINO[lowest] : 'silent';
  }

  // Nest calls `(message, context)` and, for errors, `(message, stack, context)`: the last string is the context.
  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') fields.context = rest.pop();
    if (level === 'error' && typeof rest[0] === 'string') fields.stack = rest.shift();
    if (rest.length > 0) fields.params = rest;
    const log = this.logger[NEST_TO_PINO[level]].bind(this.logger);
    if (message instanceof Error) {
      log({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      log({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      log(fields, String(message));
    }
  }
}
