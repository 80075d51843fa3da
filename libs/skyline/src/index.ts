/**
 * @dailydesk/skyline — the Skyline / Ejoin GSM gateway: a typed goip_* HTTP client, parsers for what the gateway
 * POSTs back, and a faithful simulator. Wire format: shared/skyline-gateway-api.md.
 *
 * @packageDocumentation
 */

// Vendor codes and port identifiers
export {
  TASK_STATUS_CODES,
  REFUSAL_NAMES,
  PORT_STATES,
  refusalName,
  taskStatusText,
  parseCodeText,
  isPortStateActive,
} from './codes';
export type { RefusalName } from './codes';
export { parsePortId, formatPortId, formatPortLetter, parsePortList } from './port-id';
export type { PortId } from './port-id';

// Client
export { SkylineClient } from './client/skyline-client';
export { SkylineError, mayHaveTakenEffect } from './client/client-errors';
export type { SkylineFailure, SkylineFailureKind, NotSentCause, UnknownOutcomeCause } from './client/client-errors';
export { redactUrl } from './client/gateway-url';
export type {
  SkylineClientOptions,
  ReportSettings,
  CallOptions,
  SmsTask,
  TaskSubmitResult,
  TidResult,
  TidOperationResult,
  QueuedTask,
  QueuedTasksPage,
  InboundCursor,
  GatewayCommand,
} from './client/client-types';

// Callback parsers
export { parseGatewayCallback } from './callbacks/parse-callback';
export type { GatewayCallback } from './callbacks/parse-callback';
export { statusReportSchema, statusReportEntrySchema } from './callbacks/status-report.schema';
export type { StatusReport, StatusReportEntry, SuccessRow, FailureRow } from './callbacks/status-report.schema';
export { recvSmsSchema, decodeRecvSmsRow, decodeBase64Utf8 } from './callbacks/recv-sms.decode';
export type { RecvSms, RecvSmsRow, SmsHeaderBlock, DeliveryOutcome } from './callbacks/recv-sms.decode';
export { devStatusSchema, portStatusSchema, portEntrySchema } from './callbacks/dev-status.schema';
export type { DevStatus, PortStatus, PortEntry } from './callbacks/dev-status.schema';

// Simulator
export { startSimulator } from './sim/simulator';
export type { Simulator } from './sim/simulator';
export { SimulatorControl } from './sim/sim-control';
export type { SimConfigPatch, PortChange, SimTaskView } from './sim/sim-control';
export type {
  SimulatorOptions,
  RequestFault,
  FaultRule,
  CallbackFaults,
  RecvSmsVariant,
  PortSetup,
  BadAuthMode,
} from './sim/sim-options';
export type { InboundSms } from './sim/sim-inbox';
export type { RequestRecord, CallbackRecord } from './sim/sim-records';
export { startCallbackReceiver } from './sim/callback-receiver';
export type { CallbackReceiver, ReceivedCallback } from './sim/callback-receiver';
