/**
 * How a gateway call failed. The dispatch service decides from `kind` whether a resend could text someone twice:
 * only `not-sent` guarantees the gateway never saw the request.
 */

/** Why a request never reached the gateway (safe to resend). */
export type NotSentCause =
  | 'connection-refused'
  | 'connection-reset'
  | 'connect-timeout'
  | 'dns'
  | 'timeout'
  | 'aborted'
  | 'client-closed'
  | 'other';

/** Why a written request got no complete answer (outcome unknown). */
export type UnknownOutcomeCause =
  | 'headers-timeout'
  | 'body-timeout'
  | 'timeout'
  | 'aborted'
  | 'connection-closed'
  | 'connection-reset'
  | 'other';

/** Classified failure of one gateway call. */
export type SkylineFailure =
  /** The request was never fully written to a socket: the gateway cannot have acted on it. Safe to resend. */
  | { kind: 'not-sent'; cause: NotSentCause; detail: string }
  /**
   * The request was written but no complete response arrived (timeout, drop, reset after writing). The gateway
   * may or may not have acted; resolve from its own state (get_tasks, status reports) or resend with the same tid
   * (`13 Duplicated TaskId` then means it was already queued).
   */
  | { kind: 'unknown-outcome'; cause: UnknownOutcomeCause; detail: string }
  /** The gateway answered with an HTTP status other than 200. For 5xx the outcome is unknown too. */
  | { kind: 'http-status'; status: number; detail: string }
  /** HTTP 200 but the body is not the JSON shape this endpoint returns (e.g. an HTML login page). */
  | { kind: 'bad-response'; status: number; detail: string }
  /** The JSON reply refused the whole request (`code` other than the endpoint's success code). */
  | { kind: 'gateway-refused'; code: number; reason: string };

/** Failure kind names. */
export type SkylineFailureKind = SkylineFailure['kind'];

/**
 * True when the gateway may have acted on the request although the call failed: `unknown-outcome`, `bad-response`
 * (a 200 whose body could not be read) and HTTP 5xx.
 */
export function mayHaveTakenEffect(failure: SkylineFailure): boolean {
  switch (failure.kind) {
    case 'not-sent':
    case 'gateway-refused':
      return false;
    case 'http-status':
      return failure.status >= 500;
    case 'unknown-outcome':
    case 'bad-response':
      return true;
  }
}

/** Error thrown by every SkylineClient method. Its message and `url` never contain the password. */
export class SkylineError extends Error {
  override readonly name = 'SkylineError';

  constructor(
    /** The classified failure. */
    readonly failure: SkylineFailure,
    /** The endpoint called, e.g. `goip_post_sms.html`. */
    readonly endpoint: string,
    /** The request URL with the password replaced by `***`. */
    readonly url: string,
    /** Milliseconds from the start of the call to the failure. */
    readonly elapsedMs: number,
  ) {
    super(`${endpoint}: ${describe(failure)} (${url})`);
  }

  /** Shortcut for `failure.kind`. */
  get kind(): SkylineFailureKind {
    return this.failure.kind;
  }

  /** See {@link mayHaveTakenEffect}. */
  get mayHaveTakenEffect(): boolean {
    return mayHaveTakenEffect(this.failure);
  }
}

function describe(f: SkylineFailure): string {
  switch (f.kind) {
    case 'not-sent':
      return `not sent (${f.cause}): ${f.detail}`;
    case 'unknown-outcome':
      return `outcome unknown (${f.cause}): ${f.detail}`;
    case 'http-status':
      return `HTTP ${f.status}: ${f.detail}`;
    case 'bad-response':
      return `unexpected response body (HTTP ${f.status}): ${f.detail}`;
    case 'gateway-refused':
      return `gateway refused: ${f.code} ${f.reason}`;
  }
}
