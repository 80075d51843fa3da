import type { QueueRow } from './outcome-events';

/** What the dispatcher remembers about a message it has assigned (lost on restart: then every assignment is resolved). */
export interface Memo {
  tid: number;
  port: string;
  attempt: number;
  /** A POST carrying this tid may have reached the gateway. */
  maybePosted: boolean;
  next: 'resend' | 'reassign' | 'resolve';
  notBeforeMs: number;
  /** When resolving this unknown outcome began (the grace for a status report counts from here). */
  unknownSinceMs?: number;
}

export interface Job {
  row: QueueRow;
  tid: number;
  port: string;
  attempt: number;
  maybePosted: boolean;
}
