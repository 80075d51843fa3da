/**
 * String-level redaction: secrets, message bodies and phone numbers that hide inside free text (URLs, error
 * messages, JSON quoted in a message). Key-level redaction of objects lives in redact-secrets.ts.
 */

export const REDACTED = '[REDACTED]';

/**
 * Masks a phone number (or a comma/space separated list of them), keeping only the last 3 digits of each:
 * `+4915112345678` → `***********678`. Every other character of a number becomes `*`, so the length stays.
 */
export function maskPhone(value: string): string {
  // A list of numbers is split on , and ; only: spaces inside one number ("0151 12345678") are part of it.
  return value.replace(/[^,;]+/g, (one) => {
    // Everything before the third-last digit becomes `*`; the tail (digits and separators) stays.
    let digits = 0;
    let keepFrom = 0;
    for (let i = one.length - 1; i >= 0; i--) {
      const ch = one.charCodeAt(i);
      if (ch >= 48 && ch <= 57 && ++digits === 3) {
        keepFrom = i;
        break;
      }
    }
    return '*'.repeat(keepFrom) + one.slice(keepFrom);
  });
}

// Query-string or "key=value" secrets. The boundary before the name keeps `bypass=` or `compass=` untouched.
// The value stops at what ends a URL parameter or a quoted string; it never swallows a backslash, so that
// rewriting an already JSON-encoded line cannot break its escapes.
const SECRET_PARAM =
  /(^|[?&;,\s"'(/]|%3F|%26)(password|passwd|pass|pwd|token|access_token|refresh_token|secret|client_secret|api_?key|apikey|x-api-key|authorization)(=|%3D)([^&\s#"'\\<>]*)/gi;

// Phone numbers carried as parameters, as the Skyline gateway does (`to=15551230001,15551230002`).
const PHONE_PARAM =
  /(^|[?&;,\s"'(/]|%3F|%26)(to|from|phone|number|numbers|recipient|recipients|msisdn|sender)(=|%3D)([^&\s#"'\\<>]*)/gi;

// JSON quoted inside a string (an HTTP body in an error message); also matches it once more JSON-encoded.
const JSON_PAIR =
  /(\\?")(password|passwd|pass|pwd|token|secret|api_?key|apikey|authorization|text|sms|body|content|to|from|phone|number|recipient|msisdn)\1\s*:\s*\\?"((?:[^"\\]|\\[^"])*)\\?"/gi;

// E.164-looking numbers anywhere: a `+` (or its URL encoding) and 8–15 digits, not glued to other digits.
const E164 = /(^|[^\d\w])(\+|%2B)(\d{8,15})(?!\d)/gi;

// `scheme://user:password@host`: the password part of a URL's userinfo.
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'\\]+:)([^\s@/"'\\]+)(@)/gi;

// A cheap gate: strings without any of these characters cannot match a pattern above.
const MAY_CONTAIN_SECRET = /[=+"@]|%2B|%3D/i;

const BODY_KEYS = new Set(['text', 'sms', 'body', 'content']);
const PHONE_JSON_KEYS = new Set(['to', 'from', 'phone', 'number', 'recipient', 'msisdn']);

/** Replacement for a message body: its length only, never its text. Idempotent. */
export function redactBody(value: string): string {
  if (value.startsWith(REDACTED.slice(0, -1))) return value;
  return `[REDACTED ${value.length} chars]`;
}

/**
 * Rewrites secrets, message bodies and phone numbers inside a free-text string:
 * - `password=…` (and token, secret, api_key, …) in query strings or text → `password=[REDACTED]`;
 * - `"password":"…"`, `"sms":"…"`, `"to":"…"` inside quoted JSON → redacted / masked;
 * - `to=`, `number=`, … parameters and `+`E.164 numbers → masked except the last 3 digits;
 * - the password of a URL's userinfo (`postgres://user:pw@host`) → `[REDACTED]`.
 * Plain numbers without `+` outside such parameters are left alone (they are as likely ids or timestamps).
 */
export function redactString(input: string): string {
  if (!MAY_CONTAIN_SECRET.test(input)) return input;
  return redactParams(input.replace(JSON_PAIR, redactJsonPair));
}

// Outside quoted JSON, these characters are what a secret, a userinfo or an E.164 number needs.
const MAY_CONTAIN_PARAM = /[=+@]|%2B|%3D/i;

/**
 * {@link redactString} for a finished JSON log line, whose own keys were already redacted by key: quoted pairs are
 * only looked for where a string holds escaped JSON (`\"`), so an ordinary line costs two cheap tests.
 */
export function redactLine(line: string): string {
  const withPairs = line.includes('\\"') ? line.replace(JSON_PAIR, redactJsonPair) : line;
  return MAY_CONTAIN_PARAM.test(withPairs) ? redactParams(withPairs) : withPairs;
}

function redactJsonPair(_m: string, quote: string, key: string, value: string): string {
  const k = key.toLowerCase();
  const replaced = BODY_KEYS.has(k) ? redactBody(value) : PHONE_JSON_KEYS.has(k) ? maskPhone(value) : REDACTED;
  return `${quote}${key}${quote}:${quote}${replaced}${quote}`;
}

function redactParams(input: string): string {
  return input
    .replace(SECRET_PARAM, (_m, pre: string, key: string, eq: string) => `${pre}${key}${eq}${REDACTED}`)
    .replace(PHONE_PARAM, (_m, pre: string, key: string, eq: string, value: string) =>
      `${pre}${key}${eq}${maskPhone(decodePlus(value))}`,
    )
    .replace(E164, (_m, pre: string, plus: string, digits: string) => `${pre}${maskPhone(plus + digits)}`)
    .replace(URL_USERINFO, (_m, head: string, _pw: string, at: string) => `${head}${REDACTED}${at}`);
}

// `%2B49…` in a parameter masks as a whole; the percent-encoding must not leave digits ("2") in sight.
function decodePlus(value: string): string {
  return value.replace(/%2B/gi, '+');
}
