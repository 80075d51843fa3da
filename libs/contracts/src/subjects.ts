import { catalogue, type Context, type PublicMessageType } from './catalogue';

/** A JetStream stream as plain data: the messaging layer creates or updates it from this. */
export interface StreamDefinition {
  /** Stream name, upper case (`BOOKING`). */
  readonly name: string;
  /** NATS subjects it captures (wildcards allowed). */
  readonly subjects: readonly string[];
  readonly description: string;
}

/** Name of the stream that keeps messages that could not be decoded or handled, with the reason. */
export const DEAD_LETTER_STREAM = 'DEAD_LETTER';

/** The subject prefix of dead letters; a dead letter's subject is `deadletter.<original subject>`. */
export const DEAD_LETTER_PREFIX = 'deadletter';

const contextStreams: Readonly<Record<Context, StreamDefinition>> = {
  booking: {
    name: 'BOOKING',
    subjects: ['booking.>'],
    description: 'Booking frontend events: businesses, customers, appointments',
  },
  scheduler: { name: 'SCHEDULER', subjects: ['scheduler.>'], description: 'Scheduler ticks and skipped slots' },
  sms: { name: 'SMS', subjects: ['sms.>'], description: 'SMS requests (SendSms) and dispatch outcomes' },
  receipts: {
    name: 'RECEIPTS',
    subjects: ['receipts.>'],
    description: 'Gateway status and delivery reports, inbound SMS, opt-outs and opt-ins',
  },
};

/** Every JetStream stream of the platform: one per context, plus the dead-letter stream. */
export const streams: readonly StreamDefinition[] = [
  ...Object.values(contextStreams),
  {
    name: DEAD_LETTER_STREAM,
    subjects: [`${DEAD_LETTER_PREFIX}.>`],
    description: 'Messages that could not be decoded or exceeded max deliveries, with the reason and original subject',
  },
];

/** `AppointmentBooked` → `appointment-booked`. */
export function kebabOf(type: string): string {
  return type.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z])([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

const subjectByType: ReadonlyMap<string, string> = new Map(
  catalogue.map((e) => [e.type, `${e.context}.${e.kind === 'event' ? 'evt' : 'cmd'}.${kebabOf(e.type)}`]),
);

/**
 * The NATS subject a public message travels on: `<context>.evt.<event-kebab>` or `<context>.cmd.<command-kebab>`.
 * @throws Error for a type that is not in the catalogue.
 */
export function subjectOf(type: PublicMessageType): string {
  const subject = subjectByType.get(type);
  if (!subject) throw new Error(`subjectOf: unknown message type "${String(type).slice(0, 64)}"`);
  return subject;
}

/** Whether a concrete subject matches a NATS subject filter (`*` = one token, `>` = one or more tokens). */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

/** The stream that captures a subject, or undefined when no stream of the platform does. */
export function streamOf(subject: string): StreamDefinition | undefined {
  return streams.find((st) => st.subjects.some((filter) => subjectMatches(filter, subject)));
}

/** The subject a dead letter of a message from `subject` is stored under. */
export function deadLetterSubjectOf(subject: string): string {
  return `${DEAD_LETTER_PREFIX}.${subject}`;
}
