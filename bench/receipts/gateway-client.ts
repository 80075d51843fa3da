// The gateway's side of the receipts benchmark, run as its own process (as the real gateway is another machine):
// posts status reports of ROWS_PER_CALLBACK rows, IN_FLIGHT at once, to URL, and prints one line per callback,
// `<index> <wall clock ms of its 200>`, then `done <seconds>`. Env: URL, MESSAGES, ROWS_PER_CALLBACK, IN_FLIGHT, T0.
const url = process.env.URL!;
const N = Number(process.env.MESSAGES);
const PER = Number(process.env.ROWS_PER_CALLBACK);
const IN_FLIGHT = Number(process.env.IN_FLIGHT);
const T0 = Number(process.env.T0);

async function main(): Promise<void> {
  const callbacks = Math.ceil(N / PER);
  const acks: string[] = [];
  let next = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let c = next++; c < callbacks; c = next++) {
        const rpts = [];
        for (let n = c * PER; n < Math.min(N, (c + 1) * PER); n++) rpts.push({ tid: n + 1, sending: 0, sent: 1, failed: 0, unsent: 0, sdr: [[0, `1555${String(n).padStart(7, '0')}`, '1.01', T0 + 1]] });
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'status-report', rpt_num: rpts.length, rpts }) });
        if (res.status !== 200) throw new Error(`callback answered ${res.status}`);
        await res.arrayBuffer();
        acks.push(`${c} ${Date.now()}`);
      }
    }),
  );
  process.stdout.write(`${acks.join('\n')}\ndone ${(Date.now() - start) / 1000}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
