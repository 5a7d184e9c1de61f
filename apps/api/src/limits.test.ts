import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_LIMITS } from '@chainrule/service';
import { DEFAULT_LIMITS, Semaphore, heavyAdmission } from './limits.ts';

describe('limits', () => {
  it('are the service limits of the CLI, plus the HTTP ones', () => {
    expect(DEFAULT_LIMITS).toMatchObject(DEFAULT_SERVICE_LIMITS);
    // A body at the limit can carry a whole value at the entry limit ("0," per entry).
    expect(DEFAULT_LIMITS.bodyLimitBytes).toBeGreaterThanOrEqual(2 * DEFAULT_LIMITS.maxValueEntries);
  });

  it('admit heavy work matched to the pool: one per worker and heavyQueue more, unless maxHeavyInFlight says otherwise', () => {
    expect(heavyAdmission(DEFAULT_LIMITS, 2)).toBe(4);
    expect(heavyAdmission(DEFAULT_LIMITS, 8)).toBe(10);
    expect(heavyAdmission({ ...DEFAULT_LIMITS, maxHeavyInFlight: 16 }, 2)).toBe(16);
  });

  it('hands out at most `limit` permits, each released once', () => {
    const semaphore = new Semaphore(2);
    const a = semaphore.tryAcquire()!;
    const b = semaphore.tryAcquire()!;
    expect(semaphore.tryAcquire()).toBeUndefined();
    a();
    a();
    expect(semaphore.inUse).toBe(1);
    expect(semaphore.tryAcquire()).toBeDefined();
    b();
  });
});
