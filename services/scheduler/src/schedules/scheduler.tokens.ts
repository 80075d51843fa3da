/** Injection tokens of the scheduler feature. */
export const SCHEDULER_RUNTIME = Symbol('SCHEDULER_RUNTIME');
