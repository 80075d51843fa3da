import { z } from 'zod';
import { parseCodeText } from '../codes';
import { formatPortId, parsePortId } from '../port-id';

/** An integer sent as a number or as a numeric string (firmware and clients do both). */
export const intish = z.union([
  z.number().int(),
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, 'expected an integer')
    .transform(Number),
]);

/** A text field some firmware sends as a number (balances, phone numbers). */
export const textish = z.union([z.string(), z.number().transform(String)]);

/** A port identifier (`"1.01"`, `"1A"`, `24.01`), normalized to `"1.01"` form when it names a slot. */
export const portish = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const id = parsePortId(v);
  if (!id) {
    ctx.addIssue({ code: 'custom', message: `not a port identifier: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return formatPortId(id);
});

/** A state code sent as an integer or as `"3 OK"`; yields `{ code, text }`. */
export const codeish = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const parsed = parseCodeText(v);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: `not a status code: ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return parsed;
});
