import { assertBackoffSchedule, backoffDelay, DEFAULT_BACKOFF_MS } from './backoff';

describe('backoffDelay', () => {
  const schedule = [100, 500, 2_000];

  it('uses the entry of the failed delivery, then repeats the last', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(schedule, n))).toEqual([100, 500, 2_000, 2_000, 2_000]);
  });

  it('treats counts below 1 as the first delivery and an empty schedule as no delay', () => {
    expect(backoffDelay(schedule, 0)).toBe(100);
    expect(backoffDelay([], 3)).toBe(0);
  });

  it('grows by default', () => {
    const delays = [1, 2, 3, 4, 5].map((n) => backoffDelay(DEFAULT_BACKOFF_MS, n));
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(new Set(delays).size).toBe(5);
  });

  it('rejects negative or non-finite entries with the offending index', () => {
    expect(() => assertBackoffSchedule([10, -1])).toThrow('entry 1');
    expect(() => assertBackoffSchedule([Number.NaN])).toThrow('entry 0');
    expect(() => assertBackoffSchedule([0, 5])).not.toThrow();
  });
});
