import { catalogue, decodeMessage, type EnvelopeBase, type Topology } from '@dailydesk/contracts';
import type { RelayOptions } from '@dailydesk/event-store';

/** Types the relay may publish: the contracts' catalogue (every other type stays in the service's store). */
const PUBLIC_TYPES: readonly string[] = catalogue.map((e) => e.type);

/** How every service's relay runs, inline or in its thread. */
export function relayOptions(topo: Topology): Pick<RelayOptions, 'subjectFor' | 'types' | 'batchSize' | 'maxInFlight' | 'name'> {
  return {
    subjectFor: (e) => (topo.isPublic(e.type) ? topo.subjectOf(e.type) : null),
    // Private events (half of sms-dispatch's log) are not even read back.
    types: PUBLIC_TYPES,
    // A whole batch in flight: published without awaiting a PubAck in between, so nats.js writes it to the socket in
    // a few writes instead of one per event (receipts measured 16 % of a thread's CPU at 10k events/s).
    batchSize: 1000,
    maxInFlight: 1000,
    name: 'relay',
  };
}

const currentVersion = new Map<string, number>(catalogue.map((e) => [e.type, e.v]));

/**
 * Upcasts public messages stored at an older `v`; events private to the service pass through. Every store a service
 * opens needs it (e.g. a second store of the same service in a worker thread).
 */
export function upcastStored(envelope: EnvelopeBase): EnvelopeBase {
  const v = currentVersion.get(envelope.type);
  if (v === undefined || envelope.v === v) return envelope;
  const r = decodeMessage(envelope);
  if (!r.ok) throw new Error(`stored ${envelope.type} v${envelope.v} (${envelope.id}) cannot be upcast: ${r.reason}`);
  return r.message;
}
