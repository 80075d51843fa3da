/**
 * Port identifiers: `"3.01"` (port.slot, slot two digits) or `"3A"` (slot letter, A = 1), or a bare port `"3"`.
 */

/** A parsed port identifier; `slot` is absent when only the port was named (the port's active SIM). */
export interface PortId {
  port: number;
  slot?: number;
}

/**
 * Parses one port identifier. Accepts `"1.01"`, `"1A"`, `"1"`, and a number (`24.01`; a number loses trailing
 * zeros, so `24.1` is read as slot 10). Returns null when the text is not a port identifier.
 */
export function parsePortId(value: string | number): PortId | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return null;
    return Number.isInteger(value) ? { port: value } : parsePortId(value.toFixed(2));
  }
  const text = value.trim();
  let m = /^(\d+)\.(\d{1,2})$/.exec(text);
  if (m) return validPort(Number(m[1]), Number(m[2]));
  m = /^(\d+)([A-Za-z])$/.exec(text);
  if (m) return validPort(Number(m[1]), m[2]!.toUpperCase().charCodeAt(0) - 64);
  m = /^(\d+)$/.exec(text);
  if (m) return validPort(Number(m[1]));
  return null;
}

function validPort(port: number, slot?: number): PortId | null {
  if (port < 1 || (slot !== undefined && slot < 1)) return null;
  return slot === undefined ? { port } : { port, slot };
}

/** Canonical text form: `"3.01"`, or `"3"` when no slot is named. */
export function formatPortId(id: PortId): string {
  return id.slot === undefined ? String(id.port) : `${id.port}.${String(id.slot).padStart(2, '0')}`;
}

/** Letter form `"3A"` (slot 1 = A); `"3"` when no slot. */
export function formatPortLetter(id: PortId): string {
  return id.slot === undefined ? String(id.port) : `${id.port}${String.fromCharCode(64 + id.slot)}`;
}

/**
 * Parses a port list as used in `from` and command `ports`: `"1-4,6"`, `"1.01,2B"`, `"all"`/`"*"`.
 * Returns null for `all`, throws a RangeError naming the bad element otherwise.
 */
export function parsePortList(value: string | number): PortId[] | null {
  const text = String(value).trim();
  if (text === 'all' || text === '*') return null;
  const out: PortId[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (a < 1 || b < a) throw new RangeError(`bad port range "${part}"`);
      for (let p = a; p <= b; p++) out.push({ port: p });
      continue;
    }
    const id = parsePortId(part);
    if (!id) throw new RangeError(`bad port "${part}"`);
    out.push(id);
  }
  if (out.length === 0) throw new RangeError('empty port list');
  return out;
}
