/**
 * Thrown by a handler to say "retrying cannot help" (a rule rejects the message, a referenced aggregate can never
 * exist...). The message is terminated and copied to the dead-letter stream at once instead of being redelivered.
 * Any thrown value with `permanent: true` is treated the same, so domain errors can opt in without subclassing.
 */
export class PermanentError extends Error {
  /** Marker read by {@link isPermanentFailure}. */
  readonly permanent = true as const;
  /** Optional stable code, e.g. a domain error code. */
  readonly code: string | undefined;

  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PermanentError';
    this.code = options?.code;
  }
}

/** True when `err` is an object carrying `permanent: true` (a {@link PermanentError} or a look-alike). */
export function isPermanentFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true;
}

const MAX_DETAIL = 500;

/**
 * One line describing a failure, for logs and dead-letter headers: `code: message` when a string `code` exists,
 * cut to 500 characters, line breaks removed (a header value cannot hold them).
 */
export function describeFailure(err: unknown): string {
  let text: string;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    text = typeof code === 'string' && code !== '' ? `${code}: ${err.message}` : `${err.name}: ${err.message}`;
  } else if (typeof err === 'object' && err !== null) {
    const { code, message } = err as { code?: unknown; message?: unknown };
    const msg = typeof message === 'string' ? message : safeJson(err);
    text = typeof code === 'string' && code !== '' ? `${code}: ${msg}` : msg;
  } else {
    text = String(err);
  }
  return oneLine(text, MAX_DETAIL);
}

/** Collapses line breaks and control characters to spaces and cuts to `max` characters. */
export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
