import { z } from 'zod';
import { codeish, intish, portish, textish } from './wire-types';

/** One port / SIM slot entry of dev-status. Only `port` is required; unknown extra fields are kept. */
export const portEntrySchema = z
  .looseObject({
    port: portish,
    st: codeish.optional(),
    status: codeish.optional(),
    sim: textish.optional(),
    seq: intish.optional(),
    imei: textish.optional(),
    iccid: textish.optional(),
    imsi: textish.optional(),
    sn: textish.optional(),
    opr: textish.optional(),
    bal: textish.optional(),
    sig: intish.optional(),
    active: intish.optional(),
    inserted: intish.optional(),
  })
  .transform((e) => {
    const state = e.st ?? e.status;
    return { ...e, st: state?.code ?? null, stText: state?.text ?? '' };
  });

/** `dev-status` (push and goip_get_status reply). Accepts `max-slot` (what devices send) and `max-slots`. */
export const devStatusSchema = z
  .looseObject({
    type: z.literal('dev-status'),
    seq: intish.optional(),
    expires: intish.optional(),
    mac: z.string().optional(),
    ip: z.string().optional(),
    ver: z.string().optional(),
    'max-ports': intish.optional(),
    'max-slot': intish.optional(),
    'max-slots': intish.optional(),
    status: z.array(portEntrySchema).optional().default([]),
  })
  .transform((d) => ({
    ...d,
    maxPorts: d['max-ports'] ?? null,
    maxSlots: d['max-slot'] ?? d['max-slots'] ?? null,
    ports: d.status,
  }));

/** `port-status` push: state in `st` or `status`, as an int or `"3 OK"`. */
export const portStatusSchema = z
  .looseObject({
    type: z.literal('port-status'),
    port: portish,
    seq: intish.optional(),
    st: codeish.optional(),
    status: codeish.optional(),
    bal: textish.optional(),
    opr: textish.optional(),
    sn: textish.optional(),
    imei: textish.optional(),
    imsi: textish.optional(),
    iccid: textish.optional(),
    sig: intish.optional(),
  })
  .refine((p) => p.st !== undefined || p.status !== undefined, { message: 'port-status has neither st nor status' })
  .transform((p) => {
    const state = (p.st ?? p.status)!;
    return { ...p, st: state.code, stText: state.text };
  });

/** A parsed port entry (`st` is null when the entry carries no state). */
export type PortEntry = z.output<typeof portEntrySchema>;
/** A parsed dev-status: `ports`, `maxPorts`, `maxSlots` normalized, original keys kept. */
export type DevStatus = z.output<typeof devStatusSchema>;
/** A parsed port-status push. */
export type PortStatus = z.output<typeof portStatusSchema>;
