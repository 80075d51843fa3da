import type { EnvelopeBase } from '@dailydesk/contracts';
import type { Database, EventStore, Leadership } from '@dailydesk/event-store';
import { parsePortId, SkylineError, isPortStateActive, mayHaveTakenEffect, type SmsTask, type TaskSubmitResult } from '@dailydesk/skyline';
import type { Logger } from 'pino';
import type { DispatchConfig } from '../config';
import type { AuditedGateway } from '../gateway/audited-gateway';
import { gatewayNumber } from '../intake/phone-number';
import { CircuitBreaker } from './circuit-breaker';
import { smsFailed, smsSent, smsSuppressed, tasksAssigned, type QueueRow } from './outcome-events';
import type { PortPacer, Clock } from './port-pacer';
import type { QueueProjection } from './queue.projection';
import { actionFor, retryDelayMs } from './refusal-policy';
import { StageStats } from './stage-stats';
import type { SmsTaskReportedData } from '../intake/intake.events';
import { appendNew, reportStreamOf } from './store-writes';

/** What the dispatcher remembers about a message it has assigned (lost on restart: then every assignment is resolved). */
interface Memo {
  tid: number;
  port: string;
  attempt: number;
  /** A POST carrying this tid may have reached the gateway. */
  maybePosted: boolean;
  next: 'resend' | 'reassign' | 'resolve';
  notBeforeMs: number;
  /** When resolving this unknown outcome began (the grace for a status report counts from here). */
  unknownSinceMs?: number;
}

interface Job {
  row: QueueRow;
  tid: number;
  port: string;
  attempt: number;
  maybePosted: boolean;
}

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
  /** Messages in a POST (Infinity) or finished at a position the projection has not applied yet. */
  private readonly busy = new Map<string, number>();
  private running = false;
  private crashed = false;
  private wakeUp: (() => void) | null = null;
  private wokenDuringCycle = false;
  private postsInFlight = 0;
  private tasksInFlight = 0;
  private pausedUntil = 0;
  private lastRefresh = -Infinity;
  readonly circuit: CircuitBreaker;
  lastSuccessfulSendAt: string | null = null;
  portsTotal = 0;
  private loopDone: Promise<void> = Promise.resolve();
  private quietCycles = 0;
  /** Picks started so far; a message released from `busy` during pick n may still look waiting in pick n's rows. */
  private pickEpoch = 0;
  private readonly released = new Map<string, number>();
  private leadership: Leadership | null = null;
  private readonly tidPool: number[] = [];
  private finishedSinceVacuum = 0;
  private vacuuming = false;
  private lastLeadershipAttempt = -Infinity;

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
    projection.onApplied((position) => {
      for (const [id, p] of this.busy) {
        if (p > position) continue;
        this.busy.delete(id);
        this.released.set(id, this.pickEpoch);
      }
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
    }
    if (this.postsInFlight > 0 || performance.now() - this.lastLeadershipAttempt < this.leadershipCheckMs) return false;
    this.lastLeadershipAttempt = performance.now();
    const leadership = await this.store.tryAcquireLeadership('dispatcher');
    if (!leadership) return false;
    try {
      await this.takeOver();
    } catch (err) {
      await leadership.release();
      throw err;
    }
    this.leadership = leadership;
    this.logger.info('sms dispatcher leading');
    return true;
  }

  private async takeOver(): Promise<void> {
    this.memo.clear();
    this.busy.clear();
    this.released.clear();
    await this.projection.caughtUp();
    const s = `"${this.schema}"`;
    const today = new Date(this.clock()).toISOString().slice(0, 10);
    for (const r of await this.db.query<{ port: string; n: string }>(
      `SELECT port, count(*) AS n FROM ${s}.messages WHERE state = 'sent' AND sent_at >= $1::date AND sent_at < $1::date + 1 GROUP BY port`,
      [today],
    ))
      this.pacer.seedDaily(r.port, Number(r.n));
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    while (this.postsInFlight > 0) await new Promise((r) => setTimeout(r, 5));
    await this.leadership?.release();
    this.leadership = null;
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
    const s = `"${this.schema}"`;
    const epoch = ++this.pickEpoch;
    for (const [id, e] of this.released) if (e < epoch - 1) this.released.delete(id);
    const t0 = performance.now();
    const rows = await this.db.query<QueueRow>(
      `SELECT m.*, c.opted_out, rp.port AS sticky_port FROM ${s}.messages m
         LEFT JOIN ${s}.consent c ON c.phone = m.to_e164 LEFT JOIN ${s}.recipient_ports rp ON rp.phone = m.to_e164
       WHERE m.state IN ('queued', 'assigned') AND (m.not_before IS NULL OR m.not_before <= $1) AND m.message_id <> ALL($3::text[])
       ORDER BY m.lane, m.position LIMIT $2`,
      [now, this.o.portPerMinute === null && this.o.simDailyCap === null ? this.o.batchSize + 64 : this.o.batchSize * 4, this.skippable(nowMs)],
    );
    this.stats.add('pick-query', rows.length, performance.now() - t0);
    const jobs: Job[] = [];
    const suppressed: EnvelopeBase[] = [];
    const toResolve: Array<{ row: QueueRow; memo: Memo }> = [];
    const fresh: Array<{ row: QueueRow; port: string; attempt: number }> = [];
    for (const row of rows) {
      if (jobs.length + fresh.length + toResolve.length >= this.o.batchSize) break;
      if (this.busy.has(row.message_id) || (this.released.get(row.message_id) ?? -1) >= epoch - 1) continue;
      const memo = this.memo.get(row.message_id) ?? (row.state === 'assigned' ? this.recovered(row) : undefined);
      if (!memo?.maybePosted) {
        const why = this.suppressionOf(row, nowMs);
        if (why) {
          suppressed.push(smsSuppressed(row, now, why[0], why[1]));
          this.memo.delete(row.message_id);
          continue;
        }
      }
      if (!this.gateway || !this.o.enabled) continue;
      if (memo && memo.notBeforeMs > nowMs) continue;
      if (memo?.next === 'resolve') {
        toResolve.push({ row, memo });
      } else if (memo?.next === 'resend' && (memo.maybePosted || this.pacer.isHealthy(memo.port))) {
        if (!this.pacer.hasCapacity(memo.port)) continue;
        this.pacer.take(memo.port);
        jobs.push({ row, tid: memo.tid, port: memo.port, attempt: memo.attempt, maybePosted: memo.maybePosted });
      } else {
        const port = this.pacer.choose(row.sticky_port ?? undefined);
        if (port === null) continue;
        this.pacer.take(port);
        fresh.push({ row, port, attempt: (memo?.attempt ?? row.attempt) + 1 });
      }
    }
    for (const e of suppressed) this.busy.set(String((e.data as { messageId: string }).messageId), Infinity);
    if (suppressed.length > 0) await this.finish(suppressed, suppressed.map((e) => (e.data as { messageId: string }).messageId));
    for (const j of [...jobs, ...fresh.map((f) => f), ...toResolve]) this.busy.set(j.row.message_id, Infinity);
    if (toResolve.length > 0) jobs.push(...(await this.resolve(toResolve)));
    if (fresh.length > 0) jobs.push(...(await this.stats.time('assign', fresh.length, () => this.assign(fresh, now))));
    if (jobs.length === 0 && suppressed.length === 0 && toResolve.length === 0) return null;
    return jobs.sort((a, b) => a.row.lane - b.row.lane || Number(a.row.position) - Number(b.row.position));
  }

  /** Messages a pick would pass over anyway (in a POST, finishing, backing off): left out in SQL rather than read and dropped. */
  private skippable(nowMs: number): string[] {
    const ids = [...this.busy.keys()];
    for (const [id, m] of this.memo) if (m.notBeforeMs > nowMs && !this.busy.has(id)) ids.push(id);
    return ids;
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
   * never drawn again (until the 2³¹ cycle), and values lost with the process are merely skipped.
   */
  private async takeTids(n: number): Promise<number[]> {
    if (this.tidPool.length < n) {
      const rows = await this.db.query<{ tid: string }>(`SELECT nextval('"${this.schema}".tid_seq') AS tid FROM generate_series(1, $1)`, [Math.max(n - this.tidPool.length, 256)]);
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
      // Not awaited: the POST need not wait for the queue row to say 'assigned' (busy covers it; states never move back).
      void this.projection.applyAppended(r.appended, r.lastGlobalPosition).catch((err: unknown) => this.logger.warn({ err }, 'assignments not folded at once; the queue subscription will'));
    } catch (err) {
      for (const j of jobs) {
        this.pacer.refund(j.port);
        this.busy.delete(j.row.message_id);
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

  /**
   * Unknown outcome: a tid the gateway lists in its queue (goip_get_tasks) is accepted → SmsSent. A tid it does not
   * list may be finished and forgotten: a status report for it (SmsTaskReported) proves the gateway had it → SmsSent.
   * Neither within `reportGraceMs` → resent with the SAME tid and port: `13 Duplicated TaskId` means it has it, `0 OK`
   * that it had not.
   */
  private async resolve(items: Array<{ row: QueueRow; memo: Memo }>): Promise<Job[]> {
    const now = new Date(this.clock()).toISOString();
    const byPort = new Map<string, Array<{ row: QueueRow; memo: Memo }>>();
    for (const it of items) byPort.set(it.memo.port, [...(byPort.get(it.memo.port) ?? []), it]);
    const sent: EnvelopeBase[] = [];
    const resend: Job[] = [];
    for (const [port, group] of byPort) {
      let listed: Set<number>;
      try {
        listed = await this.queuedTids(parsePortId(port)?.port ?? Number.parseInt(port, 10));
      } catch (err) {
        this.circuit.failed();
        this.logger.warn({ err, port }, '#error: sendSms cannot resolve unknown outcomes yet');
        for (const it of group) {
          it.memo.notBeforeMs = this.clock() + retryDelayMs(1, this.o.retryBaseMs);
          this.busy.delete(it.row.message_id);
        }
        continue;
      }
      for (const { row, memo } of group) {
        if (listed.has(memo.tid) || (await this.wasReported(row.message_id, memo.tid))) {
          sent.push(smsSent(row, memo.tid, memo.port, now));
          continue;
        }
        const nowMs = this.clock();
        memo.unknownSinceMs ??= nowMs;
        const graceEnd = memo.unknownSinceMs + this.o.reportGraceMs;
        if (nowMs < graceEnd) {
          memo.notBeforeMs = graceEnd;
          this.busy.delete(row.message_id);
          continue;
        }
        memo.unknownSinceMs = undefined;
        resend.push({ row, tid: memo.tid, port: memo.port, attempt: memo.attempt, maybePosted: true });
      }
    }
    if (sent.length > 0) await this.finish(sent, sent.map((e) => (e.data as { messageId: string }).messageId));
    return resend;
  }

  private async wasReported(messageId: string, tid: number): Promise<boolean> {
    const { events } = await this.store.readStream(reportStreamOf(messageId));
    return events.some((r) => (r.event.data as SmsTaskReportedData).tid === tid);
  }

  private async queuedTids(port: number): Promise<Set<number>> {
    const tids = new Set<number>();
    for (let pos = 0; ; ) {
      const page = await this.gateway!.getTasks(port, pos, 500);
      for (const t of page.tasks) tids.add(t.tid);
      pos += page.tasks.length;
      if (page.tasks.length === 0 || pos >= page.totalNum) return tids;
    }
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
    await this.settle(jobs, results, failure);
  }

  private async settle(jobs: Job[], results: TaskSubmitResult[] | null, failure: SkylineError | null): Promise<void> {
    const nowMs = this.clock();
    const now = new Date(nowMs).toISOString();
    const outcomes: EnvelopeBase[] = [];
    const finished: string[] = [];
    jobs.forEach((j, i) => {
      const memo = this.memo.get(j.row.message_id)!;
      const f = failure?.failure;
      const result: TaskSubmitResult | null = results
        ? (results[i] ?? { tid: j.tid, status: 'missing' })
        : f?.kind === 'gateway-refused'
          ? { tid: j.tid, status: 'refused', code: f.code, refusal: 'unknown-code', text: f.reason }
          : null;
      if (result === null) {
        // Transport failure: not-sent (or a 4xx) never reached the gateway; anything else may have.
        if (!mayHaveTakenEffect(f!)) Object.assign(memo, { maybePosted: j.maybePosted, next: 'resend' });
        else memo.next = 'resolve';
        memo.notBeforeMs = nowMs + retryDelayMs(1, this.o.retryBaseMs);
        this.pacer.refund(j.port);
        this.busy.delete(j.row.message_id);
        return;
      }
      const action = actionFor(result, j.maybePosted);
      if (action.kind === 'sent') {
        outcomes.push(smsSent(j.row, j.tid, j.port, now));
        finished.push(j.row.message_id);
        return;
      }
      this.pacer.refund(j.port);
      if (action.kind === 'resolve') {
        memo.next = 'resolve';
        this.busy.delete(j.row.message_id);
        return;
      }
      if (action.kind === 'reject' || j.attempt >= this.o.maxAttempts) {
        const rejected = action.kind === 'reject';
        outcomes.push(smsFailed(j.row, now, { reason: rejected ? 'gateway-rejected' : 'retries-exhausted', vendorCode: action.code, detail: `gateway answered ${action.code}`, attempts: j.attempt }));
        finished.push(j.row.message_id);
        this.logger.error({ messageId: j.row.message_id, code: action.code }, j.row.purpose === 'campaign' ? '#error: sendCampaign' : '#error: sendSms');
        return;
      }
      if (action.kind === 'reassign' && action.portProblem) this.pacer.markUnhealthy(j.port);
      if (action.kind === 'retry-same' && action.slowDown) this.pausedUntil = nowMs + retryDelayMs(j.attempt, this.o.retryBaseMs);
      Object.assign(memo, {
        next: action.kind === 'reassign' ? 'reassign' : 'resend',
        maybePosted: j.maybePosted,
        attempt: action.kind === 'retry-same' ? j.attempt + 1 : j.attempt,
        notBeforeMs: action.kind === 'reassign' ? 0 : nowMs + retryDelayMs(j.attempt, this.o.retryBaseMs),
      });
      this.busy.delete(j.row.message_id);
    });
    if (results && outcomes.some((e) => e.type === 'SmsSent')) this.lastSuccessfulSendAt = now;
    if (outcomes.length > 0) await this.finish(outcomes, finished);
  }

  /**
   * The queue table churns (each text enters and leaves the pick's partial index); until a vacuum every pick walks
   * the dead entries, and autovacuum's minute-scale naptime is too slow for a burst. Vacuumed every 10,000 outcomes.
   */
  private vacuumSoon(finished: number): void {
    this.finishedSinceVacuum += finished;
    if (this.finishedSinceVacuum < 10_000 || this.vacuuming) return;
    this.finishedSinceVacuum = 0;
    this.vacuuming = true;
    void this.db
      .exec(`VACUUM (ANALYZE) "${this.schema}".messages`)
      .catch((err: unknown) => this.logger.warn({ err }, 'queue vacuum failed'))
      .finally(() => (this.vacuuming = false));
  }

  /** Appends final outcomes; the messages stay busy until the projection has applied them. */
  private async finish(events: EnvelopeBase[], messageIds: string[]): Promise<void> {
    try {
      const r = await this.stats.time('outcome-append', events.length, () => appendNew(this.store, 'sms-dispatch', events));
      for (const id of messageIds) {
        this.memo.delete(id);
        this.busy.set(id, r.lastGlobalPosition || 0);
      }
      this.vacuumSoon(messageIds.length);
      // Folded at once (idempotent, as the subscription would), so the rows leave the queue now, not after its lag.
      const folded = await this.projection.applyAppended(r.appended, r.lastGlobalPosition).then(
        () => true,
        (err: unknown) => (this.logger.warn({ err }, 'outcomes not folded at once; the queue subscription will'), false),
      );
      // An outcome that was already stored (a repeat) was not folded here: it stays busy until the subscription passes.
      const mine = new Set(r.appended.map((e) => (e.data as { messageId: string }).messageId));
      const caughtUp = r.lastGlobalPosition <= this.projection.position;
      for (const id of messageIds) {
        if (!caughtUp && !(folded && mine.has(id))) continue;
        this.busy.delete(id);
        this.released.set(id, this.pickEpoch);
      }
    } catch (err) {
      // Not recorded: resolve them from the gateway again (same tid) rather than guess.
      this.logger.error({ err }, '#error: sendSms outcome not recorded');
      for (const id of messageIds) {
        const m = this.memo.get(id);
        if (m) Object.assign(m, { next: 'resolve', maybePosted: true });
        this.busy.delete(id);
      }
    }
  }
}
