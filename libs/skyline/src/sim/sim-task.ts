import type { PortId } from '../port-id';
import { keyedRandom } from './prng';
import { canSend, type SimPort } from './sim-device';
import type { ResolvedOptions } from './sim-options';

/** A task the simulated device accepted. Counters are what status reports carry. */
export interface SimTask {
  tid: number;
  order: number;
  recipients: string[];
  from: string;
  sms: string;
  chs: string;
  coding: number;
  sdr: boolean;
  fdr: boolean;
  dr: boolean;
  srCnt: number;
  srPrd: number;
  tmoSeconds: number;
  srUrl: string | undefined;
  smsUrl: string | undefined;
  total: number;
  sending: number;
  sent: number;
  failed: number;
  unsent: number;
  paused: boolean;
  removed: boolean;
  done: boolean;
  /** Jobs taken off a port queue while the task was paused. */
  held: Job[];
  pendingSdr: unknown[][];
  pendingFdr: unknown[][];
  /** Messages finished since the last report entry. */
  sinceLast: number;
  lastEntryAt: number;
}

/** One SMS: a recipient of a task on one port / slot. */
export interface Job {
  task: SimTask;
  /** Position of the recipient in the task's `to` list. */
  index: number;
  number: string;
  port: number;
  slot: number;
}

function int(v: unknown, fallback: number): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : fallback;
}

function flag(v: unknown, fallback: boolean): boolean {
  if (v === undefined || v === null || v === '') return fallback;
  return int(v, fallback ? 1 : 0) === 1;
}

/** Reads a wire task with the vendor defaults (sdr 0, fdr 1, dr 0, sr_cnt 10, sr_prd 60, tmo 30). */
export function createTask(
  tid: number,
  raw: Record<string, unknown>,
  recipients: string[],
  top: { srUrl?: string; smsUrl?: string },
  order: number,
): SimTask {
  const srCnt = int(raw['sr_cnt'], 10);
  return {
    tid,
    order,
    recipients,
    from: raw['from'] === undefined ? '' : String(raw['from']),
    sms: String(raw['sms']),
    chs: typeof raw['chs'] === 'string' ? raw['chs'] : 'utf8',
    coding: int(raw['coding'], 0),
    sdr: flag(raw['sdr'], false),
    fdr: flag(raw['fdr'], true),
    dr: flag(raw['dr'], false),
    srCnt: srCnt < 1 ? 10 : srCnt,
    srPrd: Math.max(0, int(raw['sr_prd'], 60)),
    tmoSeconds: Math.max(1, int(raw['tmo'], 30)),
    srUrl: top.srUrl,
    smsUrl: top.smsUrl,
    total: 0,
    sending: 0,
    sent: 0,
    failed: 0,
    unsent: 0,
    paused: false,
    removed: false,
    done: false,
    held: [],
    pendingSdr: [],
    pendingFdr: [],
    sinceLast: 0,
    lastEntryAt: 0,
  };
}

/**
 * Expands a task into jobs per the vendor's routing tips: no `from` → a seeded-random sending port per recipient;
 * one port → all recipients; several ports → every port × every recipient (`every`) or spread (`distribute`).
 */
export function expandJobs(task: SimTask, from: PortId[] | null, ports: SimPort[], o: ResolvedOptions): Job[] {
  const jobs: Job[] = [];
  const slotFor = (id: PortId) => id.slot ?? ports[id.port - 1]!.active;
  if (from === null) {
    const usable = ports.filter(canSend);
    task.recipients.forEach((number, index) => {
      const p = usable[Math.floor(keyedRandom(o.seed, 'port', task.tid, index) * usable.length)]!;
      jobs.push({ task, index, number, port: p.port, slot: p.active });
    });
  } else if (from.length === 1 || o.multiPortRouting === 'distribute') {
    task.recipients.forEach((number, index) => {
      const id = from[index % from.length]!;
      jobs.push({ task, index, number, port: id.port, slot: slotFor(id) });
    });
  } else {
    for (const id of from) {
      task.recipients.forEach((number, index) => jobs.push({ task, index, number, port: id.port, slot: slotFor(id) }));
    }
  }
  return jobs;
}
