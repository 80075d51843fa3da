import type { Dispatcher } from 'undici';
import { SkylineError, type NotSentCause, type SkylineFailure, type UnknownOutcomeCause } from './client-errors';
import { redactUrl, type GatewayTarget } from './gateway-url';

/** Timeouts and cancellation of one call. */
export interface CallTimeouts {
  /** Overall deadline of the call in ms (queueing in the pool + connect + write + response). */
  timeoutMs: number;
  /** undici headersTimeout: ms from the request being written to the response headers. */
  headersTimeoutMs: number;
  /** undici bodyTimeout: ms of silence allowed while reading the response body. */
  bodyTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface RawResponse {
  status: number;
  body: string;
  elapsedMs: number;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * One HTTP exchange through a legacy undici handler, because only that handler sees `onRequestSent`: the moment
 * the whole request was handed to the socket. Every failure before it is `not-sent`; after it, `unknown-outcome`.
 */
export function httpCall(
  dispatcher: Dispatcher,
  endpoint: string,
  method: 'GET' | 'POST',
  target: GatewayTarget,
  body: string | undefined,
  t: CallTimeouts,
): Promise<RawResponse> {
  const started = performance.now();
  return new Promise<RawResponse>((resolve, reject) => {
    let written = false;
    let settled = false;
    let abortRequest: ((err?: Error) => void) | undefined;
    let pendingAbort: Error | undefined;
    let status = 0;
    let size = 0;
    const chunks: Buffer[] = [];

    const finish = (failure: SkylineFailure | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      t.signal?.removeEventListener('abort', onSignal);
      const elapsedMs = performance.now() - started;
      if (failure) reject(new SkylineError(failure, endpoint, target.redacted, elapsedMs));
      else resolve({ status, body: Buffer.concat(chunks).toString('utf8'), elapsedMs });
    };
    const stop = (cause: 'timeout' | 'aborted'): void => {
      const detail = cause === 'timeout' ? `no complete response within ${t.timeoutMs} ms` : 'aborted by caller';
      finish(written ? { kind: 'unknown-outcome', cause, detail } : { kind: 'not-sent', cause, detail });
      // If the request is still waiting for a socket, onConnect will see this and abort before writing anything.
      pendingAbort = new Error(cause);
      abortRequest?.(pendingAbort);
    };
    const onSignal = (): void => stop('aborted');
    const timer = setTimeout(() => stop('timeout'), t.timeoutMs);
    if (t.signal?.aborted) {
      stop('aborted');
      return;
    }
    t.signal?.addEventListener('abort', onSignal, { once: true });

    const handler = {
      onConnect(abort: (err?: Error) => void): void {
        if (pendingAbort) abort(pendingAbort);
        else abortRequest = abort;
      },
      onRequestSent(): void {
        written = true;
      },
      onHeaders(statusCode: number): boolean {
        status = statusCode;
        return true;
      },
      onData(chunk: Buffer): boolean {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          finish({ kind: 'bad-response', status, detail: `body larger than ${MAX_BODY_BYTES} bytes` });
          abortRequest?.(new Error('body too large'));
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete(): void {
        finish(null);
      },
      onError(err: Error): void {
        finish(classifyTransportError(err, written));
      },
    };
    const headers: Record<string, string> = { accept: 'application/json, text/plain, */*' };
    if (body !== undefined) headers['content-type'] = 'application/json;charset=utf-8';
    try {
      dispatcher.dispatch(
        {
          path: target.path,
          method,
          headers,
          body,
          headersTimeout: t.headersTimeoutMs,
          bodyTimeout: t.bodyTimeoutMs,
          // Never let undici replay a POST on a fresh socket: a replay could queue the same SMS twice.
          idempotent: method === 'GET',
        },
        handler as unknown as Dispatcher.DispatchHandler,
      );
    } catch (err) {
      finish(classifyTransportError(err as Error, false));
    }
  });
}

/** Maps an undici / socket error to a failure, given whether the request had been fully written. */
export function classifyTransportError(err: Error, written: boolean): SkylineFailure {
  const code = String((err as { code?: unknown }).code ?? (err.cause as { code?: unknown } | undefined)?.code ?? '');
  const detail = redactUrl(`${code ? code + ': ' : ''}${err.message}`);
  if (!written) {
    const cause: NotSentCause =
      code === 'ECONNREFUSED'
        ? 'connection-refused'
        : code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT'
          ? 'connect-timeout'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'dns'
            : code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET'
              ? 'connection-reset'
              : code === 'UND_ERR_CLOSED' || code === 'UND_ERR_DESTROYED'
                ? 'client-closed'
                : code === 'UND_ERR_ABORTED'
                  ? 'aborted'
                  : 'other';
    return { kind: 'not-sent', cause, detail };
  }
  const cause: UnknownOutcomeCause =
    code === 'UND_ERR_HEADERS_TIMEOUT'
      ? 'headers-timeout'
      : code === 'UND_ERR_BODY_TIMEOUT'
        ? 'body-timeout'
        : code === 'ECONNRESET'
          ? 'connection-reset'
          : code === 'UND_ERR_SOCKET' || code === 'EPIPE'
            ? 'connection-closed'
            : code === 'UND_ERR_ABORTED'
              ? 'aborted'
              : 'other';
  return { kind: 'unknown-outcome', cause, detail };
}
