/** Injection token of the parsed {@link ReceiptsConfig}. */
export const RECEIPTS_CONFIG = Symbol('RECEIPTS_CONFIG');
/** Injection token of the {@link ProjectionRunner}. */
export const PROJECTIONS = Symbol('RECEIPTS_PROJECTIONS');
