import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_LIMITS } from '@chainrule/service';
import { DEFAULT_LIMITS, Semaphore } from './limits.ts';

describe('limits', () => {
  it('are the service limits of the CLI, plus the HTTP ones', () => {
    expect(DEFAULT_LIMITS).toMatchObject(DEFAULT_SERVICE_LIMITS);
    // A body at the limit can carry a whole value at the entry limit ("0," per entry).
    expect(DEFAULT_LIMITS.bodyLimitBytes).toBeGreaterThanOrEqual(2 * DEFAULT_LIMITS.maxValueEntries);
    expect(DEFAULT_LIMITS.maxHeavyInFlight).toBeLessThan(64);
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
