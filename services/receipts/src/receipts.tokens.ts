/** Injection token of the parsed {@link ReceiptsConfig}. */
export const RECEIPTS_CONFIG = Symbol('RECEIPTS_CONFIG');
/** Injection token of the {@link ProjectionRunner}. */
export const PROJECTIONS = Symbol('RECEIPTS_PROJECTIONS');
/** Injection token of the {@link ParsedCallbacks} hand-over from the webhook to the processor. */
export const PARSED_CALLBACKS = Symbol('RECEIPTS_PARSED_CALLBACKS');
