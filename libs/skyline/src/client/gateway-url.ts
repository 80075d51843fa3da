/**
 * The one place that builds gateway URLs. The vendor puts the password in the query string, so every URL that
 * may be shown (logs, errors) goes through `redactUrl` first.
 */

const SECRET_PARAM = /((?:^|[?&;\s])(?:password|passwd|pwd|pass)=)[^&#\s"']*/gi;

/** Replaces the value of any `password=` query parameter in a string (URL or message) with `***`. */
export function redactUrl(text: string): string {
  return text.replace(SECRET_PARAM, '$1***');
}

/** Credentials for the gateway's web API. */
export interface GatewayCredentials {
  username: string;
  password: string;
}

/** A built request target: `path` (with query, secret inside) goes on the wire only; `redacted` may be shown. */
export interface GatewayTarget {
  path: string;
  redacted: string;
}

/**
 * Builds `basePath + endpoint + ?version=1.1&username=..&password=..&extra` for dispatch on a pool bound to
 * `origin`. Extra parameters with undefined values are skipped.
 */
export function buildTarget(
  origin: string,
  basePath: string,
  endpoint: string,
  credentials: GatewayCredentials,
  extra: Record<string, string | number | undefined> = {},
): GatewayTarget {
  const q = new URLSearchParams({ version: '1.1', username: credentials.username, password: credentials.password });
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) q.set(k, String(v));
  const path = `${basePath}/${endpoint}?${q.toString()}`;
  return { path, redacted: redactUrl(`${origin}${path}`) };
}
