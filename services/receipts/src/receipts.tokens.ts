/** Injection token of the parsed {@link ReceiptsConfig}. */
export const RECEIPTS_CONFIG = Symbol('RECEIPTS_CONFIG');
/** Injection token of the ReceiptsPipeline (processor + projections, inline or in a worker thread). */
export const PROJECTIONS = Symbol('RECEIPTS_PROJECTIONS');
/** Injection token of the {@link ParsedCallbacks} hand-over from the webhook to the processor (null: not the same thread). */
export const PARSED_CALLBACKS = Symbol('RECEIPTS_PARSED_CALLBACKS');
