import type { SmsPurpose } from '@dailydesk/contracts';
import type { AppointmentEvent, Details, TextState } from './appointment.events';

/** A confirmation link handed out in a reminder. */
export interface IssuedLink {
  readonly token: string;
  readonly forStartsAt: string;
  readonly expiresAt: string;
}

/** One text asked for about this appointment and what became of it (no phone number or body: those stay in the event). */
export interface TextRecord {
  readonly messageId: string;
  readonly purpose: SmsPurpose;
  readonly state: TextState;
  readonly reason?: string;
  /** When dispatch decided the outcome (absent while requested or skipped). */
  readonly at?: string;
}

/** What every state remembers: whose it is, which booking events it recorded, which texts it asked for. */
interface Memory {
  readonly businessId: string | null;
  /** Envelope ids of the booking events already recorded (a redelivery is recognised). */
  readonly seen: readonly string[];
  /** messageIds of texts requested or skipped: each at most once, ever. */
  readonly sent: readonly string[];
  readonly links: readonly IssuedLink[];
  /** Start times a reschedule moved the appointment to: only these are owed a reschedule text. */
  readonly movedTo: readonly string[];
  readonly texts: readonly TextRecord[];
}

export type AppointmentState =
  | ({ status: 'unknown' } & Memory)
  | ({ status: 'booked'; details: Details } & Memory)
  | ({ status: 'confirmed'; details: Details; confirmedAt: string } & Memory)
  | ({ status: 'checked-in'; details: Details | null; checkedInAt: string; review: 'pending' | 'sent' | 'skipped' } & Memory)
  | ({ status: 'cancelled'; details: Details | null; cancelledAt: string } & Memory);

export const initialAppointmentState = (): AppointmentState => ({ status: 'unknown', businessId: null, seen: [], sent: [], links: [], movedTo: [], texts: [] });

/** The details of any state that has them. */
export const detailsOf = (s: AppointmentState): Details | null => (s.status === 'unknown' ? null : s.details);

function memory(s: AppointmentState, e: AppointmentEvent): Memory {
  const data = e.data as { businessId?: string; sourceId?: string };
  return {
    businessId: s.businessId ?? data.businessId ?? null,
    seen: data.sourceId ? [...s.seen, data.sourceId] : s.seen,
    sent: s.sent,
    links: s.links,
    movedTo: s.movedTo,
    texts: s.texts,
  };
}

/** Folds one event. Never throws: the decider only emits events that apply. */
export function evolveAppointment(s: AppointmentState, e: AppointmentEvent): AppointmentState {
  const m = memory(s, e);
  switch (e.type) {
    case 'AppointmentRecorded':
      return s.status === 'unknown' ? { ...m, status: 'booked', details: e.data.details } : { ...s, ...m, details: e.data.details };
    case 'AppointmentMoved': {
      // A new time needs a new confirmation. (Moves to the same start were recorded before AppointmentDetailsChanged
      // existed; they keep the meaning they had then.)
      const moved = e.data.previousStartsAt === e.data.details.startsAt ? m : { ...m, movedTo: [...m.movedTo, e.data.details.startsAt] };
      if (s.status === 'unknown' || s.status === 'booked' || s.status === 'confirmed') return { ...moved, status: 'booked', details: e.data.details };
      return { ...s, ...moved, details: e.data.details };
    }
    case 'AppointmentDetailsChanged':
      return s.status === 'unknown' ? { ...m, status: 'booked', details: e.data.details } : { ...s, ...m, details: e.data.details };
    case 'CancellationRecorded':
      return { ...m, status: 'cancelled', details: detailsOf(s), cancelledAt: e.data.cancelledAt };
    case 'CheckInRecorded':
      return { ...m, status: 'checked-in', details: detailsOf(s), checkedInAt: e.data.checkedInAt, review: 'pending' };
    case 'ConfirmationRecorded':
      return s.status === 'booked' ? { ...m, status: 'confirmed', details: s.details, confirmedAt: e.data.confirmedAt } : { ...s, ...m };
    case 'AppointmentConfirmed':
      return s.status === 'booked' ? { ...m, status: 'confirmed', details: s.details, confirmedAt: e.data.confirmedAt } : { ...s, ...m };
    case 'ConfirmationLinkIssued':
      return { ...s, ...m, links: [...s.links, { token: e.data.token, forStartsAt: e.data.forStartsAt, expiresAt: e.data.expiresAt }] };
    case 'SendSms':
    case 'SmsSkipped': {
      const text = { messageId: e.data.messageId, purpose: e.data.purpose, state: e.type === 'SendSms' ? 'requested' : 'skipped' } as const;
      const next = { ...s, ...m, sent: [...s.sent, e.data.messageId], texts: [...s.texts, text] } as AppointmentState;
      if (next.status === 'checked-in' && e.data.purpose === 'review') return { ...next, review: e.type === 'SendSms' ? 'sent' : 'skipped' };
      return next;
    }
    case 'SmsOutcomeRecorded': {
      const { messageId, outcome, reason, at } = e.data;
      const texts = s.texts.map((t) => (t.messageId === messageId ? { ...t, state: outcome, ...(reason ? { reason } : {}), at } : t));
      return { ...s, ...m, texts };
    }
  }
}
