import { z } from 'zod';
import { intish, portish, textish } from './wire-types';

/** One `sdr` row `[index, number, port, ts]`: a recipient whose SMS the module sent. */
const sdrRow = z.tuple([intish, textish, portish, intish], z.unknown()).transform(([index, number, port, ts]) => ({
  index,
  number,
  port,
  /** UTC epoch seconds of the send attempt. */
  ts,
}));

/** One `fdr` row `[index, number, port, ts, progress_reason, carrier_reason]`; the reasons may be missing. */
const fdrRow = z
  .tuple([intish, textish, portish, intish], z.unknown())
  .transform(([index, number, port, ts, ...rest]) => ({
    index,
    number,
    port,
    ts,
    progressReason: rest[0] === undefined || rest[0] === null ? '' : String(rest[0]),
    carrierReason: rest[1] === undefined || rest[1] === null ? '' : String(rest[1]),
  }));

const rows = <T extends z.ZodType>(row: T) =>
  z
    .array(row)
    .nullish()
    .transform((v) => v ?? []);

/** One entry of `rpts`: cumulative counters of a task plus the sdr / fdr rows since the previous report. */
export const statusReportEntrySchema = z.looseObject({
  tid: intish,
  sending: intish.optional().default(0),
  sent: intish.optional().default(0),
  failed: intish.optional().default(0),
  unsent: intish.optional().default(0),
  sdr: rows(sdrRow),
  fdr: rows(fdrRow),
});

/** `status-report` body posted to `sr_url`. `rpt_num` is informational (the rows are what count). */
export const statusReportSchema = z.looseObject({
  type: z.literal('status-report'),
  rpt_num: intish.optional(),
  rpts: z.array(statusReportEntrySchema),
});

/** A parsed status report entry. `sdr` / `fdr` hold only rows new since this task's previous report. */
export type StatusReportEntry = z.output<typeof statusReportEntrySchema>;
/** A parsed success row. */
export type SuccessRow = StatusReportEntry['sdr'][number];
/** A parsed failure row. */
export type FailureRow = StatusReportEntry['fdr'][number];
/** A parsed `status-report` body. */
export type StatusReport = z.output<typeof statusReportSchema>;
