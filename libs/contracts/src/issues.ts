import type { z } from 'zod';

const MAX_LISTED = 8;

/** `data.recipient.phone`, `data.tags[2]`, or `(message)` for the root. */
function pathOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(message)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** Whether the value at `path` is absent from an object that is present. */
function isMissing(input: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return input === undefined;
  let at: unknown = input;
  for (const key of path.slice(0, -1)) {
    if (typeof at !== 'object' || at === null) return false;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return typeof at === 'object' && at !== null && (at as Record<PropertyKey, unknown>)[path[path.length - 1]] === undefined;
}

const TYPE_CODES = new Set(['invalid_type', 'invalid_value', 'invalid_format', 'invalid_union']);

function messageOf(issue: z.core.$ZodIssue, input: unknown): string {
  // A missing field fails its type or format check, whose message (custom or zod's "received undefined")
  // describes a wrong value; say what is really wrong. Custom refinements keep their own words.
  if (TYPE_CODES.has(issue.code) && isMissing(input, issue.path)) return 'is required';
  return issue.message;
}

/**
 * One line naming each failing field and why, e.g. `data.startsAt: must be an ISO 8601 instant…; data.channel:
 * Invalid option: expected one of "online"|"staff"`. zod messages never quote the input, so no personal data
 * leaks into a reason.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  const listed = issues.slice(0, MAX_LISTED).map((i) => `${pathOf(i.path)}: ${messageOf(i, input)}`);
  const more = issues.length > MAX_LISTED ? `; and ${issues.length - MAX_LISTED} more` : '';
  return listed.join('; ') + more;
}
