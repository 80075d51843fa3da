import { eventually } from '@dailydesk/testing';
import { backoffDelayMs, DEFAULT_RESTART, SupervisedChild } from '../../tools/platform/child-supervisor';
import { formatLogLine } from '../../tools/platform/log-prefixer';

// Real child processes (node -e): the runner's restart, give-up and stop behaviour as `npm start` uses it.
const node = (code: string) => ({ command: process.execPath, args: ['-e', code] });
const fast = { baseDelayMs: 20, maxDelayMs: 40, stableAfterMs: 60_000 };

function harness(spec: ConstructorParameters<typeof SupervisedChild>[0]) {
  const lines: string[] = [];
  const notes: string[] = [];
  const child = new SupervisedChild(spec, (l) => lines.push(l), (n) => notes.push(n));
  return { child, lines, notes };
}

describe('SupervisedChild', () => {
  it('prefixes every output line and restarts a crashing child with backoff until the bound, then gives up', async () => {
    const { child, lines, notes } = harness({ name: 'crashy', prefix: '[crashy]', ...node("console.log('hello'); process.exit(3)"), restart: { ...fast, maxRestarts: 2 } });
    child.start();
    await eventually(() => expect(child.state).toBe('failed'), { timeoutMs: 10_000 });
    expect(lines.filter((l) => l === '[crashy] hello')).toHaveLength(3);
    expect(child.restarts).toBe(2);
    expect(notes).toEqual([
      'crashy exited (code 3); restart 1/2 in 20 ms',
      'crashy exited (code 3); restart 2/2 in 40 ms',
      'crashy exited (code 3) 2 times in a row: giving up on it (the rest keeps running)',
    ]);
  });

  it('does not restart a child whose output says restarting cannot help', async () => {
    const { child, notes } = harness({ name: 'half-built', ...node("console.error(\"Error: Cannot find module './x.app'\"); process.exit(1)"), restart: fast, fatalOutput: /Cannot find module '\.{1,2}\// });
    child.start();
    await eventually(() => expect(child.state).toBe('failed'), { timeoutMs: 10_000 });
    expect(child.restarts).toBe(0);
    expect(notes).toEqual(["half-built exited (code 1) and will not be restarted: Error: Cannot find module './x.app'"]);
  });

  it('stops gracefully with SIGTERM, and with SIGKILL when the child ignores SIGTERM', async () => {
    const polite = harness({ name: 'polite', ...node("process.on('SIGTERM', () => { console.log('bye'); process.exit(0) }); console.log('up'); setInterval(() => {}, 1000)") });
    polite.child.start();
    await eventually(() => expect(polite.lines).toContain('[polite] up'), { timeoutMs: 10_000 });
    await polite.child.stop(5_000);
    expect(polite.lines).toContain('[polite] bye');
    expect(polite.child.lastExit).toEqual({ code: 0, signal: null });
    expect(polite.child.state).toBe('stopped');

    const stubborn = harness({ name: 'stubborn', ...node("process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)") });
    stubborn.child.start();
    await eventually(() => expect(stubborn.lines).toContain('[stubborn] up'), { timeoutMs: 10_000 });
    await stubborn.child.stop(300);
    expect(stubborn.child.lastExit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(stubborn.notes).toEqual(['stubborn did not stop within 300 ms: SIGKILL']);
    expect(stubborn.child.restarts).toBe(0);
  });

  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(DEFAULT_RESTART, n))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);
  });

  it('shows pino lines as level + message + fields, other lines unchanged', () => {
    expect(formatLogLine('{"level":30,"time":1,"pid":2,"hostname":"h","service":"receipts","url":"http://x","msg":"receipts started"}')).toBe('INFO  receipts started {"url":"http://x"}');
    expect(formatLogLine('{"level":"warn","time":"2026-11-29T13:09:19.589Z","service":"a","msg":"careful"}')).toBe('WARN  careful');
    expect(formatLogLine('plain text')).toBe('plain text');
    expect(formatLogLine('{"not":"pino"}')).toBe('{"not":"pino"}');
  });
});
