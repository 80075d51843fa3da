/** What /health/ready of one service says right now. */
export type Readiness = { ready: true } | { ready: false; reason: string };

/** One GET of `<url>/health/ready` with a short timeout; never throws. */
export async function checkReady(url: string, timeoutMs = 1_500): Promise<Readiness> {
  try {
    const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    if (res.ok) return { ready: true };
    const body = (await res.text()).slice(0, 200);
    return { ready: false, reason: `HTTP ${res.status} ${body}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ready: false, reason: cause ?? (err instanceof Error ? err.message : String(err)) };
  }
}

/**
 * Polls until `isDone` says every target is settled or the deadline passes; resolves with the last readiness of
 * each. `isDone(name)` lets the caller stop waiting for a child that already gave up.
 */
export async function waitForReady(
  targets: ReadonlyArray<{ name: string; url: string }>,
  deadlineMs: number,
  isSettled: (name: string) => boolean = () => false,
  intervalMs = 300,
): Promise<Map<string, Readiness>> {
  const last = new Map<string, Readiness>();
  const until = Date.now() + deadlineMs;
  for (;;) {
    await Promise.all(
      targets.map(async (t) => {
        if (last.get(t.name)?.ready) return;
        last.set(t.name, await checkReady(t.url));
      }),
    );
    const pending = targets.filter((t) => !last.get(t.name)?.ready && !isSettled(t.name));
    if (pending.length === 0 || Date.now() >= until) return last;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
