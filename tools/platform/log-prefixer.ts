import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

const PINO_LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'service']);
const COLORS = [36, 32, 35, 33, 34, 96, 92, 95];

/** Writes one line to the runner's stdout; replaceable in tests. */
export type LineSink = (line: string) => void;

/**
 * Reformats a pino JSON line as `INFO  message {extra fields}` so five services' logs stay readable side by side;
 * any other line passes through unchanged.
 */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  // Our loggers write the level as a label ("info") and ISO time; plain pino writes numbers.
  const level = typeof rec.level === 'number' ? PINO_LEVELS[rec.level] : typeof rec.level === 'string' ? rec.level.toUpperCase().padEnd(5) : undefined;
  if (level === undefined || typeof rec.msg !== 'string') return line;
  const extra = Object.fromEntries(Object.entries(rec).filter(([k]) => !OMIT.has(k)));
  const tail = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
  return `${level} ${rec.msg}${tail}`;
}

/** `[name]` padded to `width`, coloured when the terminal supports it. */
export function prefixOf(name: string, width: number, index: number, color = process.stdout.isTTY === true): string {
  const label = `[${name}]`.padEnd(width + 2);
  return color ? `\u001b[${COLORS[index % COLORS.length]}m${label}\u001b[0m` : label;
}

/** Pipes every line of `stream` to `sink`, prefixed and reformatted. */
export function pipeLines(stream: Readable, prefix: string, sink: LineSink): void {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  rl.on('line', (line) => sink(`${prefix} ${formatLogLine(line)}`));
}
