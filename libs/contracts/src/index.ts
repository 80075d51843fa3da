// Public API of @dailydesk/contracts: the language-neutral contract of the platform. Imports only zod.

export { EnvelopeBase, MessageId, Instant, defineMessage } from './envelope';
export type { MessageOf, MessageScope } from './envelope';

export { CountryCode, E164, EntityId, GatewayPort, OffsetInstant, PhoneAsEntered, TaskId, TimeZone, UtcInstant } from './fields';
export { ISO_COUNTRY_CODES } from './country-codes';

export {
  AppointmentBooked,
  AppointmentCancelled,
  AppointmentConfirmed,
  AppointmentRescheduled,
  BookingChannel,
  BusinessUpserted,
  CustomerCheckedIn,
  CustomerUpserted,
} from './messages/booking.messages';
export { KNOWN_SCHEDULES, SchedulerSlotSkipped, SchedulerTicked } from './messages/scheduler.messages';
export {
  SendSms,
  SMS_PRIORITY_BY_PURPOSE,
  SMS_TEXT_MAX_LENGTH,
  SmsFailed,
  SmsPriority,
  SmsPurpose,
  SmsRefs,
  SmsSent,
  SmsSuppressed,
  SmsTasksAssigned,
  priorityOf,
} from './messages/sms.messages';
export {
  CustomerOptedIn,
  CustomerOptedOut,
  InboundSmsReceived,
  SmsDelivered,
  SmsTransmissionFailed,
  SmsTransmitted,
  SmsUndelivered,
} from './messages/receipts.messages';

export { catalogue } from './catalogue';
export type { CatalogueEntry, Context, MessageKind, MessageOfType, PublicMessage, PublicMessageType } from './catalogue';

export { DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, deadLetterSubjectOf, kebabOf, streamOf, streams, subjectMatches, subjectOf } from './subjects';
export type { StreamDefinition } from './subjects';

export { ContractViolationError, createRegistry, olderVersion } from './registry';
export type { DecodeResult, OlderVersion, Registry, RegistryEntry } from './registry';
export { decodeMessage, encodeMessage } from './messages.registry';

export { generatedSchemaDocs, jsonSchemaOf, SCHEMA_DOCS_DIR, schemaFileName } from './json-schema';
export type { GeneratedFile } from './json-schema';

export { topology } from './topology';
export type { Topology } from './topology';
