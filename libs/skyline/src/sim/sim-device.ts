import { isPortStateActive } from '../codes';
import { formatPortId, formatPortLetter, type PortId } from '../port-id';
import type { ResolvedOptions } from './sim-options';

/** One SIM slot of a port. */
export interface SimSlot {
  slot: number;
  st: number;
  imei: string;
  iccid: string;
  imsi: string;
  sn: string;
  opr: string;
  bal: string;
  sig: number;
  sentToday: number;
  seq: number;
}

/** One GSM port (module) with its slots and its send queue. */
export interface SimPort {
  port: number;
  /** 1-based slot currently in use. */
  active: number;
  slots: SimSlot[];
  sendTimeMs: number;
}

const digits = (n: number, width: number): string => String(n).padStart(width, '0');

/** Builds the port table from the options; identifiers are derived from the port/slot numbers (stable). */
export function createPorts(o: ResolvedOptions): SimPort[] {
  const ports: SimPort[] = [];
  for (let p = 1; p <= o.ports; p++) {
    const setup = o.portSetup[p] ?? {};
    const slots: SimSlot[] = [];
    for (let s = 1; s <= o.slots; s++) {
      const n = p * 100 + s;
      slots.push({
        slot: s,
        st: setup.st ?? 3,
        imei: `8620320452${digits(n, 5)}`,
        iccid: `8986011628991${digits(n, 7)}`,
        imsi: `4600149782${digits(n, 5)}`,
        sn: `1555000${digits(n, 4)}`,
        opr: '46001 CHINA UNICOM GSM',
        bal: '100.00',
        sig: 20 + (p % 10),
        sentToday: 0,
        seq: 1,
      });
    }
    ports.push({ port: p, active: 1, slots, sendTimeMs: setup.sendTimeMs ?? o.sendTimeMs });
  }
  return ports;
}

/** The slot a port id names (the active slot when none is named), or null when it does not exist. */
export function slotOf(ports: SimPort[], id: PortId): { port: SimPort; slot: SimSlot } | null {
  const port = ports[id.port - 1];
  if (!port) return null;
  const slot = port.slots[(id.slot ?? port.active) - 1];
  return slot ? { port, slot } : null;
}

/** True when the port's active SIM can send. */
export function canSend(port: SimPort): boolean {
  const slot = port.slots[port.active - 1];
  return slot !== undefined && isPortStateActive(slot.st);
}

/** One dev-status port entry as devices serialize it (integer `st`, string `bal`). */
export function portEntry(port: SimPort, slot: SimSlot, letterStyle: boolean): Record<string, unknown> {
  const id = { port: port.port, slot: slot.slot };
  const registered = isPortStateActive(slot.st);
  return {
    port: letterStyle ? formatPortLetter(id) : formatPortId(id),
    sim: '',
    seq: slot.seq,
    st: slot.st,
    imei: slot.imei,
    iccid: slot.iccid,
    imsi: slot.imsi,
    sn: slot.sn,
    opr: registered ? slot.opr : '0 ',
    bal: slot.bal,
    sig: registered ? slot.sig : 0,
    active: port.active === slot.slot ? 1 : 0,
    inserted: slot.st === 0 ? 0 : 1,
    tot_dur: '0/-1',
    mon_dur: '0/-1',
    day_dur: '0/-1',
  };
}

/** The dev-status object (reply of goip_get_status and periodic push). */
export function devStatus(
  ports: SimPort[],
  o: ResolvedOptions,
  extra: { seq: number; expires: number; allSims: boolean },
): Record<string, unknown> {
  const status: Record<string, unknown>[] = [];
  for (const port of ports) {
    for (const slot of port.slots) {
      if (extra.allSims || slot.slot === port.active) status.push(portEntry(port, slot, false));
    }
  }
  return {
    type: 'dev-status',
    seq: extra.seq,
    expires: extra.expires,
    mac: '00-30-f1-00-6c-55',
    ip: o.host,
    ver: '532-604-924-041-100-000',
    'max-ports': o.ports,
    'max-slot': o.slots,
    status,
  };
}
