import { maskPhone } from '@dailydesk/observability';

/** Where commands write; tests pass their own. */
export interface Io {
  out(line?: string): void;
  err(line?: string): void;
  /** Whether progress bars may be drawn (stderr is a terminal). */
  readonly interactive: boolean;
}

/** The process's stdout / stderr. */
export const processIo: Io = {
  out: (line = '') => process.stdout.write(`${line}\n`),
  err: (line = '') => process.stderr.write(`${line}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

/** Aligned `key  value` rows. */
export function table(rows: ReadonlyArray<readonly [string, unknown]>, indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
}

/** Column table with a header line. */
export function columns(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string[] {
  const cells = [header, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** The phone as stored, or masked (last 3 digits kept) unless the operator asked for personal data. */
export function phoneView(phone: string | null | undefined, unmask: boolean): string {
  if (!phone) return '-';
  // maskPhone reads spaces as a list separator (`0151 123…` would keep `151`): a typed number is masked as one.
  return unmask ? phone : maskPhone(phone.replace(/\s+/g, ''));
}
