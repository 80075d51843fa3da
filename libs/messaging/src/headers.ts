/**
 * Header names this library writes. Envelope headers let tools route or filter without parsing the body;
 * dead-letter headers describe why and where a message failed (the body stays the original bytes).
 */
export const Headers = Object.freeze({
  /** Envelope `type` (PascalCase). */
  Type: 'Dd-Type',
  /** Envelope `v` (schema version). */
  Version: 'Dd-Version',
  /** Envelope `correlationId`. */
  CorrelationId: 'Dd-Correlation-Id',
  /** Envelope `causationId`, absent for a root cause. */
  CausationId: 'Dd-Causation-Id',
  /** Dead letter: why (`undecodable`, `max-deliveries`, `permanent-failure`). */
  DlqReason: 'Dd-Dlq-Reason',
  /** Dead letter: one-line detail (decode error, last handler error). */
  DlqDetail: 'Dd-Dlq-Detail',
  /** Dead letter: subject the original was published on. */
  DlqSubject: 'Dd-Dlq-Subject',
  /** Dead letter: stream the original is stored in. */
  DlqStream: 'Dd-Dlq-Stream',
  /** Dead letter: the original's stream sequence. */
  DlqStreamSeq: 'Dd-Dlq-Stream-Seq',
  /** Dead letter: durable consumer that gave up. */
  DlqConsumer: 'Dd-Dlq-Consumer',
  /** Dead letter: delivery count when it gave up. */
  DlqDeliveries: 'Dd-Dlq-Deliveries',
  /** Dead letter: ISO instant it was dead-lettered. */
  DlqAt: 'Dd-Dlq-At',
});
