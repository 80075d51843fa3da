import type { EnvelopeBase } from '@dailydesk/contracts';
import type { Database, EventStore, Leadership } from '@dailydesk/event-store';
import { SkylineError, isPortStateActive, type SmsTask, type TaskSubmitResult } from '@dailydesk/skyline';
import type { Logger } from 'pino';
import type { DispatchConfig } from '../config';
import type { AuditedGateway } from '../gateway/audited-gateway';
import { gatewayNumber } from '../intake/phone-number';
import { CircuitBreaker } from './circuit-breaker';
import type { Job, Memo } from './dispatch-jobs';
import { smsSuppressed, tasksAssigned, type QueueRow } from './outcome-events';
import type { PortPacer, Clock } from './port-pacer';
import type { QueueProjection } from './queue.projection';
import { PRUNE_EVERY_MS, pruneOldRows } from './retention';
import { settle } from './settlement';
import { StageStats } from './stage-stats';
import { appendNew, eventIdOf, type AppendedBatch } from './store-writes';
import { UnknownOutcomes } from './unknown-outcomes';
import { WaitingQueue } from './waiting-queue';

/** How often the leader stores its queue depth for standbys' status (`leader_queue`) when it changed, and when not. */
const DEPTH_EVERY_MS = 1_000;
const DEPTH_UNCHANGED_EVERY_MS = 30_000;
/** Tids drawn from the sequence per round trip (at most this many are skipped when the process stops). */
const TID_BLOCK = 4_096;

export interface DispatcherHooks {
  /** Test crash point: called after a POST answered, before its outcome is appended; returning true stops the dispatcher there. */
  crashAfterPost?: () => boolean;
}

/**
 * Drains the durable queue to the gateway: priority lanes, per-port pace and SIM caps, sticky sender, tids recorded
 * before the POST, unknown outcomes resolved from the gateway before any resend, back-off and a circuit breaker.
 */
export class Dispatcher {
  private readonly memo = new Map<string, Memo>();
  /** The waiting messages, in memory while this replica leads (see waiting-queue.ts). */
  readonly queue = new WaitingQueue();
  private queueLoaded = false;
  /** Ports of recent SmsSents, ahead of the (lazily folded) recipient_ports table: the sticky sender. */
  private readonly recentPorts = new Map<string, string>();
  private running = false;
  private crashed = false;
  private wakeUp: (() => void) | null = null;
  private wokenDuringCycle = false;
  private postsInFlight = 0;
  private tasksInFlight = 0;
  private pausedUntil = 0;
  private lastRefresh = -Infinity;
  private lastPrune = -Infinity;
  private lastDepthWrite = -Infinity;
  private lastDepth = '';
  readonly circuit: CircuitBreaker;
  lastSuccessfulSendAt: string | null = null;
  /** Outcomes this process stored, by type (SmsSent, SmsFailed, SmsSuppressed). */
  readonly stored = { SmsSent: 0, SmsFailed: 0, SmsSuppressed: 0 } as Record<string, number>;
  portsTotal = 0;
  private loopDone: Promise<void> = Promise.resolve();
  private quietCycles = 0;
  private leadership: Leadership | null = null;
  private readonly tidPool: number[] = [];
  private lastLeadershipAttempt = -Infinity;
  private readonly unknownOutcomes: UnknownOutcomes | null;

  constructor(
    private readonly o: DispatchConfig,
    private readonly store: EventStore,
    private readonly db: Database,
    private readonly schema: string,
    private readonly projection: QueueProjection,
    private readonly gateway: AuditedGateway | null,
    readonly pacer: PortPacer,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly hooks: DispatcherHooks = {},
    private readonly idleMs = 1000,
    private readonly stats = new StageStats(),
    private readonly leadershipCheckMs = 1000,
  ) {
    this.circuit = new CircuitBreaker(o.circuitThreshold, o.circuitCooldownMs, o.circuitMaxCooldownMs, clock);
    this.unknownOutcomes = gateway ? new UnknownOutcomes(gateway, store, this.circuit, this.queue, clock, o, logger) : null;
    projection.outcomeStored = (id) => this.queueLoaded && this.queue.hasStoredOutcome(id);
    projection.onApplied((events) => {
      if (!this.queueLoaded) return;
      this.queue.observe(events, this.clock());
      this.wake();
    });
  }

  async start(): Promise<void> {
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Whether this replica's dispatcher holds the `dispatcher` lock (the only one that sends). */
  get isLeader(): boolean {
    return this.leadership?.held === true;
  }

  /**
   * Only the holder of the store's `dispatcher` lock sends; other replicas keep taking SendSms into the store and
   * retry the lock every `leadershipCheckMs`. A new leader first catches its queue up with the whole log (so every
   * assignment of the old leader is seen: those tasks are resolved, never given a new tid) and forgets what it
   * knew, so each assigned message is resolved from the gateway as after a restart.
   */
  private async lead(): Promise<boolean> {
    if (this.leadership?.held) return true;
    if (this.leadership) {
      this.logger.warn('sms dispatcher lost its leadership; stops sending');
      this.leadership = null;
      this.queueLoaded = false;
      this.queue.clear();
      await this.projection.stop(); // the next leader folds
    }
    if (this.postsInFlight > 0 || performance.now() - this.lastLeadershipAttempt < this.leadershipCheckMs) return false;
    this.lastLeadershipAttempt = performance.now();
    const leadership = await this.store.tryAcquireLeadership('dispatcher');
    if (!leadership) return false;
    try {
      await this.takeOver();
    } catch (err) {
      await this.projection.stop();
      await leadership.release();
      throw err;
    }
    this.leadership = leadership;
    this.logger.info('sms dispatcher leading');
    return true;
  }

  private async takeOver(): Promise<void> {
    this.memo.clear();
    this.queueLoaded = false;
    this.queue.clear();
    this.projection.start(); // folds while this replica leads
    await this.projection.caughtUp();
    const s = `"${this.schema}"`;
    // Loaded while no batch is folded: every later batch is observed, every earlier one is in these rows or held by
    // the fold (a text held may also have an older row, written before a restart: the held one is current).
    await this.projection.exclusive(async () => {
      const waiting = new Map(this.projection.heldRows().map((r) => [r.message_id, r]));
      const rows = (await this.db.query<QueueRow>(`SELECT * FROM ${s}.messages WHERE state IN ('queued', 'assigned')`)).filter((r) => !waiting.has(r.message_id));
      // A row whose outcome is stored is a leftover (a fold that lost its lock wrote it after the outcome was folded):
      // deleted, never loaded, or its text would be sent again. Few rows: only texts that waited long are in the table.
      const done = await this.store.storedIds(rows.map((r) => eventIdOf('outcome', r.message_id)));
      const leftovers: string[] = [];
      for (const r of rows) {
        if (done.has(eventIdOf('outcome', r.message_id))) leftovers.push(r.message_id);
        else waiting.set(r.message_id, { ...r, position: Number(r.position), opted_out: null, sticky_port: null });
      }
      if (leftovers.length > 0) {
        await this.db.query(`DELETE FROM ${s}.messages WHERE message_id = ANY($1::text[])`, [leftovers]);
        this.logger.warn({ rows: leftovers.length }, 'queue rows of finished texts deleted at takeover');
      }
      this.queue.clear();
      const nowMs = this.clock();
      for (const r of [...waiting.values()].sort((a, b) => a.lane - b.lane || Number(a.position) - Number(b.position))) this.queue.add(r, nowMs);
      this.queue.observedUpTo = this.projection.foldedThrough;
      this.queueLoaded = true;
    });
    const today = new Date(this.clock()).toISOString().slice(0, 10);
    for (const r of await this.db.query<{ port: string; sent: number }>(`SELECT port, sent FROM ${s}.port_day_sent WHERE day = $1::date`, [today]))
      this.pacer.seedDaily(r.port, Number(r.sent));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    while (this.postsInFlight > 0) await new Promise((r) => setTimeout(r, 5));
    await this.leadership?.release();
    this.leadership = null;
    this.queueLoaded = false;
  }

  /**
   * Requests intake has just stored: waiting at once (no fold, no read back). Must be called in the same turn of the
   * event loop as the append's completion (WaitingQueue's `observedUpTo` rule relies on it).
   */
  enqueueAppended(batch: AppendedBatch): void {
    if (!this.queueLoaded || batch.appended.length === 0) return;
    this.queue.addAppended(batch.appended, batch.lastGlobalPosition, this.clock());
    this.wake();
  }

  /** Messages waiting per lane, from memory while leading; null when this replica does not send. */
  queueDepth(): [number, number, number] | null {
    return this.queueLoaded ? this.queue.depth() : null;
  }

  /** Runs another cycle now, or right after the one in progress (a wake during a cycle is not lost to the idle wait). */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    if (w) w();
    else this.wokenDuringCycle = true;
  }

  private async loop(): Promise<void> {
    while (this.running && !this.crashed) {
      try {
        if (await this.lead()) await this.cycle();
      } catch (err) {
        this.logger.error({ err }, '#error: sendSms dispatcher cycle failed');
        await new Promise((r) => setTimeout(r, 100));
      }
      if (!this.running || this.crashed) break;
      if (this.wokenDuringCycle) {
        this.wokenDuringCycle = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wakeUp = resolve;
        const timer = setTimeout(() => this.wake(), this.idleMs);
        timer.unref();
      });
      this.wokenDuringCycle = false;
    }
  }

  private async cycle(): Promise<void> {
    const now = this.clock();
    if (performance.now() - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = performance.now();
      void pruneOldRows(this.db, this.schema, this.o.auditRetentionDays)
        .then((n) => n > 0 && this.logger.info({ auditRows: n }, 'pruned old gateway audit rows'))
        .catch((err: unknown) => this.logger.warn({ err }, 'pruning old rows failed; next try in an hour'));
    }
    this.storeDepthForStandbys();
    if (this.gateway && this.o.enabled) {
      if (!this.circuit.allows()) return;
      if (this.circuit.state === 'half-open' || now - this.lastRefresh >= this.o.statusRefreshMs || this.pacer.registered.length === 0) {
        if (!(await this.refreshPorts())) return;
      }
      if (now < this.pausedUntil) return;
    }
    while (this.running && !this.crashed && this.postsInFlight < this.o.maxPostsInFlight && this.tasksInFlight < this.o.maxOutstandingTasks) {
      if (this.gateway && this.o.enabled && !this.circuit.allows()) break;
      if (!this.leadership?.held) break;
      const jobs = await this.pick();
      if (jobs === null) break;
      if (jobs.length === 0) continue;
      this.postsInFlight++;
      this.tasksInFlight += jobs.length;
      void this.submit(jobs)
        .catch((err: unknown) => this.logger.error({ err }, '#error: sendSms submission failed'))
        .finally(() => {
          this.postsInFlight--;
          this.tasksInFlight -= jobs.length;
          this.wake();
        });
    }
    if (this.postsInFlight === 0) this.quietCycles++;
  }

  /**
   * Stores the queue's depth per lane for standbys' status (`leader_queue`): at most once a second, and when it did not
   * change only every 30 s (an idle installation rewrites the row only to show the count is current).
   */
  private storeDepthForStandbys(): void {
    const since = performance.now() - this.lastDepthWrite;
    if (since < DEPTH_EVERY_MS) return;
    const depth = this.queue.depth();
    const key = depth.join(' ');
    if (key === this.lastDepth && since < DEPTH_UNCHANGED_EVERY_MS) return;
    this.lastDepthWrite = performance.now();
    this.lastDepth = key;
    void this.db
      .query(
        `INSERT INTO "${this.schema}".leader_queue (instant, normal, bulk, at) VALUES ($1, $2, $3, now())
         ON CONFLICT (one) DO UPDATE SET instant = excluded.instant, normal = excluded.normal, bulk = excluded.bulk, at = excluded.at`,
        depth,
      )
      .catch((err: unknown) => this.logger.warn({ err }, 'storing the queue depth for standbys failed'));
  }

  /** Resolves after two full cycles ended with nothing in flight (tests with an injected clock use it). */
  async settled(timeoutMs = 10_000): Promise<void> {
    const target = this.quietCycles + 2;
    const deadline = Date.now() + timeoutMs;
    while (this.quietCycles < target || this.postsInFlight > 0) {
      if (Date.now() > deadline) throw new Error('dispatcher did not settle');
      this.wake();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Refreshes the registered ports; false when the gateway could not be reached. */
  private async refreshPorts(): Promise<boolean> {
    try {
      const status = await this.gateway!.getStatus();
      this.lastRefresh = this.clock();
      this.portsTotal = status.ports.length;
      this.pacer.setPorts(status.ports.filter((p) => p.st !== null && isPortStateActive(p.st)).map((p) => String(p.port)));
      this.circuit.succeeded();
      return true;
    } catch (err) {
      this.circuit.failed();
      this.logger.warn({ err, circuit: this.circuit.state }, '#error: sendSms gateway status unavailable');
      return false;
    }
  }

  /** Picks up to one batch of jobs in lane order; null when nothing can go now. Suppressions are appended on the way. */
  private async pick(): Promise<Job[] | null> {
    const nowMs = this.clock();
    const now = new Date(nowMs).toISOString();
    const limit = this.o.portPerMinute === null && this.o.simDailyCap === null ? this.o.batchSize + 64 : this.o.batchSize * 4;
    const t0 = performance.now();
    const rows: QueueRow[] = [];
    for (const row of this.queue.waiting(nowMs)) {
      const memo = this.memo.get(row.message_id);
      if (memo && memo.notBeforeMs > nowMs) continue;
      rows.push(row);
      if (rows.length >= limit) break;
    }
    if (rows.length === 0) return null;
    await this.lookUpRecipients(rows);
    this.stats.add('pick', rows.length, performance.now() - t0);
    const jobs: Job[] = [];
    const suppressed: EnvelopeBase[] = [];
    const toResolve: Array<{ row: QueueRow; memo: Memo }> = [];
    const fresh: Array<{ row: QueueRow; port: string; attempt: number }> = [];
    for (const row of rows) {
      if (jobs.length + fresh.length + toResolve.length >= this.o.batchSize) break;
      const memo = this.memo.get(row.message_id) ?? (row.state === 'assigned' ? this.recovered(row) : undefined);
      if (!memo?.maybePosted) {
        const why = this.suppressionOf(row, nowMs);
        if (why) {
          if (!this.queue.take(row)) continue;
          suppressed.push(smsSuppressed(row, now, why[0], why[1]));
          this.memo.delete(row.message_id);
          continue;
        }
      }
      if (!this.gateway || !this.o.enabled) continue;
      if (memo?.next === 'resolve') {
        if (this.queue.take(row)) toResolve.push({ row, memo });
      } else if (memo?.next === 'resend' && (memo.maybePosted || this.pacer.isHealthy(memo.port))) {
        if (!this.pacer.hasCapacity(memo.port) || !this.queue.take(row)) continue;
        this.pacer.take(memo.port);
        jobs.push({ row, tid: memo.tid, port: memo.port, attempt: memo.attempt, maybePosted: memo.maybePosted });
      } else {
        const port = this.pacer.choose(row.sticky_port ?? undefined);
        if (port === null || !this.queue.take(row)) continue;
        this.pacer.take(port);
        fresh.push({ row, port, attempt: (memo?.attempt ?? row.attempt) + 1 });
      }
    }
    if (suppressed.length > 0) await this.finish(suppressed, suppressed.map((e) => (e.data as { messageId: string }).messageId));
    if (toResolve.length > 0) {
      const { sent, resend } = await this.unknownOutcomes!.resolve(toResolve);
      if (sent.length > 0) await this.finish(sent, sent.map((e) => (e.data as { messageId: string }).messageId));
      jobs.push(...resend);
    }
    if (fresh.length > 0) jobs.push(...(await this.stats.time('assign', fresh.length, () => this.assign(fresh, now))));
    if (jobs.length === 0 && suppressed.length === 0 && toResolve.length === 0) return null;
    return jobs.sort((a, b) => a.row.lane - b.row.lane || Number(a.row.position) - Number(b.row.position));
  }

  /** Opt-outs (checked again at send time) and sticky ports of the picked recipients: one round trip. */
  private async lookUpRecipients(rows: QueueRow[]): Promise<void> {
    const s = `"${this.schema}"`;
    const phones = [...new Set(rows.map((r) => r.to_e164))];
    const found = await this.db.query<{ k: 'o' | 'p'; phone: string; port: string | null }>(
      `SELECT 'o' AS k, phone, NULL AS port FROM ${s}.consent WHERE opted_out AND phone = ANY($1)
       UNION ALL SELECT 'p' AS k, phone, port FROM ${s}.recipient_ports WHERE phone = ANY($1)`,
      [phones],
    );
    const optedOut = new Set(found.filter((f) => f.k === 'o').map((f) => f.phone));
    const ports = new Map(found.filter((f) => f.k === 'p').map((f) => [f.phone, f.port]));
    for (const r of rows) {
      r.opted_out = optedOut.has(r.to_e164);
      r.sticky_port = this.recentPorts.get(r.to_e164) ?? ports.get(r.to_e164) ?? null;
    }
  }

  private recovered(row: QueueRow): Memo {
    const m: Memo = { tid: row.tid!, port: row.port!, attempt: row.attempt, maybePosted: true, next: 'resolve', notBeforeMs: 0 };
    this.memo.set(row.message_id, m);
    return m;
  }

  private suppressionOf(row: QueueRow, nowMs: number): ['opted-out' | 'expired' | 'disabled', string] | null {
    if (!this.o.enabled) return ['disabled', 'SMS_ENABLED is not true'];
    if (row.opted_out) return ['opted-out', 'the recipient opted out while the text waited'];
    if (row.expires_at && row.expires_at.getTime() <= nowMs) return ['expired', 'expiresAt passed while the text waited'];
    return null;
  }

  /**
   * Tids drawn from the sequence ahead, so a single instant text does not wait for a round trip: a drawn value is
   * never drawn again (until the 2³¹ cycle), and values lost with the process are merely skipped. Drawn in blocks
   * of {@link TID_BLOCK}: a round trip per POST of 1,000 tasks was a quarter of the dispatcher's queries in a drain.
   */
  private async takeTids(n: number): Promise<number[]> {
    if (this.tidPool.length < n) {
      const rows = await this.db.query<{ tid: string }>(`SELECT nextval('"${this.schema}".tid_seq') AS tid FROM generate_series(1, $1)`, [Math.max(n - this.tidPool.length, TID_BLOCK)]);
      this.tidPool.push(...rows.map((r) => Number(r.tid)));
    }
    return this.tidPool.splice(0, n);
  }

  /** New tids, recorded with their port in the store before any POST carries them. */
  private async assign(fresh: Array<{ row: QueueRow; port: string; attempt: number }>, now: string): Promise<Job[]> {
    const tids = await this.takeTids(fresh.length);
    const jobs = fresh.map((f, i) => ({ row: f.row, tid: tids[i]!, port: f.port, attempt: f.attempt, maybePosted: false }));
    try {
      const r = await appendNew(this.store, 'sms-dispatch', [tasksAssigned(jobs, now)]);
      // Its id is already stored (tids cycled onto an old batch): these tids are not recorded, so none may be POSTed.
      if (r.appended.length === 0) throw new Error('task assignment not recorded: its id is already stored');
    } catch (err) {
      for (const j of jobs) {
        this.pacer.refund(j.port);
        this.queue.putBack(j.row.message_id);
      }
      throw err;
    }
    for (const j of jobs) this.memo.set(j.row.message_id, { tid: j.tid, port: j.port, attempt: j.attempt, maybePosted: false, next: 'resend', notBeforeMs: 0 });
    return jobs;
  }

  /**
   * Receipts saw a status report for this message's task (already stored as SmsTaskReported): resolve it now rather
   * than at the end of its grace period. Other replicas' reports are found when the grace ends.
   */
  reported(messageId: string): void {
    const memo = this.memo.get(messageId);
    if (!memo || memo.next !== 'resolve') return;
    memo.notBeforeMs = 0;
    this.wake();
  }

  private async submit(jobs: Job[]): Promise<void> {
    const tasks: SmsTask[] = jobs.map((j) => ({
      tid: j.tid,
      to: gatewayNumber(j.row.to_e164),
      sms: j.row.body ?? '',
      from: j.port,
      coding: j.row.encoding === 'UCS-2' ? 1 : 0,
      sdr: true,
      fdr: true,
      dr: true,
    }));
    const campaign = jobs.some((j) => j.row.purpose === 'campaign');
    this.logger.info({ tasks: tasks.length, ports: [...new Set(jobs.map((j) => j.port))] }, 'smsSending');
    let results: TaskSubmitResult[] | null = null;
    let failure: SkylineError | null = null;
    for (const j of jobs) this.memo.get(j.row.message_id)!.maybePosted = true;
    try {
      results = await this.stats.time('post', tasks.length, () => this.gateway!.sendSms(tasks));
      this.circuit.succeeded();
    } catch (err) {
      if (!(err instanceof SkylineError)) throw err;
      failure = err;
      if (err.failure.kind !== 'gateway-refused') this.circuit.failed();
      this.logger.error({ err, tasks: tasks.length }, campaign ? '#error: sendCampaign' : '#error: sendSms');
    }
    if (this.hooks.crashAfterPost?.()) {
      this.crashed = true;
      this.running = false;
      return;
    }
    const nowMs = this.clock();
    const { outcomes, finished, pauseUntil } = settle(jobs, results, failure, nowMs, { memo: this.memo, pacer: this.pacer, queue: this.queue, o: this.o, logger: this.logger });
    if (pauseUntil !== null) this.pausedUntil = pauseUntil;
    if (results && outcomes.some((e) => e.type === 'SmsSent')) this.lastSuccessfulSendAt = new Date(nowMs).toISOString();
    if (outcomes.length > 0) await this.finish(outcomes, finished);
  }

  /** Appends final outcomes; the messages leave the queue once they are stored. */
  private async finish(events: EnvelopeBase[], messageIds: string[]): Promise<void> {
    let r: AppendedBatch;
    try {
      r = await this.stats.time('outcome-append', events.length, () => appendNew(this.store, 'sms-dispatch', events));
    } catch (err) {
      // Not recorded: resolve them from the gateway again (same tid) rather than guess.
      this.logger.error({ err }, '#error: sendSms outcome not recorded');
      for (const id of messageIds) {
        const m = this.memo.get(id);
        if (m) Object.assign(m, { next: 'resolve', maybePosted: true });
        this.queue.putBack(id);
      }
      return;
    }
    // An outcome stored before by someone else (a repeat) has an earlier, unknown position: known until the next takeover.
    const position = r.appended.length > 0 ? r.lastGlobalPosition : Number.MAX_SAFE_INTEGER;
    for (const id of messageIds) {
      this.memo.delete(id);
      this.queue.finish(id, position);
    }
    if (this.recentPorts.size > 100_000) this.recentPorts.clear();
    for (const e of r.appended) {
      this.stored[e.type] = (this.stored[e.type] ?? 0) + 1;
      if (e.type === 'SmsSent') this.recentPorts.set((e.data as { to: string }).to, (e.data as { port: string }).port);
    }
  }
}
