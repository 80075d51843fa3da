import { z } from 'zod';
import { defineMessage, MessageId } from '../envelope';
import { Detail, E164, GatewayPort, TaskId, UtcInstant } from '../fields';

// What the gateway reported back, folded by the receipts service (context `receipts`). Per message the
// order never moves backwards: SmsSent → SmsTransmitted | SmsTransmissionFailed → SmsDelivered | SmsUndelivered.

const report = { messageId: MessageId, port: GatewayPort, to: E164 };

/** Status report: the modem handed the SMS to the network (an `sdr` record for the task). */
export const SmsTransmitted = defineMessage(
  'SmsTransmitted',
  1,
  z.object({ ...report, tid: TaskId, transmittedAt: UtcInstant }),
  'business',
);
export type SmsTransmitted = z.infer<typeof SmsTransmitted>;

/** Status report: the modem could not hand the SMS to the network (an `fdr` record for the task). */
export const SmsTransmissionFailed = defineMessage(
  'SmsTransmissionFailed',
  1,
  z.object({
    ...report,
    tid: TaskId,
    failedAt: UtcInstant,
    progressReason: Detail.optional().describe('the gateway progress reason, "code + details"'),
    carrierReason: Detail.optional().describe('the carrier reason, "code + description"'),
  }),
  'business',
);
export type SmsTransmissionFailed = z.infer<typeof SmsTransmissionFailed>;

const deliveryReport = {
  ...report,
  statusCode: z.number().int().min(0).max(255).describe('TP-Status of the delivery report; 0 = delivered'),
  scts: z.string().max(32).optional().describe('service-centre time stamp as the report carried it'),
  reportedAt: UtcInstant.describe('when the gateway received the delivery report'),
};

/** Delivery report: the handset received the SMS. Correlated by port + number + time (reports carry no tid). */
export const SmsDelivered = defineMessage(
  'SmsDelivered',
  1,
  z.object({ ...deliveryReport, statusCode: deliveryReport.statusCode.max(0, 'must be 0 for a delivered SMS') }),
  'business',
);
export type SmsDelivered = z.infer<typeof SmsDelivered>;

/** Delivery report: the network gave up on the SMS (non-zero status). */
export const SmsUndelivered = defineMessage(
  'SmsUndelivered',
  1,
  z.object({ ...deliveryReport, statusCode: deliveryReport.statusCode.min(1, 'must not be 0 (0 means delivered)') }),
  'business',
);
export type SmsUndelivered = z.infer<typeof SmsUndelivered>;

/**
 * A person texted one of the gateway's SIMs (MO). `businessId` is set when receipts could attribute the reply
 * to the business that last texted this number from this port, null otherwise.
 */
export const InboundSmsReceived = defineMessage(
  'InboundSmsReceived',
  1,
  z.object({
    from: z.string().min(1, 'must not be empty').max(64, 'must be at most 64 characters')
      .describe('the sender as the gateway reported it (number, short code or name)'),
    fromE164: E164.nullable().describe('the sender in E.164 when it is a phone number'),
    to: z.string().max(64, 'must be at most 64 characters').describe('the receiving SIM number; often empty'),
    port: GatewayPort,
    text: z.string().max(10_000, 'must be at most 10000 characters').describe('decoded body; never logged'),
    receivedAt: UtcInstant,
  }),
  'either',
);
export type InboundSmsReceived = z.infer<typeof InboundSmsReceived>;

// Opt-outs are platform-wide: the gateway's SIMs are shared by every business, so a STOP to a SIM number
// must silence every business texting through it; the person cannot tell the businesses apart.
const consentChange = {
  phone: E164,
  keyword: z.string().min(1, 'must not be empty').max(32, 'must be at most 32 characters')
    .describe('the keyword that triggered it, upper-cased (STOP, START…), or OPERATOR'),
  via: z.enum(['sms-reply', 'operator']),
  at: UtcInstant,
};

/** A person asked not to be texted any more (STOP). Platform-wide: `businessId` is null. */
export const CustomerOptedOut = defineMessage('CustomerOptedOut', 1, z.object(consentChange), 'platform');
export type CustomerOptedOut = z.infer<typeof CustomerOptedOut>;

/** A person who had opted out asked to be texted again (START). Platform-wide: `businessId` is null. */
export const CustomerOptedIn = defineMessage('CustomerOptedIn', 1, z.object(consentChange), 'platform');
export type CustomerOptedIn = z.infer<typeof CustomerOptedIn>;
