// Benchmarks' gateway: the zero-delay simulator in its own process (gateway.ts), driven through its HTTP control API.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'undici';

/** The zero-delay simulator in its own process (gateway.ts), driven through its HTTP control API. */
export interface Gateway {
  readonly url: string;
  readonly pid: number;
  reset(): Promise<void>;
  /** Requests it received with a sequence number above `since`. */
  requests(since: number): Promise<Array<{ seq: number; at: number; endpoint: string }>>;
  /** Sequence number of the last request received so far (0: none). */
  lastSeq(): Promise<number>;
  /** The first `goip_post_sms.html` received after sequence `since` (polled every 2 ms; throws after `timeoutMs`). */
  nextPost(since: number, timeoutMs?: number): Promise<{ seq: number; at: number }>;
  close(): Promise<void>;
}

export function startGateway(credentials: { username: string; password: string }, options: { dlrDelayMs?: number; srUrl?: string } = {}): Promise<Gateway> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'gateway.ts')], {
      env: { ...process.env, SIM_USERNAME: credentials.username, SIM_PASSWORD: credentials.password, SIM_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`simulator exited ${code}: ${out}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /url (\S+)/.exec(out);
      if (!m || out.includes('\u0000')) return;
      out += '\u0000';
      const url = m[1]!;
      const pool = new Pool(url, { connections: 2 });
      const control = async (method: 'GET' | 'POST', path: string) => {
        const r = await pool.request({ method, path });
        const body = await r.body.text();
        if (r.statusCode !== 200) throw new Error(`simulator control ${method} ${path}: ${r.statusCode} ${body}`);
        return body;
      };
      const requests = async (since: number) => JSON.parse(await control('GET', `/_sim/requests?since=${since}`)) as Array<{ seq: number; at: number; endpoint: string }>;
      resolve({
        url,
        pid: child.pid!,
        reset: async () => void (await control('POST', '/_sim/reset')),
        requests,
        lastSeq: async () => (await requests(0)).reduce((max, r) => Math.max(max, r.seq), 0),
        nextPost: async (since, timeoutMs = 10_000) => {
          for (const deadline = Date.now() + timeoutMs; ; ) {
            const post = (await requests(since)).find((r) => r.endpoint === 'goip_post_sms.html');
            if (post) return post;
            if (Date.now() > deadline) throw new Error(`no POST at the simulator within ${timeoutMs} ms`);
            await new Promise((r) => setTimeout(r, 2));
          }
        },
        close: async () => {
          await pool.close();
          child.removeAllListeners('exit');
          await new Promise<void>((done) => {
            child.once('exit', () => done());
            child.kill('SIGTERM');
          });
        },
      });
    });
  });
}
