import { createHash } from 'node:crypto';

// Small, self-contained HTML pages for the confirmation link: no scripts, no external assets, nothing from the
// request or the store echoed back unescaped.

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}' +
  'button{font-size:1.1rem;padding:.6rem 1.6rem;border:0;border-radius:.4rem;background:#1a7f37;color:#fff}';

/**
 * Content-Security-Policy of every page: nothing may load or run; the one inline style is allowed by its hash and the
 * form may post only back to this origin.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What the page says about the appointment (already in the business's zone and language). */
export interface AppointmentSummary {
  readonly businessName: string;
  readonly date: string;
  readonly time: string;
  readonly service?: string;
}

function summary(a: AppointmentSummary | null): string {
  if (!a) return '';
  const what = a.service ? `${a.service} at ${a.businessName}` : a.businessName;
  return `<p><strong>${escapeHtml(what)}</strong><br>${escapeHtml(`${a.date} at ${a.time}`)}</p>`;
}

/** One page: a heading, the appointment if known, a sentence, and optionally the confirm form; all escaped. */
export function page(title: string, message: string, appointment: AppointmentSummary | null = null, formToken?: string): string {
  // Relative action: `/c/<token>` posts to itself, also behind a proxy that mounts the service under a path.
  const form = formToken
    ? `<form method="post" action="${escapeHtml(formToken)}"><button type="submit" name="confirm" value="yes">Confirm</button></form>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head><body><h1>${escapeHtml(title)}</h1>${summary(appointment)}<p>${escapeHtml(message)}</p>${form}</body></html>
`;
}

type Page = { status: number; html: string };

/** Status and page for each outcome of opening (GET) or submitting (POST) a link. */
export const PAGES = {
  confirm: (a: AppointmentSummary | null, token: string): Page => ({
    status: 200,
    html: page('Confirm your appointment', 'Please confirm that you will come.', a, token),
  }),
  confirmed: (a: AppointmentSummary | null): Page => ({ status: 200, html: page('Appointment confirmed', 'Thank you! Your appointment is confirmed.', a) }),
  alreadyConfirmed: (a: AppointmentSummary | null): Page => ({
    status: 200,
    html: page('Already confirmed', 'Your appointment was already confirmed. See you then!', a),
  }),
  unknown: (): Page => ({
    status: 404,
    html: page('Link not found', 'This confirmation link is not valid. Please check the link in your text message or contact the business.'),
  }),
  cancelled: (): Page => ({ status: 410, html: page('Appointment cancelled', 'This appointment was cancelled, so there is nothing to confirm.') }),
  superseded: (): Page => ({
    status: 410,
    html: page('Appointment moved', 'This appointment has moved to a new time, so this link no longer applies. You will get a new reminder for the new time.'),
  }),
  expired: (): Page => ({ status: 410, html: page('Link expired', 'This confirmation link has expired: the appointment time has passed.') }),
  failed: (): Page => ({ status: 503, html: page('Please try again', 'We could not record your confirmation just now. Please try again in a minute.') }),
} as const;
