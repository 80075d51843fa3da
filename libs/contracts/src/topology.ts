import { catalogue, type PublicMessageType } from './catalogue';
import { DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, streams, subjectOf, type StreamDefinition } from './subjects';

/**
 * The platform's streams and subjects under an optional namespace. With the empty namespace (production default)
 * it is exactly {@link streams} and {@link subjectOf}. A namespace `ns` prefixes every subject with `ns.` and every
 * stream name with `NS_`, so several installations — or test files running side by side — share one NATS server
 * without seeing each other's messages. Consumers of the contract always speak un-prefixed subjects; only the
 * wiring of a process applies the namespace.
 */
export interface Topology {
  readonly namespace: string;
  /** Every stream, including the dead-letter stream. */
  readonly streams: readonly StreamDefinition[];
  readonly deadLetterStream: StreamDefinition;
  /** Subject prefix of dead letters (`deadletter` or `ns.deadletter`). */
  readonly deadLetterPrefix: string;
  /** The namespaced subject of a public message type. */
  subjectOf(type: PublicMessageType | string): string;
  /** Whether `type` is a public message type (events private to a service are not). */
  isPublic(type: string): type is PublicMessageType;
}

const NAMESPACE = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const publicTypes: ReadonlySet<string> = new Set(catalogue.map((e) => e.type));

/** Builds the {@link Topology} of a namespace (`''` for none). @throws Error on an invalid namespace. */
export function topology(namespace = ''): Topology {
  if (namespace !== '' && !NAMESPACE.test(namespace)) {
    throw new Error(`namespace "${namespace.slice(0, 40)}" must be 1-32 of a-z 0-9 _ - (starting with a letter or digit)`);
  }
  const subject = (s: string) => (namespace ? `${namespace}.${s}` : s);
  const streamName = (n: string) => (namespace ? `${namespace.toUpperCase().replace(/-/g, '_')}_${n}` : n);
  const all = streams.map((st) => ({ ...st, name: streamName(st.name), subjects: st.subjects.map(subject) }));
  const isPublic = (type: string): type is PublicMessageType => publicTypes.has(type);
  return {
    namespace,
    streams: all,
    deadLetterStream: all.find((st) => st.name === streamName(DEAD_LETTER_STREAM))!,
    deadLetterPrefix: subject(DEAD_LETTER_PREFIX),
    subjectOf: (type) => {
      if (!isPublic(type)) throw new Error(`subjectOf: unknown message type "${String(type).slice(0, 64)}"`);
      return subject(subjectOf(type));
    },
    isPublic,
  };
}
