// Small, self-contained HTML pages for the confirmation link: no scripts, no external assets, nothing from the
// request echoed back unescaped.

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/** One page: a heading and a sentence, both escaped. */
export function page(title: string, message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>
`;
}

/** Status and page for each outcome of following a link. */
export const PAGES = {
  confirmed: (what: string) => ({ status: 200, html: page('Appointment confirmed', `Thank you! Your appointment${what ? ` ${what}` : ''} is confirmed.`) }),
  alreadyConfirmed: (what: string) => ({ status: 200, html: page('Already confirmed', `Your appointment${what ? ` ${what}` : ''} was already confirmed. See you then!`) }),
  unknown: () => ({ status: 404, html: page('Link not found', 'This confirmation link is not valid. Please check the link in your text message or contact the business.') }),
  cancelled: () => ({ status: 410, html: page('Appointment cancelled', 'This appointment was cancelled, so there is nothing to confirm.') }),
  superseded: () => ({
    status: 410,
    html: page('Appointment moved', 'This appointment has moved to a new time, so this link no longer applies. You will get a new reminder for the new time.'),
  }),
  expired: () => ({ status: 410, html: page('Link expired', 'This confirmation link has expired: the appointment time has passed.') }),
  failed: () => ({ status: 503, html: page('Please try again', 'We could not record your confirmation just now. Please try again in a minute.') }),
} as const;
