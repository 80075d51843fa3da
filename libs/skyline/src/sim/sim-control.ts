import { formatPortId } from '../port-id';
import type { InboundSms } from './sim-inbox';
import type { CallbackFaults, FaultRule, ResolvedOptions } from './sim-options';
import type { CallbackRecord, RequestRecord } from './sim-records';
import type { SimState } from './sim-state';

/** Device settings that can be changed while running. */
export type SimConfigPatch = Partial<
  Pick<
    ResolvedOptions,
    | 'failureRate'
    | 'failNumbers'
    | 'undeliveredRate'
    | 'dlrDelayMs'
    | 'dailyCap'
    | 'queueLimit'
    | 'duplicateTid'
    | 'badAuth'
    | 'multiPortRouting'
    | 'finalReport'
    | 'recvSmsVariant'
  >
>;

/** Change to one port. `slot` selects the SIM whose fields change (default: the active one). */
export interface PortChange {
  st?: number;
  slot?: number;
  sendTimeMs?: number;
  sig?: number;
  bal?: string;
  /** Switch the port to this slot. */
  activeSlot?: number;
}

/** What the simulator knows about a task (its truth, for comparing with the reports a receiver got). */
export interface SimTaskView {
  tid: number;
  recipients: string[];
  total: number;
  sending: number;
  sent: number;
  failed: number;
  unsent: number;
  paused: boolean;
  done: boolean;
}

/** In-process control of a running simulator; the HTTP control API (`/_sim/...`) calls the same methods. */
export class SimulatorControl {
  constructor(private readonly s: SimState) {}

  /** Stores an inbound SMS and pushes it to `sms_url` when one is configured; returns its goip_get_sms id. */
  injectInbound(sms: InboundSms): number {
    const port = this.s.ports[sms.port - 1];
    if (!port) throw new RangeError(`no port ${sms.port}`);
    return this.s.inbox.addInbound(sms, formatPortId({ port: sms.port, slot: sms.slot ?? port.active }));
  }

  /** Changes a port / SIM; pushes port-status when the state changed and a status URL is registered. */
  setPort(portNo: number, change: PortChange): void {
    const port = this.s.ports[portNo - 1];
    if (!port) throw new RangeError(`no port ${portNo}`);
    if (change.activeSlot !== undefined) {
      if (!port.slots[change.activeSlot - 1]) throw new RangeError(`no slot ${change.activeSlot} on port ${portNo}`);
      port.active = change.activeSlot;
    }
    const slot = port.slots[(change.slot ?? port.active) - 1];
    if (!slot) throw new RangeError(`no slot ${change.slot} on port ${portNo}`);
    if (change.sendTimeMs !== undefined) port.sendTimeMs = change.sendTimeMs;
    if (change.sig !== undefined) slot.sig = change.sig;
    if (change.bal !== undefined) slot.bal = change.bal;
    if (change.st !== undefined || change.activeSlot !== undefined) {
      if (change.st !== undefined) slot.st = change.st;
      slot.seq++;
      this.s.pushPortStatus(port);
    }
  }

  /** After `afterMessages` more sends on `port`, every SIM of it goes to state `st` (default 6 register failed). */
  unregisterPortAfter(port: number, afterMessages: number, st = 6): void {
    this.s.engine.unregisterRules.push({ port, afterMessages, st });
  }

  /** Adds a request fault rule (rules are tried in the order added). */
  addFault(rule: FaultRule): void {
    this.s.faults.push({ ...rule, left: rule.times ?? Infinity });
  }

  clearFaults(): void {
    this.s.faults = [];
  }

  /** Replaces the callback faults. */
  setCallbackFaults(faults: CallbackFaults): void {
    this.s.reporter.faults = { ...faults };
  }

  /** Changes device settings from now on. */
  configure(patch: SimConfigPatch): void {
    Object.assign(this.s.o, patch);
    if (patch.recvSmsVariant) this.s.inbox.variant = { ...patch.recvSmsVariant };
  }

  /** Requests received with seq > `sinceSeq`. */
  requests(sinceSeq = 0): RequestRecord[] {
    return this.s.recorder.requests.filter((r) => r.seq > sinceSeq);
  }

  /** Callbacks sent (or lost) with seq > `sinceSeq`. */
  callbacks(sinceSeq = 0): CallbackRecord[] {
    return this.s.recorder.callbacks.filter((r) => r.seq > sinceSeq);
  }

  /** Tasks the device still remembers (since boot), with their true counters. */
  tasks(): SimTaskView[] {
    return [...this.s.engine.tasks.values()].map((t) => ({
      tid: t.tid,
      recipients: [...t.recipients],
      total: t.total,
      sending: t.sending,
      sent: t.sent,
      failed: t.failed,
      unsent: t.unsent,
      paused: t.paused,
      done: t.done,
    }));
  }

  /** Current `ssrc` of goip_get_sms (changes on reboot). */
  get ssrc(): string {
    return this.s.inbox.ssrc;
  }

  /** Emits pending report entries, flushes every report and inbound cache, and waits until all POSTs were tried. */
  async flush(): Promise<void> {
    this.s.engine.reportDirty();
    this.s.reporter.flush();
    this.s.inbox.flush();
    await this.s.poster.idle();
  }

  /**
   * Waits until no accepted task has unfinished messages (paused ones excepted), then {@link flush}es.
   * Rejects after `timeoutMs` real ms.
   */
  async settle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const busy = () => [...this.s.engine.tasks.values()].some((t) => !t.done && !t.paused);
    while (busy()) {
      if (Date.now() > deadline) throw new Error(`simulator did not settle within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
    await this.flush();
  }

  /** Simulates a device reboot (new ssrc, queues and caches lost). */
  reboot(): void {
    this.s.reboot();
  }

  /** Back to the start options: no tasks, records, faults or pushes. */
  reset(): void {
    this.s.reset();
  }
}
