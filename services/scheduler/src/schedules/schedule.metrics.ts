import { counter, gauge } from '@dailydesk/observability';

// Counted by the replica whose append stored the event; a replica that lost the race counts nothing.
export const ticksEmitted = counter({
  name: 'scheduler_ticks_emitted_total',
  help: 'SchedulerTicked events this process stored (one per slot across all replicas)',
  labelNames: ['schedule', 'trigger', 'caught_up'] as const,
});

export const slotsSkipped = counter({
  name: 'scheduler_slots_skipped_total',
  help: 'SchedulerSlotSkipped events this process stored, by reason',
  labelNames: ['schedule', 'reason'] as const,
});

export const lastTickSlot = gauge({
  name: 'scheduler_last_tick_slot_seconds',
  help: 'Slot (unix seconds, UTC) of the last tick of the schedule, as last read from the store',
  labelNames: ['schedule'] as const,
});

export const tickConflicts = counter({
  name: 'scheduler_append_conflicts_total',
  help: 'Appends that lost a race with another replica (re-read and decided again)',
  labelNames: ['schedule'] as const,
});
