import type { Simulator } from '@dailydesk/skyline';

/** One task the simulated device holds (its truth: a phone got this text once per task). */
export interface DeviceText {
  readonly tid: number;
  readonly to: string;
  readonly text: string;
}

const digits = (s: string) => s.replace(/\D/g, '');

/**
 * What the gateway really did: tasks the device accepted (one per tid, whatever number of POSTs carried it),
 * with the text taken from the first POST that carried the tid.
 */
export function deviceTexts(sim: Simulator): DeviceText[] {
  const textOf = new Map<number, string>();
  for (const r of sim.control.requests()) {
    const body = r.body as { type?: string; tasks?: Array<{ tid?: number | string; sms?: string }> } | null;
    if (r.endpoint !== 'goip_post_sms.html' || body?.type !== 'send-sms') continue;
    for (const t of body.tasks ?? []) if (!textOf.has(Number(t.tid))) textOf.set(Number(t.tid), String(t.sms ?? ''));
  }
  return sim.control.tasks().flatMap((t) => t.recipients.map((to) => ({ tid: t.tid, to: digits(to), text: textOf.get(t.tid) ?? '' })));
}

/** Texts the device holds for one recipient (digits), optionally only those matching `text`. */
export function textsTo(sim: Simulator, to: string, text?: string | RegExp): DeviceText[] {
  return deviceTexts(sim).filter((t) => t.to === digits(to) && (text === undefined || (typeof text === 'string' ? t.text === text : text.test(t.text))));
}

/** (recipient, text) pairs the device holds more than once: somebody texted twice. */
export function duplicateTexts(sim: Simulator): Array<{ to: string; text: string; tids: number[] }> {
  const groups = new Map<string, { to: string; text: string; tids: number[] }>();
  for (const t of deviceTexts(sim)) {
    const key = `${t.to}\n${t.text}`;
    const g = groups.get(key) ?? { to: t.to, text: t.text, tids: [] };
    g.tids.push(t.tid);
    groups.set(key, g);
  }
  return [...groups.values()].filter((g) => g.tids.length > 1);
}

/** Number of send-sms POSTs received so far (to see a request arrive while it hangs). */
export function sendPosts(sim: Simulator): number {
  return sim.control.requests().filter((r) => r.endpoint === 'goip_post_sms.html').length;
}
