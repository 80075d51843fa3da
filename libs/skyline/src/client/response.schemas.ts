import { z } from 'zod';
import { intish, textish } from '../callbacks/wire-types';

/** Every JSON reply with a `code` (200 on task endpoints, 0 on cmd / get_sms; both accepted everywhere). */
export const codedReplySchema = z.looseObject({
  code: intish,
  reason: z.string().optional().default(''),
});

const tidStatus = z.looseObject({ tid: intish, status: z.union([z.string(), z.number()]) });

/** goip_post_sms reply. */
export const taskStatusReplySchema = codedReplySchema.extend({
  type: z.string().optional(),
  status: z.array(tidStatus).optional().default([]),
});

/** goip_pause_sms / resume / remove reply; `results` absent when no tids were named. */
export const tidResultsReplySchema = codedReplySchema.extend({
  results: z.array(tidStatus).optional(),
});

/** goip_get_tasks reply. */
export const tasksReplySchema = codedReplySchema.extend({
  total_num: intish.optional().default(0),
  task_num: intish.optional().default(0),
  tasks: z
    .array(
      z.looseObject({
        tid: intish,
        state: intish.optional().default(0),
        from: textish.optional().default(''),
        to: textish.optional().default(''),
        chs: z.string().optional(),
        coding: intish.optional(),
        sms: z.string().optional(),
      }),
    )
    .optional()
    .default([]),
});

/** goip_get_sms reply. */
export const getSmsReplySchema = codedReplySchema.extend({
  ssrc: textish.optional().default(''),
  sms_num: intish.optional(),
  next_sms: intish.optional(),
  data: z.array(z.unknown()).optional().default([]),
});

export const SUCCESS_CODES: ReadonlySet<number> = new Set([0, 200]);
