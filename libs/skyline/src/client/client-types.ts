import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { RefusalName } from '../codes';

/** Construction options of {@link SkylineClient}. */
export interface SkylineClientOptions {
  /** `http://host:port` of the gateway, optionally with a path prefix (e.g. behind a reverse proxy). */
  baseUrl: string;
  username: string;
  password: string;
  /** Sockets kept open to the gateway (default 4). */
  connections?: number;
  /** Idle keep-alive of a socket in ms (default 4000; the server's `keep-alive` hint wins when shorter). */
  keepAliveTimeoutMs?: number;
  /** TCP connect timeout in ms (default 5000). */
  connectTimeoutMs?: number;
  /** Default overall deadline per call in ms (default 20000). */
  timeoutMs?: number;
  /** Default headersTimeout in ms (default 15000). */
  headersTimeoutMs?: number;
  /** Default bodyTimeout in ms (default 15000). */
  bodyTimeoutMs?: number;
  /** Report settings put on every send-sms unless the call overrides them. */
  reports?: ReportSettings;
  /** Use this dispatcher instead of an own Pool (it is then not closed by `close()`). */
  dispatcher?: Dispatcher;
  logger?: Logger;
}

/** Top-level report settings of a send-sms request. */
export interface ReportSettings {
  /** URL the gateway POSTs status reports to. */
  srUrl?: string;
  /** Flush the report cache after this many results (vendor default 100). */
  srCnt?: number;
  /** Flush the report cache after this many seconds (vendor default 30). */
  srPrd?: number;
  /** URL the gateway POSTs inbound SMS and delivery reports to. */
  smsUrl?: string;
  /** Inbound cache size; > 1 turns on buffered pushes. */
  smsCnt?: number;
  /** Inbound cache max age in seconds. */
  smsPrd?: number;
}

/** Per-call timeouts and cancellation; each defaults to the client's setting. */
export interface CallOptions {
  timeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  signal?: AbortSignal;
}

/** One SMS task. One recipient per task is what dispatch uses; a list makes a group send. */
export interface SmsTask {
  /** Caller-chosen task id, 1 … 2^31−1, unique on the device while the task is live. */
  tid: number;
  /** Recipient(s), digits without `+` work best. */
  to: string | string[];
  /** Message text (UTF-8). */
  sms: string;
  /** Sending port(s): `"3"`, `"3.01"`, `"3A"`, `"1-4,6"`; absent = the device picks. */
  from?: string | number;
  /** 0 device decides, 1 UCS-2, 2 GSM 7-bit. */
  coding?: 0 | 1 | 2;
  /** Report per-recipient successes (sdr rows). Vendor default false. */
  sdr?: boolean;
  /** Report per-recipient failures (fdr rows). Vendor default true. */
  fdr?: boolean;
  /** Ask for a network delivery report. Vendor default false. */
  dr?: boolean;
  /** Seconds to wait for the module's send result (vendor default 30). */
  tmo?: number;
  /** ms between two SMS of this task. */
  intvl?: number;
  /** Per-task report count / period (vendor defaults 10 / 60 s). */
  srCnt?: number;
  srPrd?: number;
  smsc?: string;
}

/** Outcome of one task in a send-sms reply. */
export type TaskSubmitResult =
  | { tid: number; status: 'accepted' }
  | { tid: number; status: 'refused'; code: number; refusal: RefusalName; text: string }
  /** The reply did not mention this tid: treat like an unknown outcome. */
  | { tid: number; status: 'missing' };

/** Per-tid result of pause / resume / remove. */
export interface TidResult {
  tid: number;
  ok: boolean;
  code: number;
  text: string;
}

/** Reply of pause / resume / remove. `results` is null when the call named no tids (applies to all). */
export interface TidOperationResult {
  code: number;
  reason: string;
  results: TidResult[] | null;
}

/** A queued task as listed by goip_get_tasks. */
export interface QueuedTask {
  tid: number;
  /** `paused` when the vendor state is 1. */
  state: 'queued' | 'paused';
  stateCode: number;
  from: string;
  to: string;
  chs?: string;
  coding?: number;
  sms?: string;
}

/** A page of goip_get_tasks. */
export interface QueuedTasksPage {
  totalNum: number;
  taskNum: number;
  tasks: QueuedTask[];
}

/** Paging position in the gateway's inbound SMS list. */
export interface InboundCursor {
  ssrc: string;
  nextId: number;
}

/** A device command for goip_send_cmd (`type:"command"` is added). */
export type GatewayCommand =
  | { op: 'lock' | 'unlock' | 'switch' | 'reset' | 'save' | 'reboot' | 'ledon' | 'ledoff'; ports?: string }
  | { op: 'redial'; ports?: string; mode?: 0 | 1; delay?: number }
  | { op: 'multiple'; ops: Array<{ op: string; ports?: string }> }
  | { op: string; [field: string]: unknown };
