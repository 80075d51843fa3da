import type { GatewayCallback } from '@dailydesk/skyline';

/**
 * Hands the webhook's parse of a stored callback to the processor of the same process, so a callback is parsed
 * once on the usual path (parsing costs ~11 µs per status-report row, as much as the rest of the fold).
 * Keyed by the stored event id `cb:<sha256 of the bytes>`: the parse belongs to exactly those bytes and parsing
 * is deterministic, so the processor derives the same events with or without it. Bounded by report rows held
 * (the processor normally trails by well under a second of traffic): the oldest entries go first, and a miss
 * (replay, restart, another replica ingested it) just parses the stored body.
 */
export class ParsedCallbacks {
  private readonly entries = new Map<string, { parsed: GatewayCallback; rows: number }>();
  private rows = 0;

  constructor(private readonly maxRows = 100_000) {}

  put(eventId: string, parsed: GatewayCallback, rows: number): void {
    this.take(eventId);
    this.entries.set(eventId, { parsed, rows });
    this.rows += rows;
    while (this.rows > this.maxRows && this.entries.size > 0) this.take(this.entries.keys().next().value!);
  }

  /** The parse, removed from the hand-over (each stored callback is folded once on the live path). */
  take(eventId: string): GatewayCallback | undefined {
    const found = this.entries.get(eventId);
    if (!found) return undefined;
    this.entries.delete(eventId);
    this.rows -= found.rows;
    return found.parsed;
  }

  get size(): number {
    return this.entries.size;
  }
}
