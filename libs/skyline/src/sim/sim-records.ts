import { Agent, request } from 'undici';
import { redactUrl } from '../client/gateway-url';
import type { SimClock } from './sim-clock';

/** A request the simulator received (password masked). */
export interface RequestRecord {
  seq: number;
  /** Virtual epoch ms. */
  at: number;
  method: string;
  /** Endpoint file name, e.g. `goip_post_sms.html`. */
  endpoint: string;
  /** Path and query with the password replaced by `***`. */
  path: string;
  /** Parsed JSON body, the raw text when not JSON, or null. */
  body: unknown;
  authOk: boolean;
  /** The fault applied to this request, if any. */
  fault?: string;
}

/** A callback the simulator sent (or, with `fault: 'lost'`, decided not to send). */
export interface CallbackRecord {
  seq: number;
  at: number;
  url: string;
  /** The body's `type`: status-report, recv-sms, dev-status, port-status. */
  kind: string;
  body: unknown;
  /** HTTP status the receiver answered, when it answered. */
  status?: number;
  /** Transport error text, when the POST failed. */
  error?: string;
  fault?: 'lost' | 'duplicate' | 'reordered' | 'delayed';
}

/** Bounded logs of what came in and what went out. */
export class SimRecorder {
  readonly requests: RequestRecord[] = [];
  readonly callbacks: CallbackRecord[] = [];
  private seq = 0;

  constructor(private readonly limit: number) {}

  nextSeq(): number {
    return ++this.seq;
  }

  add<T>(list: T[], item: T): void {
    list.push(item);
    // Trim in chunks so a long benchmark run stays O(1) amortized per record.
    if (list.length > this.limit) list.splice(0, Math.max(1, Math.floor(this.limit / 10)));
  }

  clear(): void {
    this.requests.length = 0;
    this.callbacks.length = 0;
  }
}

/**
 * POSTs callbacks one at a time per target URL, in the order they were produced, as a device with one
 * reporting task would.
 */
export class CallbackPoster {
  private readonly agent = new Agent({ keepAliveTimeout: 4_000, connections: 4, headersTimeout: 10_000, bodyTimeout: 10_000 });
  private readonly chains = new Map<string, Promise<void>>();
  private generation = 0;

  constructor(
    private readonly recorder: SimRecorder,
    private readonly clock: SimClock,
  ) {}

  /** Queues a POST after every earlier one to `url` (and after `after`); `fault` only annotates the record. */
  post(url: string, body: { type: string }, fault?: CallbackRecord['fault'], after?: Promise<void>): void {
    const gen = this.generation;
    const prev = this.chains.get(url) ?? Promise.resolve();
    const ready = after ? Promise.all([prev, after]) : prev;
    const next = ready.then(() => (gen === this.generation ? this.send(url, body, fault) : undefined));
    this.chains.set(url, next);
    void next.then(() => {
      if (this.chains.get(url) === next) this.chains.delete(url);
    });
  }

  /** Records a callback that a fault swallowed. */
  recordLost(url: string, body: { type: string }): void {
    this.recorder.add(this.recorder.callbacks, {
      seq: this.recorder.nextSeq(),
      at: this.clock.now(),
      url: redactUrl(url),
      kind: body.type,
      body,
      fault: 'lost',
    });
  }

  /** Resolves once the POSTs queued so far to `url` have been attempted. */
  whenIdle(url: string): Promise<void> {
    return this.chains.get(url) ?? Promise.resolve();
  }

  /** Resolves once every queued POST has been attempted. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Drops queued POSTs (reset / reboot). */
  cancelPending(): void {
    this.generation++;
  }

  async close(): Promise<void> {
    this.generation++;
    await this.agent.close();
  }

  private async send(url: string, body: { type: string }, fault?: CallbackRecord['fault']): Promise<void> {
    const rec: CallbackRecord = { seq: this.recorder.nextSeq(), at: this.clock.now(), url: redactUrl(url), kind: body.type, body };
    if (fault) rec.fault = fault;
    try {
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json;charset=utf-8' },
        body: JSON.stringify(body),
      });
      await res.body.dump();
      rec.status = res.statusCode;
    } catch (err) {
      rec.error = redactUrl((err as Error).message);
    }
    this.recorder.add(this.recorder.callbacks, rec);
  }
}
