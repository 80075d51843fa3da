import type { Logger } from 'pino';

/** How the simulator answers bad credentials (undocumented on real devices, so every plausible form). */
export type BadAuthMode = 'task-status' | 'json' | 'http-401' | 'html-login';

/** What a fault does to one request. `process`: whether the gateway acts on the request before misbehaving. */
export type RequestFault =
  /** post_sms: refuse the named tids (all when absent) with this vendor code; other endpoints: `{code, reason}`. */
  | { kind: 'refuse'; code: number; tids?: number[] }
  /** Answer with this HTTP status (default body: a short text). `process` default false. */
  | { kind: 'http-status'; status: number; body?: string; process?: boolean }
  /** Never answer; the socket stays open until the client gives up. `process` default true. */
  | { kind: 'hang'; process?: boolean }
  /** Read the request, then destroy the connection without a response. `process` default true. */
  | { kind: 'drop'; process?: boolean }
  /** Answer normally after `delayMs` real milliseconds. */
  | { kind: 'slow'; delayMs: number }
  /** Answer 200 with this body (not the expected JSON). `process` default false. */
  | { kind: 'bad-body'; body: string; contentType?: string; process?: boolean };

/** A fault applied to the next `times` requests (default: every request) of `endpoint` (default: any). */
export interface FaultRule {
  fault: RequestFault;
  /** e.g. `goip_post_sms.html`. */
  endpoint?: string;
  times?: number;
}

/** Misbehaviour of the callbacks the simulator POSTs. Rates are probabilities drawn from the seeded PRNG. */
export interface CallbackFaults {
  /** A status-report POST is sent twice. */
  duplicateRate?: number;
  /** A status-report POST is held back and sent after the next one (entries inside also shuffled). */
  reorderRate?: number;
  /** A status-report POST is never sent (recorded with `fault: 'lost'`). */
  lossRate?: number;
  /** Extra virtual delay before every status-report POST. */
  delayMs?: number;
  /** Delivery reports are posted at send time, before the status report that announces the send. */
  dlrBeforeStatusReport?: boolean;
}

/** Firmware variations of `recv-sms` rows the simulator can produce. */
export interface RecvSmsVariant {
  /** base64 text carries a `Sender:/Receiver:/SMSC:/SCTS:` header block. */
  headerBlock?: boolean;
  /** 9-element rows with iccid / imsi / extra. */
  nineElementRows?: boolean;
  /** Top-level `"sim_src":1`. */
  simSrc?: boolean;
}

/** Per-port setup. */
export interface PortSetup {
  /** State of each slot's SIM (`st`), default 3 (registered). */
  st?: number;
  /** Virtual ms to send one SMS on this port. */
  sendTimeMs?: number;
}

/** Options of {@link startSimulator}. Every field is optional. */
export interface SimulatorOptions {
  /** TCP port to listen on (0 = any free port; default 0). */
  port?: number;
  host?: string;
  /** Seed of every random choice (default 1). */
  seed?: number;
  /** Number of GSM ports (default 8). */
  ports?: number;
  /** SIM slots per port (default 1). */
  slots?: number;
  username?: string;
  password?: string;
  /** Real ms per virtual ms (default 1; 0.001 runs a 30 s report period in 30 ms). */
  timeScale?: number;
  /** Virtual time at start, epoch ms (default: now). Fix it for reproducible timestamps. */
  startEpochMs?: number;
  /** Default virtual ms to send one SMS (default 0: no timers at all on the send path). */
  sendTimeMs?: number;
  /** Per-port overrides, keyed by port number. */
  portSetup?: Record<number, PortSetup>;
  /** Probability that a send fails (fdr row). Default 0. */
  failureRate?: number;
  /** Recipients whose SMS always fail to send. */
  failNumbers?: string[];
  /** Probability that a sent SMS gets an undelivered delivery report. Default 0. */
  undeliveredRate?: number;
  /** Virtual ms from send to delivery report (default 2000). */
  dlrDelayMs?: number;
  /** SMS per SIM per day; sends beyond it fail. Default unlimited. */
  dailyCap?: number | null;
  /** Live (unfinished) tasks the device holds; more get `16 Too Many Task`. Default unlimited. */
  queueLimit?: number | null;
  /** Which tids get `13 Duplicated TaskId`: still live (default), ever seen since boot, or never. */
  duplicateTid?: 'live' | 'forever' | 'none';
  badAuth?: BadAuthMode;
  /** Several ports + several recipients: every port sends to every recipient (vendor wording) or spread. */
  multiPortRouting?: 'every' | 'distribute';
  /** Send a final report entry when a task completes even if sr_cnt was not reached (default true). */
  finalReport?: boolean;
  /** Status-report URL used when a send-sms gives none. */
  srUrl?: string;
  /** recv-sms URL used when none was configured. */
  smsUrl?: string;
  recvSmsVariant?: RecvSmsVariant;
  callbackFaults?: CallbackFaults;
  faults?: FaultRule[];
  /** Most requests / callbacks kept for read-back (default 100000 each; oldest dropped). */
  recordLimit?: number;
  logger?: Logger;
}

export type ResolvedOptions = Required<Omit<SimulatorOptions, 'srUrl' | 'smsUrl' | 'logger' | 'startEpochMs'>> &
  Pick<SimulatorOptions, 'srUrl' | 'smsUrl' | 'logger'> & { startEpochMs: number };

export function resolveOptions(o: SimulatorOptions): ResolvedOptions {
  return {
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    seed: o.seed ?? 1,
    ports: o.ports ?? 8,
    slots: o.slots ?? 1,
    username: o.username ?? 'root',
    password: o.password ?? 'root',
    timeScale: o.timeScale ?? 1,
    startEpochMs: o.startEpochMs ?? Date.now(),
    sendTimeMs: o.sendTimeMs ?? 0,
    portSetup: o.portSetup ?? {},
    failureRate: o.failureRate ?? 0,
    failNumbers: o.failNumbers ?? [],
    undeliveredRate: o.undeliveredRate ?? 0,
    dlrDelayMs: o.dlrDelayMs ?? 2000,
    dailyCap: o.dailyCap ?? null,
    queueLimit: o.queueLimit ?? null,
    duplicateTid: o.duplicateTid ?? 'live',
    badAuth: o.badAuth ?? 'task-status',
    multiPortRouting: o.multiPortRouting ?? 'every',
    finalReport: o.finalReport ?? true,
    recvSmsVariant: o.recvSmsVariant ?? {},
    callbackFaults: o.callbackFaults ?? {},
    faults: o.faults ?? [],
    recordLimit: o.recordLimit ?? 100_000,
    srUrl: o.srUrl,
    smsUrl: o.smsUrl,
    logger: o.logger,
  };
}
